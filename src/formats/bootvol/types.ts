// The typed view of a BIOS boot volume. docs/format/boot-volume.md is the
// byte-level specification; struct.ts is the one table of offsets.

export type RangeType = 'image' | 'data' | 'loader';
export type RangeFlag = 'preload' | 'ro' | 'rw';

/** What stage 1 in the MBR reads from its patch block. */
export interface Stage1Patch {
  /** Absolute LBA of the boot volume. */
  volumeLba: bigint;
  /** Relative to the volume. */
  stage2Lba: bigint;
  stage2Sectors: number;
}

/** The header in the volume's first sector (the PBR). LBAs are relative to the volume, except volumeLba. */
export interface VolumeHeader {
  version: number;
  stage2Lba: bigint;
  stage2Sectors: number;
  rangesLba: bigint;
  rangesSectors: bigint;
  volumeLba: bigint;
}

/** One entry of the range table. */
export interface BootRange {
  name: string;
  type: RangeType;
  flags: RangeFlag[];
  /** First sector, relative to the volume. */
  lba: bigint;
  /** Length in bytes. */
  size: bigint;
  /** Type loader: where its bytes go, and its entry point; 0 for other types. */
  loadAddress: bigint;
  entry: bigint;
}
