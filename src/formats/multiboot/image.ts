// A kernel loaded by Multiboot address fields (Multiboot1 flag 16, the
// Multiboot2 address tag), described as an ElfFile so that the layout places
// it like any other executable and never learns about Multiboot:
//
// - one PT_LOAD segment, program header index 0: the resolved file bytes at
//   load_addr, zero-filled to bss_end_addr;
// - read, write and execute, since the fields say nothing about permissions;
// - p_vaddr = p_paddr, since paging is off at a Multiboot entry, so the
//   entry needs no translation;
// - ELF32 i386 ET_EXEC (the fields fix the address), with no notes, symbols
//   or relocations.

import { PT_LOAD } from '../elf/struct.js';
import type { ElfFile, ElfSegment } from '../elf/types.js';
import type { AddressLoad } from './types.js';

const PF_RWX = 7;

/** `load` must come from parsing these same `bytes` (parseMultiboot1/2), which checked it against them. */
export function addressLoadedKernel(bytes: Uint8Array, load: AddressLoad, entry: bigint): ElfFile {
  const segment: ElfSegment = {
    index: 0,
    type: PT_LOAD,
    flags: PF_RWX,
    offset: BigInt(load.fileOffset),
    vaddr: load.address,
    paddr: load.address,
    filesz: BigInt(load.fileSize),
    memsz: load.memSize,
    align: 0n,
    data: bytes.subarray(load.fileOffset, load.fileOffset + load.fileSize),
  };
  return { class: 32, machine: 'i386', type: 'exec', entry, segments: [segment], loads: [segment], notes: [], symbols: [], relocations: [] };
}
