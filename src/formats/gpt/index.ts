// The GUID Partition Table: protective MBR, both headers, both entry arrays.

export { announcesGpt, encodeGpt, protectiveMbr, readGpt, usableSectors, type Gpt, type GptPartition } from './gpt.js';
export { guidFromHash } from './guid.js';
export { ATTR_LEGACY_BIOS_BOOTABLE, ENTRY, ENTRY_COUNT, GPT_SECTORS, HEADER, SIGNATURE, TYPE_BIOS_BOOT, TYPE_ESP, TYPE_MIMG, TYPE_NAMES } from './struct.js';
