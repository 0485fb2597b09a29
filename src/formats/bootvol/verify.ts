// The rules of a boot volume that hold across its structures
// (docs/format/boot-volume.md section 5): where stage 2, the range table and
// the ranges lie, and what the patch block and the header must agree on.
// Every failure is reported, not just the first.

import { sectorsFor } from '../../bytes/sectors.js';
import { hex, hexRange, issue, type Issue } from '../../diagnostics/issue.js';
import { overlaps, range } from '../../layout/range.js';
import { headerWhere, patchWhere, rangeWhere } from './decode.js';
import { rangeTableSectors } from './encode.js';
import { PATCH, RANGE, RANGE_ALIGN_SECTORS, VOLUME_HEADER, rangeNameProblem } from './struct.js';
import type { BootRange, Stage1Patch, VolumeHeader } from './types.js';

const H = VOLUME_HEADER.f;
const R = RANGE.f;
const LIMIT_32 = 1n << 32n;
/** The loader goes above the first MiB (BIOS data, stage 2 and its buffers live below). */
const LOADER_MIN = 1n << 20n;

/** Where a volume lies on its disk: the partition's first sector and length. */
export interface VolumePlace {
  lba: bigint;
  sectors: bigint;
}

const describe = (i: number, r: BootRange): string => `range ${i} '${r.name}'`;
const sectorsOf = (r: BootRange): { start: bigint; end: bigint } => range(r.lba, r.lba + sectorsFor(r.size));

