// The BIOS boot volume's structures (docs/format/boot-volume.md), declared
// once: the stage-1 patch block in the MBR, the volume header in the PBR,
// and the range table. The codecs, the specification's tables and the
// stages' NASM and C headers (headers.ts) all derive from these tables.

import { enumeration, table } from '../../bytes/table.js';
import type { RangeFlag, RangeType } from './types.js';

/** Where the patch block lies in the MBR: stage 1's code is the bytes before it. */
export const PATCH_AT = 0x1a0;

export const PATCH = table('mimg_stage1_patch', 24, [
  { name: 'volume_lba', type: 'u64', doc: "absolute LBA of the boot volume's first sector" },
  { name: 'stage2_lba', type: 'u32', doc: 'LBA of stage 2, relative to `volume_lba`' },
  { name: 'stage2_sectors', type: 'u16', doc: 'length of stage 2 in sectors' },
  { name: 'patch_magic', type: 'u16', doc: '`0x4D49` ("IM"): the writer filled the block' },
  { name: 'reserved', type: 'bytes', size: 8, reserved: true, doc: '0' },
] as const);

export const PATCH_MAGIC = 0x4d49;

/** Where the volume header lies in the PBR: after a 3-byte `jmp short` + `nop`. */
export const VOLUME_HEADER_AT = 0x03;

export const VOLUME_HEADER = table('mimg_volume_header', 36, [
  { name: 'magic', type: 'bytes', size: 8, doc: '`"MIMGVOL1"`' },
  { name: 'version', type: 'u16', doc: '1' },
  { name: 'stage2_sectors', type: 'u16', doc: 'length of stage 2 in sectors' },
  { name: 'stage2_lba', type: 'u32', doc: 'LBA of stage 2, relative to the volume' },
  { name: 'ranges_lba', type: 'u32', doc: 'LBA of the range table, relative to the volume' },
  { name: 'ranges_sectors', type: 'u32', doc: 'length of the range table in sectors' },
  {
    name: 'volume_lba',
    type: 'u64',
    doc: "absolute LBA of this volume when written (a PBR chain-loaded by a foreign MBR takes the partition's LBA from DS:SI instead)",
  },
  { name: 'header_crc32', type: 'u32', doc: 'CRC-32 of the 32 bytes before this field (PBR bytes 0x03..0x22)' },
] as const);

/** PBR code resumes after the volume header. */
export const PBR_CODE_AT = VOLUME_HEADER_AT + VOLUME_HEADER.size;

export const RANGE_TABLE = table('mimg_range_table', 32, [
  { name: 'magic', type: 'bytes', size: 8, doc: '`"MIMGRNGS"`' },
  { name: 'version', type: 'u32', doc: '1' },
  { name: 'count', type: 'u32', doc: 'number of entries' },
  { name: 'entry_size', type: 'u32', doc: '80' },
  { name: 'entries_crc32', type: 'u32', doc: 'CRC-32 of the `count × entry_size` entry bytes' },
  { name: 'header_crc32', type: 'u32', doc: 'CRC-32 of the 24 bytes before this field' },
  { name: 'reserved', type: 'u32', reserved: true, doc: '0' },
] as const);

export const RANGE = table('mimg_range', 80, [
  { name: 'name', type: 'bytes', size: 32, doc: 'UTF-8, NUL-padded, at least one NUL' },
  { name: 'lba', type: 'u64', doc: 'first sector, relative to the volume (a multiple of 8)' },
  { name: 'size', type: 'u64', doc: 'length in bytes' },
  { name: 'load_address', type: 'u64', doc: 'type `loader`: where its bytes go; else 0' },
  { name: 'entry', type: 'u64', doc: 'type `loader`: the 32-bit protected-mode entry; else 0' },
  { name: 'type', type: 'u32', doc: 'range type (table below)' },
  { name: 'flags', type: 'u32', doc: 'range flags (table below)' },
  { name: 'reserved', type: 'bytes', size: 8, reserved: true, doc: '0' },
] as const);

export const VOLUME_MAGIC = new TextEncoder().encode('MIMGVOL1');
export const RANGES_MAGIC = new TextEncoder().encode('MIMGRNGS');
export const VERSION = 1;
/** Every range starts on a 4 KiB boundary of the volume, so stage 2 can read whole pages. */
export const RANGE_ALIGN_SECTORS = 8n;
/** The longest range name: the field holds at least one NUL. */
export const NAME_MAX = RANGE.f.name.size - 1;

/**
 * Why `name` cannot name a range, or undefined: it must be 1 to NAME_MAX
 * bytes of UTF-8 without NUL or white space (stage 2 hands a range over as a
 * Multiboot module whose string is its name, and loaders take a module
 * string's first word as the name).
 */
export function rangeNameProblem(name: string): string | undefined {
  const bytes = new TextEncoder().encode(name).length;
  if (bytes === 0) return 'a range name must not be empty';
  if (bytes > NAME_MAX) return `range name ${JSON.stringify(name)} is ${bytes} bytes of UTF-8; the most is ${NAME_MAX}`;
  if (/[\s\0]/u.test(name)) return `range name ${JSON.stringify(name)} contains white space or NUL`;
  return undefined;
}

export const RANGE_TYPE = enumeration<RangeType>('type', [
  ['image', 1, 'a `.mimg` image; exactly one, loaded as if `preload` were set'],
  ['data', 2, 'bytes for the kernel, from a `[[range]]` of the config'],
  ['loader', 3, "mimgload's loadable bytes, flattened from its ELF; exactly one"],
]);

/** Range flag bits; all other bits must be zero. ro and rw are mutually exclusive. */
export const RANGE_FLAG: readonly (readonly [RangeFlag, number, string])[] = [
  ['preload', 1 << 0, 'loaded at boot and handed to the kernel as a module under its name'],
  ['ro', 1 << 1, 'read-only'],
  ['rw', 1 << 2, 'read-write'],
];
export const KNOWN_FLAGS = RANGE_FLAG.reduce((m, [, bit]) => m | bit, 0);

export function flagBits(flags: readonly RangeFlag[]): number {
  return RANGE_FLAG.reduce((m, [name, bit]) => (flags.includes(name) ? m | bit : m), 0);
}

export function flagNames(bits: number): RangeFlag[] {
  return RANGE_FLAG.filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name);
}
