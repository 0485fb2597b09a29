// Laying out a BIOS boot volume (docs/format/boot-volume.md section 2): the
// PBR, stage 2, the range table, then the ranges — mimgload, the image, the
// config's [[range]]s in order — each on a 4 KiB boundary. Pure: the sizes
// are known up front, the bytes come later through the extents.

import { SECTOR_SIZE, sectorsFor } from '../bytes/sectors.js';
import { hex, issue, type Issue, type Result } from '../diagnostics/issue.js';
import {
  RANGE_ALIGN_SECTORS, VERSION, encodeRangeTable, pbrSector, rangeNameProblem, rangeTableSectors,
  type BootRange, type RangeFlag, type Stage1Patch, type VolumeHeader,
} from '../formats/bootvol/index.js';
import { alignUp } from '../layout/range.js';
import { bytesExtent, tile, type Extent, type Source } from './extent.js';
import type { FlatLoader, Stages } from './stages.js';

/** The name of mimgload's range. */
const LOADER_NAME = 'mimgload';
/** Stage 2 loads in 32-bit protected mode: a range must be smaller than 4 GiB (docs/format/boot-volume.md rule 3). */
const RANGE_SIZE_LIMIT = 1n << 32n;

export interface RangeInput {
  name: string;
  size: bigint;
  source: Source;
  flags: RangeFlag[];
  /** Where errors about its name and its bytes point: config keys ("range[1].name", "range[1].path"). */
  nameKey: string;
  pathKey: string;
  /** The config file those keys are in. */
  file?: string;
}

export interface VolumeInput {
  stages: Stages;
  loader: FlatLoader;
  /** The .mimg (flag preload is implied and written). */
  image: Omit<RangeInput, 'flags'>;
  /** The config's [[range]]s, type data. */
  ranges: RangeInput[];
}

export interface VolumePlan {
  header: VolumeHeader;
  patch: Stage1Patch;
  ranges: BootRange[];
  /** The encoded range table (it also seeds a new disk's identifiers). */
  table: Uint8Array;
  /** Sectors the volume occupies: up to the 4 KiB boundary after its last range. */
  sectors: bigint;
  /** Byte extents from the volume's first byte, tiling [0, sectors × 512). */
  extents: Extent[];
}

/** Every range's name valid and unique (mimgload's, the image's and every [[range]]'s), its size above 0 and below 4 GiB. */
export function rangeInputIssues(inputs: readonly Omit<RangeInput, 'flags'>[]): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, string>([[LOADER_NAME, "mimgload's range"]]);
  for (const r of inputs) {
    const where = r.nameKey;
    const problem = rangeNameProblem(r.name);
    if (problem !== undefined) issues.push(issue('CONFIG_TYPE', problem, { file: r.file, where }));
    const first = seen.get(r.name);
    if (first !== undefined) issues.push(issue('CONFIG_TYPE', `range name "${r.name}" is already taken by ${first}`, { file: r.file, where, hint: 'give each range a distinct name' }));
    else seen.set(r.name, r.nameKey);
    if (r.size === 0n) issues.push(issue('CONFIG_TYPE', `range "${r.name}" is empty: its file has no bytes`, { file: r.file, where: r.pathKey }));
    if (r.size >= RANGE_SIZE_LIMIT) issues.push(issue('CONFIG_TYPE', `range "${r.name}" is ${hex(r.size)} bytes; stage 2 loads ranges of less than 4 GiB`, { file: r.file, where: r.pathKey }));
  }
  return issues;
}

/** The volume for a partition starting at absolute LBA `volumeLba`. */
export function planVolume(input: VolumeInput, volumeLba: bigint): Result<VolumePlan> {
  const issues = rangeInputIssues([input.image, ...input.ranges]);
  if (issues.length > 0) return { issues };

  const stage2Sectors = sectorsFor(BigInt(input.stages.stage2.length));
  const rangesLba = 1n + stage2Sectors;
  const inputs: (Omit<RangeInput, 'nameKey' | 'pathKey'> & { type: BootRange['type']; loader?: FlatLoader })[] = [
    { name: LOADER_NAME, type: 'loader', size: BigInt(input.loader.bytes.length), source: { kind: 'bytes', bytes: input.loader.bytes }, flags: [], loader: input.loader },
    { ...input.image, type: 'image', flags: ['preload'] },
    ...input.ranges.map((r) => ({ ...r, type: 'data' as const })),
  ];
  const rangesSectors = rangeTableSectors(inputs.length);
  let next = alignUp(rangesLba + rangesSectors, RANGE_ALIGN_SECTORS);
  const ranges: BootRange[] = [];
  const extents: Extent[] = [];
  for (const r of inputs) {
    const lba = next;
    next = alignUp(lba + sectorsFor(r.size), RANGE_ALIGN_SECTORS);
    ranges.push({ name: r.name, type: r.type, flags: r.flags, lba, size: r.size, loadAddress: r.loader?.loadAddress ?? 0n, entry: r.loader?.entry ?? 0n });
    extents.push({ offset: lba * BigInt(SECTOR_SIZE), length: r.size, source: r.source, what: `range '${r.name}'` });
  }

  const header: VolumeHeader = { version: VERSION, stage2Lba: 1n, stage2Sectors: Number(stage2Sectors), rangesLba, rangesSectors, volumeLba };
  const table = encodeRangeTable(ranges);
  extents.push(
    bytesExtent(0n, pbrSector(input.stages.pbr, header), 'PBR'),
    bytesExtent(BigInt(SECTOR_SIZE), input.stages.stage2, 'stage 2'),
    bytesExtent(rangesLba * BigInt(SECTOR_SIZE), table, 'range table'),
  );
  return {
    value: {
      header,
      patch: { volumeLba, stage2Lba: header.stage2Lba, stage2Sectors: header.stage2Sectors },
      ranges,
      table,
      sectors: next,
      extents: tile(extents, next * BigInt(SECTOR_SIZE)),
    },
    issues,
  };
}
