// Boot media, pure: a disk image (or what an installer writes into one) is
// planned as a list of extents that a host writer streams to a file.

export type { Extent, Source } from './extent.js';
export { checkBootx64, checkStages, flattenLoader, type FlatLoader, type StageFiles, type Stages } from './stages.js';
export { planVolume, type RangeInput, type VolumeInput, type VolumePlan } from './volume.js';
export { planDisk, type DiskInput, type DiskPlan, type Firmware } from './disk.js';
export { BOOT_PATH, ESP_DIR, LOAD_LIST, LOADER_FILE, loadList, planEsp, type EspInput, type EspPlan } from './esp.js';
export { readDisk, type DiskEsp, type DiskPartition, type DiskReport, type DiskVolume } from './read.js';
