// Every error code mimg can report, with its generic hint. docs/errors.md
// lists the same codes with an example each; a test keeps the two in step.

interface CodeInfo {
  summary: string;
  hint: string;
}

function codes<T extends Record<string, CodeInfo>>(t: T): T {
  return t;
}

export const CODES = codes({
  // input files
  FILE_READ: { summary: 'an input file cannot be read', hint: 'check the path (paths in a config are relative to the config file) and its permissions' },
  FILE_WRITE: { summary: 'an output file cannot be written', hint: 'check that the directory exists and is writable' },
  DECOMPRESS: { summary: 'a compressed input is corrupt or truncated', hint: 'recompress the file, or pass it uncompressed' },
  // ELF
  ELF_MAGIC: { summary: 'not an ELF file', hint: 'pass an ELF executable, or load the file as data' },
  ELF_TRUNCATED: { summary: 'the file ends inside an ELF structure', hint: 'the file is cut short; rebuild it' },
  ELF_UNSUPPORTED: { summary: 'an ELF class, byte order, machine or type mimg does not load', hint: 'mimg loads little-endian i386 and x86_64 ET_EXEC/ET_DYN files' },
  ELF_BAD_FIELD: { summary: 'an ELF header field has an impossible value', hint: 'the file is corrupt or not produced by a linker; rebuild it' },
  ELF_SEGMENT: { summary: 'a program header is inconsistent (past end of file, memsz < filesz, overflow)', hint: 'rebuild the executable; check its linker script' },
  ELF_OVERLAP: { summary: 'two PT_LOAD segments of one ELF overlap', hint: 'fix the linker script so segments are disjoint' },
  ELF_RELOC: { summary: 'a relocation mimg cannot apply', hint: 'link with -pie/-shared and no external symbols; only *_RELATIVE relocations are applied' },
  ELF_NOTE: { summary: 'a PT_NOTE segment is malformed', hint: 'rebuild the executable' },
  ELF_SYMBOL: { summary: 'a symbol table or string table is malformed, or a symbol is missing', hint: 'rebuild the executable; do not strip symbols mimg needs' },
  // Multiboot headers
  MULTIBOOT_HEADER: { summary: 'a Multiboot header is malformed (checksum, address fields, tags)', hint: 'fix the header in the kernel source; the Multiboot specification defines every field' },
  MULTIBOOT_UNSUPPORTED: { summary: "the kernel's Multiboot header requires something mimg does not provide", hint: 'remove the requirement from the header, or mark the Multiboot2 tag optional (flags bit 0) if the kernel can do without it' },
  MULTIBOOT_MISSING: { summary: 'protocol multiboot1/multiboot2, but the kernel has no header of that kind (a warning)', hint: 'add the header so that GRUB and other Multiboot loaders can boot the kernel too' },
  // Linux bzImage kernels
  BZIMAGE_MAGIC: { summary: 'not a Linux bzImage (no 0xAA55 boot flag or "HdrS" setup header)', hint: 'pass a bzImage such as /boot/vmlinuz-*, or use a Multiboot or mimg protocol for an ELF kernel' },
  BZIMAGE_TRUNCATED: { summary: 'the bzImage ends before its setup header or its protected-mode kernel', hint: 'the file is cut short; copy or rebuild the kernel' },
  BZIMAGE_UNSUPPORTED: { summary: 'a bzImage mimg cannot load: boot protocol older than 2.02, or a zImage (not loaded high)', hint: 'use a kernel from Linux 2.4 or later, built as a bzImage' },
  // .mimg images
  MIMG_MAGIC: { summary: 'not a .mimg image', hint: 'build one with `mimg build`' },
  MIMG_VERSION: { summary: 'a .mimg version this mimg does not read', hint: 'rebuild the image with this version of mimg' },
  MIMG_TRUNCATED: { summary: 'the image ends before a structure or payload it declares', hint: 'the file is cut short; rebuild it' },
  MIMG_CHECKSUM: { summary: 'a header or table checksum does not match', hint: 'the image is corrupt; rebuild it' },
  MIMG_DIGEST: { summary: 'a payload digest does not match its bytes', hint: 'the image is corrupt; rebuild it' },
  MIMG_FIELD: { summary: 'an image field has an invalid value', hint: 'the image is corrupt or from a newer mimg; rebuild it' },
  MIMG_ORDER: { summary: 'sections are not sorted by destination or not disjoint', hint: 'the image is corrupt; rebuild it with `mimg build`' },
  // config
  CONFIG_SYNTAX: { summary: 'the config file is not valid TOML/JSON', hint: 'fix the syntax at the position shown' },
  CONFIG_KEY: { summary: 'an unknown config key', hint: 'check the spelling; `mimg schema` prints every key' },
  CONFIG_TYPE: { summary: 'a config value has the wrong type or is out of range', hint: 'see docs/config.md for the allowed values' },
  CONFIG_MISSING: { summary: 'a required config key is missing', hint: 'add the key; see docs/config.md' },
  // layout
  LAYOUT_OVERLAP: { summary: 'two components would occupy the same memory', hint: 'move one of them (module address, linker script) or let mimg place it' },
  LAYOUT_RESERVED: { summary: 'a section lies in an area of the memory profile that is not usable RAM', hint: 'link or place it in usable RAM (above 1 MiB on a PC)' },
  LAYOUT_NO_RAM: { summary: 'the image needs more RAM than the target has', hint: 'raise [image] ram, or make the image smaller' },
  LAYOUT_NO_FIT: { summary: 'no hole in usable memory is large enough for a component', hint: 'raise [image] ram, or give the component an address' },
  LAYOUT_ALIGN: { summary: 'an address is not aligned as required', hint: 'use an address that is a multiple of the alignment' },
  LAYOUT_ADDRESS: { summary: 'an address or range is malformed or outside the address space', hint: 'use a range [start,end) with start < end inside the target address space' },
  LAYOUT_ENTRY: { summary: 'the entry point is missing or not inside an executable section', hint: 'check the kernel ELF entry, or give entry@ADDR' },
  // disks and boot media
  DISK_TABLE: { summary: 'an MBR or GPT partition table is malformed or inconsistent', hint: 'check the disk with `sfdisk --verify` or `sgdisk -v`; repair or recreate the table' },
  BOOTVOL_CHECKSUM: { summary: 'a boot volume header or range table checksum does not match', hint: 'the boot volume is corrupt; rebuild the disk with `mimg build` or reinstall it with `mimg install`' },
  BOOTVOL_FIELD: { summary: 'the stage-1 patch block, the boot volume header or the range table holds an invalid value', hint: 'the boot volume is corrupt or from a newer mimg; rebuild the disk with `mimg build` or reinstall it with `mimg install`' },
  MEDIA_STAGE: { summary: 'a boot stage binary (stages/prebuilt/) is missing or malformed', hint: 'run `npm run build:stages`, or reinstall mimg' },
  MEDIA_SIZE: { summary: 'the boot volume does not fit its partition', hint: 'raise [media] size, or install into a larger partition' },
  INSTALL_TARGET: { summary: 'the partition to install into is missing or unsuitable', hint: 'list the partitions with `mimg inspect DISK` or `sfdisk --list DISK`' },
  INSTALL_FILESYSTEM: { summary: 'the partition to install into holds a file system', hint: 'pick another partition, or pass --force to overwrite it (its contents are lost)' },
  // running
  QEMU_MISSING: { summary: 'QEMU is not installed', hint: 'install it (Debian: apt-get install qemu-system-x86) or set MIMG_QEMU to its path' },
  FIRMWARE_MISSING: { summary: 'the UEFI firmware for QEMU (OVMF) is not installed', hint: 'install it (Debian: apt-get install ovmf) or set MIMG_OVMF_CODE and MIMG_OVMF_VARS to its code and variable store' },
  // usage
  USAGE: { summary: 'the command line is wrong', hint: 'run `mimg --help`' },
});

export type Code = keyof typeof CODES;
