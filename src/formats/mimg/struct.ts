// The .mimg on-disk structures, declared once as src/bytes/table.ts tables;
// encode.ts and decode.ts read and write through these tables, and the
// tables in docs/format/mimg.md are generated from them (spec.test.ts keeps
// the document in step).

import { enumeration, table, type TableValues } from '../../bytes/table.js';
import { crc32 } from '../checksum/crc32.js';
import type { CpuMode, DigestAlgorithm, FramebufferFlag, Protocol, SectionFlag, SectionType } from './types.js';

export type { Enum, Field } from '../../bytes/table.js';

/** The header, at offset 0 of the file. */
export const HEADER = table('mimg_header', 128, [
  { name: 'magic', type: 'bytes', size: 8, doc: '`4D 49 4D 47 0D 0A 1A 0A` ("MIMG\\r\\n\\x1a\\n")' },
  { name: 'version_major', type: 'u16', doc: 'format major version: 1' },
  { name: 'version_minor', type: 'u16', doc: 'format minor version: 0, or 1 when a section has a `vaddr` or the image requests a framebuffer' },
  { name: 'header_size', type: 'u32', doc: 'size of this header: 128' },
  { name: 'entry', type: 'u64', doc: 'physical address the loader jumps to' },
  { name: 'protocol', type: 'u8', doc: 'hand-off protocol (table below)' },
  { name: 'cpu_mode', type: 'u8', doc: 'CPU mode at entry (table below)' },
  { name: 'digest_alg', type: 'u8', doc: 'payload digest algorithm (table below)' },
  { name: 'reserved0', type: 'u8', reserved: true, doc: 'must be 0' },
  { name: 'section_count', type: 'u32', doc: 'number of section entries' },
  { name: 'section_table_offset', type: 'u64', doc: 'file offset of the section table: 128' },
  { name: 'section_entry_size', type: 'u32', doc: 'size of one section entry: 96' },
  { name: 'strtab_offset', type: 'u32', doc: 'file offset of the string table: 128 + 96 × section_count' },
  { name: 'strtab_size', type: 'u32', doc: 'size of the string table in bytes' },
  { name: 'cmdline_off', type: 'u32', doc: 'kernel command line: offset in the string table' },
  { name: 'cmdline_len', type: 'u32', doc: 'kernel command line: length in bytes, without the NUL' },
  { name: 'reserved1', type: 'u32', reserved: true, doc: 'must be 0' },
  { name: 'bootinfo_addr', type: 'u64', doc: 'physical address of the boot information block (0 if none)' },
  { name: 'bootinfo_size', type: 'u64', doc: 'size of the boot information block (0 if none)' },
  { name: 'ram_required', type: 'u64', doc: 'RAM the target must have, in bytes' },
  { name: 'file_size', type: 'u64', doc: 'exact size of the whole file' },
  { name: 'table_crc32', type: 'u32', doc: 'CRC-32 of the section table and string table' },
  { name: 'header_crc32', type: 'u32', doc: 'CRC-32 of these 128 bytes with this field taken as 0' },
  { name: 'fb_width', type: 'u32', doc: 'framebuffer request: width in pixels (characters in text mode), 0 = any (1.1; reserved in 1.0)' },
  { name: 'fb_height', type: 'u32', doc: 'framebuffer request: height in pixels (characters in text mode), 0 = any (1.1; reserved in 1.0)' },
  { name: 'fb_depth', type: 'u32', doc: 'framebuffer request: bits per pixel, 0 = any (1.1; reserved in 1.0)' },
  { name: 'fb_flags', type: 'u32', doc: 'framebuffer request flags (table below; 1.1; reserved in 1.0)' },
  { name: 'reserved2', type: 'bytes', size: 8, reserved: true, doc: 'must be 0' },
] as const);

/** One entry of the section table; entry i is at section_table_offset + 96 × i. */
export const SECTION = table('mimg_section', 96, [
  { name: 'dest', type: 'u64', doc: 'physical destination' },
  { name: 'mem_size', type: 'u64', doc: 'bytes occupied in memory (> 0)' },
  { name: 'file_offset', type: 'u64', doc: 'file offset of the payload (0 when file_size is 0)' },
  { name: 'file_size', type: 'u64', doc: 'payload bytes stored in the file (≤ mem_size)' },
  { name: 'type', type: 'u8', doc: 'section type (table below)' },
  { name: 'reserved0', type: 'u8', reserved: true, doc: 'must be 0' },
  { name: 'flags', type: 'u16', doc: 'section flags (table below)' },
  { name: 'component', type: 'u16', doc: '0 = kernel, 1.. = modules in config order' },
  { name: 'reserved1', type: 'u16', reserved: true, doc: 'must be 0' },
  { name: 'name_off', type: 'u32', doc: 'name: offset in the string table' },
  { name: 'name_len', type: 'u32', doc: 'name: length in bytes, without the NUL' },
  { name: 'cmdline_off', type: 'u32', doc: 'module command line: offset in the string table' },
  { name: 'cmdline_len', type: 'u32', doc: 'module command line: length in bytes, without the NUL' },
  { name: 'vaddr', type: 'u64', doc: 'virtual address the section is also mapped at (1.1; 0: none, see rule 12)' },
  { name: 'digest', type: 'bytes', size: 32, doc: 'payload digest (see "Digests")' },
] as const);

