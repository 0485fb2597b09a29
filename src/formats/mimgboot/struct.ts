// The boot information of mimg's own protocol (`protocol = "mimg"`): what
// mimgload writes at the image's bootinfo_addr for the kernel, declared once
// as src/bytes/table.ts tables. The C header kernels include
// (stages/include/mimg_boot.h, c-header.ts) and the tables of
// docs/protocol/mimg.md are generated from these declarations; the tests
// beside them keep both in step, and test/kernels' mimg kernels read the
// block through the header.

import { enumeration, table } from '../../bytes/table.js';

/** At offset 0 of the block, which starts at bootinfo_addr. Every `*_off` is a byte offset from the block's start. */
export const BOOT_HEADER = table('mimg_boot_info', 128, [
  { name: 'magic', type: 'bytes', size: 8, doc: '`4D 49 4D 47 42 4F 4F 54` ("MIMGBOOT")' },
  { name: 'version', type: 'u16', doc: 'layout version: 1' },
  { name: 'header_size', type: 'u16', doc: 'size of this header: 128' },
  { name: 'total_size', type: 'u32', doc: 'bytes of the block in use, this header included' },
  { name: 'cmdline_off', type: 'u32', doc: 'the kernel command line (NUL-terminated)' },
  { name: 'cmdline_len', type: 'u32', doc: 'its length in bytes, without the NUL' },
  { name: 'loader_off', type: 'u32', doc: 'the boot loader\'s name, `mimgload` (NUL-terminated)' },
  { name: 'loader_len', type: 'u32', doc: 'its length in bytes, without the NUL' },
  { name: 'mmap_off', type: 'u32', doc: 'the memory map: `mmap_count` entries of 24 bytes, in the firmware\'s order' },
  { name: 'mmap_count', type: 'u32', doc: 'memory map entries' },
  { name: 'modules_off', type: 'u32', doc: 'the modules: `module_count` entries of 40 bytes' },
  { name: 'module_count', type: 'u32', doc: 'module entries' },
  { name: 'cpus_off', type: 'u32', doc: 'the enabled CPUs: `cpu_count` local APIC IDs, u32 each' },
  { name: 'cpu_count', type: 'u32', doc: 'CPU entries (0: unknown, no ACPI MADT)' },
  { name: 'rsdp_off', type: 'u32', doc: 'a copy of the ACPI RSDP (0: none found)' },
  { name: 'rsdp_size', type: 'u32', doc: 'its size: 20 (ACPI 1.0) or its `length` field (2.0+)' },
  { name: 'framebuffer_off', type: 'u32', doc: 'the framebuffer record (0: none set up; text mode)' },
  { name: 'boot_drive', type: 'u32', doc: 'BIOS drive booted from, e.g. 0x80 (0xFFFFFFFF: unknown)' },
  { name: 'boot_partition', type: 'u32', doc: 'partition booted from, from 0 (0xFFFFFFFF: whole disk or unknown)' },
  { name: 'boot_sub_partition', type: 'u32', doc: 'sub-partition (BSD slice), from 0 (0xFFFFFFFF: none)' },
  { name: 'reserved0', type: 'bytes', size: 48, reserved: true, doc: '0' },
] as const);

/** One memory map entry; the map covers what the firmware reported, with the image's and the loader's memory retyped. */
export const BOOT_MMAP_ENTRY = table('mimg_boot_mmap_entry', 24, [
  { name: 'base', type: 'u64', doc: 'physical start' },
  { name: 'length', type: 'u64', doc: 'bytes' },
  { name: 'type', type: 'u32', doc: 'memory type (table below)' },
  { name: 'reserved', type: 'u32', reserved: true, doc: '0' },
] as const);

