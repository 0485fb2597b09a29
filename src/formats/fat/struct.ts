// FAT32 (Microsoft's "FAT: General Overview of On-Disk Format", version
// 1.03, and the UEFI 2.10 section 13.3 profile of it), declared once: the
// boot sector with its BIOS parameter block, the FSInfo sector, and the two
// kinds of 32-byte directory entry (short 8.3 names, and long-name pieces).

import { SECTOR_SIZE } from '../../bytes/sectors.js';
import { table } from '../../bytes/table.js';

export const BOOT_SECTOR = table('fat32_boot_sector', SECTOR_SIZE, [
  { name: 'jump', type: 'bytes', size: 3, doc: 'EB 58 90: a short jump over the BPB' },
  { name: 'oem_name', type: 'bytes', size: 8, doc: 'who formatted the volume' },
  { name: 'bytes_per_sector', type: 'u16', doc: '512' },
  { name: 'sectors_per_cluster', type: 'u8', doc: 'a power of two, 1 to 128' },
  { name: 'reserved_sectors', type: 'u16', doc: 'sectors before the first FAT (boot sector, FSInfo, backups)' },
  { name: 'fat_count', type: 'u8', doc: '2' },
  { name: 'root_entries', type: 'u16', doc: '0 on FAT32 (the root directory is a cluster chain)' },
  { name: 'total_sectors_16', type: 'u16', doc: '0 on FAT32' },
  { name: 'media', type: 'u8', doc: '0xF8: fixed disk' },
  { name: 'fat_size_16', type: 'u16', doc: '0 on FAT32' },
  { name: 'sectors_per_track', type: 'u16', doc: 'CHS geometry, for BIOS boot code only' },
  { name: 'heads', type: 'u16', doc: 'CHS geometry, for BIOS boot code only' },
  { name: 'hidden_sectors', type: 'u32', doc: 'LBA of the volume on its disk' },
  { name: 'total_sectors', type: 'u32', doc: 'sectors in the volume' },
  { name: 'fat_size', type: 'u32', doc: 'sectors per FAT' },
  { name: 'ext_flags', type: 'u16', doc: '0: every FAT is kept up to date (mirrored)' },
  { name: 'fs_version', type: 'u16', doc: '0.0' },
  { name: 'root_cluster', type: 'u32', doc: "the root directory's first cluster (2)" },
  { name: 'fsinfo_sector', type: 'u16', doc: 'sector of the FSInfo structure (1)' },
  { name: 'backup_boot_sector', type: 'u16', doc: 'sector of the boot sector copy (6); the FSInfo copy follows it' },
  { name: 'reserved', type: 'bytes', size: 12, reserved: true, doc: '0' },
  { name: 'drive_number', type: 'u8', doc: '0x80' },
  { name: 'reserved1', type: 'u8', reserved: true, doc: '0' },
  { name: 'boot_signature', type: 'u8', doc: '0x29: the three fields that follow are present' },
  { name: 'volume_id', type: 'u32', doc: 'volume serial number' },
  { name: 'volume_label', type: 'bytes', size: 11, doc: 'label, space-padded; "NO NAME    " for none' },
  { name: 'fs_type', type: 'bytes', size: 8, doc: '"FAT32   " (informational: the cluster count decides the FAT type)' },
  { name: 'boot_code', type: 'bytes', size: 420, doc: 'code a BIOS would run from this sector' },
  { name: 'signature', type: 'u16', doc: '0xAA55' },
] as const, { packed: true });

export const FSINFO = table('fat32_fsinfo', SECTOR_SIZE, [
  { name: 'lead_signature', type: 'u32', doc: '0x41615252 ("RRaA")' },
  { name: 'reserved1', type: 'bytes', size: 480, reserved: true, doc: '0' },
  { name: 'struct_signature', type: 'u32', doc: '0x61417272 ("rrAa")' },
  { name: 'free_count', type: 'u32', doc: 'free clusters (a hint; 0xFFFFFFFF: unknown)' },
  { name: 'next_free', type: 'u32', doc: 'where to start looking for a free cluster (a hint)' },
  { name: 'reserved2', type: 'bytes', size: 12, reserved: true, doc: '0' },
  { name: 'trail_signature', type: 'u32', doc: '0xAA550000' },
] as const);

