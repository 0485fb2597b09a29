// Multiboot header writers: the inverse of parse.ts, with the checksums
// computed. A value the parser could not have produced (flags that announce
// fields the value lacks, tags that do not fit header_length) is a
// programming error and throws.

import { writeStruct } from '../../bytes/struct.js';
import { Writer } from '../../bytes/writer.js';
import {
  MB1_ADDRESS, MB1_FLAG_AOUT_KLUDGE, MB1_FLAG_VIDEO_MODE, MB1_HEADER, MB1_MAGIC, MB1_VIDEO, MB2_ADDRESS_TAG, MB2_CONSOLE_TAG,
  MB2_ENTRY_TAG, MB2_FRAMEBUFFER_TAG, MB2_HEADER, MB2_MAGIC, MB2_RELOCATABLE_TAG, MB2_REQUEST_ENTRY, MB2_TAG, MB2_TAG_ALIGN,
  MB2_TAG_END,
} from './struct.js';
import type { Multiboot1Header, Multiboot2Header, Multiboot2Tag } from './types.js';

/** The value that makes `fields` sum to 0 mod 2^32. */
function checksum(...fields: bigint[]): bigint {
  return BigInt.asUintN(32, -fields.reduce((a, b) => a + b, 0n));
}

/** The header's bytes: 12, 32 or 48 of them, as the flags say. */
export function encodeMultiboot1(h: Multiboot1Header): Uint8Array {
  const has = (bit: number) => ((h.flags >>> bit) & 1) === 1;
  if (has(MB1_FLAG_AOUT_KLUDGE) !== (h.address !== undefined) || has(MB1_FLAG_VIDEO_MODE) !== (h.video !== undefined)) {
    throw new RangeError(`Multiboot1 flags ${h.flags.toString(16)} do not match the address and video fields given`);
  }
  const size = h.video ? MB1_VIDEO.size : h.address ? MB1_ADDRESS.size : MB1_HEADER.size;
  const w = new Writer(size);
  const magic = BigInt(MB1_MAGIC);
  const flags = BigInt(h.flags >>> 0);
  writeStruct(w, MB1_HEADER, 0, { magic, flags, checksum: checksum(magic, flags) });
  if (h.address) {
    const a = h.address;
    writeStruct(w, MB1_ADDRESS, 0, { header_addr: a.headerAddr, load_addr: a.loadAddr, load_end_addr: a.loadEndAddr, bss_end_addr: a.bssEndAddr, entry_addr: a.entryAddr });
  }
  if (h.video) {
    const v = h.video;
    writeStruct(w, MB1_VIDEO, 0, { mode_type: BigInt(v.modeType), width: BigInt(v.width), height: BigInt(v.height), depth: BigInt(v.depth) });
  }
  return w.bytes;
}

/** The header's bytes, headerLength of them: the header, each tag 8-byte aligned, the end tag, zeros after it. */
export function encodeMultiboot2(h: Multiboot2Header): Uint8Array {
  const w = new Writer(h.headerLength);
  const magic = BigInt(MB2_MAGIC);
  const architecture = BigInt(h.architecture);
  const length = BigInt(h.headerLength);
  writeStruct(w, MB2_HEADER, 0, { magic, architecture, header_length: length, checksum: checksum(magic, architecture, length) });
  let pos = MB2_HEADER.size;
  for (const tag of h.tags) {
    writeTag(w, pos, tag);
    pos += Math.ceil(tag.size / MB2_TAG_ALIGN) * MB2_TAG_ALIGN;
  }
  writeStruct(w, MB2_TAG, pos, { type: BigInt(MB2_TAG_END), flags: 0n, size: BigInt(MB2_TAG.size) });
  return w.bytes;
}

/** Bytes between the end of a tag's structure and its size stay zero. */
function writeTag(w: Writer, pos: number, tag: Multiboot2Tag): void {
  writeStruct(w, MB2_TAG, pos, { type: BigInt(tag.type), flags: BigInt(tag.flags), size: BigInt(tag.size) });
  const need = (bytes: number) => {
    if (tag.size < bytes) throw new RangeError(`Multiboot2 ${tag.kind} tag: size ${tag.size} is below ${bytes}`);
  };
  switch (tag.kind) {
    case 'information-request':
      need(MB2_TAG.size + tag.requests.length * MB2_REQUEST_ENTRY.size);
      tag.requests.forEach((t, i) => writeStruct(w, MB2_REQUEST_ENTRY, pos + MB2_TAG.size + i * MB2_REQUEST_ENTRY.size, { mbi_tag_type: BigInt(t) }));
      return;
    case 'address':
      need(MB2_ADDRESS_TAG.size);
      writeStruct(w, MB2_ADDRESS_TAG, pos, { header_addr: tag.headerAddr, load_addr: tag.loadAddr, load_end_addr: tag.loadEndAddr, bss_end_addr: tag.bssEndAddr });
      return;
    case 'entry-address':
    case 'entry-address-efi32':
    case 'entry-address-efi64':
      need(MB2_ENTRY_TAG.size);
      writeStruct(w, MB2_ENTRY_TAG, pos, { entry_addr: tag.entryAddr });
      return;
    case 'console-flags':
      need(MB2_CONSOLE_TAG.size);
      writeStruct(w, MB2_CONSOLE_TAG, pos, { console_flags: BigInt(tag.consoleFlags) });
      return;
    case 'framebuffer':
      need(MB2_FRAMEBUFFER_TAG.size);
      writeStruct(w, MB2_FRAMEBUFFER_TAG, pos, { width: BigInt(tag.width), height: BigInt(tag.height), depth: BigInt(tag.depth) });
      return;
    case 'module-align':
    case 'efi-boot-services':
      return;
    case 'relocatable':
      need(MB2_RELOCATABLE_TAG.size);
      writeStruct(w, MB2_RELOCATABLE_TAG, pos, { min_addr: tag.minAddr, max_addr: tag.maxAddr, align: tag.align, preference: BigInt(tag.preference) });
      return;
    case 'unknown':
      need(MB2_TAG.size + tag.body.length);
      w.bytesAt(pos + MB2_TAG.size, tag.body);
      return;
  }
}
