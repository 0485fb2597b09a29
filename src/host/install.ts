// `mimg install`: stage 1 into the MBR's boot code area and the whole boot
// volume into one partition of an existing disk image. Every precondition
// is checked before the first write — the partition table is sound, the
// partition exists, may hold a boot volume, is large enough and holds no
// file system (unless forced) — so on any error the disk is not touched.
// The writes cover [MBR bytes 0x000..0x1B7] ∪ [the volume's sectors]: the
// partition table, the disk signature and every other partition stay as
// they are. The volume is written and flushed first, stage 1 last, so the
// MBR never points at a half-written volume.

import { basename } from 'node:path';
import { SECTOR_SIZE } from '../bytes/sectors.js';
import { MimgError, hex, hexRange, inFile, issue, type Issue } from '../diagnostics/issue.js';
import { hasVolumeMagic, stage1BootCode } from '../formats/bootvol/index.js';
import { PROBE_BYTES, probe } from '../formats/fsprobe/probe.js';
import { TYPE_BIOS_BOOT, TYPE_MIMG as GPT_TYPE_MIMG } from '../formats/gpt/index.js';
import { MBR, TYPES_EXTENDED } from '../formats/mbr/index.js';
import { MIMG_MAGIC } from '../formats/mimg/index.js';
import { planVolume, readDisk, type DiskPartition, type DiskReport, type RangeInput, type VolumePlan } from '../media/index.js';
import { buildImage } from './build.js';
import { withDisk, writeExtents, type OpenDisk } from './disk.js';
import { firstBytes } from './files.js';
import { allOrIssues } from './settle.js';
import { PREBUILT, readStages, type BiosStages } from './stages.js';
import { readImageFile } from './verify.js';
import type { Progress } from './write.js';

export interface InstallOptions {
  /** The disk image to install into. */
  disk: string;
  /** 1-based partition number. */
  partition: number;
  /** A .mimg, or a config to build one from (with its [[range]]s). */
  source: string;
  /** Overwrite a partition that holds a file system. */
  force: boolean;
  stagesDir?: string;
  progress?: Progress;
}

export interface InstallResult {
  /** The .mimg installed (built first when a config was given). */
  image: string;
  partition: DiskPartition;
  volume: VolumePlan;
}

const SECTOR = BigInt(SECTOR_SIZE);
const BOOT_CODE = MBR.f.boot_code;

function target(disk: string, message: string, hint?: string): Issue {
  return issue('INSTALL_TARGET', message, { file: disk, where: '--partition', ...(hint !== undefined && { hint }) });
}

const span = (p: DiskPartition): string => `sectors ${hexRange(p.firstLba, p.firstLba + p.sectors)}`;

/** Why partition `n` of `d` cannot take a boot volume, as issues; and the partition when it exists. */
function checkTarget(file: string, d: DiskReport, n: number, read: OpenDisk['read'], force: boolean): { partition?: DiskPartition; issues: Issue[] } {
  const p = d.partitions.find((q) => q.number === n);
  if (p === undefined) {
    const have = d.partitions.map((q) => `${q.number} ${span(q)}`).join(', ') || 'none';
    const logical = d.partitioning === 'mbr' && n > 4 ? '; logical partitions (5 and up) are not supported' : '';
    return { issues: [target(file, `the disk has no partition ${n} (its partitions: ${have})${logical}`)] };
  }
  const issues: Issue[] = [];
  const name = `partition ${n} (${span(p)})`;
  if (d.partitioning === 'mbr') {
    if (TYPES_EXTENDED.includes(d.mbr.partitions[n - 1]!.type)) issues.push(target(file, `${name} is an extended partition, a container of logical partitions`, 'install into a primary partition'));
  } else {
    const gpt = d.gpt;
    if (gpt && (p.firstLba < gpt.firstUsableLba || p.firstLba + p.sectors - 1n > gpt.lastUsableLba)) {
      issues.push(target(file, `${name} reaches over the GPT's own sectors (usable: [${gpt.firstUsableLba},${gpt.lastUsableLba}])`));
    }
    if (p.type !== GPT_TYPE_MIMG && p.type !== TYPE_BIOS_BOOT) {
      issues.push(target(file, `${name} has type ${p.type}${p.typeName ? ` (${p.typeName})` : ''}; on a GPT disk the boot volume goes into a BIOS boot partition`, `set its type: sgdisk --typecode=${n}:ef02 ${file}`));
    }
  }
  const head = read(p.firstLba, Math.ceil(PROBE_BYTES / SECTOR_SIZE)).subarray(0, Number(p.sectors * SECTOR));
  const found = hasVolumeMagic(head) ? undefined : probe(head);
  if (found !== undefined && !force) issues.push(issue('INSTALL_FILESYSTEM', `${name} holds a ${found} file system, which the boot volume would overwrite`, { file, where: '--partition' }));
  return { partition: p, issues };
}

