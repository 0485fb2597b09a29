// FAT32: the EFI system partition's file system.

export { readFat32, type FatEntry, type FatVolume } from './read.js';
export { planFat32, sectorsPerCluster, shortNameChecksum, type FatFileInput, type FatInput, type FatPlan } from './write.js';
export { BOOT_SECTOR, DIR_ENTRY, FAT32_MIN_CLUSTERS, FIXED_DATE, FSINFO, LFN_ENTRY } from './struct.js';
