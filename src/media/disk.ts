// Laying out a whole disk image (docs/format/boot-volume.md section 1): the
// MBR with stage 1 (a protective MBR on GPT), the GPT's two copies, the BIOS
// boot volume as the first partition, at 1 MiB, and for UEFI the EFI system
// partition after it (or alone, at 1 MiB, on a UEFI-only disk).
// Identifiers (GPT GUIDs, the MBR disk signature, the FAT volume ID) are
// hashed from the content, so the same inputs give a byte-identical disk.

import { createHash } from 'node:crypto';
import { SECTOR_SIZE } from '../bytes/sectors.js';
import { hex, issue, type Result } from '../diagnostics/issue.js';
import { stage1BootCode } from '../formats/bootvol/index.js';
import {
  ATTR_LEGACY_BIOS_BOOTABLE, ENTRY_COUNT, GPT_SECTORS, TYPE_ESP, TYPE_MIMG as GPT_TYPE_MIMG, encodeGpt, guidFromHash, protectiveMbr,
  usableSectors, type Gpt, type GptPartition,
} from '../formats/gpt/index.js';
import { MBR, TYPE_MIMG as MBR_TYPE_MIMG, emptyPartition, encodeMbr, mbrPartition, type Mbr } from '../formats/mbr/index.js';
import { alignUp } from '../layout/range.js';
import { bytesExtent, shift, tile, type Extent } from './extent.js';
import { espExtents, planEsp, type EspPlan } from './esp.js';
import { planVolume, type VolumeInput, type VolumePlan } from './volume.js';

/** The boot partition starts at 1 MiB, and partitions and disks end on MiB boundaries, as partitioning tools align them. */
const PARTITION_LBA = 2048n;
const MIB_SECTORS = 2048n;
const SECTOR = BigInt(SECTOR_SIZE);
const GPT_PARTITION_NAME = 'mimg boot';
const ESP_PARTITION_NAME = 'EFI system partition';

export type Firmware = 'bios' | 'uefi';

export interface DiskInput extends VolumeInput {
  /** Default ["bios"]. "uefi" needs GPT partitioning and `uefi`. */
  firmware?: readonly Firmware[];
  /** The UEFI bootstrapper and mimgload's ELF file, for the EFI system partition. */
  uefi?: { bootx64: Uint8Array; loaderElf: Uint8Array };
  partitioning: 'mbr' | 'gpt';
  /** The boot partition's size in bytes, a multiple of 512 ([media] size); default: the volume rounded up to 1 MiB. */
  partitionSize?: bigint;
  /** Where partitionSize came from, for errors. */
  sizeKey?: string;
  file?: string;
  /** Bytes that identify the content (the .mimg's head, with every payload digest): seed of the identifiers. */
  identity: Uint8Array;
}

export interface DiskPlan {
  partitioning: 'mbr' | 'gpt';
  firmware: readonly Firmware[];
  /** Bytes. */
  size: bigint;
  /** The BIOS boot partition and its volume (firmware "bios"). */
  partition?: { lba: bigint; sectors: bigint };
  volume?: VolumePlan;
  /** The EFI system partition (firmware "uefi"). */
  esp?: EspPlan;
  mbr: Mbr;
  gpt?: Gpt;
  /** Tiling [0, size). */
  extents: Extent[];
}

/** 32 bytes that stay the same for the same content, distinct for each `what`. */
function derive(identity: Uint8Array, table: Uint8Array, what: string): Uint8Array {
  return createHash('sha256').update(identity).update(table).update(what).digest();
}

