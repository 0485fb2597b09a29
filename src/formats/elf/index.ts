// The ELF reader's public API.

export { parseElf } from './parse.js';
export { relocate, type Relocated } from './relocate.js';
export { findSymbol } from './symbols.js';
export type { ElfClass, ElfFile, ElfMachine, ElfNote, ElfRelocation, ElfSegment, ElfSymbol, ElfType } from './types.js';
