// The argument forms of the original mimgmake, for `mimg make IMAGE ARG...`:
//   file            an ELF executable, installed at its own addresses
//   noload:file     an ELF whose ranges are reserved but not loaded
//   file@ADDR       raw bytes at ADDR
//   file@next       raw bytes right after the previous argument's section
//   file@page       raw bytes at the next page boundary after it
//   zero:A-B        zero-filled range [A, B)
//   bootdata:A-B    the boot information block, [A, B)
//   reserved:A-B    a range nothing may be placed in, [A, B)
//   entry@ADDR      the entry point
// Pure: strings in, typed arguments or issues out.

import { hexRange, issue, type Issue, type Result } from '../diagnostics/issue.js';
import type { Placement } from '../layout/types.js';
import { toU64 } from './schema.js';

export type MakeArg =
  | { kind: 'elf'; path: string; noload: boolean; index: number }
  | { kind: 'data'; path: string; placement: Placement; index: number }
  | { kind: 'zero' | 'bootinfo' | 'reserved'; start: bigint; end: bigint; index: number }
  | { kind: 'entry'; address: bigint; index: number };

const RANGE_KINDS = { zero: 'zero', bootdata: 'bootinfo', reserved: 'reserved' } as const;

/** An address or size as the config writes it (0x hex, or decimal with K/M/G), or undefined. */
export function parseAddress(text: string): bigint | undefined {
  const n = toU64(text.trim());
  return typeof n === 'bigint' ? n : undefined;
}

function where(index: number): string {
  return `argument ${index + 1}`;
}

function parseOne(arg: string, index: number): MakeArg | Issue {
  const bad = (what: string) => issue('USAGE', `${JSON.stringify(arg)}: ${what}`, { where: where(index) });
  const colon = /^(zero|bootdata|reserved|noload):(.*)$/.exec(arg);
  if (colon) {
    const [, prefix, rest] = colon as unknown as [string, keyof typeof RANGE_KINDS | 'noload', string];
    if (prefix === 'noload') return rest ? { kind: 'elf', path: rest, noload: true, index } : bad('noload: needs a file');
    const dash = rest.indexOf('-');
    const start = dash > 0 ? parseAddress(rest.slice(0, dash)) : undefined;
    const end = dash > 0 ? parseAddress(rest.slice(dash + 1)) : undefined;
    if (start === undefined || end === undefined) return bad(`expected ${prefix}:START-END with numbers like 0x100000 or 1M`);
    if (start >= end) return bad(`range ${hexRange(start, end)} is empty or inverted; END is exclusive and must be above START`);
    return { kind: RANGE_KINDS[prefix], start, end, index };
  }
  const at = arg.lastIndexOf('@');
  if (at < 0) return arg ? { kind: 'elf', path: arg, noload: false, index } : bad('empty argument');
  const lhs = arg.slice(0, at);
  const rhs = arg.slice(at + 1);
  if (lhs === 'entry') {
    const address = parseAddress(rhs);
    return address === undefined ? bad('expected entry@ADDR') : { kind: 'entry', address, index };
  }
  if (!lhs) return bad('missing file name before @');
  if (rhs === 'next' || rhs === 'page') return { kind: 'data', path: lhs, placement: { kind: rhs }, index };
  const address = parseAddress(rhs);
  if (address === undefined) return bad(`expected FILE@ADDR, FILE@next or FILE@page, got "@${rhs}"`);
  return { kind: 'data', path: lhs, placement: { kind: 'fixed', address }, index };
}

export function parseMakeArgs(args: readonly string[]): Result<MakeArg[]> {
  const issues: Issue[] = [];
  const value: MakeArg[] = [];
  args.forEach((a, i) => {
    const r = parseOne(a, i);
    if ('code' in r) issues.push(r);
    else value.push(r);
  });
  if (value.filter((a) => a.kind === 'entry').length > 1) issues.push(issue('USAGE', 'entry@ADDR given more than once'));
  if (value.filter((a) => a.kind === 'bootinfo').length > 1) issues.push(issue('USAGE', 'bootdata:A-B given more than once: the boot information is one contiguous block'));
  if (!value.some((a) => a.kind === 'elf' || a.kind === 'data')) issues.push(issue('USAGE', 'nothing to load: give at least one file'));
  return { value, issues };
}
