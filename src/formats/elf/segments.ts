// Virtual addresses inside an ELF (dynamic tables, relocation places) only
// mean something through the PT_LOAD segment whose file bytes hold them.

import type { ElfSegment } from './types.js';

export interface LoadPlace {
  /** Index into the `loads` array searched. */
  load: number;
  /** Byte offset of the address inside that segment's `data`. */
  at: number;
}

/** The PT_LOAD whose file bytes hold all of [vaddr, vaddr+size), or undefined (bytes only in .bss count as outside). */
export function loadContaining(loads: readonly ElfSegment[], vaddr: bigint, size: bigint): LoadPlace | undefined {
  const load = loads.findIndex((s) => s.vaddr <= vaddr && vaddr + size <= s.vaddr + s.filesz);
  const seg = loads[load];
  return seg === undefined ? undefined : { load, at: Number(vaddr - seg.vaddr) };
}
