// What the layout takes and what it produces. Inputs are already parsed
// (ELF files, sizes of data modules); the layout never touches files.

import type { MemoryRegion } from '../config/types.js';
import type { ElfFile } from '../formats/elf/types.js';
import type { SectionFlag, SectionType } from '../formats/mimg/types.js';
import type { Range } from './range.js';

/** Where a data module goes. */
export type Placement =
  | { kind: 'fixed'; address: bigint }
  /** Lowest fit at or above the highest executable section (and 1 MiB), aligned. */
  | { kind: 'auto'; align: bigint }
  /** Right after the previous component's end (mimg make `@next`). */
  | { kind: 'next' }
  /** At the next page boundary after the previous component's end (mimg make `@page`). */
  | { kind: 'page' }
  /** At `address` when free, else the lowest hole above it aligned to `align` (a relocatable bzImage kernel); placed with the executables. */
  | { kind: 'preferred'; address: bigint; align: bigint }
  /** The highest fit ending at or below `ceiling`, aligned (an initrd, "as high as possible"). */
  | { kind: 'high'; align: bigint; ceiling: bigint };

interface ComponentBase {
  /** Name stored in the image: "kernel", the module name, or the make argument's file name. */
  name: string;
  /** How errors and maps call it: "kernel", "module 'init'". */
  label: string;
  /** Where it came from, for errors: a config key path ("module[1]") or a make argument ("argument 3"). */
  key: string;
  /** The input file, for errors about its contents. */
  file?: string;
  /** The file `key` is in (the config), for errors about placement; undefined for command-line arguments. */
  origin?: string;
  flags: SectionFlag[];
  cmdline: string;
}

export type ComponentInput =
  /** An executable installed by its PT_LOAD segments; ET_DYN files are moved into a hole. `noload` reserves the ranges only. */
  | (ComponentBase & { kind: 'elf'; elf: ElfFile; noload?: boolean })
  /**
   * Uninterpreted bytes, `size` long, read from the component's file when
   * writing, or given as `bytes` (a part of a bzImage). `exec` makes the
   * section executable (bzImage setup code and kernel); `memSize` reserves
   * more memory than the bytes fill, zeroed.
   */
  | (ComponentBase & { kind: 'data'; size: bigint; placement: Placement; bytes?: Uint8Array; exec?: boolean; memSize?: bigint })
  /** A fixed range: zero-filled, boot information, or reserved (nothing may be placed there). */
  | (ComponentBase & { kind: 'zero' | 'bootinfo' | 'reserved'; range: Range });

export interface LayoutInput {
  /** The memory profile, already resolved (pc or custom). */
  memory: MemoryRegion[];
  /** RAM the target must have; a section ending above it is LAYOUT_NO_RAM. */
  ram: bigint;
  /** Components in config / argument order. Index 0 is the kernel when there is one. */
  components: ComponentInput[];
  /** The boot information block, unless a component of kind 'bootinfo' gives it. */
  bootInfo?: { address?: bigint; size: bigint };
  /** An explicit entry point (mimg make `entry@ADDR`), or an offset into a component wherever it is placed; otherwise the first ELF component's. */
  entry?: bigint | { component: number; offset: bigint };
  /** Every section must end at or below this address (2^32 for images entered in 32-bit mode). */
  limit: bigint;
  /** Long64 images: ELF64 segments linked at a virtual address other than their physical one keep it (PlannedSection.vaddr). */
  virtual?: boolean;
}

/** Where a section's bytes come from. */
export type PayloadSource =
  | { kind: 'none' }
  /** Bytes already in memory (ELF segment data, relocated when needed). */
  | { kind: 'bytes'; bytes: Uint8Array }
  /** The whole content of a data component, read by the host when writing. */
  | { kind: 'component'; component: number };

export interface PlannedSection {
  type: SectionType;
  flags: SectionFlag[];
  dest: bigint;
  memSize: bigint;
  fileSize: bigint;
  component: number;
  /** e.g. "kernel segment 1", "module 'init'". */
  label: string;
  /** Name stored in the image. */
  name: string;
  cmdline: string;
  key: string;
  file?: string;
  origin?: string;
  source: PayloadSource;
  /** Where a long64 kernel finds the segment in its address space, when not at dest (format 1.1 vaddr). */
  vaddr?: bigint;
}

export interface Plan {
  /** Sorted by dest. May overlap when issues were found: the map shows both parties. */
  sections: PlannedSection[];
  entry?: bigint;
  bootInfo?: Range;
  /** Relocation offset applied to each ET_DYN component, by component index. */
  deltas: Map<number, bigint>;
  memory: MemoryRegion[];
  ram: bigint;
}
