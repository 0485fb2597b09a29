// Reading the boot volume's structures. Magic, version and checksums are
// gates: when one fails nothing after it can be trusted, so decoding stops
// there. Past them, every problem is collected.

import { Reader } from '../../bytes/reader.js';
import { nonZeroReserved, readTable, type Field } from '../../bytes/table.js';
import { hex, issue, type Issue, type Result } from '../../diagnostics/issue.js';
import { crc32 } from '../checksum/crc32.js';
import {
  KNOWN_FLAGS, PATCH, PATCH_AT, PATCH_MAGIC, RANGE, RANGE_TABLE, RANGE_TYPE, RANGES_MAGIC, VERSION, VOLUME_HEADER,
  VOLUME_HEADER_AT, VOLUME_MAGIC, flagBits, flagNames,
} from './struct.js';
import type { BootRange, Stage1Patch, VolumeHeader } from './types.js';

export const patchWhere = (f: Field): string => `MBR offset ${hex(PATCH_AT + f.offset)} (${f.name})`;
export const headerWhere = (f: Field): string => `volume header (${f.name})`;
export const tableWhere = (f: Field): string => `range table (${f.name})`;
export const rangeWhere = (i: number, f: Field): string => `range ${i} (${f.name})`;

const RO_RW = flagBits(['ro', 'rw']);
const text = (b: Uint8Array): string => String.fromCharCode(...b).replace(/[^\x20-\x7e]/g, '.');
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The patch block of an MBR sector (or of its boot code area). No value and
 * no issue when its magic is absent: stage 1 was never installed there.
 */
export function decodePatch(mbr: Uint8Array): Result<Stage1Patch> {
  const p = readTable(new Reader(mbr), PATCH_AT, PATCH);
  if (p.patch_magic !== PATCH_MAGIC) return { issues: [] };
  const issues = nonZeroReserved(PATCH, p).map((f) => issue('BOOTVOL_FIELD', `reserved field ${f.name} is not zero`, { where: patchWhere(f) }));
  return { value: { volumeLba: p.volume_lba, stage2Lba: BigInt(p.stage2_lba), stage2Sectors: p.stage2_sectors }, issues };
}

/** True when the sector carries a volume header's magic. */
export function hasVolumeMagic(pbr: Uint8Array): boolean {
  return same(pbr.subarray(VOLUME_HEADER_AT, VOLUME_HEADER_AT + VOLUME_MAGIC.length), VOLUME_MAGIC);
}

/** The volume header in the volume's first sector. */
export function decodeVolumeHeader(pbr: Uint8Array): Result<VolumeHeader> {
  const F = VOLUME_HEADER.f;
  const h = readTable(new Reader(pbr), VOLUME_HEADER_AT, VOLUME_HEADER);
  if (!same(h.magic, VOLUME_MAGIC)) return { issues: [issue('BOOTVOL_FIELD', `magic is "${text(h.magic)}", not "MIMGVOL1": no boot volume here`, { where: headerWhere(F.magic) })] };
  if (h.version !== VERSION) return { issues: [issue('BOOTVOL_FIELD', `version ${h.version}; this mimg reads version ${VERSION}`, { where: headerWhere(F.version) })] };
  const crc = crc32(pbr.subarray(VOLUME_HEADER_AT, VOLUME_HEADER_AT + F.header_crc32.offset));
  if (h.header_crc32 !== crc) return { issues: [issue('BOOTVOL_CHECKSUM', `header_crc32 is ${hex(h.header_crc32)}, the header's CRC-32 is ${hex(crc)}`, { where: headerWhere(F.header_crc32) })] };
  return {
    value: { version: h.version, stage2Lba: BigInt(h.stage2_lba), stage2Sectors: h.stage2_sectors, rangesLba: BigInt(h.ranges_lba), rangesSectors: BigInt(h.ranges_sectors), volumeLba: h.volume_lba },
    issues: [],
  };
}

