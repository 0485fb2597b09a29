// The one table of ELF on-disk structures and constants mimg uses (System V
// gABI, i386 and x86_64 psABI). Each structure is declared once per class as
// field -> [offset, type] (src/bytes/struct.ts); readStruct() derives every
// read from it, so no parser code carries a literal offset.

import { struct, type Struct } from '../../bytes/struct.js';
import type { ElfClass } from './types.js';

export { fieldOffset, readStruct, type Struct } from '../../bytes/struct.js';

// e_ident: the same for both classes.
export const IDENT = struct(16, {
  EI_MAG0: [0, 'u8'],
  EI_MAG1: [1, 'u8'],
  EI_MAG2: [2, 'u8'],
  EI_MAG3: [3, 'u8'],
  EI_CLASS: [4, 'u8'],
  EI_DATA: [5, 'u8'],
  EI_VERSION: [6, 'u8'],
});
export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const; // "\x7fELF"
export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const EV_CURRENT = 1;

type EhdrField =
  | 'e_type' | 'e_machine' | 'e_version' | 'e_entry' | 'e_phoff' | 'e_shoff' | 'e_flags'
  | 'e_ehsize' | 'e_phentsize' | 'e_phnum' | 'e_shentsize' | 'e_shnum' | 'e_shstrndx';

export const EHDR: Record<ElfClass, Struct<EhdrField>> = {
  32: struct(52, {
    e_type: [16, 'u16'], e_machine: [18, 'u16'], e_version: [20, 'u32'], e_entry: [24, 'u32'],
    e_phoff: [28, 'u32'], e_shoff: [32, 'u32'], e_flags: [36, 'u32'], e_ehsize: [40, 'u16'],
    e_phentsize: [42, 'u16'], e_phnum: [44, 'u16'], e_shentsize: [46, 'u16'], e_shnum: [48, 'u16'], e_shstrndx: [50, 'u16'],
  }),
  64: struct(64, {
    e_type: [16, 'u16'], e_machine: [18, 'u16'], e_version: [20, 'u32'], e_entry: [24, 'u64'],
    e_phoff: [32, 'u64'], e_shoff: [40, 'u64'], e_flags: [48, 'u32'], e_ehsize: [52, 'u16'],
    e_phentsize: [54, 'u16'], e_phnum: [56, 'u16'], e_shentsize: [58, 'u16'], e_shnum: [60, 'u16'], e_shstrndx: [62, 'u16'],
  }),
};
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;
export const EM_386 = 3;
export const EM_X86_64 = 62;
/** Machines a user is likely to have built for by mistake, named in messages. */
export const MACHINE_NAMES: Readonly<Record<number, string>> = {
  3: 'EM_386', 8: 'EM_MIPS', 20: 'EM_PPC', 21: 'EM_PPC64', 40: 'EM_ARM', 62: 'EM_X86_64', 183: 'EM_AARCH64', 243: 'EM_RISCV',
};
/** e_phnum value meaning "the real count is in section 0" (gABI extended numbering). */
export const PN_XNUM = 0xffff;

type PhdrField = 'p_type' | 'p_flags' | 'p_offset' | 'p_vaddr' | 'p_paddr' | 'p_filesz' | 'p_memsz' | 'p_align';

// p_flags moves to offset 4 in ELF64 to keep the 64-bit fields aligned.
export const PHDR: Record<ElfClass, Struct<PhdrField>> = {
  32: struct(32, {
    p_type: [0, 'u32'], p_offset: [4, 'u32'], p_vaddr: [8, 'u32'], p_paddr: [12, 'u32'],
    p_filesz: [16, 'u32'], p_memsz: [20, 'u32'], p_flags: [24, 'u32'], p_align: [28, 'u32'],
  }),
  64: struct(56, {
    p_type: [0, 'u32'], p_flags: [4, 'u32'], p_offset: [8, 'u64'], p_vaddr: [16, 'u64'],
    p_paddr: [24, 'u64'], p_filesz: [32, 'u64'], p_memsz: [40, 'u64'], p_align: [48, 'u64'],
  }),
};
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_NOTE = 4;

type ShdrField =
  | 'sh_name' | 'sh_type' | 'sh_flags' | 'sh_addr' | 'sh_offset' | 'sh_size' | 'sh_link' | 'sh_info' | 'sh_addralign' | 'sh_entsize';

export const SHDR: Record<ElfClass, Struct<ShdrField>> = {
  32: struct(40, {
    sh_name: [0, 'u32'], sh_type: [4, 'u32'], sh_flags: [8, 'u32'], sh_addr: [12, 'u32'], sh_offset: [16, 'u32'],
    sh_size: [20, 'u32'], sh_link: [24, 'u32'], sh_info: [28, 'u32'], sh_addralign: [32, 'u32'], sh_entsize: [36, 'u32'],
  }),
  64: struct(64, {
    sh_name: [0, 'u32'], sh_type: [4, 'u32'], sh_flags: [8, 'u64'], sh_addr: [16, 'u64'], sh_offset: [24, 'u64'],
    sh_size: [32, 'u64'], sh_link: [40, 'u32'], sh_info: [44, 'u32'], sh_addralign: [48, 'u64'], sh_entsize: [56, 'u64'],
  }),
};
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_DYNSYM = 11;

