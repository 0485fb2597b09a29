// Reading, checking and writing a GPT. Pure: sectors come through a
// ReadSectors, so the backup at the end of a large disk is read without the
// rest. Both copies are checked as `sgdisk -v` does; the value comes from the
// primary copy, or from the backup when the primary is unusable (reported).

import { Reader } from '../../bytes/reader.js';
import { SECTOR_SIZE, sectorsFor, type ReadSectors } from '../../bytes/sectors.js';
import { nonZeroReserved, readTable, writeTable, type Field, type TableValues } from '../../bytes/table.js';
import { Writer } from '../../bytes/writer.js';
import { hex, hexRange, issue, type Issue, type Result } from '../../diagnostics/issue.js';
import { overlaps, range } from '../../layout/range.js';
import { crc32 } from '../checksum/crc32.js';
import { emptyPartition, type Mbr, type MbrPartition } from '../mbr/mbr.js';
import { CHS_SECTORS, chsOf, TYPE_GPT_PROTECTIVE } from '../mbr/struct.js';
import { NULL_GUID, guidBytes, guidString } from './guid.js';
import { ENTRY, ENTRY_COUNT, HEADER, REVISION, SIGNATURE } from './struct.js';

export interface GptPartition {
  /** Index in the entry array (0-based); tools number partitions from 1, as entry + 1. */
  entry: number;
  type: string;
  guid: string;
  firstLba: bigint;
  /** Inclusive, as stored. */
  lastLba: bigint;
  attributes: bigint;
  name: string;
}

export interface Gpt {
  diskGuid: string;
  firstUsableLba: bigint;
  /** Inclusive. */
  lastUsableLba: bigint;
  /** Entries in the array, used or not (128 for every common tool). */
  entryCount: number;
  /** The used entries, by index. */
  partitions: GptPartition[];
}

type HeaderValues = TableValues<typeof HEADER>;
type Copy = 'primary' | 'backup';

const NAME_UNITS = ENTRY.f.name.size / 2;
/** More entries than a header may sensibly declare (sgdisk's limit is 1024): a bigger count is corruption. */
const MAX_ENTRIES = 4096;

const headerWhere = (copy: Copy, f: Field): string => `${copy} GPT header (${f.name})`;
const entryWhere = (copy: Copy, i: number, f: Field): string => `${copy} GPT entry ${i + 1} (${f.name})`;
const arraySectors = (count: number): bigint => sectorsFor(BigInt(count * ENTRY.size));

/** CRC-32 of the header with header_crc32 taken as 0. */
function headerCrc(header: Uint8Array): number {
  const copy = header.slice(0, HEADER.size);
  copy.fill(0, HEADER.f.header_crc32.offset, HEADER.f.header_crc32.offset + 4);
  return crc32(copy);
}

/**
 * One header, read at `lba`: the gates (signature, size, CRC) stop there,
 * every other problem is collected. No value when a gate fails.
 */
