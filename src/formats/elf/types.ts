// The typed view of an ELF executable that the rest of mimg uses.

export type ElfClass = 32 | 64;
export type ElfMachine = 'i386' | 'x86_64';
export type ElfType = 'exec' | 'dyn';

export interface ElfSegment {
  /** Index in the program header table. */
  index: number;
  /** p_type (PT_LOAD = 1, PT_NOTE = 4, ...). */
  type: number;
  /** p_flags: 1 = X, 2 = W, 4 = R. */
  flags: number;
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
  align: bigint;
  /** The segment's file bytes (a view into the file, length = p_filesz). */
  data: Uint8Array;
}

export interface ElfNote {
  name: string;
  type: number;
  desc: Uint8Array;
  /** Index of the PT_NOTE program header the note came from. */
  segment: number;
}

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: bigint;
  /** st_info & 0xf: 0 NOTYPE, 1 OBJECT, 2 FUNC, 3 SECTION, 4 FILE. */
  type: number;
  /** st_info >> 4: 0 LOCAL, 1 GLOBAL, 2 WEAK. */
  bind: number;
  /** st_shndx. */
  section: number;
}

export interface ElfRelocation {
  /** r_offset: the virtual address to patch. */
  offset: bigint;
  /** Relocation type (R_386_* or R_X86_64_*). */
  type: number;
  /** Symbol index. */
  symbol: number;
  /** Explicit addend (RELA), or undefined for REL (implicit addend in place). */
  addend?: bigint;
}

export interface ElfFile {
  class: ElfClass;
  machine: ElfMachine;
  type: ElfType;
  entry: bigint;
  /** Every program header, in table order. */
  segments: ElfSegment[];
  /** The PT_LOAD segments with p_memsz > 0, in table order. */
  loads: ElfSegment[];
  notes: ElfNote[];
  /** From .symtab (or .dynsym when .symtab is absent); empty when stripped. */
  symbols: ElfSymbol[];
  /** Dynamic relocations (from PT_DYNAMIC's DT_REL/DT_RELA), for ET_DYN. */
  relocations: ElfRelocation[];
}