export function planDisk(input: DiskInput): Result<DiskPlan> {
  const firmware = input.firmware ?? ['bios'];
  const bios = firmware.includes('bios');
  let volume: VolumePlan | undefined;
  let partition: { lba: bigint; sectors: bigint } | undefined;
  let next = PARTITION_LBA;
  if (bios) {
    const v = planVolume(input, PARTITION_LBA);
    if (!v.value) return { issues: v.issues };
    volume = v.value;
    const needed = volume.sectors * SECTOR;
    if (input.partitionSize !== undefined && input.partitionSize < needed) {
      const parts = volume.ranges.map((r) => `'${r.name}' ${hex(r.size)}`).join(', ');
      return {
        issues: [
          issue('MEDIA_SIZE', `the boot volume needs ${hex(needed)} bytes (stage 2, range table, ranges ${parts}, each on a 4 KiB boundary); size is ${hex(input.partitionSize)}`, {
            file: input.file,
            where: input.sizeKey,
            hint: `raise size to at least "${alignUp(needed, 1n << 20n) >> 20n}M", or leave it out to size the partition for its content`,
          }),
        ],
      };
    }
    partition = { lba: PARTITION_LBA, sectors: input.partitionSize !== undefined ? input.partitionSize / SECTOR : alignUp(volume.sectors, MIB_SECTORS) };
    next = alignUp(PARTITION_LBA + partition.sectors, MIB_SECTORS);
  }
  const seed = (what: string): Uint8Array => derive(input.identity, volume?.table ?? new Uint8Array(0), what);
  let esp: EspPlan | undefined;
  if (firmware.includes('uefi')) {
    if (!input.uefi || input.partitioning !== 'gpt') throw new Error('internal: a UEFI disk needs GPT partitioning and the UEFI stages');
    const e = planEsp({ ...input.uefi, image: input.image, ranges: input.ranges }, next, MIB_SECTORS, new DataView(seed('ESP volume ID').buffer).getUint32(0, true));
    if (!e.value) return { issues: e.issues };
    esp = e.value;
    next += esp.sectors;
  }
  const extents: Extent[] = [...(volume ? shift(volume.extents, PARTITION_LBA * SECTOR) : []), ...(esp ? espExtents(esp) : [])];
  // A UEFI-only disk has no stage 1: its MBR's code area stays zero.
  const bootCode = volume ? stage1BootCode(input.stages.stage1, volume.patch) : new Uint8Array(MBR.f.boot_code.size);
  const common = { firmware, ...(partition && { partition }), ...(volume && { volume }), ...(esp && { esp }) };
  if (input.partitioning === 'mbr') {
    const diskSectors = next;
    // A zero disk signature means "none" to some systems: keep it non-zero.
    const signature = new DataView(seed('disk signature').buffer).getUint32(0, true) || 1;
    const mbr: Mbr = { bootCode, diskSignature: signature, copyProtect: 0, partitions: [mbrPartition(MBR_TYPE_MIMG, PARTITION_LBA, partition!.sectors, true), emptyPartition(), emptyPartition(), emptyPartition()] };
    extents.push(bytesExtent(0n, encodeMbr(mbr), 'MBR'));
    return { value: { partitioning: 'mbr', size: diskSectors * SECTOR, ...common, mbr, extents: tile(extents, diskSectors * SECTOR) }, issues: [] };
  }
  const diskSectors = alignUp(next + GPT_SECTORS, MIB_SECTORS);
  const usable = usableSectors(diskSectors);
  const partitions: GptPartition[] = [];
  if (partition) {
    partitions.push({ entry: 0, type: GPT_TYPE_MIMG, guid: guidFromHash(seed('partition GUID')), firstLba: partition.lba, lastLba: partition.lba + partition.sectors - 1n, attributes: ATTR_LEGACY_BIOS_BOOTABLE, name: GPT_PARTITION_NAME });
  }
  if (esp) {
    partitions.push({ entry: partitions.length, type: TYPE_ESP, guid: guidFromHash(seed('ESP partition GUID')), firstLba: esp.lba, lastLba: esp.lba + esp.sectors - 1n, attributes: 0n, name: ESP_PARTITION_NAME });
  }
  const gpt: Gpt = { diskGuid: guidFromHash(seed('disk GUID')), firstUsableLba: usable.first, lastUsableLba: usable.last, entryCount: ENTRY_COUNT, partitions };
  const mbr = protectiveMbr(diskSectors, bootCode, 0);
  const tables = encodeGpt(gpt, diskSectors);
  extents.push(bytesExtent(0n, encodeMbr(mbr), 'protective MBR'), bytesExtent(SECTOR, tables.primary, 'primary GPT'), bytesExtent(tables.backupLba * SECTOR, tables.backup, 'backup GPT'));
  return { value: { partitioning: 'gpt', size: diskSectors * SECTOR, ...common, mbr, gpt, extents: tile(extents, diskSectors * SECTOR) }, issues: [] };
}