/** Rules 1-7 on a decoded (or freshly planned) volume in the partition `place`. */
export function verifyVolume(header: VolumeHeader, ranges: readonly BootRange[], place: VolumePlace): Issue[] {
  const issues: Issue[] = [];
  const fail = (code: Issue['code'], message: string, where: string): void => void issues.push(issue(code, message, { where }));
  const stage2 = range(header.stage2Lba, header.stage2Lba + BigInt(header.stage2Sectors));
  const table = range(header.rangesLba, header.rangesLba + header.rangesSectors);

  // Rule 1: the volume knows where it is.
  if (header.volumeLba !== place.lba) fail('BOOTVOL_FIELD', `volume_lba is ${hex(header.volumeLba)}, but the volume starts at LBA ${hex(place.lba)}`, headerWhere(H.volume_lba));
  // Rule 2: PBR, stage 2, range table, in this order, inside the volume.
  if (header.stage2Sectors === 0 || stage2.start < 1n) fail('BOOTVOL_FIELD', `stage 2 at sectors ${hexRange(stage2.start, stage2.end)} must be non-empty and after the PBR`, headerWhere(H.stage2_lba));
  if (table.start < stage2.end) fail('BOOTVOL_FIELD', `the range table at sectors ${hexRange(table.start, table.end)} starts before the end of stage 2 (${hex(stage2.end)})`, headerWhere(H.ranges_lba));
  if (header.rangesSectors < rangeTableSectors(ranges.length)) fail('BOOTVOL_FIELD', `ranges_sectors is ${header.rangesSectors}; ${ranges.length} entries need ${rangeTableSectors(ranges.length)}`, headerWhere(H.ranges_sectors));
  if (table.end > place.sectors) fail('BOOTVOL_FIELD', `the range table at sectors ${hexRange(table.start, table.end)} runs past the end of the volume (${hex(place.sectors)} sectors)`, headerWhere(H.ranges_sectors));

  const names = new Map<string, number>();
  ranges.forEach((r, i) => {
    const span = sectorsOf(r);
    const where = `sectors ${hexRange(span.start, span.end)}`;
    // Rule 3: aligned, after the table, inside the volume, sorted, disjoint.
    if (r.size === 0n) fail('BOOTVOL_FIELD', `${describe(i, r)} is empty`, rangeWhere(i, R.size));
    else if (r.size >= LIMIT_32) fail('BOOTVOL_FIELD', `${describe(i, r)} is ${hex(r.size)} bytes; stage 2 loads ranges of less than 4 GiB`, rangeWhere(i, R.size));
    if (r.lba % RANGE_ALIGN_SECTORS !== 0n) fail('BOOTVOL_FIELD', `${describe(i, r)} starts at sector ${hex(r.lba)}, not a multiple of ${RANGE_ALIGN_SECTORS}`, rangeWhere(i, R.lba));
    if (span.start < table.end) fail('BOOTVOL_FIELD', `${describe(i, r)} ${where} starts before the end of the range table (${hex(table.end)})`, rangeWhere(i, R.lba));
    if (span.end > place.sectors) fail('BOOTVOL_FIELD', `${describe(i, r)} ${where} runs past the end of the volume (${hex(place.sectors)} sectors)`, rangeWhere(i, R.size));
    const prev = ranges[i - 1];
    if (prev !== undefined) {
      if (r.lba < prev.lba) fail('BOOTVOL_FIELD', `${describe(i, r)} comes after ${describe(i - 1, prev)} but starts before it; ranges must be sorted by lba`, rangeWhere(i, R.lba));
      else if (overlaps(sectorsOf(prev), span)) fail('BOOTVOL_FIELD', `${describe(i, r)} ${where} overlaps ${describe(i - 1, prev)} sectors ${hexRange(sectorsOf(prev).start, sectorsOf(prev).end)}`, rangeWhere(i, R.lba));
    }
    // Rule 4: names are valid and unique.
    const problem = rangeNameProblem(r.name);
    if (problem !== undefined) fail('BOOTVOL_FIELD', `range ${i}: ${problem}`, rangeWhere(i, R.name));
    const first = names.get(r.name);
    if (first !== undefined) fail('BOOTVOL_FIELD', `${describe(i, r)} has the name of range ${first}`, rangeWhere(i, R.name));
    else names.set(r.name, i);
    // Rule 5: only the loader has an address, in [1 MiB, 4 GiB), its entry inside its bytes.
    if (r.type === 'loader') {
      if (r.loadAddress < LOADER_MIN || r.loadAddress + r.size > LIMIT_32) fail('BOOTVOL_FIELD', `${describe(i, r)} at ${hexRange(r.loadAddress, r.loadAddress + r.size)} is not inside [1 MiB, 4 GiB)`, rangeWhere(i, R.load_address));
      if (r.entry < r.loadAddress || r.entry >= r.loadAddress + r.size) fail('BOOTVOL_FIELD', `${describe(i, r)}: entry ${hex(r.entry)} is outside its bytes ${hexRange(r.loadAddress, r.loadAddress + r.size)}`, rangeWhere(i, R.entry));
    } else {
      if (r.loadAddress !== 0n) fail('BOOTVOL_FIELD', `${describe(i, r)} is of type ${r.type}, so load_address must be 0, not ${hex(r.loadAddress)}`, rangeWhere(i, R.load_address));
      if (r.entry !== 0n) fail('BOOTVOL_FIELD', `${describe(i, r)} is of type ${r.type}, so entry must be 0, not ${hex(r.entry)}`, rangeWhere(i, R.entry));
    }
  });
  // Rule 6: exactly one loader and one image.
  for (const type of ['loader', 'image'] as const) {
    const n = ranges.filter((r) => r.type === type).length;
    if (n !== 1) fail('BOOTVOL_FIELD', `the range table holds ${n} ranges of type ${type}; it must hold exactly one`, headerWhere(H.ranges_lba));
  }
  return issues;
}

/** Rule 7: the MBR's patch block points at the volume and agrees with its header. */
export function verifyPatch(patch: Stage1Patch, header: VolumeHeader): Issue[] {
  const P = PATCH.f;
  const pairs: [string, bigint, bigint, string][] = [
    ['volume_lba', patch.volumeLba, header.volumeLba, patchWhere(P.volume_lba)],
    ['stage2_lba', patch.stage2Lba, header.stage2Lba, patchWhere(P.stage2_lba)],
    ['stage2_sectors', BigInt(patch.stage2Sectors), BigInt(header.stage2Sectors), patchWhere(P.stage2_sectors)],
  ];
  return pairs
    .filter(([, a, b]) => a !== b)
    .map(([name, a, b, where]) => issue('BOOTVOL_FIELD', `the patch block's ${name} is ${hex(a)}, the volume header's ${hex(b)}`, { where }));
}
