// A disk image, or the part of one an installer writes, is a list of
// extents: byte ranges with where their bytes come from. Planned extents
// tile their area exactly, in order, so a writer needs no other knowledge:
// it writes each one (a new sparse file skips the zeros, an installer into an
// existing disk must not).

import { hexRange } from '../diagnostics/issue.js';

export type Source =
  /** Bytes made in memory: sectors of tables, stage binaries. */
  | { kind: 'bytes'; bytes: Uint8Array }
  /** `length` bytes of a file from `offset`: the .mimg, a range's input. */
  | { kind: 'file'; path: string; offset: bigint }
  | { kind: 'zeros' };

export interface Extent {
  offset: bigint;
  length: bigint;
  source: Source;
  /** What the bytes are, for progress and errors: "GPT backup", "range 'initrd'". */
  what: string;
}

export function bytesExtent(offset: bigint, bytes: Uint8Array, what: string): Extent {
  return { offset, length: BigInt(bytes.length), source: { kind: 'bytes', bytes }, what };
}

/**
 * The extents, sorted, with zero extents filling every gap up to `size`.
 * Empty extents are dropped; overlapping ones, or one past `size`, are a
 * planner bug and throw.
 */
export function tile(extents: readonly Extent[], size: bigint): Extent[] {
  const sorted = extents.filter((e) => e.length > 0n).sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  const out: Extent[] = [];
  let at = 0n;
  for (const e of sorted) {
    if (e.offset < at) throw new Error(`internal: ${e.what} ${hexRange(e.offset, e.offset + e.length)} overlaps what precedes it (up to 0x${at.toString(16)})`);
    if (e.offset > at) out.push({ offset: at, length: e.offset - at, source: { kind: 'zeros' }, what: 'zeros' });
    out.push(e);
    at = e.offset + e.length;
  }
  if (at > size) throw new Error(`internal: extents reach 0x${at.toString(16)}, past the end 0x${size.toString(16)}`);
  if (at < size) out.push({ offset: at, length: size - at, source: { kind: 'zeros' }, what: 'zeros' });
  return out;
}

/** The extents moved by `delta` bytes (a volume planned from 0, placed in its partition). */
export function shift(extents: readonly Extent[], delta: bigint): Extent[] {
  return extents.map((e) => ({ ...e, offset: e.offset + delta }));
}
