// Reading a FAT32 volume back: the boot sector's BPB, checked, and every
// file under the root with its long name, size and cluster run. What
// `mimg inspect` lists for an EFI system partition. Pure: sectors come
// through a ReadSectors relative to the volume's first sector.

import { Reader } from '../../bytes/reader.js';
import { SECTOR_SIZE, type ReadSectors } from '../../bytes/sectors.js';
import { readTable } from '../../bytes/table.js';
import { hex, issue, type Issue, type Result } from '../../diagnostics/issue.js';
import { shortNameChecksum } from './write.js';
import {
  ATTR_DIRECTORY, ATTR_LFN, ATTR_VOLUME_ID, BOOT_SECTOR, DIR_ENTRY, ENTRY_DELETED, FAT32_MIN_CLUSTERS, FAT_BAD, FAT_EOC_MIN, FAT_MASK, LFN_CHARS, LFN_ENTRY, LFN_LAST,
} from './struct.js';

export interface FatEntry {
  /** From the root, "/"-separated, long names where present. */
  path: string;
  directory: boolean;
  size: bigint;
  firstCluster: number;
  /** Volume byte offset of the first cluster (files whose clusters are one run start here and go on). */
  offset: bigint;
  /** The file's clusters are consecutive. */
  contiguous: boolean;
}

export interface FatVolume {
  sectors: bigint;
  clusterBytes: number;
  clusters: number;
  volumeId: number;
  entries: FatEntry[];
}

const where = 'FAT32 boot sector';
/** Directories nest this deep at most, and chains are cut at the cluster count: a corrupt volume cannot loop. */
const MAX_DEPTH = 16;