/** The .mimg to install and the ranges beside it: the image as given, or built from a config. */
async function imageOf(source: string, stagesDir: string, progress?: Progress): Promise<{ image: string; size: bigint; stages: BiosStages; ranges: RangeInput[] }> {
  const head = await firstBytes(source, MIMG_MAGIC.length);
  if (head.length === MIMG_MAGIC.length && head.every((b, i) => b === MIMG_MAGIC[i])) {
    const verified = readImageFile(source, true).then((r) => {
      if (r.issues.length > 0 || !r.image) throw new MimgError(r.issues);
      return r.image;
    });
    const [image, stages] = await allOrIssues([verified, readStages(stagesDir)] as const);
    return { image: source, size: image.header.fileSize, stages, ranges: [] };
  }
  const built = await buildImage(source, undefined, progress, stagesDir);
  const image = built.result.output;
  const size = built.result.image.header.fileSize;
  if (built.media) return { image, size, stages: built.media.stages, ranges: built.media.ranges };
  return { image, size, stages: await readStages(stagesDir), ranges: [] };
}

export async function install(o: InstallOptions): Promise<InstallResult> {
  const stagesDir = o.stagesDir ?? PREBUILT;
  // The disk first: a wrong target (or a read-only disk) is found before an image is built for it.
  const before = await withDisk(o.disk, 'r+', async ({ read, sectors }) => {
    const r = readDisk(read, sectors);
    if (!r.value) throw new MimgError(inFile(o.disk, r.issues));
    const table = inFile(o.disk, r.issues.filter((i) => i.code === 'DISK_TABLE'));
    const t = checkTarget(o.disk, r.value, o.partition, read, o.force);
    if (table.length > 0 || t.issues.length > 0) throw new MimgError([...table, ...t.issues]);
    return { disk: r.value, partition: t.partition! };
  });
  const { partition } = before;

  const src = await imageOf(o.source, stagesDir, o.progress);
  const plan = planVolume(
    {
      stages: src.stages.stages,
      loader: src.stages.loader,
      image: { name: basename(src.image), size: src.size, source: { kind: 'file', path: src.image, offset: 0n }, nameKey: src.image, pathKey: src.image },
      ranges: src.ranges,
    },
    partition.firstLba,
  );
  if (!plan.value) throw new MimgError(plan.issues);
  const volume = plan.value;
  if (volume.sectors > partition.sectors) {
    const need = volume.sectors * SECTOR;
    throw new MimgError(
      issue('MEDIA_SIZE', `partition ${o.partition} has ${hex(partition.sectors * SECTOR)} bytes; the boot volume needs ${hex(need)}`, {
        file: o.disk,
        where: '--partition',
        hint: `use a partition of at least ${(need + (1n << 20n) - 1n) >> 20n} MiB`,
      }),
    );
  }

  await withDisk(o.disk, 'r+', async ({ fh, read }) => {
    // The table must still be the one checked above: another writer in between is an error, not a race to lose.
    const now = read(0n, 1);
    if (now.some((b, i) => b !== before.disk.sector0[i])) throw new MimgError(issue('FILE_WRITE', 'the MBR changed while installing; nothing was written', { file: o.disk }));
    await writeExtents(fh, volume.extents, { base: partition.firstLba * SECTOR, zeros: true }, o.progress);
    await fh.sync();
    const code = stage1BootCode(src.stages.stages.stage1, volume.patch);
    await fh.write(code, 0, BOOT_CODE.size, BOOT_CODE.offset);
    await fh.sync();
  });
  return { image: src.image, partition, volume };
}
