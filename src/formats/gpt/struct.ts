// The GUID Partition Table (UEFI 2.10 section 5.3), declared once: the
// header (primary at LBA 1, backup in the last sector) and the entry array
// (primary from LBA 2, backup just before the backup header).

import { SECTOR_SIZE } from '../../bytes/sectors.js';
import { table } from '../../bytes/table.js';

export const HEADER = table('gpt_header', 92, [
  { name: 'signature', type: 'bytes', size: 8, doc: '"EFI PART"' },
  { name: 'revision', type: 'u32', doc: '0x00010000 (1.0)' },
  { name: 'header_size', type: 'u32', doc: '92' },
  { name: 'header_crc32', type: 'u32', doc: 'CRC-32 of the header_size bytes, this field taken as 0' },
  { name: 'reserved', type: 'u32', reserved: true, doc: '0' },
  { name: 'my_lba', type: 'u64', doc: 'LBA of this header' },
  { name: 'alternate_lba', type: 'u64', doc: 'LBA of the other header' },
  { name: 'first_usable_lba', type: 'u64', doc: 'first LBA a partition may use' },
  { name: 'last_usable_lba', type: 'u64', doc: 'last LBA a partition may use (inclusive)' },
  { name: 'disk_guid', type: 'bytes', size: 16, doc: 'the disk GUID' },
  { name: 'partition_entry_lba', type: 'u64', doc: "first LBA of this header's entry array" },
  { name: 'num_partition_entries', type: 'u32', doc: 'entries in the array, used or not' },
  { name: 'partition_entry_size', type: 'u32', doc: '128' },
  { name: 'partition_entry_array_crc32', type: 'u32', doc: 'CRC-32 of num_partition_entries × partition_entry_size bytes' },
] as const);

export const ENTRY = table('gpt_entry', 128, [
  { name: 'type_guid', type: 'bytes', size: 16, doc: 'partition type; all zero = unused entry' },
  { name: 'unique_guid', type: 'bytes', size: 16, doc: "this partition's GUID" },
  { name: 'first_lba', type: 'u64', doc: 'first sector' },
  { name: 'last_lba', type: 'u64', doc: 'last sector (inclusive)' },
  { name: 'attributes', type: 'u64', doc: 'bit 0 required by the platform, bit 2 legacy BIOS bootable, 48-63 by type' },
  { name: 'name', type: 'bytes', size: 72, doc: 'name: 36 UTF-16LE code units, NUL-padded' },
] as const);

export const SIGNATURE = new TextEncoder().encode('EFI PART');
export const REVISION = 0x00010000;
export const ENTRY_COUNT = 128;
/** The array of 128 entries of 128 bytes: 32 sectors. */
export const ENTRY_ARRAY_SECTORS = BigInt((ENTRY_COUNT * ENTRY.size) / SECTOR_SIZE);
/** Sectors the primary GPT occupies after the MBR (header and array) and the backup before the disk's end. */
export const GPT_SECTORS = 1n + ENTRY_ARRAY_SECTORS;

/** Attribute bit 2: legacy BIOS bootable, which some BIOS boot code looks for. */
export const ATTR_LEGACY_BIOS_BOOTABLE = 1n << 2n;

/** The mimg boot volume (docs/format/boot-volume.md); in hex, the string spells "mimg", "bo", "Ot" and "volume". */
export const TYPE_MIMG = '6D696D67-626F-4F74-9A3B-766F6C756D65';
/** The BIOS boot partition (GRUB's core.img lives there); also accepted as an install target. */
export const TYPE_BIOS_BOOT = '21686148-6449-6E6F-744E-656564454649';

/** The EFI system partition (UEFI 2.10 section 5.3.3): FAT, where firmware looks for boot applications. */
export const TYPE_ESP = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

/** Names of common types, for listings. */
export const TYPE_NAMES: Readonly<Record<string, string>> = {
  [TYPE_MIMG]: 'mimg boot volume',
  [TYPE_BIOS_BOOT]: 'BIOS boot',
  [TYPE_ESP]: 'EFI System',
  '0FC63DAF-8483-4772-8E79-3D69D8477DE4': 'Linux filesystem',
  '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F': 'Linux swap',
  'E6D6D379-F507-44C2-A23C-238F2A3DF928': 'Linux LVM',
  'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7': 'Microsoft basic data',
};