export const DIR_ENTRY = table('fat_dir_entry', 32, [
  { name: 'name', type: 'bytes', size: 11, doc: '8.3 name, upper case, space-padded, without the dot' },
  { name: 'attributes', type: 'u8', doc: '0x10 directory, 0x20 archive; 0x0F marks a long-name entry' },
  { name: 'nt_reserved', type: 'u8', doc: '0' },
  { name: 'create_time_tenths', type: 'u8', doc: '0' },
  { name: 'create_time', type: 'u16', doc: 'hours << 11 | minutes << 5 | seconds / 2' },
  { name: 'create_date', type: 'u16', doc: '(year - 1980) << 9 | month << 5 | day' },
  { name: 'access_date', type: 'u16', doc: 'as create_date' },
  { name: 'first_cluster_hi', type: 'u16', doc: 'high 16 bits of the first cluster' },
  { name: 'write_time', type: 'u16', doc: 'as create_time' },
  { name: 'write_date', type: 'u16', doc: 'as create_date' },
  { name: 'first_cluster_lo', type: 'u16', doc: 'low 16 bits of the first cluster (0: empty file, or the root in "..")' },
  { name: 'size', type: 'u32', doc: 'file size in bytes; 0 for directories' },
] as const);

export const LFN_ENTRY = table('fat_lfn_entry', 32, [
  { name: 'order', type: 'u8', doc: 'piece number from 1; 0x40 set on the last piece, which comes first' },
  { name: 'name1', type: 'bytes', size: 10, doc: 'UCS-2 characters 1-5 of the piece' },
  { name: 'attributes', type: 'u8', doc: '0x0F' },
  { name: 'type', type: 'u8', doc: '0' },
  { name: 'checksum', type: 'u8', doc: 'checksum of the short name the pieces belong to' },
  { name: 'name2', type: 'bytes', size: 12, doc: 'characters 6-11' },
  { name: 'first_cluster', type: 'u16', doc: '0' },
  { name: 'name3', type: 'bytes', size: 4, doc: 'characters 12-13' },
] as const);

export const JUMP = Uint8Array.of(0xeb, 0x58, 0x90);
export const OEM_NAME = 'MIMG    ';
export const MEDIA_FIXED = 0xf8;
export const BOOT_SIGNATURE_EXTENDED = 0x29;
export const FS_TYPE = 'FAT32   ';
export const NO_LABEL = 'NO NAME    ';
export const FSINFO_LEAD = 0x41615252;
export const FSINFO_STRUCT = 0x61417272;
export const FSINFO_TRAIL = 0xaa550000;
/** Unknown, in FSInfo's hints. */
export const FSINFO_UNKNOWN = 0xffffffff;

export const RESERVED_SECTORS = 32;
export const FAT_COUNT = 2;
export const FSINFO_SECTOR = 1;
export const BACKUP_BOOT_SECTOR = 6;
export const ROOT_CLUSTER = 2;

export const ATTR_DIRECTORY = 0x10;
export const ATTR_ARCHIVE = 0x20;
export const ATTR_VOLUME_ID = 0x08;
export const ATTR_LFN = 0x0f;
export const LFN_LAST = 0x40;
/** UCS-2 characters per long-name entry. */
export const LFN_CHARS = 13;
/** A long name holds at most 255 characters. */
export const LFN_MAX = 255;
/** The first byte of a deleted entry; 0 ends a directory. */
export const ENTRY_DELETED = 0xe5;

/** FAT entry values (28 bits used). */
export const FAT_MASK = 0x0fffffff;
export const FAT_EOC = 0x0fffffff;
/** Values at or above this end a chain. */
export const FAT_EOC_MIN = 0x0ffffff8;
export const FAT_BAD = 0x0ffffff7;

/** A volume with fewer clusters is FAT12 or FAT16, whatever its BPB says (the spec's count, fatgen103 p. 15). */
export const FAT32_MIN_CLUSTERS = 65525;

/**
 * Every timestamp mimg writes: 1980-01-01 00:00:00, the first instant FAT
 * can express, so that the same inputs give the same bytes.
 */
export const FIXED_DATE = (0 << 9) | (1 << 5) | 1;
export const FIXED_TIME = 0;