/** One module: the image's `module` sections in ascending component order, then the chain loader's other modules. */
export const BOOT_MODULE = table('mimg_boot_module', 40, [
  { name: 'start', type: 'u64', doc: 'physical address of its first byte' },
  { name: 'size', type: 'u64', doc: 'bytes (the section\'s mem_size)' },
  { name: 'name_off', type: 'u32', doc: 'its name (NUL-terminated)' },
  { name: 'name_len', type: 'u32', doc: 'length without the NUL' },
  { name: 'cmdline_off', type: 'u32', doc: 'its command line (NUL-terminated; empty when none)' },
  { name: 'cmdline_len', type: 'u32', doc: 'length without the NUL' },
  { name: 'flags', type: 'u16', doc: 'the section\'s flags: `ro` 0x1, `rw` 0x2, `preload` 0x4 (.mimg section 4); 0 for a chain loader module' },
  { name: 'reserved', type: 'u16', reserved: true, doc: '0' },
  { name: 'section', type: 'u32', doc: 'its index in the image\'s section table (0xFFFFFFFF: a chain loader module, e.g. a preloaded disk range)' },
] as const);

/** The framebuffer, when the loader set a graphics mode (or knows the one set): Multiboot2's framebuffer fields. */
export const BOOT_FRAMEBUFFER = table('mimg_boot_framebuffer', 32, [
  { name: 'address', type: 'u64', doc: 'physical address of the first pixel' },
  { name: 'pitch', type: 'u32', doc: 'bytes per scan line' },
  { name: 'width', type: 'u32', doc: 'pixels (characters in text mode)' },
  { name: 'height', type: 'u32', doc: 'pixels (characters in text mode)' },
  { name: 'bpp', type: 'u8', doc: 'bits per pixel' },
  { name: 'type', type: 'u8', doc: 'framebuffer type (table below)' },
  { name: 'red_position', type: 'u8', doc: 'RGB: bit offset of red in a pixel' },
  { name: 'red_size', type: 'u8', doc: 'RGB: bits of red' },
  { name: 'green_position', type: 'u8', doc: 'RGB: bit offset of green' },
  { name: 'green_size', type: 'u8', doc: 'RGB: bits of green' },
  { name: 'blue_position', type: 'u8', doc: 'RGB: bit offset of blue' },
  { name: 'blue_size', type: 'u8', doc: 'RGB: bits of blue' },
  { name: 'reserved', type: 'u32', reserved: true, doc: '0' },
] as const);

export const BOOT_MAGIC = new TextEncoder().encode('MIMGBOOT');
export const BOOT_VERSION = 1;
/** EAX at a 32-bit entry and RAX at a 64-bit one: "MIMG" read as a big-endian number. */
export const BOOT_REGISTER_MAGIC = 0x4d494d47;
/** boot_drive, boot_partition, boot_sub_partition, and a module's section: not known / not applicable. */
export const BOOT_NONE = 0xffffffff;
/** At most this many CPUs are listed; a machine with more is an error at boot. */
export const BOOT_CPUS_MAX = 256;
/** Every array and record in the block starts 8-aligned. */
export const BOOT_ALIGN = 8;
/** The kernel's page tables' smallest page: higher-half mappings have this granularity. */
export const BOOT_PAGE = 4096;

export type BootMemoryType = 'usable' | 'reserved' | 'acpi_reclaimable' | 'acpi_nvs' | 'bad' | 'section' | 'module' | 'loader';

/** Memory map types. 1-5 are the firmware's (E820, Multiboot); another firmware value is passed as it is. */
export const BOOT_MEMORY_TYPE = enumeration<BootMemoryType>('type', [
  ['usable', 1, 'free RAM'],
  ['reserved', 2, 'not usable (firmware, ROM, MMIO)'],
  ['acpi_reclaimable', 3, 'ACPI tables; RAM once the kernel has read them'],
  ['acpi_nvs', 4, 'ACPI non-volatile storage; keep'],
  ['bad', 5, 'defective RAM'],
  ['section', 0x1001, "RAM holding one of the image's sections (kernel, modules, zero ranges, this block)"],
  ['module', 0x1002, "RAM holding a chain loader module handed on (a preloaded disk range); listed among the modules"],
  ['loader', 0x1003, "RAM mimgload left in use: the page tables, GDT and stack the kernel is entered with; free once the kernel has its own"],
]);

export type FramebufferType = 'indexed' | 'rgb' | 'text';

export const BOOT_FRAMEBUFFER_TYPE = enumeration<FramebufferType>('type', [
  ['indexed', 0, 'palette-indexed colours'],
  ['rgb', 1, 'direct RGB colour, as the positions and sizes say'],
  ['text', 2, 'EGA text mode: width × height characters, 2 bytes each'],
]);
