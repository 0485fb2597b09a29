// The Linux x86 boot protocol's structures, declared once (the kernel's
// Documentation/arch/x86/boot.rst, "The real-mode kernel header" and
// "zero page"). Offsets are from the start of the bzImage file, which are
// also the offsets in boot_params, the zero page: the setup header sits at
// 0x1F1 in both. stages/include/linux_boot.h repeats the offsets mimgload
// uses, and a test holds the two in step.

import { struct } from '../../bytes/struct.js';

/** The setup header, at 0x1F1 in the file and in boot_params. `since` is the protocol version that added a field. */
export const SETUP_HEADER = struct(0x26c, {
  setup_sects: [0x1f1, 'u8'],
  root_flags: [0x1f2, 'u16'],
  syssize: [0x1f4, 'u32'],
  ram_size: [0x1f8, 'u16'],
  vid_mode: [0x1fa, 'u16'],
  root_dev: [0x1fc, 'u16'],
  boot_flag: [0x1fe, 'u16'],
  jump: [0x200, 'u16'],
  header: [0x202, 'u32'],
  version: [0x206, 'u16'],
  realmode_swtch: [0x208, 'u32'],
  start_sys_seg: [0x20c, 'u16'],
  kernel_version: [0x20e, 'u16'],
  type_of_loader: [0x210, 'u8'],
  loadflags: [0x211, 'u8'],
  setup_move_size: [0x212, 'u16'],
  code32_start: [0x214, 'u32'],
  ramdisk_image: [0x218, 'u32'],
  ramdisk_size: [0x21c, 'u32'],
  bootsect_kludge: [0x220, 'u32'],
  heap_end_ptr: [0x224, 'u16'],
  ext_loader_ver: [0x226, 'u8'],
  ext_loader_type: [0x227, 'u8'],
  cmd_line_ptr: [0x228, 'u32'],
  initrd_addr_max: [0x22c, 'u32'],
  kernel_alignment: [0x230, 'u32'],
  relocatable_kernel: [0x234, 'u8'],
  min_alignment: [0x235, 'u8'],
  xloadflags: [0x236, 'u16'],
  cmdline_size: [0x238, 'u32'],
  hardware_subarch: [0x23c, 'u32'],
  hardware_subarch_data: [0x240, 'u64'],
  payload_offset: [0x248, 'u32'],
  payload_length: [0x24c, 'u32'],
  setup_data: [0x250, 'u64'],
  pref_address: [0x258, 'u64'],
  init_size: [0x260, 'u32'],
  handover_offset: [0x264, 'u32'],
  kernel_info_offset: [0x268, 'u32'],
});
export type SetupField = keyof typeof SETUP_HEADER.fields;

/** Protocol version (major << 8 | minor) that introduced each field after 2.00; a field of a newer protocol is not there to read. */
export const FIELD_SINCE: Readonly<Partial<Record<SetupField, number>>> = {
  initrd_addr_max: 0x203,
  kernel_alignment: 0x205,
  relocatable_kernel: 0x205,
  min_alignment: 0x20a,
  xloadflags: 0x20c,
  cmdline_size: 0x206,
  hardware_subarch: 0x207,
  hardware_subarch_data: 0x207,
  payload_offset: 0x208,
  payload_length: 0x208,
  setup_data: 0x209,
  pref_address: 0x20a,
  init_size: 0x20a,
  handover_offset: 0x20b,
  kernel_info_offset: 0x20f,
};

/** The fields of boot_params (the zero page) outside the setup header that a boot loader fills. */
export const BOOT_PARAMS = struct(0x1000, {
  orig_video_mode: [0x06, 'u8'],
  orig_video_cols: [0x07, 'u8'],
  orig_video_lines: [0x0e, 'u8'],
  orig_video_isVGA: [0x0f, 'u8'],
  orig_video_points: [0x10, 'u16'],
  acpi_rsdp_addr: [0x70, 'u64'],
  ext_ramdisk_image: [0xc0, 'u32'],
  ext_ramdisk_size: [0xc4, 'u32'],
  ext_cmd_line_ptr: [0xc8, 'u32'],
  e820_entries: [0x1e8, 'u8'],
  sentinel: [0x1ef, 'u8'],
  e820_table: [0x2d0, 'u64'],
});
/** One E820 entry in boot_params.e820_table: address, size, type. */
export const E820_ENTRY = struct(20, { addr: [0, 'u64'], size: [8, 'u64'], type: [16, 'u32'] });
export const E820_MAX_ENTRIES = 128;

export const BOOT_FLAG = 0xaa55;
/** "HdrS", little-endian. */
export const HEADER_MAGIC = 0x53726448;
/** The oldest protocol mimg loads: 2.02 moved the command line out of the setup segment. */
export const MIN_VERSION = 0x202;
/** setup_sects = 0 means 4, for old kernels. */
export const DEFAULT_SETUP_SECTS = 4;
export const SECTOR = 512;

/** loadflags bits. */
export const LOADED_HIGH = 0x01;
export const KEEP_SEGMENTS = 0x40;
export const CAN_USE_HEAP = 0x80;
export const LOADFLAG_NAMES: Readonly<Record<number, string>> = { 0x01: 'LOADED_HIGH', 0x02: 'KASLR_FLAG', 0x20: 'QUIET_FLAG', 0x40: 'KEEP_SEGMENTS', 0x80: 'CAN_USE_HEAP' };

/** xloadflags bits (protocol 2.12). */
export const XLF_KERNEL_64 = 0x01;
export const XLF_NAMES: Readonly<Record<number, string>> = {
  0x01: 'XLF_KERNEL_64',
  0x02: 'XLF_CAN_BE_LOADED_ABOVE_4G',
  0x04: 'XLF_EFI_HANDOVER_32',
  0x08: 'XLF_EFI_HANDOVER_64',
  0x10: 'XLF_EFI_KEXEC',
  0x20: 'XLF_5LEVEL',
  0x40: 'XLF_5LEVEL_ENABLED',
};

/** Defaults the protocol gives fields older kernels lack. */
export const DEFAULT_INITRD_ADDR_MAX = 0x37ffffff;
export const DEFAULT_CMDLINE_SIZE = 255;
/** The 64-bit entry point lies this far into the protected-mode kernel. */
export const ENTRY64_OFFSET = 0x200;
/** The 16-bit entry: the setup code's segment + 0x20, offset 0, i.e. 0x200 bytes into it. */
export const SETUP_ENTRY_OFFSET = 0x200;
/** type_of_loader for a boot loader with no ID assigned (mimgload). */
export const LOADER_TYPE_UNDEFINED = 0xff;
