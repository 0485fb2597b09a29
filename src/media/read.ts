// Reading a disk back: the partition table (MBR, or GPT when the MBR
// announces one), stage 1's patch block, and the boot volume it points at
// (or, without a patch block, the first partition holding one), checked with
// every rule of docs/format/boot-volume.md. What `mimg inspect` shows and
// what `mimg install` checks before it writes.

import { SECTOR_SIZE, type ReadSectors } from '../bytes/sectors.js';
import { hex, issue, type Issue, type Result } from '../diagnostics/issue.js';
import {
  PATCH, VOLUME_HEADER, decodePatch, decodeRangeTable, decodeVolumeHeader, hasVolumeMagic, headerWhere, patchWhere, verifyPatch, verifyVolume,
  type BootRange, type Stage1Patch, type VolumeHeader,
} from '../formats/bootvol/index.js';
import { readFat32, type FatVolume } from '../formats/fat/index.js';
import { ATTR_LEGACY_BIOS_BOOTABLE, announcesGpt, readGpt, TYPE_ESP, TYPE_NAMES as GPT_TYPE_NAMES, type Gpt } from '../formats/gpt/index.js';
import { parseMbr, STATUS_ACTIVE, TYPE_EMPTY, TYPE_NAMES as MBR_TYPE_NAMES, verifyMbr, type Mbr } from '../formats/mbr/index.js';

export interface DiskPartition {
  /** 1-based, as partitioning tools and `mimg install --partition` count. */
  number: number;
  firstLba: bigint;
  sectors: bigint;
  /** MBR: the type byte as "0xda"; GPT: the type GUID. */
  type: string;
  typeName?: string;
  /** GPT only. */
  name?: string;
  /** MBR: the active flag; GPT: attribute bit 2, legacy BIOS bootable. */
  bootable: boolean;
}

export interface DiskVolume {
  /** The partition holding it, when one starts at its LBA. */
  partition?: number;
  lba: bigint;
  header: VolumeHeader;
  ranges?: BootRange[];
}

export interface DiskReport {
  /** The disk's size in sectors. */
  sectors: bigint;
  partitioning: 'mbr' | 'gpt';
  /** LBA 0, raw, and as parsed. */
  sector0: Uint8Array;
  mbr: Mbr;
  gpt?: Gpt;
  partitions: DiskPartition[];
  patch?: Stage1Patch;
  volume?: DiskVolume;
  /** The first EFI system partition's FAT32 volume and its files. */
  esp?: DiskEsp;
}

export interface DiskEsp {
  partition: number;
  lba: bigint;
  fat: FatVolume;
}

/** A range table larger than this many sectors is corruption, not a table (it would hold over 6500 ranges). */
const MAX_TABLE_SECTORS = 1024n;

function mbrPartitions(mbr: Mbr): DiskPartition[] {
  return mbr.partitions.flatMap((p, i) =>
    p.type === TYPE_EMPTY ? [] : [{ number: i + 1, firstLba: p.firstLba, sectors: p.sectors, type: hex(p.type), typeName: MBR_TYPE_NAMES[p.type], bootable: p.status === STATUS_ACTIVE }],
  );
}

function gptPartitions(gpt: Gpt): DiskPartition[] {
  return gpt.partitions.map((p) => ({ number: p.entry + 1, firstLba: p.firstLba, sectors: p.lastLba - p.firstLba + 1n, type: p.type, typeName: GPT_TYPE_NAMES[p.type], name: p.name, bootable: (p.attributes & ATTR_LEGACY_BIOS_BOOTABLE) !== 0n }));
}

/** The boot volume at `lba` (in `partition` when one starts there): header, range table, and their rules. */
function readVolume(read: ReadSectors, lba: bigint, partition: DiskPartition | undefined, diskSectors: bigint, patch: Stage1Patch | undefined): { volume?: DiskVolume; issues: Issue[] } {
  const pbr = read(lba, 1);
  if (pbr.length < SECTOR_SIZE) return { issues: [issue('BOOTVOL_FIELD', `the boot volume's LBA ${hex(lba)} lies past the end of the disk (${hex(diskSectors)} sectors)`, { where: patchWhere(PATCH.f.volume_lba) })] };
  const h = decodeVolumeHeader(pbr);
  if (!h.value) return { issues: h.issues };
  const header = h.value;
  const issues = [...h.issues, ...(patch ? verifyPatch(patch, header) : [])];
  const volume: DiskVolume = { lba, header, ...(partition && { partition: partition.number }) };
  if (header.rangesSectors > MAX_TABLE_SECTORS) {
    issues.push(issue('BOOTVOL_FIELD', `ranges_sectors is ${header.rangesSectors}, more than a range table can need (${MAX_TABLE_SECTORS})`, { where: headerWhere(VOLUME_HEADER.f.ranges_sectors) }));
    return { volume, issues };
  }
  const t = decodeRangeTable(read(lba + header.rangesLba, Number(header.rangesSectors)));
  issues.push(...t.issues);
  if (!t.value) return { volume, issues };
  const place = { lba, sectors: partition?.sectors ?? diskSectors - lba };
  issues.push(...verifyVolume(header, t.value, place));
  return { volume: { ...volume, ranges: t.value }, issues };
}

/** Everything mimg can tell about a disk of `sectors` sectors. No value when LBA 0 is not an MBR. */
export function readDisk(read: ReadSectors, sectors: bigint): Result<DiskReport> {
  const sector0 = read(0n, 1);
  const m = parseMbr(sector0);
  if (!m.value) return { issues: m.issues };
  const mbr = m.value;
  const issues: Issue[] = [];
  let gpt: Gpt | undefined;
  let partitions: DiskPartition[] = [];
  if (announcesGpt(mbr)) {
    const g = readGpt(read, sectors);
    issues.push(...g.issues);
    gpt = g.value;
    if (gpt) partitions = gptPartitions(gpt);
  } else {
    issues.push(...verifyMbr(mbr, sectors));
    partitions = mbrPartitions(mbr);
  }
  const p = decodePatch(sector0);
  issues.push(...p.issues);
  const patch = p.value;

  // The volume stage 1 boots, or the first partition holding one.
  let volumeLba = patch?.volumeLba;
  if (volumeLba === undefined) volumeLba = partitions.find((q) => hasVolumeMagic(read(q.firstLba, 1)))?.firstLba;
  let volume: DiskVolume | undefined;
  if (volumeLba !== undefined) {
    const v = readVolume(read, volumeLba, partitions.find((q) => q.firstLba === volumeLba), sectors, patch);
    issues.push(...v.issues);
    volume = v.volume;
  }
  let esp: DiskEsp | undefined;
  const espPartition = partitions.find((q) => q.type === TYPE_ESP);
  if (espPartition) {
    const f = readFat32((lba, count) => read(espPartition.firstLba + lba, count), espPartition.sectors);
    issues.push(...f.issues.map((i) => ({ ...i, where: `partition ${espPartition.number}: ${i.where ?? ''}` })));
    if (f.value) esp = { partition: espPartition.number, lba: espPartition.firstLba, fat: f.value };
  }
  return {
    value: { sectors, partitioning: announcesGpt(mbr) ? 'gpt' : 'mbr', sector0, mbr, ...(gpt && { gpt }), partitions, ...(patch && { patch }), ...(volume && { volume }), ...(esp && { esp }) },
    issues,
  };
}
