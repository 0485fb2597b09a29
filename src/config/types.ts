// The normalized build specification: what a mimg.toml (or mimg.json) means
// after validation. Every value keeps the config key path it came from, so
// later errors (layout conflicts, unreadable files) can name the key.

import type { RangeFlag } from '../formats/bootvol/types.js';
import type { DigestAlgorithm, FramebufferRequest, Protocol, SectionFlag } from '../formats/mimg/types.js';

export type RegionType = 'usable' | 'reserved' | 'acpi' | 'nvs' | 'bad';

export interface MemoryRegion {
  start: bigint;
  end: bigint;
  type: RegionType;
  name: string;
}

export type LinuxEntry = '32' | '16' | '64';

export interface KernelSpec {
  /** Absolute path (resolved against the config file's directory). */
  path: string;
  /** Absolute path of the initrd, protocol = "linux" only. */
  initrd?: string;
  /** How a bzImage is entered (protocol = "linux" only): its 32-bit, 16-bit (real-mode setup) or 64-bit entry. */
  linuxEntry?: LinuxEntry;
  /** Key path for errors, e.g. "kernel.path". */
  key: string;
}

export interface ModuleSpec {
  name: string;
  /** Absolute path. */
  path: string;
  load: 'elf' | 'data';
  /** Fixed physical address; otherwise placed by the layout rule. */
  address?: bigint;
  /** Alignment for auto-placed data modules (default 0x1000). */
  align: bigint;
  flags: SectionFlag[];
  /** Data modules: decompress gzip/xz/zstd before placing. ELF modules are always decompressed. */
  decompress: boolean;
  cmdline: string;
  /** Key path for errors, e.g. "module[1]". */
  key: string;
}

export interface MediaSpec {
  type: 'disk' | 'none';
  firmware: ('bios' | 'uefi')[];
  partitioning: 'mbr' | 'gpt';
  /** Absolute path. */
  output: string;
  /** Boot partition size in bytes, a multiple of 512; default: sized for its content. */
  size?: bigint;
}

/** A [[range]]: a file stored whole on the boot disk as a named range (docs/format/boot-volume.md). */
export interface RangeSpec {
  name: string;
  /** Absolute path. */
  path: string;
  flags: RangeFlag[];
  /** Key path for errors, e.g. "range[0]". */
  key: string;
}

export interface BuildSpec {
  /** Absolute path of the config file. */
  configPath: string;
  image: {
    protocol: Protocol;
    cmdline: string;
    /** "pc" or a custom map given as [[memory]] entries. */
    memory: { profile: 'pc' } | { profile: 'custom'; regions: MemoryRegion[] };
    ram: bigint;
    integrity: DigestAlgorithm;
    /** Boot information block address; default chosen by layout. */
    bootInfoAddress?: bigint;
    /** Boot information block size; default depends on the protocol. */
    bootInfoSize?: bigint;
    /** Absolute path of the .mimg output; default: config name with .mimg beside it. */
    output: string;
    /** [image] framebuffer (and framebuffer_required): overrides the kernel header's request. */
    framebuffer?: FramebufferRequest;
  };
  kernel: KernelSpec;
  modules: ModuleSpec[];
  /** Ranges on the boot disk, in config order; only with media of type disk. */
  ranges: RangeSpec[];
  media?: MediaSpec;
}
