// How much room the boot information block needs. The loader fills it at
// boot, when the firmware's memory map is known, so the block is sized for
// the worst case it accepts: MAX_MEMORY_MAP_ENTRIES entries. A loader that
// finds more must stop with an error rather than write past the block.

import { alignUp } from './range.js';
import type { Protocol } from '../formats/mimg/types.js';
import { BOOT_ALIGN, BOOT_CPUS_MAX, BOOT_HEADER, BOOT_MMAP_ENTRY, BOOT_MODULE, BOOT_FRAMEBUFFER } from '../formats/mimgboot/struct.js';

export const MAX_MEMORY_MAP_ENTRIES = 128n;
/** The most of a UEFI chain loader's EFI memory map tag mimgload passes on (EFI_MMAP_MAX in stages/loader/loader.h). */
export const MAX_EFI_MEMORY_MAP = 0x4000n;
const LOADER_NAME_MAX = 64n;
const MMAP_ENTRY = 24n; // Multiboot1 (size + 20) and Multiboot2 (24) entries both take 24 bytes
/** Modules mimgload hands on besides the image's (stages/loader/loader.h EXTRA_MAX), and their strings' room. */
const CHAIN_MODULES_MAX = 16n;
const CHAIN_STRING_MAX = 64n;
const RSDP_MAX = 64n;

export interface BootInfoNeeds {
  cmdline: string;
  /** Name and command line of each module passed to the kernel. */
  modules: { name: string; cmdline: string }[];
  /** How many sections the image has at most (protocol mimg: each splits a memory map entry). */
  sections?: number;
  /** A framebuffer is requested: room for the VBE controller and mode information blocks too. */
  framebuffer?: boolean;
}

/** The VBE controller information (512 bytes) and mode information (256 bytes), copied into the block. */
const VBE_BLOCKS = 512n + 256n;

function strlen(s: string): bigint {
  return BigInt(Buffer.byteLength(s, 'utf8') + 1);
}

function pad8(n: bigint): bigint {
  return alignUp(n, 8n);
}

/** Bytes the block needs for `protocol`, rounded up to a page. */
export function bootInfoSize(protocol: Protocol, needs: BootInfoNeeds): bigint {
  const moduleStrings = needs.modules.reduce((n, m) => n + strlen(m.name) + strlen(m.cmdline), 0n);
  let bytes: bigint;
  switch (protocol) {
    case 'multiboot1':
      // fixed info (0x78 with framebuffer fields) + module list + memory map + strings
      bytes = 0x78n + 16n * BigInt(needs.modules.length) + MMAP_ENTRY * MAX_MEMORY_MAP_ENTRIES + strlen(needs.cmdline) + LOADER_NAME_MAX + moduleStrings + (needs.framebuffer ? VBE_BLOCKS : 0n);
      break;
    case 'multiboot2':
      // header, cmdline, loader name, modules, meminfo, mmap, both RSDP tags, framebuffer (type 1: 32 + 6 bytes of colour fields), VBE, EFI system table and memory map, end: each tag 8-aligned
      bytes =
        8n +
        pad8(8n + strlen(needs.cmdline)) +
        pad8(8n + LOADER_NAME_MAX) +
        needs.modules.reduce((n, m) => n + pad8(16n + strlen(m.name) + strlen(m.cmdline)), 0n) +
        16n +
        (16n + MMAP_ENTRY * MAX_MEMORY_MAP_ENTRIES) +
        pad8(8n + 20n) +
        pad8(8n + 36n) +
        pad8(38n) +
        (needs.framebuffer ? 16n + VBE_BLOCKS : 0n) + // the VBE information tag
        16n + // on UEFI: the EFI system table pointer
        (16n + MAX_EFI_MEMORY_MAP) + // and the EFI memory map
        8n;
      break;
    case 'linux':
      bytes = 0x1000n + strlen(needs.cmdline); // boot_params (the zero page) + command line
      break;
    case 'mimg': {
      // docs/protocol/mimg.md: header, memory map (each section, chain module
      // and the loader's range splits a usable entry in up to three), modules
      // (the image's and the chain loader's), CPU list, RSDP, framebuffer,
      // strings; each part 8-aligned.
      const claims = BigInt(needs.sections ?? 0) + CHAIN_MODULES_MAX + 1n;
      const align = BigInt(BOOT_ALIGN);
      bytes =
        BigInt(BOOT_HEADER.size) +
        BigInt(BOOT_MMAP_ENTRY.size) * (MAX_MEMORY_MAP_ENTRIES + 2n * claims) +
        BigInt(BOOT_MODULE.size) * (BigInt(needs.modules.length) + CHAIN_MODULES_MAX) +
        alignUp(4n * BigInt(BOOT_CPUS_MAX), align) +
        RSDP_MAX +
        BigInt(BOOT_FRAMEBUFFER.size) +
        strlen(needs.cmdline) + LOADER_NAME_MAX + moduleStrings + CHAIN_MODULES_MAX * (CHAIN_STRING_MAX + 1n) +
        align;
      break;
    }
  }
  return alignUp(bytes, 0x1000n);
}
