// The master boot record: partition table and boot code area.

export { encodeMbr, emptyPartition, entryWhere, mbrPartition, parseMbr, verifyMbr, type Mbr, type MbrPartition } from './mbr.js';
export { MBR, PARTITION_ENTRY, STATUS_ACTIVE, TYPE_EMPTY, TYPE_GPT_PROTECTIVE, TYPE_MIMG, TYPE_NAMES, TYPES_EXTENDED, chsOf } from './struct.js';