/** The volume at sector 0 of `read`, or issues when it is not a FAT32 volume mimg can read. */
export function readFat32(read: ReadSectors, volumeSectors: bigint): Result<FatVolume> {
  const s0 = read(0n, 1);
  if (s0.length < SECTOR_SIZE) return { issues: [issue('DISK_TABLE', 'the FAT volume lies past the end of the disk', { where })] };
  const b = readTable(new Reader(s0), 0, BOOT_SECTOR);
  const fail = (m: string): Result<FatVolume> => ({ issues: [issue('DISK_TABLE', m, { where })] });
  if (b.signature !== 0xaa55) return fail('no 55 AA signature: not a FAT volume');
  if (b.bytes_per_sector !== SECTOR_SIZE) return fail(`bytes_per_sector is ${b.bytes_per_sector}; mimg reads 512-byte sectors`);
  const spc = b.sectors_per_cluster;
  if (spc === 0 || (spc & (spc - 1)) !== 0) return fail(`sectors_per_cluster is ${spc}, not a power of two`);
  if (b.fat_size_16 !== 0 || b.root_entries !== 0 || b.fat_size === 0) return fail('not FAT32 (fat_size_16 or root_entries set, or fat_size 0)');
  if (BigInt(b.total_sectors) > volumeSectors) return fail(`total_sectors ${hex(b.total_sectors)} runs past the partition's ${hex(volumeSectors)} sectors`);
  const dataLba = b.reserved_sectors + b.fat_count * b.fat_size;
  const clusters = Math.floor((b.total_sectors - dataLba) / spc);
  if (clusters < FAT32_MIN_CLUSTERS) return fail(`${clusters} clusters: a FAT32 volume has at least ${FAT32_MIN_CLUSTERS}`);
  if (clusters + 2 > (b.fat_size * SECTOR_SIZE) / 4) return fail(`the FAT (${b.fat_size} sectors) is too small for ${clusters} clusters`);

  const fat = read(BigInt(b.reserved_sectors), b.fat_size);
  const fatView = new DataView(fat.buffer, fat.byteOffset, fat.byteLength);
  const issues: Issue[] = [];
  const clusterBytes = spc * SECTOR_SIZE;
  const offsetOf = (c: number): bigint => BigInt(dataLba + (c - 2) * spc) * BigInt(SECTOR_SIZE);
  /** The chain from `first`, or undefined (an issue) when it leaves the volume, loops or hits a free or bad cluster. */
  const chain = (first: number, path: string): number[] | undefined => {
    const out: number[] = [];
    for (let c = first; ; ) {
      if (c < 2 || c >= clusters + 2 || out.length > clusters || 4 * c + 4 > fat.length) {
        issues.push(issue('DISK_TABLE', `${path}: its cluster chain reaches cluster ${hex(c)}, outside the volume or looping`, { where: `FAT32 ${path}` }));
        return undefined;
      }
      out.push(c);
      const n = fatView.getUint32(4 * c, true) & FAT_MASK;
      if (n >= FAT_EOC_MIN) return out;
      if (n === 0 || n === FAT_BAD) {
        issues.push(issue('DISK_TABLE', `${path}: cluster ${hex(c)} leads to a ${n === 0 ? 'free' : 'bad'} cluster`, { where: `FAT32 ${path}` }));
        return undefined;
      }
      c = n;
    }
  };
  const entries: FatEntry[] = [];
  const walk = (first: number, prefix: string, depth: number): void => {
    const cs = chain(first, prefix || '/');
    if (!cs || depth > MAX_DEPTH) return;
    const bytes = new Uint8Array(cs.length * clusterBytes);
    cs.forEach((c, i) => bytes.set(read(offsetOf(c) / BigInt(SECTOR_SIZE), spc), i * clusterBytes));
    const r = new Reader(bytes);
    let long: { sum: number; units: number[] } | undefined;
    for (let at = 0; at + DIR_ENTRY.size <= bytes.length; at += DIR_ENTRY.size) {
      const first0 = bytes[at]!;
      if (first0 === 0) break;
      if (first0 === ENTRY_DELETED) {
        long = undefined;
        continue;
      }
      if ((bytes[at + DIR_ENTRY.f.attributes.offset]! & 0x3f) === ATTR_LFN) {
        const l = readTable(r, at, LFN_ENTRY);
        const units = [...l.name1, ...l.name2, ...l.name3].flatMap((_, i, a) => (i % 2 === 0 ? [a[i]! | (a[i + 1]! << 8)] : []));
        const n = l.order & ~LFN_LAST;
        if (l.order & LFN_LAST) long = { sum: l.checksum, units: new Array<number>(n * LFN_CHARS).fill(0xffff) };
        if (long && n >= 1 && n * LFN_CHARS <= long.units.length) long.units.splice((n - 1) * LFN_CHARS, LFN_CHARS, ...units);
        continue;
      }
      const e = readTable(r, at, DIR_ENTRY);
      const lfn = long && long.sum === shortNameChecksum(e.name) ? long.units : undefined;
      long = undefined;
      if (e.attributes & ATTR_VOLUME_ID) continue;
      const short = new TextDecoder().decode(e.name);
      if (short === '.          ' || short === '..         ') continue;
      const base = short.slice(0, 8).trimEnd();
      const ext = short.slice(8).trimEnd();
      const name = lfn ? String.fromCharCode(...lfn.slice(0, lfn.indexOf(0) < 0 ? lfn.length : lfn.indexOf(0)).filter((u) => u !== 0xffff)) : ext ? `${base}.${ext}` : base;
      const path = `${prefix}/${name}`;
      const cluster = (e.first_cluster_hi << 16) | e.first_cluster_lo;
      const directory = (e.attributes & ATTR_DIRECTORY) !== 0;
      const c = cluster === 0 ? [] : chain(cluster, path);
      if (c === undefined) continue;
      if (!directory && BigInt(c.length) * BigInt(clusterBytes) < BigInt(e.size)) {
        issues.push(issue('DISK_TABLE', `${path}: ${e.size} bytes in ${c.length} clusters of ${clusterBytes}`, { where: `FAT32 ${path}` }));
      }
      entries.push({ path, directory, size: BigInt(e.size), firstCluster: cluster, offset: cluster === 0 ? 0n : offsetOf(cluster), contiguous: c.every((x, i) => i === 0 || x === c[i - 1]! + 1) });
      if (directory && cluster !== 0) walk(cluster, path, depth + 1);
    }
  };
  walk(b.root_cluster, '', 0);
  return { value: { sectors: BigInt(b.total_sectors), clusterBytes, clusters, volumeId: b.volume_id, entries }, issues };
}
