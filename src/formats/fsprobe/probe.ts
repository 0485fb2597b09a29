// Recognising a file system (or other formatted content) from the first
// bytes of a partition, as blkid does by magic numbers, so that an installer
// can refuse to overwrite one unless told to. A table of signatures; the
// first that matches names the content.

interface Signature {
  name: string;
  /** Byte offset of the magic from the start of the partition. */
  offset: number;
  magic: Uint8Array;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

const SIGNATURES: readonly Signature[] = [
  { name: 'ext2/ext3/ext4', offset: 0x438, magic: Uint8Array.of(0x53, 0xef) }, // s_magic in the superblock at 1024
  { name: 'NTFS', offset: 0x03, magic: ascii('NTFS    ') }, // OEM name in the boot sector
  { name: 'exFAT', offset: 0x03, magic: ascii('EXFAT   ') },
  { name: 'FAT32', offset: 0x52, magic: ascii('FAT32   ') }, // BS_FilSysType of the FAT32 BPB
  { name: 'FAT12/FAT16', offset: 0x36, magic: ascii('FAT') }, // BS_FilSysType: "FAT12   ", "FAT16   " or "FAT     "
  { name: 'ISO 9660', offset: 0x8001, magic: ascii('CD001') }, // the first volume descriptor, at 32 KiB
  { name: 'XFS', offset: 0, magic: ascii('XFSB') },
  { name: 'Btrfs', offset: 0x10040, magic: ascii('_BHRfS_M') }, // the superblock at 64 KiB
  { name: 'Linux swap', offset: 0xff6, magic: ascii('SWAPSPACE2') }, // the end of the first 4 KiB page
  { name: 'LUKS', offset: 0, magic: Uint8Array.of(0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe) },
];

/** Bytes from the partition's start that probe() needs to see every signature. */
export const PROBE_BYTES = Math.max(...SIGNATURES.map((s) => s.offset + s.magic.length));

/** The name of the first signature found in `head` (the partition's first bytes, up to PROBE_BYTES), or undefined. */
export function probe(head: Uint8Array): string | undefined {
  return SIGNATURES.find((s) => s.magic.every((b, i) => head[s.offset + i] === b))?.name;
}
