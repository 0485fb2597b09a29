// The master boot record (LBA 0 of a PC disk), declared once: 440 bytes of
// boot code, the disk signature, four 16-byte partition entries and 55 AA.
// The same sector is GPT's protective MBR.

import { SECTOR_SIZE } from '../../bytes/sectors.js';
import { table } from '../../bytes/table.js';

export const MBR = table('mbr', SECTOR_SIZE, [
  { name: 'boot_code', type: 'bytes', size: 0x1b8, doc: 'boot code: what the BIOS runs (on a mimg disk, stage 1 and its patch block)' },
  { name: 'disk_signature', type: 'u32', doc: 'disk identifier, chosen when the table is made' },
  { name: 'copy_protect', type: 'u16', doc: '0, or 0x5A5A on a disk marked copy-protected' },
  { name: 'partition_table', type: 'bytes', size: 64, doc: 'four partition entries (below)' },
  { name: 'boot_signature', type: 'u16', doc: '0xAA55 (bytes 55 AA): the BIOS boots only a sector that ends so' },
] as const);

export const PARTITION_ENTRY = table('mbr_partition', 16, [
  { name: 'status', type: 'u8', doc: '0x80 active (bootable), 0x00 not' },
  { name: 'chs_first', type: 'bytes', size: 3, doc: 'first sector as cylinder/head/sector (legacy; LBA is authoritative)' },
  { name: 'type', type: 'u8', doc: 'partition type; 0 = unused entry' },
  { name: 'chs_last', type: 'bytes', size: 3, doc: 'last sector as cylinder/head/sector' },
  { name: 'first_lba', type: 'u32', doc: 'first sector' },
  { name: 'sectors', type: 'u32', doc: 'length in sectors' },
] as const);

export const PARTITION_COUNT = 4;
export const BOOT_SIGNATURE = 0xaa55;
export const STATUS_ACTIVE = 0x80;

/** Partition types mimg writes or must recognise. */
export const TYPE_EMPTY = 0x00;
/** "Non-file-system data": the boot volume on an MBR disk. */
export const TYPE_MIMG = 0xda;
/** GPT's protective partition. */
export const TYPE_GPT_PROTECTIVE = 0xee;
/** Extended partitions: containers of logical partitions (CHS, LBA, Linux). */
export const TYPES_EXTENDED: readonly number[] = [0x05, 0x0f, 0x85];

/** Names of common types, for listings. */
export const TYPE_NAMES: Readonly<Record<number, string>> = {
  0x01: 'FAT12',
  0x04: 'FAT16 <32M',
  0x05: 'Extended',
  0x06: 'FAT16',
  0x07: 'HPFS/NTFS/exFAT',
  0x0b: 'W95 FAT32',
  0x0c: 'W95 FAT32 (LBA)',
  0x0e: 'W95 FAT16 (LBA)',
  0x0f: 'W95 Extended (LBA)',
  0x82: 'Linux swap',
  0x83: 'Linux',
  0x85: 'Linux extended',
  0x8e: 'Linux LVM',
  0xda: 'Non-FS data (mimg boot volume)',
  0xee: 'GPT protective',
  0xef: 'EFI System',
  0xfd: 'Linux raid autodetect',
};

const HEADS = 255n;
const SECTORS_PER_TRACK = 63n;
/** Sectors CHS can address in that geometry: 1024 cylinders. */
export const CHS_SECTORS = 1024n * HEADS * SECTORS_PER_TRACK;

/**
 * The 3-byte CHS of an LBA in the 255-head, 63-sector geometry every modern
 * tool assumes for disks of unknown geometry; FE FF FF beyond cylinder 1023.
 */
export function chsOf(lba: bigint): Uint8Array {
  if (lba >= CHS_SECTORS) return Uint8Array.of(0xfe, 0xff, 0xff);
  const cylinder = lba / (HEADS * SECTORS_PER_TRACK);
  const head = (lba / SECTORS_PER_TRACK) % HEADS;
  const sector = (lba % SECTORS_PER_TRACK) + 1n;
  return Uint8Array.of(Number(head), Number(sector | ((cylinder >> 2n) & 0xc0n)), Number(cylinder & 0xffn));
}
