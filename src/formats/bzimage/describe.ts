// A bzImage's setup header as `mimg inspect` shows it: text lines and JSON.

import { hex } from '../../diagnostics/issue.js';
import { LOADFLAG_NAMES, SETUP_HEADER, XLF_NAMES, type SetupField } from './struct.js';
import { versionString } from './parse.js';
import type { BzImage } from './types.js';

function flagNames(v: bigint, names: Readonly<Record<number, string>>): string[] {
  return Object.entries(names)
    .filter(([bit]) => (v & BigInt(bit)) !== 0n)
    .map(([, name]) => name);
}

function summary(k: BzImage) {
  return {
    protocol: versionString(k.version),
    setupSize: hex(k.setupSize),
    kernelSize: hex(k.kernelSize),
    loadAddress: hex(k.loadAddress),
    relocatable: k.relocatable,
    alignment: hex(k.alignment),
    initSize: hex(k.initSize),
    initrdAddrMax: hex(k.initrdAddrMax),
    cmdlineSize: Number(k.cmdlineSize),
    entry64: k.entry64,
    loadflags: flagNames(k.fields.loadflags ?? 0n, LOADFLAG_NAMES),
    xloadflags: flagNames(k.fields.xloadflags ?? 0n, XLF_NAMES),
  };
}

export function bzImageJson(k: BzImage): object {
  const header = Object.fromEntries(Object.entries(k.fields).map(([name, v]) => [name, hex(v)]));
  return { kind: 'bzimage', ...summary(k), header };
}

export function bzImageText(file: string, k: BzImage): string {
  const s = summary(k);
  const lines = [
    `${file}: Linux bzImage, boot protocol ${s.protocol}, setup ${s.setupSize} bytes, protected-mode kernel ${s.kernelSize} bytes`,
    `load at ${s.loadAddress}${k.relocatable ? ` (relocatable, aligned to ${s.alignment})` : ''}, needs ${s.initSize} bytes there; initrd below ${hex(k.initrdAddrMax + 1n)}; command line up to ${s.cmdlineSize} bytes`,
    `entries: 16-bit (setup), 32-bit${k.entry64 ? ', 64-bit (load address + 0x200)' : ''}; loadflags ${s.loadflags.join(' ') || '-'}; xloadflags ${s.xloadflags.join(' ') || '-'}`,
    '',
    'offset  field                   value',
  ];
  for (const name of Object.keys(SETUP_HEADER.fields) as SetupField[]) {
    const v = k.fields[name];
    if (v === undefined) continue;
    lines.push(`${hex(SETUP_HEADER.fields[name][0]).padEnd(7)} ${name.padEnd(23)} ${hex(v)}`);
  }
  return lines.join('\n') + '\n';
}
