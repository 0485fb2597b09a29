// Symbol lookup by name, for the few symbols mimg reads from a kernel
// (e.g. a Multiboot header or a test kernel's report buffer).

import { SHN_UNDEF, STB_LOCAL } from './struct.js';
import type { ElfFile, ElfSymbol } from './types.js';

/**
 * The defined symbol called `name`, preferring a global or weak one: local
 * names (static functions, labels) may repeat across object files, global
 * names may not. Undefined references (st_shndx = SHN_UNDEF) never match.
 */
export function findSymbol(elf: ElfFile, name: string): ElfSymbol | undefined {
  const defined = elf.symbols.filter((s) => s.name === name && s.section !== SHN_UNDEF);
  return defined.find((s) => s.bind !== STB_LOCAL) ?? defined[0];
}
