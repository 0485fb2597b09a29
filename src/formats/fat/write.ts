// Laying out a FAT32 volume holding a given set of files (the EFI system
// partition): the boot sector, FSInfo and their backups, two identical FATs,
// the directories with long file names, and each file's bytes in one run of
// consecutive clusters. Pure: the result is the metadata as bytes and, for
// each file, where its bytes go; the caller streams them from their source.
//
// Sizing: clusters of 512 bytes up to a 260 MiB volume, then 4 KiB up to
// 8 GiB, 8 KiB to 16 GiB, 16 KiB to 32 GiB, 32 KiB beyond (Microsoft's
// table, which every FAT driver expects), and never fewer than 65525
// clusters, the least FAT32 may have: a small volume is 33 MiB.

import { SECTOR_SIZE } from '../../bytes/sectors.js';
import { writeTable } from '../../bytes/table.js';
import { Writer } from '../../bytes/writer.js';
import { issue, type Issue, type Result } from '../../diagnostics/issue.js';
import {
  ATTR_ARCHIVE, ATTR_DIRECTORY, ATTR_LFN, BACKUP_BOOT_SECTOR, BOOT_SECTOR, BOOT_SIGNATURE_EXTENDED, DIR_ENTRY, FAT32_MIN_CLUSTERS, FAT_COUNT,
  FAT_EOC, FIXED_DATE, FIXED_TIME, FS_TYPE, FSINFO, FSINFO_LEAD, FSINFO_SECTOR, FSINFO_STRUCT, FSINFO_TRAIL, JUMP, LFN_CHARS, LFN_ENTRY,
  LFN_LAST, LFN_MAX, MEDIA_FIXED, NO_LABEL, OEM_NAME, RESERVED_SECTORS, ROOT_CLUSTER,
} from './struct.js';

const SECTOR = BigInt(SECTOR_SIZE);
const MIB = 1n << 20n;
/** FAT32 cluster numbers are 28 bits; the top values are reserved. */
const MAX_CLUSTERS = 0x0ffffff5n;
/** FAT32 volumes end below 2 TiB (total_sectors is 32 bits). */
const MAX_SECTORS = 0xffffffffn;

export interface FatFileInput<S> {
  /** Path components from the root, e.g. ["EFI", "BOOT", "BOOTX64.EFI"]; directories are made as needed. */
  path: readonly string[];
  size: bigint;
  /** Where the bytes come from; opaque here. */
  source: S;
}

export interface FatInput<S> {
  files: readonly FatFileInput<S>[];
  volumeId: number;
  /** LBA of the volume on its disk (the BPB's hidden_sectors). */
  hiddenSectors: bigint;
  /** Round the volume up to a multiple of this many sectors (a partition ends on a MiB boundary). */
  alignSectors?: bigint;
}

export interface FatPlan<S> {
  sectors: bigint;
  clusterBytes: number;
  clusters: bigint;
  freeClusters: bigint;
  /** Metadata bytes at volume offsets: boot sectors, FSInfo, both FATs' used part, directories. Everything not listed is zero. */
  areas: { offset: bigint; bytes: Uint8Array; what: string }[];
  /** Each file's bytes at a volume offset, in one contiguous run; empty files have none. */
  files: { offset: bigint; size: bigint; source: S; path: string }[];
}

interface Dir<S> {
  name: string;
  children: Map<string, Dir<S> | FatFileInput<S>>;
  cluster: bigint;
  clusters: bigint;
  parent?: Dir<S>;
}