function decodeHeader(sector: Uint8Array, lba: bigint, copy: Copy, diskSectors: bigint): Result<{ h: HeaderValues; arrayReadable: boolean }> {
  const at = (f: Field): string => headerWhere(copy, f);
  if (sector.length < SECTOR_SIZE) return { issues: [issue('DISK_TABLE', `the ${copy} GPT header at LBA ${lba} lies past the end of the disk (${diskSectors} sectors)`, { where: `${copy} GPT header` })] };
  const h = readTable(new Reader(sector), 0, HEADER);
  if (h.signature.some((b, i) => b !== SIGNATURE[i])) return { issues: [issue('DISK_TABLE', `LBA ${lba} holds no GPT header (no "EFI PART" signature)`, { where: at(HEADER.f.signature) })] };
  if (h.header_size !== HEADER.size) return { issues: [issue('DISK_TABLE', `header_size is ${h.header_size}; this mimg reads ${HEADER.size}-byte GPT headers`, { where: at(HEADER.f.header_size) })] };
  const crc = headerCrc(sector);
  if (h.header_crc32 !== crc) return { issues: [issue('DISK_TABLE', `header_crc32 is ${hex(h.header_crc32)}, the header's CRC-32 is ${hex(crc)}`, { where: at(HEADER.f.header_crc32) })] };

  const issues: Issue[] = [];
  const fail = (f: Field, message: string): void => void issues.push(issue('DISK_TABLE', message, { where: at(f) }));
  const last = diskSectors - 1n;
  if (h.revision !== REVISION) fail(HEADER.f.revision, `revision ${hex(h.revision)} is not 1.0 (0x10000)`);
  for (const f of nonZeroReserved(HEADER, h)) fail(f, `reserved field ${f.name} is not zero`);
  if (sector.subarray(HEADER.size, SECTOR_SIZE).some((b) => b !== 0)) issues.push(issue('DISK_TABLE', 'the bytes after the 92-byte header are not zero', { where: `${copy} GPT header` }));
  if (h.my_lba !== lba) fail(HEADER.f.my_lba, `my_lba is ${h.my_lba}, but the header is at LBA ${lba}`);
  const otherLba = copy === 'primary' ? last : 1n;
  if (h.alternate_lba !== otherLba) fail(HEADER.f.alternate_lba, `alternate_lba is ${h.alternate_lba}, not ${otherLba} (the ${copy === 'primary' ? 'last sector of the disk' : 'primary header'})`);
  const before = issues.length;
  if (h.partition_entry_size !== ENTRY.size) fail(HEADER.f.partition_entry_size, `partition_entry_size is ${h.partition_entry_size}; this mimg reads ${ENTRY.size}-byte entries`);
  if (h.num_partition_entries === 0 || h.num_partition_entries > MAX_ENTRIES) fail(HEADER.f.num_partition_entries, `num_partition_entries is ${h.num_partition_entries}, not 1 to ${MAX_ENTRIES}`);
  const array = range(h.partition_entry_lba, h.partition_entry_lba + arraySectors(h.num_partition_entries));
  const usable = range(h.first_usable_lba, h.last_usable_lba + 1n);
  if (h.first_usable_lba > h.last_usable_lba + 1n) fail(HEADER.f.last_usable_lba, `the usable sectors [${h.first_usable_lba},${h.last_usable_lba}] run backwards`);
  else if (h.first_usable_lba < 2n || h.last_usable_lba >= last) fail(HEADER.f.first_usable_lba, `the usable sectors ${hexRange(usable.start, usable.end)} reach over a header (LBA 1 or ${last})`);
  if (array.start < 2n || array.end > last) fail(HEADER.f.partition_entry_lba, `the entry array, sectors ${hexRange(array.start, array.end)}, is not between the headers`);
  const arrayReadable = issues.length === before;
  if (arrayReadable && overlaps(array, usable)) fail(HEADER.f.partition_entry_lba, `the entry array, sectors ${hexRange(array.start, array.end)}, overlaps the usable sectors ${hexRange(usable.start, usable.end)}`);
  return { value: { h, arrayReadable }, issues };
}

/** The entry array of a header whose fields decodeHeader accepted. */
function decodeEntries(bytes: Uint8Array, h: HeaderValues, copy: Copy): Result<GptPartition[]> {
  const size = h.num_partition_entries * ENTRY.size;
  if (bytes.length < size) return { issues: [issue('DISK_TABLE', `the entry array at LBA ${h.partition_entry_lba} runs past the end of the disk`, { where: headerWhere(copy, HEADER.f.partition_entry_lba) })] };
  const crc = crc32(bytes.subarray(0, size));
  if (crc !== h.partition_entry_array_crc32) {
    return { issues: [issue('DISK_TABLE', `partition_entry_array_crc32 is ${hex(h.partition_entry_array_crc32)}, the entries' CRC-32 is ${hex(crc)}`, { where: headerWhere(copy, HEADER.f.partition_entry_array_crc32) })] };
  }
  const issues: Issue[] = [];
  const r = new Reader(bytes);
  const partitions: GptPartition[] = [];
  for (let i = 0; i < h.num_partition_entries; i++) {
    const e = readTable(r, i * ENTRY.size, ENTRY);
    const type = guidString(e.type_guid);
    if (type === NULL_GUID) continue;
    const units = new Uint16Array(NAME_UNITS).map((_, k) => e.name[2 * k]! | (e.name[2 * k + 1]! << 8));
    const end = units.indexOf(0);
    const name = String.fromCharCode(...units.subarray(0, end < 0 ? NAME_UNITS : end));
    const p: GptPartition = { entry: i, type, guid: guidString(e.unique_guid), firstLba: e.first_lba, lastLba: e.last_lba, attributes: e.attributes, name };
    if (p.lastLba < p.firstLba) issues.push(issue('DISK_TABLE', `partition ${i + 1} ends at LBA ${p.lastLba}, before its start ${p.firstLba}`, { where: entryWhere(copy, i, ENTRY.f.last_lba) }));
    else if (p.firstLba < h.first_usable_lba || p.lastLba > h.last_usable_lba) {
      issues.push(issue('DISK_TABLE', `partition ${i + 1}, sectors [${p.firstLba},${p.lastLba}], is not inside the usable sectors [${h.first_usable_lba},${h.last_usable_lba}]`, { where: entryWhere(copy, i, ENTRY.f.first_lba) }));
    }
    for (const q of partitions) {
      if (overlaps(range(p.firstLba, p.lastLba + 1n), range(q.firstLba, q.lastLba + 1n))) {
        issues.push(issue('DISK_TABLE', `partition ${i + 1}, sectors [${p.firstLba},${p.lastLba}], overlaps partition ${q.entry + 1}, sectors [${q.firstLba},${q.lastLba}]`, { where: entryWhere(copy, i, ENTRY.f.first_lba) }));
      }
    }
    partitions.push(p);
  }
  return { value: partitions, issues };
}