/** The range table from the `ranges_sectors` sectors at `ranges_lba`. */
export function decodeRangeTable(bytes: Uint8Array): Result<BootRange[]> {
  const T = RANGE_TABLE.f;
  const R = RANGE.f;
  if (bytes.length < RANGE_TABLE.size) return { issues: [issue('BOOTVOL_FIELD', `the range table's ${hex(bytes.length)} bytes cannot hold its ${RANGE_TABLE.size}-byte header`, { where: tableWhere(T.magic) })] };
  const r = new Reader(bytes);
  const t = readTable(r, 0, RANGE_TABLE);
  if (!same(t.magic, RANGES_MAGIC)) return { issues: [issue('BOOTVOL_FIELD', `magic is "${text(t.magic)}", not "MIMGRNGS"`, { where: tableWhere(T.magic) })] };
  if (t.version !== VERSION) return { issues: [issue('BOOTVOL_FIELD', `version ${t.version}; this mimg reads version ${VERSION}`, { where: tableWhere(T.version) })] };
  const headerCrc = crc32(bytes.subarray(0, T.header_crc32.offset));
  if (t.header_crc32 !== headerCrc) return { issues: [issue('BOOTVOL_CHECKSUM', `header_crc32 is ${hex(t.header_crc32)}, the header's CRC-32 is ${hex(headerCrc)}`, { where: tableWhere(T.header_crc32) })] };
  if (t.entry_size !== RANGE.size) return { issues: [issue('BOOTVOL_FIELD', `entry_size is ${t.entry_size}, not ${RANGE.size}`, { where: tableWhere(T.entry_size) })] };
  const end = RANGE_TABLE.size + RANGE.size * t.count;
  if (end > bytes.length) return { issues: [issue('BOOTVOL_FIELD', `${t.count} entries need ${hex(end)} bytes; the table's sectors hold ${hex(bytes.length)}`, { where: tableWhere(T.count) })] };
  const entriesCrc = crc32(bytes.subarray(RANGE_TABLE.size, end));
  if (t.entries_crc32 !== entriesCrc) return { issues: [issue('BOOTVOL_CHECKSUM', `entries_crc32 is ${hex(t.entries_crc32)}, the entries' CRC-32 is ${hex(entriesCrc)}`, { where: tableWhere(T.entries_crc32) })] };

  const issues: Issue[] = nonZeroReserved(RANGE_TABLE, t).map((f) => issue('BOOTVOL_FIELD', `reserved field ${f.name} is not zero`, { where: tableWhere(f) }));
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const ranges: BootRange[] = [];
  // An entry with an unknown type or an unreadable name cannot be represented: no value then.
  let representable = true;
  for (let i = 0; i < t.count; i++) {
    const e = readTable(r, RANGE_TABLE.size + RANGE.size * i, RANGE);
    const fail = (f: Field, message: string, fatal = false): void => {
      issues.push(issue('BOOTVOL_FIELD', message, { where: rangeWhere(i, f) }));
      if (fatal) representable = false;
    };
    for (const f of nonZeroReserved(RANGE, e)) fail(f, `reserved field ${f.name} is not zero`);
    const nul = e.name.indexOf(0);
    let name = '';
    if (nul < 0) fail(R.name, 'the name has no terminating NUL', true);
    else {
      if (e.name.subarray(nul).some((b) => b !== 0)) fail(R.name, "bytes after the name's NUL are not zero");
      try {
        name = utf8.decode(e.name.subarray(0, nul));
      } catch {
        fail(R.name, 'the name is not UTF-8', true);
      }
    }
    const type = RANGE_TYPE.name(e.type);
    if (type === undefined) fail(R.type, `unknown range type ${e.type}`, true);
    if ((e.flags & ~KNOWN_FLAGS) !== 0) fail(R.flags, `unknown flag bits ${hex(e.flags & ~KNOWN_FLAGS)}`);
    if ((e.flags & RO_RW) === RO_RW) fail(R.flags, 'flags ro and rw are both set');
    if (type !== undefined) ranges.push({ name, type, flags: flagNames(e.flags), lba: e.lba, size: e.size, loadAddress: e.load_address, entry: e.entry });
  }
  return representable ? { value: ranges, issues } : { issues };
}
