// The Multiboot header structures and constants, declared once: Multiboot
// Specification 0.6.96 section 3.1 and Multiboot2 Specification 2.0 section
// 3.1. Offsets are from the start of the header (Multiboot1) or of the tag
// (Multiboot2 tags), as in the specifications' tables.

import { struct } from '../../bytes/struct.js';

// ---------------------------------------------------------------- Multiboot1

export const MB1_MAGIC = 0x1badb002;
/** The header lies wholly inside the first 8 KiB of the file, 4-byte aligned. */
export const MB1_SEARCH = 8192;
export const MB1_ALIGN = 4;

export const MB1_HEADER = struct(12, { magic: [0, 'u32'], flags: [4, 'u32'], checksum: [8, 'u32'] });
/**
 * Present when flags bit 16 (the "a.out kludge") is set: where to load the
 * file, in place of its executable format. The header is then 32 bytes long.
 */
export const MB1_ADDRESS = struct(32, {
  header_addr: [12, 'u32'], load_addr: [16, 'u32'], load_end_addr: [20, 'u32'], bss_end_addr: [24, 'u32'], entry_addr: [28, 'u32'],
});
/** Present when flags bit 2 is set: the preferred video mode. The header is then 48 bytes long. */
export const MB1_VIDEO = struct(48, { mode_type: [32, 'u32'], width: [36, 'u32'], height: [40, 'u32'], depth: [44, 'u32'] });

export const MB1_FLAG_PAGE_ALIGN = 0;
export const MB1_FLAG_MEMORY_INFO = 1;
export const MB1_FLAG_VIDEO_MODE = 2;
export const MB1_FLAG_AOUT_KLUDGE = 16;
export const MB1_FLAG_NAMES: Readonly<Record<number, string>> = { 0: 'page-aligned modules', 1: 'memory information', 2: 'video mode', 16: 'address fields' };
/** Bits 0-15 are requirements: a loader that does not know one must refuse the kernel. Bits 16-31 are optional. */
export const MB1_REQUIRED_BITS = 0xffff;

// ---------------------------------------------------------------- Multiboot2

export const MB2_MAGIC = 0xe85250d6;
/** The header lies wholly inside the first 32 KiB of the file, 8-byte aligned. */
export const MB2_SEARCH = 32768;
export const MB2_ALIGN = 8;
export const MB2_ARCH_I386 = 0;
export const MB2_ARCH_NAMES: Readonly<Record<number, string>> = { 0: 'i386', 4: 'MIPS32' };

export const MB2_HEADER = struct(16, { magic: [0, 'u32'], architecture: [4, 'u32'], header_length: [8, 'u32'], checksum: [12, 'u32'] });

/** Every tag starts with this; tags follow the header, each 8-byte aligned, up to the end tag. */
export const MB2_TAG = struct(8, { type: [0, 'u16'], flags: [2, 'u16'], size: [4, 'u32'] });
export const MB2_TAG_ALIGN = 8;
/** Tag flags bit 0: the loader may ignore the tag. Without it, a loader that cannot honour the tag must refuse the kernel. */
export const MB2_TAG_OPTIONAL = 1;

export const MB2_TAG_END = 0;
export const MB2_TAG_INFORMATION_REQUEST = 1;
export const MB2_TAG_ADDRESS = 2;
export const MB2_TAG_ENTRY_ADDRESS = 3;
export const MB2_TAG_CONSOLE_FLAGS = 4;
export const MB2_TAG_FRAMEBUFFER = 5;
export const MB2_TAG_MODULE_ALIGN = 6;
export const MB2_TAG_EFI_BS = 7;
export const MB2_TAG_ENTRY_ADDRESS_EFI32 = 8;
export const MB2_TAG_ENTRY_ADDRESS_EFI64 = 9;
export const MB2_TAG_RELOCATABLE = 10;

export const MB2_TAG_NAMES: Readonly<Record<number, string>> = {
  0: 'end', 1: 'information request', 2: 'address', 3: 'entry address', 4: 'console flags', 5: 'framebuffer',
  6: 'module alignment', 7: 'EFI boot services', 8: 'EFI i386 entry address', 9: 'EFI amd64 entry address', 10: 'relocatable header',
};

/** Information request: the header, then (size - 8) / 4 requested boot information tag types. */
export const MB2_REQUEST_ENTRY = struct(4, { mbi_tag_type: [0, 'u32'] });
/** Address tag: like Multiboot1's flag 16 fields; load_addr 0xffffffff means "from the start of the file". */
export const MB2_ADDRESS_TAG = struct(24, { header_addr: [8, 'u32'], load_addr: [12, 'u32'], load_end_addr: [16, 'u32'], bss_end_addr: [20, 'u32'] });
export const MB2_LOAD_FROM_FILE_START = 0xffffffffn;
/** Entry address tags: the plain one (3) and the EFI ones (8, 9) share this layout. */
export const MB2_ENTRY_TAG = struct(12, { entry_addr: [8, 'u32'] });
export const MB2_CONSOLE_TAG = struct(12, { console_flags: [8, 'u32'] });
export const MB2_FRAMEBUFFER_TAG = struct(20, { width: [8, 'u32'], height: [12, 'u32'], depth: [16, 'u32'] });
export const MB2_RELOCATABLE_TAG = struct(24, { min_addr: [8, 'u32'], max_addr: [12, 'u32'], align: [16, 'u32'], preference: [20, 'u32'] });
export const MB2_RELOCATABLE_PREFERENCES: Readonly<Record<number, string>> = { 0: 'none', 1: 'lowest', 2: 'highest' };

/** Boot information tag types a kernel may request (Multiboot2 section 3.6), named in messages. */
export const MB2_INFO_NAMES: Readonly<Record<number, string>> = {
  0: 'end', 1: 'boot command line', 2: 'boot loader name', 3: 'modules', 4: 'basic memory information', 5: 'BIOS boot device',
  6: 'memory map', 7: 'VBE info', 8: 'framebuffer info', 9: 'ELF symbols', 10: 'APM table', 11: 'EFI 32-bit system table',
  12: 'EFI 64-bit system table', 13: 'SMBIOS tables', 14: 'ACPI old RSDP', 15: 'ACPI new RSDP', 16: 'networking information',
  17: 'EFI memory map', 18: 'EFI boot services not terminated', 19: 'EFI 32-bit image handle', 20: 'EFI 64-bit image handle',
  21: 'image load base physical address',
};