interface CopyRead {
  header?: HeaderValues;
  partitions?: GptPartition[];
  issues: Issue[];
}

function readCopy(read: ReadSectors, lba: bigint, copy: Copy, diskSectors: bigint): CopyRead {
  const d = decodeHeader(read(lba, 1), lba, copy, diskSectors);
  if (!d.value) return { issues: d.issues };
  const { h, arrayReadable } = d.value;
  if (!arrayReadable) return { header: h, issues: d.issues };
  const e = decodeEntries(read(h.partition_entry_lba, Number(arraySectors(h.num_partition_entries))), h, copy);
  return { header: h, partitions: e.value, issues: [...d.issues, ...e.issues] };
}

/**
 * The GPT of a disk of `diskSectors` sectors, both copies checked: each
 * header's fields and CRC, each array's CRC and entries, and that the two
 * copies agree. No value when neither copy is usable.
 */
export function readGpt(read: ReadSectors, diskSectors: bigint): Result<Gpt> {
  const primary = readCopy(read, 1n, 'primary', diskSectors);
  // The backup is where the primary says, or (primary unusable) in the last sector.
  const backupLba = primary.header && primary.header.alternate_lba < diskSectors ? primary.header.alternate_lba : diskSectors - 1n;
  const backup = readCopy(read, backupLba, 'backup', diskSectors);
  const issues = [...primary.issues, ...backup.issues];
  const p = primary.header;
  const b = backup.header;
  if (p && b) {
    const differs: (keyof HeaderValues)[] = ['first_usable_lba', 'last_usable_lba', 'num_partition_entries', 'partition_entry_size', 'partition_entry_array_crc32'];
    for (const k of differs) {
      if (p[k] !== b[k]) issues.push(issue('DISK_TABLE', `the backup header's ${k} is ${hex(b[k] as number | bigint)}, the primary's ${hex(p[k] as number | bigint)}`, { where: headerWhere('backup', HEADER.f[k]) }));
    }
    if (guidString(p.disk_guid) !== guidString(b.disk_guid)) issues.push(issue('DISK_TABLE', `the backup header's disk GUID ${guidString(b.disk_guid)} differs from the primary's ${guidString(p.disk_guid)}`, { where: headerWhere('backup', HEADER.f.disk_guid) }));
  }
  const use = primary.partitions ? primary : backup.partitions ? backup : undefined;
  if (!use?.header || !use.partitions) return { issues };
  const h = use.header;
  return {
    value: { diskGuid: guidString(h.disk_guid), firstUsableLba: h.first_usable_lba, lastUsableLba: h.last_usable_lba, entryCount: h.num_partition_entries, partitions: use.partitions },
    issues,
  };
}

