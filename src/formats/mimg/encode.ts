// Writing .mimg images. The head (header, section table, string table) is
// small; payloads can be huge, so the host streams them and writes the head
// last: layoutFile -> stream payloads, computing digests -> encodeHead.
// The encoders do not validate: run verifyStructure first. A value that
// cannot be represented at all (a string with a NUL, a negative size) is a
// programming error and throws RangeError.

import { writeTable } from '../../bytes/table.js';
import { Writer } from '../../bytes/writer.js';
import { alignUp } from '../../layout/range.js';
import { payloadDigest } from './digest.js';
import {
  CPU_MODE, DIGEST_ALG, FB_FLAG, FRAMEBUFFER_MINOR, HEADER, MAGIC, PAYLOAD_ALIGN, PROTOCOL, SECTION, SECTION_TYPE,
  VERSION_MAJOR, flagBits, headerCrc, tableCrc,
} from './struct.js';
import type { FramebufferRequest, MimgHeader, MimgImage } from './types.js';

interface StringRef {
  off: number;
  len: number;
}

/**
 * The string table: a NUL (so the empty string is at offset 0), then each
 * distinct string in order of first use — kernel command line, then each
 * section's name and command line — each followed by a NUL.
 */
function stringTable(image: MimgImage): { bytes: Uint8Array; ref(s: string): StringRef } {
  const utf8 = new TextEncoder();
  const refs = new Map<string, StringRef>([['', { off: 0, len: 0 }]]);
  const parts: Uint8Array[] = [new Uint8Array(1)];
  let size = 1;
  const add = (s: string): void => {
    if (refs.has(s)) return;
    if (s.includes('\0')) throw new RangeError(`mimg string ${JSON.stringify(s)} contains a NUL`);
    const b = utf8.encode(s);
    refs.set(s, { off: size, len: b.length });
    parts.push(b, new Uint8Array(1));
    size += b.length + 1;
  };
  add(image.header.cmdline);
  for (const s of image.sections) {
    add(s.name);
    add(s.cmdline);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, ref: (s) => refs.get(s)! };
}


/** fb_flags for a request (0: none). */
export function framebufferFlags(fb: FramebufferRequest | undefined): number {
  if (!fb) return 0;
  const bit = (name: string) => FB_FLAG.find(([n]) => n === name)![1];
  return bit('requested') | (fb.required ? bit('required') : 0) | (fb.text ? bit('text') : 0);
}

function headEnd(image: MimgImage, strtabSize: number): number {
  return HEADER.size + SECTION.size * image.sections.length + strtabSize;
}

/**
 * Assigns every payload its file offset — 4096-aligned, after the head, in
 * section order — and sets header.fileSize to the end of the last payload
 * (or of the head when there is none). Sections without payload get offset 0.
 * Section order is kept: sorting by destination is the layout planner's job.
 */
export function layoutFile(image: MimgImage): MimgImage {
  let end = BigInt(headEnd(image, stringTable(image).bytes.length));
  const sections = image.sections.map((s) => {
    if (s.fileSize === 0n) return { ...s, fileOffset: 0n };
    const fileOffset = alignUp(end, PAYLOAD_ALIGN);
    end = fileOffset + s.fileSize;
    return { ...s, fileOffset };
  });
  return { header: { ...image.header, versionMinor: minorVersion(image), fileSize: end }, sections };
}

/** The lowest minor version that expresses the image (section 10): 1 with a framebuffer request or a section's vaddr, else 0. */
export function minorVersion(image: MimgImage): number {
  return image.header.framebuffer || image.sections.some((s) => (s.vaddr ?? 0n) !== 0n) ? FRAMEBUFFER_MINOR : 0;
}

/**
 * The bytes before the first payload: header, section table, string table
 * and zero padding up to the first payload's offset (or the end of the file
 * when there are no payloads), with both CRCs. `image` must be laid out and
 * its digests filled in.
 */