export type HeaderValues = TableValues<typeof HEADER>;
export type SectionValues = TableValues<typeof SECTION>;

export const MAGIC = Uint8Array.of(0x4d, 0x49, 0x4d, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
export const VERSION_MAJOR = 1;
/** The newest minor version this code reads; a writer emits the lowest that expresses the image (docs/format/mimg.md section 10). */
export const VERSION_MINOR = 1;
/** The minor version that gave fb_width, fb_height, fb_depth and fb_flags their meaning. */
export const FRAMEBUFFER_MINOR = 1;
/** Long-mode images may map an exec section at a virtual address too, in the upper canonical half (rule 12). */
export const UPPER_HALF = 0xffff800000000000n;
/** Virtual mappings are made of pages: a section's vaddr and dest have the same offset in their page. */
export const MAP_PAGE = 4096n;
/** Every payload starts at a multiple of this file offset, so a loader can read pages straight to their destination. */
export const PAYLOAD_ALIGN = 4096n;
export const DIGEST_SIZE = 32;

export const PROTOCOL = enumeration<Protocol>('protocol', [
  ['multiboot1', 1, 'Multiboot 1 information structure, EAX = 0x2BADB002'],
  ['multiboot2', 2, 'Multiboot 2 information structure, EAX = 0x36D76289'],
  ['linux', 3, 'Linux x86 boot protocol (boot_params)'],
  ['mimg', 4, "mimg's own boot information"],
]);

export const CPU_MODE = enumeration<CpuMode>('cpu_mode', [
  ['protected32', 1, '32-bit protected mode'],
  ['long64', 2, '64-bit long mode'],
  ['real16', 3, '16-bit real mode'],
]);

export const DIGEST_ALG = enumeration<DigestAlgorithm>('digest_alg', [
  ['sha256', 1, 'SHA-256 (FIPS 180-4), 32 bytes'],
  ['xxh64', 2, 'XXH64, seed 0, as a little-endian u64 in bytes 0..7; bytes 8..31 zero'],
]);

export const SECTION_TYPE = enumeration<SectionType>('type', [
  ['exec', 1, 'bytes of an executable; the entry point lies in one of these'],
  ['module', 2, 'uninterpreted data (a module)'],
  ['bootinfo', 3, 'the boot information block, written by the loader; no payload'],
  ['zero', 4, 'zero-filled memory; no payload'],
  ['reserved', 5, 'memory the loader must not touch; no payload'],
]);

/** Section flag bits; all other bits must be zero. ro and rw are mutually exclusive. */
export const SECTION_FLAG: readonly (readonly [SectionFlag, number, string])[] = [
  ['ro', 1 << 0, 'read-only'],
  ['rw', 1 << 1, 'read-write'],
  ['preload', 1 << 2, 'preloaded region (the kernel finds it in memory rather than on disk)'],
  ['x', 1 << 3, 'executable'],
];
export const KNOWN_FLAGS = SECTION_FLAG.reduce((m, [, bit]) => m | bit, 0);

/** fb_flags bits (version 1.1); all other bits must be zero, and required and text need requested. */
export const FB_FLAG: readonly (readonly [FramebufferFlag, number, string])[] = [
  ['requested', 1 << 0, 'the loader sets a video mode (best-effort: the closest mode, else text mode)'],
  ['required', 1 << 1, 'the exact mode, or the loader stops with an error'],
  ['text', 1 << 2, 'EGA text mode (fb_width × fb_height characters) instead of a linear graphics mode'],
];
export const FB_KNOWN_FLAGS = FB_FLAG.reduce((m, [, bit]) => m | bit, 0);
/** The header fields that carry the framebuffer request. */
export const FB_FIELDS = ['fb_width', 'fb_height', 'fb_depth', 'fb_flags'] as const;

export function flagBits(flags: readonly SectionFlag[]): number {
  return SECTION_FLAG.reduce((m, [name, bit]) => (flags.includes(name) ? m | bit : m), 0);
}

/** The names of the known bits set in `bits`, in bit order. */
export function flagNames(bits: number): SectionFlag[] {
  return SECTION_FLAG.filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name);
}

const ZERO4 = new Uint8Array(4);

/** header_crc32: CRC-32 of the 128 header bytes with the header_crc32 field taken as zero. */
export function headerCrc(header: Uint8Array): number {
  const at = HEADER.f.header_crc32.offset;
  let c = crc32(header.subarray(0, at));
  c = crc32(ZERO4, c);
  return crc32(header.subarray(at + 4, HEADER.size), c);
}

/** table_crc32: CRC-32 of [section_table_offset, strtab_offset + strtab_size), i.e. section table then string table. */
export function tableCrc(head: Uint8Array, headEnd: number): number {
  return crc32(head.subarray(HEADER.size, headEnd));
}
