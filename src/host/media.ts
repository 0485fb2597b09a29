// The boot disk `mimg build` writes when the config has [media] of type
// "disk". What can be checked without the .mimg (the firmware, the stage
// binaries, every [[range]] input) is checked before the .mimg is written;
// the disk is planned and written after it, from the .mimg on disk.

import { basename } from 'node:path';
import type { BuildSpec, MediaSpec } from '../config/types.js';
import { MimgError } from '../diagnostics/issue.js';
import { encodeHead } from '../formats/mimg/index.js';
import type { MimgImage } from '../formats/mimg/types.js';
import { planDisk, type DiskPlan, type RangeInput } from '../media/index.js';
import { writeDisk } from './disk.js';
import { dataInput } from './files.js';
import { allOrIssues } from './settle.js';
import { PREBUILT, readStages, readUefiStages, type BiosStages, type UefiStages } from './stages.js';
import type { Progress } from './write.js';

export interface MediaInputs {
  media: MediaSpec;
  stages: BiosStages;
  /** With firmware "uefi". */
  uefi?: UefiStages;
  ranges: RangeInput[];
}

export interface DiskResult {
  output: string;
  plan: DiskPlan;
}

/** The inputs of the boot disk, or undefined when the config asks for none. Throws every problem at once. */
export async function prepareMedia(spec: BuildSpec, stagesDir = PREBUILT): Promise<MediaInputs | undefined> {
  const media = spec.media;
  if (media?.type !== 'disk') return undefined;
  const [stages, uefi, ...ranges] = await allOrIssues<[BiosStages, UefiStages | undefined, ...RangeInput[]]>([
    readStages(stagesDir),
    media.firmware.includes('uefi') ? readUefiStages(stagesDir) : Promise.resolve(undefined),
    ...spec.ranges.map(async (r): Promise<RangeInput> => {
      const { size } = await dataInput(r.path, false, `${r.key}.path`);
      return { name: r.name, size, source: { kind: 'file', path: r.path, offset: 0n }, flags: r.flags, nameKey: `${r.key}.name`, pathKey: `${r.key}.path`, file: spec.configPath };
    }),
  ]);
  return { media, stages, ranges, ...(uefi && { uefi }) };
}

/** Plans the disk around the .mimg just written at `imagePath` and writes it to [media] output. */
export async function writeMedia(inputs: MediaInputs, imagePath: string, image: MimgImage, configPath: string, progress?: Progress): Promise<DiskResult> {
  const { media, stages, ranges, uefi } = inputs;
  const plan = planDisk({
    firmware: media.firmware,
    ...(uefi && { uefi: { bootx64: uefi.bootx64, loaderElf: stages.loaderElf } }),
    partitioning: media.partitioning,
    ...(media.size !== undefined && { partitionSize: media.size, sizeKey: 'media.size' }),
    file: configPath,
    identity: encodeHead(image),
    stages: stages.stages,
    loader: stages.loader,
    image: { name: basename(imagePath), size: image.header.fileSize, source: { kind: 'file', path: imagePath, offset: 0n }, nameKey: 'image.output', pathKey: 'image.output', file: configPath },
    ranges,
  });
  if (!plan.value) throw new MimgError(plan.issues);
  await writeDisk(media.output, plan.value, progress);
  return { output: media.output, plan: plan.value };
}
