// Reading the head of a .mimg image (header, section table, string table):
// rules 1-10 of docs/format/mimg.md and the part of rule 15 that needs the
// head's size. Rules 1-6 are gates — when one fails, nothing after it can be
// trusted, so decoding stops there; every failure of the others is reported.

import { Reader } from '../../bytes/reader.js';
import { readTable } from '../../bytes/table.js';
import { hex, issue, type Issue, type Result } from '../../diagnostics/issue.js';
import {
  CPU_MODE, DIGEST_ALG, FB_FIELDS, FB_FLAG, FB_KNOWN_FLAGS, FRAMEBUFFER_MINOR, HEADER, KNOWN_FLAGS, MAGIC, PROTOCOL, SECTION, SECTION_TYPE,
  VERSION_MAJOR, VERSION_MINOR, flagBits, flagNames, headerCrc, tableCrc,
  type Field, type HeaderValues, type SectionValues,
} from './struct.js';
import type { FramebufferRequest, MimgImage, MimgSection } from './types.js';

/** `offset 0x48 (ram_required)`: where a header field is. */
export function headerWhere(f: Field): string {
  return `offset ${hex(f.offset)} (${f.name})`;
}

/** `section 3 (dest)`: where a field of section entry i is (entries count from 0). */
export function sectionWhere(i: number, f: Field): string {
  return `section ${i} (${f.name})`;
}

const H = HEADER.f;
const S = SECTION.f;
const RO_RW = flagBits(['ro', 'rw']);
const FB = Object.fromEntries(FB_FLAG.map(([name, bit]) => [name, bit])) as Record<(typeof FB_FLAG)[number][0], number>;

/**
 * The framebuffer request of a 1.1 header: the fb_* fields of rules 7 and 9,
 * issues for each that breaks them, and the request when fb_flags asks for one.
 */
function framebufferRequest(h: HeaderValues, issues: Issue[]): FramebufferRequest | undefined {
  const fields = FB_FIELDS.map((name) => H[name]);
  if (h.version_minor < FRAMEBUFFER_MINOR) {
    // Rule 7: reserved before 1.1.
    for (const f of fields) if (h[f.name as (typeof FB_FIELDS)[number]] !== 0) issues.push(issue('MIMG_FIELD', `field ${f.name} is reserved in version 1.0 and not zero`, { where: headerWhere(f) }));
    return undefined;
  }
  // Rule 9.
  const flags = h.fb_flags;
  const bad = (message: string, f: Field = H.fb_flags) => issues.push(issue('MIMG_FIELD', message, { where: headerWhere(f) }));
  if ((flags & ~FB_KNOWN_FLAGS) !== 0) bad(`unknown fb_flags bits ${hex(flags & ~FB_KNOWN_FLAGS)}`);
  else if ((flags & FB.requested) === 0 && flags !== 0) bad(`fb_flags ${hex(flags)}: required and text need requested`);
  else if (flags === 0 && (h.fb_width !== 0 || h.fb_height !== 0 || h.fb_depth !== 0)) bad('fb_width, fb_height and fb_depth must be 0 when no framebuffer is requested', H.fb_width);
  else if ((flags & FB.text) !== 0 && h.fb_depth !== 0) bad(`fb_depth is ${h.fb_depth}; a text mode request has fb_depth 0`, H.fb_depth);
  else if (flags !== 0) return { width: h.fb_width, height: h.fb_height, depth: h.fb_depth, required: (flags & FB.required) !== 0, text: (flags & FB.text) !== 0 };
  return undefined;
}

