// What the bzImage parser produces.

import type { SetupField } from './struct.js';

export interface BzImage {
  /** Every setup header field present in this protocol version (absent ones are not listed). */
  fields: Partial<Record<SetupField, bigint>>;
  /** Protocol version, major << 8 | minor (0x20f = 2.15). */
  version: number;
  /** Bytes of the real-mode part (boot sector + setup): (setup_sects or 4, + 1) × 512. The protected-mode kernel starts here. */
  setupSize: number;
  /** Bytes of the protected-mode kernel in the file (the rest of it). */
  kernelSize: number;
  /** Where the protected-mode kernel goes when it is not moved: pref_address when relocatable (2.10+), else code32_start. */
  loadAddress: bigint;
  relocatable: boolean;
  /** Alignment a moved kernel needs (kernel_alignment); 0 when not relocatable. */
  alignment: bigint;
  /** Memory the kernel needs from its load address on, to decompress in place (init_size; the file's size before 2.10). */
  initSize: bigint;
  /** Highest address the initrd may occupy (its last byte). */
  initrdAddrMax: bigint;
  /** Longest command line, without the NUL. */
  cmdlineSize: bigint;
  /** The kernel has a 64-bit entry at load address + 0x200 (XLF_KERNEL_64). */
  entry64: boolean;
}
