// Writing the boot volume's structures. The encoders do not validate (the
// media planner lays the volume out, verifyVolume checks it); a value that
// cannot be represented at all is a programming error and throws RangeError.

import { SECTOR_SIZE } from '../../bytes/sectors.js';
import { writeTable } from '../../bytes/table.js';
import { Writer } from '../../bytes/writer.js';
import { crc32 } from '../checksum/crc32.js';
import { MBR } from '../mbr/struct.js';
import {
  NAME_MAX, PATCH, PATCH_AT, PATCH_MAGIC, RANGE, RANGE_TABLE, RANGE_TYPE, RANGES_MAGIC, VERSION, VOLUME_HEADER,
  VOLUME_HEADER_AT, VOLUME_MAGIC, flagBits,
} from './struct.js';
import type { BootRange, Stage1Patch, VolumeHeader } from './types.js';

/**
 * The MBR's boot code area (bytes 0x000..0x1B7): stage 1's code, which
 * must end before the patch block, then the patch block.
 */
export function stage1BootCode(code: Uint8Array, patch: Stage1Patch): Uint8Array {
  if (code.length > PATCH_AT) throw new RangeError(`stage 1 code is ${code.length} bytes; it must end before the patch block at ${PATCH_AT}`);
  const w = new Writer(MBR.f.boot_code.size);
  w.bytesAt(0, code);
  writeTable(w, PATCH_AT, PATCH, {
    volume_lba: patch.volumeLba,
    stage2_lba: Number(patch.stage2Lba),
    stage2_sectors: patch.stage2Sectors,
    patch_magic: PATCH_MAGIC,
    reserved: new Uint8Array(PATCH.f.reserved.size),
  });
  return w.bytes;
}

/** The PBR: stage 1's partition-boot variant (one 512-byte sector) with the volume header filled in. */
export function pbrSector(pbr: Uint8Array, header: VolumeHeader): Uint8Array {
  if (pbr.length !== SECTOR_SIZE) throw new RangeError(`the PBR is ${pbr.length} bytes, not one sector`);
  const w = new Writer(SECTOR_SIZE);
  w.bytesAt(0, pbr);
  writeTable(w, VOLUME_HEADER_AT, VOLUME_HEADER, {
    magic: VOLUME_MAGIC,
    version: header.version,
    stage2_sectors: header.stage2Sectors,
    stage2_lba: Number(header.stage2Lba),
    ranges_lba: Number(header.rangesLba),
    ranges_sectors: Number(header.rangesSectors),
    volume_lba: header.volumeLba,
    header_crc32: 0,
  });
  const crc = VOLUME_HEADER.f.header_crc32.offset;
  w.u32(VOLUME_HEADER_AT + crc, crc32(w.bytes.subarray(VOLUME_HEADER_AT, VOLUME_HEADER_AT + crc)));
  return w.bytes;
}

/** Sectors a range table of `count` entries occupies. */
export function rangeTableSectors(count: number): bigint {
  return BigInt(Math.ceil((RANGE_TABLE.size + RANGE.size * count) / SECTOR_SIZE));
}

/** The range table, zero-padded to whole sectors. Names longer than NAME_MAX bytes throw. */
export function encodeRangeTable(ranges: readonly BootRange[]): Uint8Array {
  const w = new Writer(Number(rangeTableSectors(ranges.length)) * SECTOR_SIZE);
  const utf8 = new TextEncoder();
  ranges.forEach((r, i) => {
    const name = utf8.encode(r.name);
    if (name.length > NAME_MAX || name.includes(0)) throw new RangeError(`range name ${JSON.stringify(r.name)}: at most ${NAME_MAX} bytes of UTF-8, no NUL`);
    const field = new Uint8Array(RANGE.f.name.size);
    field.set(name);
    writeTable(w, RANGE_TABLE.size + RANGE.size * i, RANGE, {
      name: field,
      lba: r.lba,
      size: r.size,
      load_address: r.loadAddress,
      entry: r.entry,
      type: RANGE_TYPE.code(r.type),
      flags: flagBits(r.flags),
      reserved: new Uint8Array(RANGE.f.reserved.size),
    });
  });
  const entriesEnd = RANGE_TABLE.size + RANGE.size * ranges.length;
  writeTable(w, 0, RANGE_TABLE, {
    magic: RANGES_MAGIC,
    version: VERSION,
    count: ranges.length,
    entry_size: RANGE.size,
    entries_crc32: crc32(w.bytes.subarray(RANGE_TABLE.size, entriesEnd)),
    header_crc32: 0,
    reserved: 0,
  });
  const crc = RANGE_TABLE.f.header_crc32.offset;
  w.u32(crc, crc32(w.bytes.subarray(0, crc)));
  return w.bytes;
}