const isDir = <S>(x: Dir<S> | FatFileInput<S>): x is Dir<S> => 'children' in x;
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** Characters a short name may hold besides letters and digits (fatgen103 p. 24). */
const SHORT_CHARS = /^[A-Z0-9!#$%&'()@^_`{}~-]+$/;
/** Characters a long name must not hold. */
const LONG_BAD = /[\x00-\x1f"*/:<>?\\|\x7f]/;

/** The 11-byte short name when `name` is already a valid upper-case 8.3 name, else undefined (it needs a long name). */
function exactShortName(name: string): Uint8Array | undefined {
  const dot = name.indexOf('.');
  const base = dot < 0 ? name : name.slice(0, dot);
  const ext = dot < 0 ? '' : name.slice(dot + 1);
  if (base.length < 1 || base.length > 8 || ext.length > 3 || (dot >= 0 && ext.length === 0)) return undefined;
  if (!SHORT_CHARS.test(base) || (ext && !SHORT_CHARS.test(ext))) return undefined;
  return new TextEncoder().encode(base.padEnd(8) + ext.padEnd(3));
}

/** A unique "BASIS~N.EXT" for a long name (the numeric-tail rule, fatgen103 p. 30). */
function generatedShortName(name: string, taken: Set<string>): Uint8Array {
  const clean = (s: string): string => [...s.toUpperCase()].map((c) => (SHORT_CHARS.test(c) ? c : c === ' ' || c === '.' ? '' : '_')).join('');
  const dot = name.lastIndexOf('.');
  const base = clean(dot > 0 ? name.slice(0, dot) : name) || '_';
  const ext = dot > 0 ? clean(name.slice(dot + 1)).slice(0, 3) : '';
  for (let n = 1; ; n++) {
    const tail = `~${n}`;
    const short = base.slice(0, 8 - tail.length) + tail;
    const key = short.padEnd(8) + ext.padEnd(3);
    if (!taken.has(key)) return new TextEncoder().encode(key);
  }
}

/** The checksum of an 11-byte short name that its long-name entries carry. */
export function shortNameChecksum(short: Uint8Array): number {
  let sum = 0;
  for (const c of short) sum = (((sum & 1) << 7) + (sum >> 1) + c) & 0xff;
  return sum;
}

/** The directory entries (long-name pieces, then the short entry) of one child. */
function entriesFor(name: string, short: Uint8Array, longName: boolean, attributes: number, cluster: bigint, size: bigint): Uint8Array {
  const pieces = longName ? Math.ceil(name.length / LFN_CHARS) : 0;
  const w = new Writer((pieces + 1) * DIR_ENTRY.size);
  const sum = shortNameChecksum(short);
  for (let p = 0; p < pieces; p++) {
    // Pieces are stored last first; each holds 13 UCS-2 units, the name NUL-terminated then padded with 0xFFFF.
    const order = pieces - p;
    const units = Array.from({ length: LFN_CHARS }, (_, k) => {
      const i = (order - 1) * LFN_CHARS + k;
      return i < name.length ? name.charCodeAt(i) : i === name.length ? 0 : 0xffff;
    });
    const ucs = (from: number, to: number): Uint8Array => Uint8Array.from(units.slice(from, to).flatMap((u) => [u & 0xff, u >> 8]));
    writeTable(w, p * DIR_ENTRY.size, LFN_ENTRY, {
      order: order | (p === 0 ? LFN_LAST : 0),
      name1: ucs(0, 5),
      attributes: ATTR_LFN,
      type: 0,
      checksum: sum,
      name2: ucs(5, 11),
      first_cluster: 0,
      name3: ucs(11, 13),
    });
  }
  writeShort(w, pieces * DIR_ENTRY.size, short, attributes, cluster, size);
  return w.bytes;
}

function writeShort(w: Writer, at: number, short: Uint8Array, attributes: number, cluster: bigint, size: bigint): void {
  writeTable(w, at, DIR_ENTRY, {
    name: short,
    attributes,
    nt_reserved: 0,
    create_time_tenths: 0,
    create_time: FIXED_TIME,
    create_date: FIXED_DATE,
    access_date: FIXED_DATE,
    first_cluster_hi: Number(cluster >> 16n),
    write_time: FIXED_TIME,
    write_date: FIXED_DATE,
    first_cluster_lo: Number(cluster & 0xffffn),
    size: Number(size),
  });
}

/** Bytes of `dir`'s entries: "." and ".." (not in the root), then each child in the order given. */
function directoryBytes<S>(dir: Dir<S>, clusterOf: (x: Dir<S> | FatFileInput<S>) => bigint): Uint8Array {
  const parts: Uint8Array[] = [];
  if (dir.parent) {
    const dots = new Writer(2 * DIR_ENTRY.size);
    writeShort(dots, 0, new TextEncoder().encode('.'.padEnd(11)), ATTR_DIRECTORY, dir.cluster, 0n);
    // ".." names the root as cluster 0.
    writeShort(dots, DIR_ENTRY.size, new TextEncoder().encode('..'.padEnd(11)), ATTR_DIRECTORY, dir.parent.parent ? dir.parent.cluster : 0n, 0n);
    parts.push(dots.bytes);
  }
  const taken = new Set<string>();
  for (const [name, child] of dir.children) {
    const exact = exactShortName(name);
    const short = exact ?? generatedShortName(name, taken);
    taken.add(new TextDecoder().decode(short));
    parts.push(entriesFor(name, short, exact === undefined, isDir(child) ? ATTR_DIRECTORY : ATTR_ARCHIVE, clusterOf(child), isDir(child) ? 0n : child.size));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** Bytes a directory's entries take, without laying them out. */
function directorySize<S>(dir: Dir<S>): bigint {
  let n = dir.parent ? 2 : 0;
  for (const name of dir.children.keys()) n += 1 + (exactShortName(name) ? 0 : Math.ceil(name.length / LFN_CHARS));
  return BigInt(n * DIR_ENTRY.size);
}

/** Sectors per cluster for a volume of about `bytes` bytes (Microsoft's table). */
export function sectorsPerCluster(bytes: bigint): number {
  const GIB = 1n << 30n;
  if (bytes <= 260n * MIB) return 1;
  if (bytes <= 8n * GIB) return 8;
  if (bytes <= 16n * GIB) return 16;
  if (bytes <= 32n * GIB) return 32;
  return 64;
}

/** Sectors per FAT and clusters for a volume of `sectors` sectors: the FAT must map every cluster it leaves room for. */
function geometry(sectors: bigint, spc: bigint): { fatSize: bigint; clusters: bigint } {
  // The smallest FAT that maps the clusters left beside it: from a lower bound (128 entries a sector), upwards.
  const room = sectors - BigInt(RESERVED_SECTORS);
  for (let fatSize = room / (128n * spc + BigInt(FAT_COUNT)) || 1n; ; fatSize++) {
    const clusters = (room - BigInt(FAT_COUNT) * fatSize) / spc;
    if (ceilDiv((clusters + 2n) * 4n, SECTOR) <= fatSize) return { fatSize, clusters };
  }
}

function checkName(name: string, path: string): Issue[] {
  if (name.length === 0 || name.length > LFN_MAX || LONG_BAD.test(name) || name === '.' || name === '..' || name.endsWith('.') || name.endsWith(' ')) {
    return [issue('CONFIG_TYPE', `${JSON.stringify(path)}: ${JSON.stringify(name)} is not a FAT file name (1 to 255 characters, none of control characters and "*/:<>?\\|, not ending in a dot or space)`)];
  }
  return [];
}

/** The volume: every file and directory placed, every metadata sector made. Names compare case-insensitively, as FAT does. */
export function planFat32<S>(input: FatInput<S>): Result<FatPlan<S>> {
  const issues: Issue[] = [];
  const root: Dir<S> = { name: '', children: new Map(), cluster: 0n, clusters: 0n };
  const keys = new Map<Dir<S>, Set<string>>();
  for (const f of input.files) {
    const path = f.path.join('/');
    issues.push(...f.path.flatMap((n) => checkName(n, path)));
    if (f.size >= 1n << 32n) issues.push(issue('CONFIG_TYPE', `${JSON.stringify(path)} is ${f.size} bytes; a FAT file holds less than 4 GiB`));
    let dir = root;
    for (const [i, name] of f.path.entries()) {
      const seen = keys.get(dir) ?? new Set<string>();
      keys.set(dir, seen);
      const existing = [...dir.children.entries()].find(([n]) => n.toUpperCase() === name.toUpperCase())?.[1];
      if (i === f.path.length - 1) {
        if (existing) issues.push(issue('CONFIG_TYPE', `two files would be ${JSON.stringify(path)} on the FAT volume (names compare without case)`));
        else dir.children.set(name, f);
      } else if (existing && !isDir(existing)) {
        issues.push(issue('CONFIG_TYPE', `${JSON.stringify(path)}: ${JSON.stringify(name)} is a file, not a directory`));
        break;
      } else if (existing) {
        dir = existing;
      } else {
        const d: Dir<S> = { name, children: new Map(), cluster: 0n, clusters: 0n, parent: dir };
        dir.children.set(name, d);
        dir = d;
      }
    }
  }
  if (issues.length > 0) return { issues };

  const dirs: Dir<S>[] = [];
  const walk = (d: Dir<S>): void => {
    dirs.push(d);
    for (const c of d.children.values()) if (isDir(c)) walk(c);
  };
  walk(root);

  // Size: content clusters at the smallest cluster size that fits, at least the FAT32 minimum.
  const content = (cs: bigint): bigint =>
    dirs.reduce((n, d) => n + ceilDiv(directorySize(d) || 1n, cs), 0n) + input.files.reduce((n, f) => n + ceilDiv(f.size, cs), 0n);
  const spc = BigInt(sectorsPerCluster(input.files.reduce((n, f) => n + f.size, 0n)));
  const cs = spc * SECTOR;
  let clusters = content(cs);
  if (clusters < BigInt(FAT32_MIN_CLUSTERS)) clusters = BigInt(FAT32_MIN_CLUSTERS);
  const fat = ceilDiv((clusters + 2n) * 4n, SECTOR);
  const align = input.alignSectors ?? 1n;
  const sectors = ceilDiv(BigInt(RESERVED_SECTORS) + BigInt(FAT_COUNT) * fat + clusters * spc, align) * align;
  if (sectors > MAX_SECTORS || clusters > MAX_CLUSTERS) return { issues: [issue('MEDIA_SIZE', `the files need ${clusters} clusters of ${cs} bytes; a FAT32 volume ends below 2 TiB`)] };
  const g = geometry(sectors, spc);
  if (g.clusters < clusters) throw new Error('internal: the FAT32 volume came out smaller than planned');

  // Clusters: directories first (root at 2), then each file in order, each in one run.
  let next = BigInt(ROOT_CLUSTER);
  const start = new Map<Dir<S> | FatFileInput<S>, bigint>();
  const runs: { first: bigint; count: bigint }[] = [];
  const take = (x: Dir<S> | FatFileInput<S>, bytes: bigint, atLeastOne: boolean): bigint => {
    const count = ceilDiv(bytes, cs) || (atLeastOne ? 1n : 0n);
    if (count === 0n) return 0n;
    start.set(x, next);
    runs.push({ first: next, count });
    next += count;
    return count;
  };
  for (const d of dirs) {
    d.clusters = take(d, directorySize(d), true);
    d.cluster = start.get(d)!;
  }
  for (const f of input.files) take(f, f.size, false);

  const used = next - BigInt(ROOT_CLUSTER);
  const dataLba = BigInt(RESERVED_SECTORS) + BigInt(FAT_COUNT) * g.fatSize;
  const clusterOffset = (c: bigint): bigint => (dataLba + (c - BigInt(ROOT_CLUSTER)) * spc) * SECTOR;

  // The FAT's used part (entries 0 and 1, and every chain); the rest of it is zero: free.
  const fatBytes = new Writer(Number(ceilDiv(next * 4n, SECTOR) * SECTOR));
  fatBytes.u32(0, 0x0fffff00 | MEDIA_FIXED);
  fatBytes.u32(4, FAT_EOC); // clean unmount, no I/O error
  for (const r of runs) {
    for (let k = 0n; k < r.count; k++) {
      const c = r.first + k;
      fatBytes.u32(Number(c) * 4, k === r.count - 1n ? FAT_EOC : Number(c + 1n));
    }
  }

  const free = g.clusters - used;
  const boot = bootSector(input, sectors, Number(spc), g.fatSize);
  const fsinfo = new Writer(SECTOR_SIZE);
  writeTable(fsinfo, 0, FSINFO, {
    lead_signature: FSINFO_LEAD,
    reserved1: new Uint8Array(480),
    struct_signature: FSINFO_STRUCT,
    free_count: Number(free),
    next_free: Number(next),
    reserved2: new Uint8Array(12),
    trail_signature: FSINFO_TRAIL,
  });
  const areas: FatPlan<S>['areas'] = [
    { offset: 0n, bytes: boot, what: 'FAT32 boot sector' },
    { offset: BigInt(FSINFO_SECTOR) * SECTOR, bytes: fsinfo.bytes, what: 'FAT32 FSInfo' },
    { offset: BigInt(BACKUP_BOOT_SECTOR) * SECTOR, bytes: boot, what: 'FAT32 backup boot sector' },
    { offset: BigInt(BACKUP_BOOT_SECTOR + FSINFO_SECTOR) * SECTOR, bytes: fsinfo.bytes, what: 'FAT32 backup FSInfo' },
  ];
  for (let i = 0; i < FAT_COUNT; i++) areas.push({ offset: (BigInt(RESERVED_SECTORS) + BigInt(i) * g.fatSize) * SECTOR, bytes: fatBytes.bytes, what: `FAT ${i + 1}` });
  const clusterOf = (x: Dir<S> | FatFileInput<S>): bigint => start.get(x) ?? 0n;
  for (const d of dirs) {
    const bytes = new Uint8Array(Number(d.clusters * cs));
    bytes.set(directoryBytes(d, clusterOf));
    areas.push({ offset: clusterOffset(d.cluster), bytes, what: `directory /${dirPath(d)}` });
  }
  const files = input.files.flatMap((f) => (f.size === 0n ? [] : [{ offset: clusterOffset(start.get(f)!), size: f.size, source: f.source, path: f.path.join('/') }]));
  return { value: { sectors, clusterBytes: Number(cs), clusters: g.clusters, freeClusters: free, areas, files }, issues: [] };
}

function dirPath<S>(d: Dir<S>): string {
  return d.parent ? [dirPath(d.parent), d.name].filter(Boolean).join('/') : '';
}

function bootSector<S>(input: FatInput<S>, sectors: bigint, spc: number, fatSize: bigint): Uint8Array {
  const w = new Writer(SECTOR_SIZE);
  // Booted by a BIOS by mistake: INT 18h, "no bootable disk here", lets it try the next device.
  const code = new Uint8Array(BOOT_SECTOR.f.boot_code.size);
  code.set([0xcd, 0x18, 0xf4, 0xeb, 0xfd]);
  const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
  writeTable(w, 0, BOOT_SECTOR, {
    jump: JUMP,
    oem_name: ascii(OEM_NAME),
    bytes_per_sector: SECTOR_SIZE,
    sectors_per_cluster: spc,
    reserved_sectors: RESERVED_SECTORS,
    fat_count: FAT_COUNT,
    root_entries: 0,
    total_sectors_16: 0,
    media: MEDIA_FIXED,
    fat_size_16: 0,
    sectors_per_track: 63,
    heads: 255,
    hidden_sectors: Number(input.hiddenSectors),
    total_sectors: Number(sectors),
    fat_size: Number(fatSize),
    ext_flags: 0,
    fs_version: 0,
    root_cluster: ROOT_CLUSTER,
    fsinfo_sector: FSINFO_SECTOR,
    backup_boot_sector: BACKUP_BOOT_SECTOR,
    reserved: new Uint8Array(12),
    drive_number: 0x80,
    reserved1: 0,
    boot_signature: BOOT_SIGNATURE_EXTENDED,
    volume_id: input.volumeId >>> 0,
    volume_label: ascii(NO_LABEL),
    fs_type: ascii(FS_TYPE),
    boot_code: code,
    signature: 0xaa55,
  });
  return w.bytes;
}