export function encodeHead(image: MimgImage): Uint8Array {
  const { header, sections } = image;
  const minor = minorVersion(image);
  if (header.versionMajor !== VERSION_MAJOR || header.versionMinor !== minor) {
    throw new RangeError(`encodeHead writes this image as .mimg ${VERSION_MAJOR}.${minor}, not ${header.versionMajor}.${header.versionMinor}`);
  }
  const strings = stringTable(image);
  const end = headEnd(image, strings.bytes.length);
  const payloadOffsets = sections.filter((s) => s.fileSize > 0n).map((s) => s.fileOffset);
  const length = payloadOffsets.length > 0 ? Number(payloadOffsets.reduce((a, b) => (a < b ? a : b))) : end;
  if (length < end) throw new RangeError(`encodeHead: a payload at 0x${length.toString(16)} overlaps the head (0x${end.toString(16)} bytes); call layoutFile first`);

  const w = new Writer(length);
  const cmdline = strings.ref(header.cmdline);
  writeTable(w, 0, HEADER, {
    magic: MAGIC,
    version_major: VERSION_MAJOR,
    version_minor: minor,
    header_size: HEADER.size,
    entry: header.entry,
    protocol: PROTOCOL.code(header.protocol),
    cpu_mode: CPU_MODE.code(header.cpuMode),
    digest_alg: DIGEST_ALG.code(header.digest),
    reserved0: 0,
    section_count: sections.length,
    section_table_offset: BigInt(HEADER.size),
    section_entry_size: SECTION.size,
    strtab_offset: HEADER.size + SECTION.size * sections.length,
    strtab_size: strings.bytes.length,
    cmdline_off: cmdline.off,
    cmdline_len: cmdline.len,
    reserved1: 0,
    bootinfo_addr: header.bootInfoAddr,
    bootinfo_size: header.bootInfoSize,
    ram_required: header.ramRequired,
    file_size: header.fileSize,
    table_crc32: 0,
    header_crc32: 0,
    fb_width: header.framebuffer?.width ?? 0,
    fb_height: header.framebuffer?.height ?? 0,
    fb_depth: header.framebuffer?.depth ?? 0,
    fb_flags: framebufferFlags(header.framebuffer),
    reserved2: new Uint8Array(HEADER.f.reserved2.size),
  });
  sections.forEach((s, i) => {
    const name = strings.ref(s.name);
    const cmd = strings.ref(s.cmdline);
    writeTable(w, HEADER.size + SECTION.size * i, SECTION, {
      dest: s.dest,
      mem_size: s.memSize,
      file_offset: s.fileOffset,
      file_size: s.fileSize,
      type: SECTION_TYPE.code(s.type),
      reserved0: 0,
      flags: flagBits(s.flags),
      component: s.component,
      reserved1: 0,
      name_off: name.off,
      name_len: name.len,
      cmdline_off: cmd.off,
      cmdline_len: cmd.len,
      vaddr: s.vaddr ?? 0n,
      digest: s.digest,
    });
  });
  w.bytesAt(HEADER.size + SECTION.size * sections.length, strings.bytes);
  sealHead(w.bytes);
  return w.bytes;
}

/**
 * Fills in table_crc32 and header_crc32 of a head whose other fields are
 * final. Exported so tests can alter a field and re-seal, reaching the rule
 * behind the checksums.
 */
export function sealHead(head: Uint8Array): void {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const end = view.getUint32(HEADER.f.strtab_offset.offset, true) + view.getUint32(HEADER.f.strtab_size.offset, true);
  view.setUint32(HEADER.f.table_crc32.offset, tableCrc(head, end), true);
  view.setUint32(HEADER.f.header_crc32.offset, headerCrc(head), true);
}

/**
 * A whole image in memory, for small images and tests: lays it out, computes
 * the digests and writes head and payloads. `payloads[i]` holds the
 * sections[i].fileSize bytes of section i (empty for sections without payload).
 * xxh64 images need `await initDigests()` first.
 */
export function encodeImage(image: MimgImage, payloads: readonly Uint8Array[]): Uint8Array {
  if (payloads.length !== image.sections.length) {
    throw new RangeError(`encodeImage: ${payloads.length} payloads for ${image.sections.length} sections`);
  }
  const sections = image.sections.map((s, i) => {
    const p = payloads[i]!;
    if (BigInt(p.length) !== s.fileSize) throw new RangeError(`encodeImage: section ${i} has fileSize ${s.fileSize}, payload has ${p.length} bytes`);
    return { ...s, digest: payloadDigest(image.header.digest, p) };
  });
  const laid = layoutFile({ ...image, sections });
  const out = new Uint8Array(Number(laid.header.fileSize));
  out.set(encodeHead(laid), 0);
  laid.sections.forEach((s, i) => {
    if (s.fileSize > 0n) out.set(payloads[i]!, Number(s.fileOffset));
  });
  return out;
}
