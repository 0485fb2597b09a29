// The typed view of a .mimg memory image. docs/format/mimg.md is the byte-level
// specification; src/formats/mimg/struct.ts is the one table of offsets.

export type Protocol = 'multiboot1' | 'multiboot2' | 'linux' | 'mimg';
export type CpuMode = 'protected32' | 'long64' | 'real16';
export type DigestAlgorithm = 'sha256' | 'xxh64';
export type SectionType = 'exec' | 'module' | 'bootinfo' | 'zero' | 'reserved';
export type SectionFlag = 'ro' | 'rw' | 'preload' | 'x';
export type FramebufferFlag = 'requested' | 'required' | 'text';

/**
 * The video mode the loader sets before entering the kernel (format 1.1).
 * Dimensions of 0 mean "any"; in text mode width and height count
 * characters and depth is 0.
 */
export interface FramebufferRequest {
  width: number;
  height: number;
  depth: number;
  /** Without it, the closest mode the firmware has (or text mode) will do. */
  required: boolean;
  text: boolean;
}

export interface MimgSection {
  type: SectionType;
  flags: SectionFlag[];
  /** Physical destination. */
  dest: bigint;
  /** Bytes occupied in memory: file bytes followed by zeros up to memSize. */
  memSize: bigint;
  /** Bytes stored in the image (0 for zero, bootinfo and reserved sections). */
  fileSize: bigint;
  /** Offset of the payload in the image file (0 when fileSize is 0). */
  fileOffset: bigint;
  /** Digest of the fileSize payload bytes (32 bytes; xxh64 uses the first 8, rest zero; all zero when fileSize is 0). */
  digest: Uint8Array;
  /** Which component the section belongs to: 0 = kernel, 1.. = modules in config order. */
  component: number;
  /** Display name, e.g. "kernel:seg1" or the module name. */
  name: string;
  /** Per-module command line (Multiboot module string is name + ' ' + cmdline). */
  cmdline: string;
  /** Where a long64 kernel also finds this exec section in its address space (format 1.1); absent: only at dest. */
  vaddr?: bigint;
}

export interface MimgHeader {
  versionMajor: number;
  versionMinor: number;
  protocol: Protocol;
  cpuMode: CpuMode;
  digest: DigestAlgorithm;
  entry: bigint;
  /** Physical address and size of the boot information block (also present as a bootinfo section). */
  bootInfoAddr: bigint;
  bootInfoSize: bigint;
  /** RAM the target must have, in bytes; the loader checks it against the real map. */
  ramRequired: bigint;
  /** Kernel command line. */
  cmdline: string;
  /** Total size of the image file in bytes. */
  fileSize: bigint;
  /** A video mode to set before entry; absent: the loader leaves the display as it is. */
  framebuffer?: FramebufferRequest;
}

export interface MimgImage {
  header: MimgHeader;
  /** Sorted by dest, pairwise disjoint. */
  sections: MimgSection[];
}
