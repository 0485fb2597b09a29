// Disks are read and written in 512-byte sectors addressed by LBA. Parsers
// of on-disk structures that lie far apart (a GPT's backup at the end of a
// disk, a boot volume's range table) take a ReadSectors instead of the whole
// disk, so the host can hand them a file of any size without reading it all.

export const SECTOR_SIZE = 512;

/** `count` sectors from `lba` on; fewer bytes (possibly none) where the disk ends. */
export type ReadSectors = (lba: bigint, count: number) => Uint8Array;

/** Sectors needed to hold `bytes` bytes. */
export function sectorsFor(bytes: bigint): bigint {
  return (bytes + BigInt(SECTOR_SIZE) - 1n) / BigInt(SECTOR_SIZE);
}
