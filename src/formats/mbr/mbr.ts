// Reading and writing the MBR. Pure: a 512-byte sector in, { value, issues }
// out; value -> the same 512 bytes. Every byte is kept (boot code, legacy
// CHS fields, unused entries), so any real MBR round-trips exactly.

import { Reader } from '../../bytes/reader.js';
import { SECTOR_SIZE } from '../../bytes/sectors.js';
import { readTable, writeTable } from '../../bytes/table.js';
import { Writer } from '../../bytes/writer.js';
import { hex, hexRange, issue, type Issue, type Result } from '../../diagnostics/issue.js';
import { overlaps, range } from '../../layout/range.js';
import { BOOT_SIGNATURE, MBR, PARTITION_COUNT, PARTITION_ENTRY, STATUS_ACTIVE, TYPE_EMPTY, chsOf } from './struct.js';

export interface MbrPartition {
  /** 0x80 active, 0x00 not. */
  status: number;
  /** 0 for an unused entry. */
  type: number;
  firstLba: bigint;
  sectors: bigint;
  /** The legacy CHS fields, as found (or as chsOf() makes them). */
  chsFirst: Uint8Array;
  chsLast: Uint8Array;
}

export interface Mbr {
  /** Bytes 0x000..0x1B7. */
  bootCode: Uint8Array;
  diskSignature: number;
  copyProtect: number;
  /** Always four entries, unused ones included (type 0), so that writing gives back every byte. */
  partitions: MbrPartition[];
}

/** Entry `i` of the table (0-based), for `where` strings: "partition 1 (first_lba)" is the second entry. */
export function entryWhere(i: number, field: string): string {
  return `MBR partition ${i + 1} (${field})`;
}

const entryOffset = (i: number): number => MBR.f.partition_table.offset + PARTITION_ENTRY.size * i;

/** Parses LBA 0. Without 55 AA there is no value: the sector is not an MBR. */
export function parseMbr(sector: Uint8Array): Result<Mbr> {
  if (sector.length < SECTOR_SIZE) {
    return { issues: [issue('DISK_TABLE', `the disk has ${hex(sector.length)} bytes, less than one 512-byte sector`, { where: 'LBA 0' })] };
  }
  const r = new Reader(sector);
  const m = readTable(r, 0, MBR);
  if (m.boot_signature !== BOOT_SIGNATURE) {
    const seen = [m.boot_signature & 0xff, m.boot_signature >> 8].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
    return { issues: [issue('DISK_TABLE', `LBA 0 ends in ${seen}, not 55 AA: no partition table`, { where: `MBR offset ${hex(MBR.f.boot_signature.offset)} (boot_signature)` })] };
  }
  const partitions = Array.from({ length: PARTITION_COUNT }, (_, i) => {
    const e = readTable(r, entryOffset(i), PARTITION_ENTRY);
    return { status: e.status, type: e.type, firstLba: BigInt(e.first_lba), sectors: BigInt(e.sectors), chsFirst: e.chs_first, chsLast: e.chs_last };
  });
  return { value: { bootCode: m.boot_code, diskSignature: m.disk_signature, copyProtect: m.copy_protect, partitions }, issues: [] };
}

/**
 * The used entries' problems on a disk of `diskSectors` sectors: a status
 * other than 0x00/0x80, an entry starting at LBA 0 or running past the end
 * of the disk, two entries overlapping. Every problem is reported.
 */
export function verifyMbr(mbr: Mbr, diskSectors: bigint): Issue[] {
  const issues: Issue[] = [];
  const used = mbr.partitions.flatMap((p, i) => (p.type === TYPE_EMPTY ? [] : [{ p, i }]));
  for (const { p, i } of used) {
    const span = hexRange(p.firstLba, p.firstLba + p.sectors);
    if (p.status !== 0 && p.status !== STATUS_ACTIVE) issues.push(issue('DISK_TABLE', `status ${hex(p.status)} is neither 0x00 nor 0x80`, { where: entryWhere(i, 'status') }));
    if (p.sectors === 0n) issues.push(issue('DISK_TABLE', `partition ${i + 1} is empty (0 sectors) but has type ${hex(p.type)}`, { where: entryWhere(i, 'sectors') }));
    if (p.firstLba === 0n) issues.push(issue('DISK_TABLE', `partition ${i + 1} ${span} starts at LBA 0, over the MBR`, { where: entryWhere(i, 'first_lba') }));
    if (p.firstLba + p.sectors > diskSectors) issues.push(issue('DISK_TABLE', `partition ${i + 1} sectors ${span} run past the end of the disk (${hex(diskSectors)} sectors)`, { where: entryWhere(i, 'sectors') }));
  }
  for (const [k, { p, i }] of used.entries()) {
    for (const { p: q, i: j } of used.slice(k + 1)) {
      if (overlaps(range(p.firstLba, p.firstLba + p.sectors), range(q.firstLba, q.firstLba + q.sectors))) {
        issues.push(issue('DISK_TABLE', `partition ${j + 1} sectors ${hexRange(q.firstLba, q.firstLba + q.sectors)} overlap partition ${i + 1} sectors ${hexRange(p.firstLba, p.firstLba + p.sectors)}`, { where: entryWhere(j, 'first_lba') }));
      }
    }
  }
  return issues;
}

/** The 512 bytes of `mbr`. A value that does not fit its field is a programming error and throws RangeError. */
export function encodeMbr(mbr: Mbr): Uint8Array {
  if (mbr.partitions.length !== PARTITION_COUNT) throw new RangeError(`encodeMbr: ${mbr.partitions.length} partition entries, not ${PARTITION_COUNT}`);
  const w = new Writer(SECTOR_SIZE);
  writeTable(w, 0, MBR, {
    boot_code: mbr.bootCode,
    disk_signature: mbr.diskSignature,
    copy_protect: mbr.copyProtect,
    partition_table: new Uint8Array(MBR.f.partition_table.size),
    boot_signature: BOOT_SIGNATURE,
  });
  mbr.partitions.forEach((p, i) => {
    writeTable(w, entryOffset(i), PARTITION_ENTRY, {
      status: p.status,
      chs_first: p.chsFirst,
      type: p.type,
      chs_last: p.chsLast,
      first_lba: Number(p.firstLba),
      sectors: Number(p.sectors),
    });
  });
  return w.bytes;
}

/** An entry for sectors [firstLba, firstLba + sectors), with CHS fields made from the LBAs. */
export function mbrPartition(type: number, firstLba: bigint, sectors: bigint, active = false): MbrPartition {
  return { status: active ? STATUS_ACTIVE : 0, type, firstLba, sectors, chsFirst: chsOf(firstLba), chsLast: chsOf(firstLba + sectors - 1n) };
}

/** An unused entry: all zero. */
export function emptyPartition(): MbrPartition {
  return { status: 0, type: TYPE_EMPTY, firstLba: 0n, sectors: 0n, chsFirst: new Uint8Array(3), chsLast: new Uint8Array(3) };
}
