// Boot media, pure: a disk image (or what an installer writes into one) is
// planned as a list of extents that a host writer streams to a file.

export type { Extent, Source } from './extent.js';
export { checkStages, flattenLoader, type FlatLoader, type StageFiles, type Stages } from './stages.js';
export { planVolume, type RangeInput, type VolumeInput, type VolumePlan } from './volume.js';
export { planDisk, type DiskInput, type DiskPlan } from './disk.js';
export { readDisk, type DiskPartition, type DiskReport, type DiskVolume } from './read.js';