type SymField = 'st_name' | 'st_value' | 'st_size' | 'st_info' | 'st_other' | 'st_shndx';

export const SYM: Record<ElfClass, Struct<SymField>> = {
  32: struct(16, { st_name: [0, 'u32'], st_value: [4, 'u32'], st_size: [8, 'u32'], st_info: [12, 'u8'], st_other: [13, 'u8'], st_shndx: [14, 'u16'] }),
  64: struct(24, { st_name: [0, 'u32'], st_info: [4, 'u8'], st_other: [5, 'u8'], st_shndx: [6, 'u16'], st_value: [8, 'u64'], st_size: [16, 'u64'] }),
};
export const SHN_UNDEF = 0;
export const STB_LOCAL = 0;

// d_tag is signed in the ABI, but every tag mimg reads is small and positive.
export const DYN: Record<ElfClass, Struct<'d_tag' | 'd_val'>> = {
  32: struct(8, { d_tag: [0, 'i32'], d_val: [4, 'u32'] }),
  64: struct(16, { d_tag: [0, 'i64'], d_val: [8, 'u64'] }),
};
export const DT_NULL = 0n;
export const DT_PLTRELSZ = 2n;
export const DT_RELA = 7n;
export const DT_RELASZ = 8n;
export const DT_RELAENT = 9n;
export const DT_REL = 17n;
export const DT_RELSZ = 18n;
export const DT_RELENT = 19n;
export const DT_PLTREL = 20n;
export const DT_JMPREL = 23n;
export const DT_RELR = 36n;

export const REL: Record<ElfClass, Struct<'r_offset' | 'r_info'>> = {
  32: struct(8, { r_offset: [0, 'u32'], r_info: [4, 'u32'] }),
  64: struct(16, { r_offset: [0, 'u64'], r_info: [8, 'u64'] }),
};
export const RELA: Record<ElfClass, Struct<'r_offset' | 'r_info' | 'r_addend'>> = {
  32: struct(12, { r_offset: [0, 'u32'], r_info: [4, 'u32'], r_addend: [8, 'i32'] }),
  64: struct(24, { r_offset: [0, 'u64'], r_info: [8, 'u64'], r_addend: [16, 'i64'] }),
};

/** r_info splits into symbol and type differently per class: ELF32_R_SYM/TYPE use 24/8 bits, ELF64 32/32. */
export function splitInfo(cls: ElfClass, info: bigint): { symbol: number; type: number } {
  return cls === 32
    ? { symbol: Number(info >> 8n), type: Number(info & 0xffn) }
    : { symbol: Number(info >> 32n), type: Number(info & 0xffffffffn) };
}

/** Note header (Elf32_Nhdr and Elf64_Nhdr are the same: three 32-bit words). */
export const NHDR = struct(12, { n_namesz: [0, 'u32'], n_descsz: [4, 'u32'], n_type: [8, 'u32'] });

export const R_NONE = 0; // R_386_NONE and R_X86_64_NONE
export const R_RELATIVE = 8; // R_386_RELATIVE and R_X86_64_RELATIVE

/** Names of the relocation types a dynamic table typically holds, for messages. */
export const RELOC_NAMES: Record<'i386' | 'x86_64', Readonly<Record<number, string>>> = {
  i386: {
    0: 'R_386_NONE', 1: 'R_386_32', 2: 'R_386_PC32', 3: 'R_386_GOT32', 4: 'R_386_PLT32', 5: 'R_386_COPY',
    6: 'R_386_GLOB_DAT', 7: 'R_386_JMP_SLOT', 8: 'R_386_RELATIVE', 9: 'R_386_GOTOFF', 10: 'R_386_GOTPC',
    14: 'R_386_TLS_TPOFF', 35: 'R_386_TLS_DTPMOD32', 36: 'R_386_TLS_DTPOFF32', 42: 'R_386_IRELATIVE',
  },
  x86_64: {
    0: 'R_X86_64_NONE', 1: 'R_X86_64_64', 2: 'R_X86_64_PC32', 3: 'R_X86_64_GOT32', 4: 'R_X86_64_PLT32',
    5: 'R_X86_64_COPY', 6: 'R_X86_64_GLOB_DAT', 7: 'R_X86_64_JUMP_SLOT', 8: 'R_X86_64_RELATIVE',
    10: 'R_X86_64_32', 11: 'R_X86_64_32S', 16: 'R_X86_64_DTPMOD64', 17: 'R_X86_64_DTPOFF64',
    18: 'R_X86_64_TPOFF64', 37: 'R_X86_64_IRELATIVE', 38: 'R_X86_64_RELATIVE64',
  },
};
