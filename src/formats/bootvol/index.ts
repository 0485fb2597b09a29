// The BIOS boot volume: docs/format/boot-volume.md is the specification.

export type { BootRange, RangeFlag, RangeType, Stage1Patch, VolumeHeader } from './types.js';
export { encodeRangeTable, pbrSector, rangeTableSectors, stage1BootCode } from './encode.js';
export { decodePatch, decodeRangeTable, decodeVolumeHeader, hasVolumeMagic, headerWhere, patchWhere } from './decode.js';
export { verifyPatch, verifyVolume } from './verify.js';
export { PATCH, VOLUME_HEADER, PATCH_AT, PBR_CODE_AT, RANGE_ALIGN_SECTORS, VERSION, VOLUME_HEADER_AT, rangeNameProblem } from './struct.js';