/** The entry array of `gpt`: used entries at their index, the rest zero. Throws RangeError on a name longer than 36 UTF-16 units. */
function encodeEntries(gpt: Gpt): Uint8Array {
  const w = new Writer(Number(arraySectors(gpt.entryCount)) * SECTOR_SIZE);
  for (const p of gpt.partitions) {
    if (p.name.length > NAME_UNITS) throw new RangeError(`GPT partition name ${JSON.stringify(p.name)} is longer than ${NAME_UNITS} UTF-16 units`);
    const name = new Uint8Array(ENTRY.f.name.size);
    for (let k = 0; k < p.name.length; k++) {
      name[2 * k] = p.name.charCodeAt(k) & 0xff;
      name[2 * k + 1] = p.name.charCodeAt(k) >> 8;
    }
    writeTable(w, p.entry * ENTRY.size, ENTRY, {
      type_guid: guidBytes(p.type),
      unique_guid: guidBytes(p.guid),
      first_lba: p.firstLba,
      last_lba: p.lastLba,
      attributes: p.attributes,
      name,
    });
  }
  return w.bytes;
}

function encodeHeader(gpt: Gpt, myLba: bigint, alternateLba: bigint, entriesLba: bigint, entriesCrc: number): Uint8Array {
  const w = new Writer(SECTOR_SIZE);
  writeTable(w, 0, HEADER, {
    signature: SIGNATURE,
    revision: REVISION,
    header_size: HEADER.size,
    header_crc32: 0,
    reserved: 0,
    my_lba: myLba,
    alternate_lba: alternateLba,
    first_usable_lba: gpt.firstUsableLba,
    last_usable_lba: gpt.lastUsableLba,
    disk_guid: guidBytes(gpt.diskGuid),
    partition_entry_lba: entriesLba,
    num_partition_entries: gpt.entryCount,
    partition_entry_size: ENTRY.size,
    partition_entry_array_crc32: entriesCrc,
  });
  w.u32(HEADER.f.header_crc32.offset, headerCrc(w.bytes));
  return w.bytes;
}

export interface EncodedGpt {
  /** The primary header and entry array, written from LBA 1. */
  primary: Uint8Array;
  /** The backup entry array and header, written from backupLba to the last sector. */
  backup: Uint8Array;
  backupLba: bigint;
}

/** Both copies of `gpt` for a disk of `diskSectors` sectors, in the places every tool puts them. */
export function encodeGpt(gpt: Gpt, diskSectors: bigint): EncodedGpt {
  const entries = encodeEntries(gpt);
  const crc = crc32(entries.subarray(0, gpt.entryCount * ENTRY.size));
  const last = diskSectors - 1n;
  const backupEntriesLba = last - arraySectors(gpt.entryCount);
  const primary = new Uint8Array(SECTOR_SIZE + entries.length);
  primary.set(encodeHeader(gpt, 1n, last, 2n, crc), 0);
  primary.set(entries, SECTOR_SIZE);
  const backup = new Uint8Array(entries.length + SECTOR_SIZE);
  backup.set(entries, 0);
  backup.set(encodeHeader(gpt, last, 1n, backupEntriesLba, crc), entries.length);
  return { primary, backup, backupLba: backupEntriesLba };
}

/** The usable sectors of a disk with the usual 128-entry arrays: after the primary array, before the backup one. */
export function usableSectors(diskSectors: bigint): { first: bigint; last: bigint } {
  const array = arraySectors(ENTRY_COUNT);
  return { first: 2n + array, last: diskSectors - 2n - array };
}

/**
 * The protective MBR's one entry (UEFI 2.10 section 5.2.3): type 0xEE over
 * the whole disk after LBA 0 (capped at 2^32 - 1 sectors), not active, its
 * last CHS FF FF FF when the disk is too large for CHS.
 */
export function protectivePartition(diskSectors: bigint): MbrPartition {
  const sectors = diskSectors - 1n > 0xffffffffn ? 0xffffffffn : diskSectors - 1n;
  const chsLast = sectors < CHS_SECTORS ? chsOf(sectors) : Uint8Array.of(0xff, 0xff, 0xff);
  return { status: 0, type: TYPE_GPT_PROTECTIVE, firstLba: 1n, sectors, chsFirst: chsOf(1n), chsLast };
}

/** A protective MBR holding `bootCode`, as the first sector of a GPT disk. */
export function protectiveMbr(diskSectors: bigint, bootCode: Uint8Array, diskSignature: number): Mbr {
  return { bootCode, diskSignature, copyProtect: 0, partitions: [protectivePartition(diskSectors), emptyPartition(), emptyPartition(), emptyPartition()] };
}

/** True when the MBR announces a GPT (an 0xEE entry), protective or hybrid. */
export function announcesGpt(mbr: Mbr): boolean {
  return mbr.partitions.some((p) => p.type === TYPE_GPT_PROTECTIVE);
}