/** Rules 1-4, on the first 128 bytes; on success, the header and the end of the head. */
function readHeader(bytes: Uint8Array): Result<{ h: HeaderValues; headEnd: number }> {
  const magicSeen = bytes.subarray(0, MAGIC.length);
  if (magicSeen.some((b, i) => b !== MAGIC[i])) {
    return { issues: [issue('MIMG_MAGIC', `magic is ${[...magicSeen].map((b) => b.toString(16).padStart(2, '0')).join(' ')}, not 4d 49 4d 47 0d 0a 1a 0a`, { where: headerWhere(H.magic) })] };
  }
  if (bytes.length < HEADER.size) {
    return { issues: [issue('MIMG_TRUNCATED', `the file has ${hex(bytes.length)} bytes; the header needs ${hex(HEADER.size)}`, { where: 'offset 0x0 (header)' })] };
  }
  const h = readTable(new Reader(bytes), 0, HEADER);
  if (h.version_major !== VERSION_MAJOR) {
    return { issues: [issue('MIMG_VERSION', `format version ${h.version_major}.${h.version_minor}; this mimg reads ${VERSION_MAJOR}.0 to ${VERSION_MAJOR}.${VERSION_MINOR}`, { where: headerWhere(H.version_major) })] };
  }
  if (h.version_minor > VERSION_MINOR) {
    return { issues: [issue('MIMG_VERSION', `format version ${h.version_major}.${h.version_minor} is newer than this mimg (${VERSION_MAJOR}.${VERSION_MINOR})`, { where: headerWhere(H.version_minor), hint: 'use a newer mimg' })] };
  }
  const crc = headerCrc(bytes);
  if (h.header_crc32 !== crc) {
    return { issues: [issue('MIMG_CHECKSUM', `header_crc32 is ${hex(h.header_crc32)}, the header's CRC-32 is ${hex(crc)}`, { where: headerWhere(H.header_crc32) })] };
  }
  const tableOffset = BigInt(HEADER.size);
  const strtabOffset = tableOffset + BigInt(SECTION.size) * BigInt(h.section_count);
  const geometry: [Field, bigint, bigint][] = [
    [H.header_size, BigInt(h.header_size), BigInt(HEADER.size)],
    [H.section_table_offset, h.section_table_offset, tableOffset],
    [H.section_entry_size, BigInt(h.section_entry_size), BigInt(SECTION.size)],
    [H.strtab_offset, BigInt(h.strtab_offset), strtabOffset],
  ];
  const issues = geometry
    .filter(([, got, want]) => got !== want)
    .map(([f, got, want]) => issue('MIMG_FIELD', `${f.name} is ${hex(got)}, must be ${hex(want)}`, { where: headerWhere(f) }));
  if (issues.length > 0) return { issues };
  return { value: { h, headEnd: h.strtab_offset + h.strtab_size }, issues };
}

/**
 * How many bytes from the start of the file decodeHead needs (header, section
 * table and string table), read from the first 128 bytes; issues when those
 * are not a readable .mimg header.
 */
export function headSize(first: Uint8Array): Result<number> {
  const r = readHeader(first);
  return r.value ? { value: r.value.headEnd, issues: [] } : { issues: r.issues };
}

/**
 * Parses header, section table and string table from the start of a file
 * (`bytes` may be just the first headSize() bytes). Returns a value when every
 * field could be represented, with all issues found in the head.
 */
export function decodeHead(bytes: Uint8Array): Result<MimgImage> {
  const start = readHeader(bytes);
  if (!start.value) return { issues: start.issues };
  const { h, headEnd } = start.value;
  if (bytes.length < headEnd) {
    return { issues: [issue('MIMG_TRUNCATED', `the string table ends at ${hex(headEnd)}, past the ${hex(bytes.length)} bytes available`, { where: headerWhere(H.strtab_size) })] };
  }
  const crc = tableCrc(bytes, headEnd);
  if (h.table_crc32 !== crc) {
    return { issues: [issue('MIMG_CHECKSUM', `table_crc32 is ${hex(h.table_crc32)}, the CRC-32 of the section and string tables is ${hex(crc)}`, { where: headerWhere(H.table_crc32) })] };
  }

  const issues: Issue[] = [];
  const reader = new Reader(bytes);
  const strtab = bytes.subarray(h.strtab_offset, headEnd);
  const utf8 = new TextDecoder();
  let representable = true;

  const reserved = (values: Record<string, unknown>, fields: readonly Field[], where: (f: Field) => string): void => {
    for (const f of fields) {
      const v = values[f.name];
      if (f.reserved && (v instanceof Uint8Array ? v.some((b) => b !== 0) : v !== 0)) {
        issues.push(issue('MIMG_FIELD', `reserved field ${f.name} is not zero`, { where: where(f) }));
      }
    }
  };
  const known = <N extends string>(e: { name(code: number): N | undefined }, code: number, where: string): N | undefined => {
    const name = e.name(code);
    if (name === undefined) {
      issues.push(issue('MIMG_FIELD', `unknown value ${code}`, { where }));
      representable = false;
    }
    return name;
  };
  // Rule 10: [off, off+len) inside the string table, NUL-free, and followed by a NUL.
  const string = (off: number, len: number, where: string): string => {
    const fail = (why: string): string => {
      issues.push(issue('MIMG_FIELD', `string [${hex(off)},${hex(off + len)}) ${why}`, { where }));
      representable = false;
      return '';
    };
    if (off + len >= strtab.length) return fail(`and its NUL do not fit in the ${hex(strtab.length)}-byte string table`);
    const s = strtab.subarray(off, off + len);
    if (s.includes(0)) return fail('contains a NUL byte');
    if (strtab[off + len] !== 0) return fail('is not followed by a NUL byte');
    return utf8.decode(s);
  };

  reserved(h, HEADER.fields, headerWhere);
  const framebuffer = framebufferRequest(h, issues);
  const protocol = known(PROTOCOL, h.protocol, headerWhere(H.protocol));
  const cpuMode = known(CPU_MODE, h.cpu_mode, headerWhere(H.cpu_mode));
  const digest = known(DIGEST_ALG, h.digest_alg, headerWhere(H.digest_alg));
  const cmdline = string(h.cmdline_off, h.cmdline_len, headerWhere(H.cmdline_off));

  const sections: MimgSection[] = [];
  for (let i = 0; i < h.section_count; i++) {
    const e: SectionValues = readTable(reader, HEADER.size + SECTION.size * i, SECTION);
    const where = (f: Field): string => sectionWhere(i, f);
    reserved(e, SECTION.fields, where);
    const type = known(SECTION_TYPE, e.type, where(S.type));
    if ((e.flags & ~KNOWN_FLAGS) !== 0) {
      issues.push(issue('MIMG_FIELD', `unknown flag bits ${hex(e.flags & ~KNOWN_FLAGS)}`, { where: where(S.flags) }));
    }
    if ((e.flags & RO_RW) === RO_RW) {
      issues.push(issue('MIMG_FIELD', 'flags ro and rw are both set', { where: where(S.flags) }));
    }
    if (e.file_size > 0n && e.file_offset < BigInt(headEnd)) {
      issues.push(issue('MIMG_FIELD', `payload at ${hex(e.file_offset)} starts inside the head, which ends at ${hex(headEnd)}`, { where: where(S.file_offset) }));
    }
    sections.push({
      type: type ?? 'reserved', // unknown: reported above, and no value is returned
      flags: flagNames(e.flags),
      dest: e.dest,
      memSize: e.mem_size,
      fileSize: e.file_size,
      fileOffset: e.file_offset,
      digest: e.digest,
      component: e.component,
      name: string(e.name_off, e.name_len, where(S.name_off)),
      cmdline: string(e.cmdline_off, e.cmdline_len, where(S.cmdline_off)),
      ...(e.vaddr !== 0n && { vaddr: e.vaddr }),
    });
  }

  if (!representable || protocol === undefined || cpuMode === undefined || digest === undefined) return { issues };
  const image: MimgImage = {
    header: {
      versionMajor: h.version_major,
      versionMinor: h.version_minor,
      protocol,
      cpuMode,
      digest,
      entry: h.entry,
      bootInfoAddr: h.bootinfo_addr,
      bootInfoSize: h.bootinfo_size,
      ramRequired: h.ram_required,
      cmdline,
      fileSize: h.file_size,
      ...(framebuffer ? { framebuffer } : {}),
    },
    sections,
  };
  return { value: image, issues };
}
