// Multiboot1 and Multiboot2 header readers. Pure: bytes in, { value, issues }
// out, and never throws on any input. A file without a header gives neither
// a value nor an issue; a header with an error gives no value, so a caller
// cannot load by half-checked fields.
//
// The search is GRUB's: the first aligned magic whose checksum holds. A magic
// whose checksum does not hold is skipped, as GRUB does, but reported when no
// header turns up after all: most likely it is the header, with a mistake.

import { Reader } from '../../bytes/reader.js';
import { fieldOffset, readStruct, type Struct } from '../../bytes/struct.js';
import { hasErrors, hex, hexRange, issue, type Issue, type Result } from '../../diagnostics/issue.js';
import {
  MB1_ADDRESS, MB1_ALIGN, MB1_FLAG_AOUT_KLUDGE, MB1_FLAG_VIDEO_MODE, MB1_HEADER, MB1_MAGIC, MB1_SEARCH, MB1_VIDEO,
  MB2_ADDRESS_TAG, MB2_ALIGN, MB2_ARCH_I386, MB2_ARCH_NAMES, MB2_CONSOLE_TAG, MB2_ENTRY_TAG, MB2_FRAMEBUFFER_TAG, MB2_HEADER,
  MB2_LOAD_FROM_FILE_START, MB2_MAGIC, MB2_RELOCATABLE_PREFERENCES, MB2_RELOCATABLE_TAG, MB2_REQUEST_ENTRY, MB2_SEARCH,
  MB2_TAG, MB2_TAG_ADDRESS, MB2_TAG_ALIGN, MB2_TAG_CONSOLE_FLAGS, MB2_TAG_EFI_BS, MB2_TAG_END, MB2_TAG_ENTRY_ADDRESS,
  MB2_TAG_ENTRY_ADDRESS_EFI32, MB2_TAG_ENTRY_ADDRESS_EFI64, MB2_TAG_FRAMEBUFFER, MB2_TAG_INFORMATION_REQUEST,
  MB2_TAG_MODULE_ALIGN, MB2_TAG_NAMES, MB2_TAG_RELOCATABLE,
} from './struct.js';
import type { AddressFields, AddressLoad, Multiboot1Header, Multiboot2Header, Multiboot2Tag } from './types.js';

/** `offset 0x1008 (checksum)`: the file offset of a field, as every issue names it. */
function at(offset: number, field: string): string {
  return `offset ${hex(offset)} (${field})`;
}

/** What ends the area a header must lie in: the search limit or the file. */
function areaEnd(length: number, limit: number): string {
  return length < limit ? `the end of the file at ${hex(length)}` : `the first ${limit / 1024} KiB, where the header must lie`;
}

/**
 * The offset of the first `align`-aligned header in the first `limit` bytes
 * whose magic is `magic` and whose fields sum to 0 mod 2^32; or the issues
 * for each magic whose sum is not 0.
 */
function search<F extends string>(r: Reader, magic: number, limit: number, align: number, s: Struct<F>, summed: readonly F[], name: string): { offset?: number; issues: Issue[] } {
  const issues: Issue[] = [];
  const end = Math.min(r.length, limit);
  for (let offset = 0; offset + s.size <= end; offset += align) {
    if (r.u32(offset) !== magic) continue;
    const h = readStruct(r, s, offset);
    const sum = BigInt.asUintN(32, summed.reduce((n, f) => n + h[f], 0n));
    if (sum === 0n) return { offset, issues: [] };
    const checksum = summed[summed.length - 1]!;
    const want = BigInt.asUintN(32, h[checksum] - sum);
    issues.push(
      issue('MULTIBOOT_HEADER', `${name} magic ${hex(magic)} at ${hex(offset)}, but ${summed.join(' + ')} is ${hex(sum)}, not 0 (mod 2^32): ${checksum} should be ${hex(want)}`, {
        where: at(fieldOffset(s, offset, checksum), checksum),
      }),
    );
  }
  return { issues };
}

// ---------------------------------------------------------------- address fields

interface AddressInput {
  fileLength: number;
  /** File offset and length of the whole header, which must lie inside what is loaded. */
  headerOffset: number;
  headerSize: number;
  headerAddr: bigint;
  loadAddr: bigint;
  loadEndAddr: bigint;
  bssEndAddr: bigint;
  /** `where` for each field. */
  where: (field: 'header_addr' | 'load_addr' | 'load_end_addr' | 'bss_end_addr') => string;
  /** Starts each message: "" for Multiboot1, "tag 0 (address): " for Multiboot2. */
  prefix: string;
}

/**
 * The load the address fields describe, as GRUB computes it: file bytes from
 * header offset - (header_addr - load_addr), (load_end_addr - load_addr) of
 * them or to the end of the file, then zeros to bss_end_addr. Undefined, with
 * issues, when the fields contradict each other or the file.
 */
function resolveLoad(a: AddressInput, issues: Issue[]): AddressLoad | undefined {
  const bad = (field: Parameters<AddressInput['where']>[0], message: string) => issues.push(issue('MULTIBOOT_HEADER', a.prefix + message, { where: a.where(field) }));
  if (a.loadAddr > a.headerAddr) {
    bad('load_addr', `load_addr ${hex(a.loadAddr)} is above header_addr ${hex(a.headerAddr)}: the header would lie before the loaded range`);
    return undefined;
  }
  const fileOffset = BigInt(a.headerOffset) - (a.headerAddr - a.loadAddr);
  if (fileOffset < 0n) {
    bad('header_addr', `header_addr - load_addr is ${hex(a.headerAddr - a.loadAddr)}, but the header is at file offset ${hex(a.headerOffset)}: loading would start before the file`);
    return undefined;
  }
  if (a.loadEndAddr !== 0n && a.loadEndAddr < a.loadAddr) {
    bad('load_end_addr', `load_end_addr ${hex(a.loadEndAddr)} is below load_addr ${hex(a.loadAddr)}`);
    return undefined;
  }
  const fileSize = a.loadEndAddr === 0n ? BigInt(a.fileLength) - fileOffset : a.loadEndAddr - a.loadAddr;
  const loadEnd = a.loadAddr + fileSize;
  const before = issues.length;
  if (fileOffset + fileSize > BigInt(a.fileLength)) {
    bad('load_end_addr', `loading ${hexRange(a.loadAddr, loadEnd)} takes file bytes ${hexRange(fileOffset, fileOffset + fileSize)}, but the file is only ${hex(a.fileLength)} bytes long`);
  } else if (a.headerAddr + BigInt(a.headerSize) > loadEnd) {
    bad('load_end_addr', `the header ${hexRange(a.headerAddr, a.headerAddr + BigInt(a.headerSize))} is not inside the loaded range ${hexRange(a.loadAddr, loadEnd)}`);
  }
  if (a.bssEndAddr !== 0n && a.bssEndAddr < loadEnd) {
    bad('bss_end_addr', `bss_end_addr ${hex(a.bssEndAddr)} is below the end of the loaded file bytes ${hex(loadEnd)}`);
  }
  if (issues.length > before) return undefined;
  return { fileOffset: Number(fileOffset), fileSize: Number(fileSize), address: a.loadAddr, memSize: (a.bssEndAddr === 0n ? loadEnd : a.bssEndAddr) - a.loadAddr };
}

// ---------------------------------------------------------------- Multiboot1

export function parseMultiboot1(bytes: Uint8Array): Result<Multiboot1Header> {
  const r = new Reader(bytes);
  const found = search(r, MB1_MAGIC, MB1_SEARCH, MB1_ALIGN, MB1_HEADER, ['magic', 'flags', 'checksum'], 'Multiboot1');
  if (found.offset === undefined) return { issues: found.issues };
  const offset = found.offset;
  const issues: Issue[] = [];
  const flags = Number(readStruct(r, MB1_HEADER, offset).flags);
  const has = (bit: number) => ((flags >>> bit) & 1) === 1;
  // The flags decide how long the header is; all of it must lie in the search area.
  const size = has(MB1_FLAG_VIDEO_MODE) ? MB1_VIDEO.size : has(MB1_FLAG_AOUT_KLUDGE) ? MB1_ADDRESS.size : MB1_HEADER.size;
  const end = Math.min(r.length, MB1_SEARCH);
  if (offset + size > end) {
    issues.push(
      issue('MULTIBOOT_HEADER', `flags ${hex(flags)} make the header ${size} bytes long: ${hexRange(BigInt(offset), BigInt(offset + size))} runs past ${areaEnd(r.length, MB1_SEARCH)}`, {
        where: at(fieldOffset(MB1_HEADER, offset, 'flags'), 'flags'),
      }),
    );
    return { issues };
  }
  const header: Multiboot1Header = { offset, flags };
  if (has(MB1_FLAG_AOUT_KLUDGE)) {
    const f = readStruct(r, MB1_ADDRESS, offset);
    const load = resolveLoad(
      {
        fileLength: r.length,
        headerOffset: offset,
        headerSize: size,
        headerAddr: f.header_addr,
        loadAddr: f.load_addr,
        loadEndAddr: f.load_end_addr,
        bssEndAddr: f.bss_end_addr,
        where: (field) => at(fieldOffset(MB1_ADDRESS, offset, field), field),
        prefix: '',
      },
      issues,
    );
    if (load) {
      header.address = { headerAddr: f.header_addr, loadAddr: f.load_addr, loadEndAddr: f.load_end_addr, bssEndAddr: f.bss_end_addr, entryAddr: f.entry_addr, load };
    }
  }
  if (has(MB1_FLAG_VIDEO_MODE)) {
    const v = readStruct(r, MB1_VIDEO, offset);
    header.video = { modeType: Number(v.mode_type), width: Number(v.width), height: Number(v.height), depth: Number(v.depth) };
  }
  return hasErrors(issues) ? { issues } : { value: header, issues };
}

// ---------------------------------------------------------------- Multiboot2

export function parseMultiboot2(bytes: Uint8Array): Result<Multiboot2Header> {
  const r = new Reader(bytes);
  const found = search(r, MB2_MAGIC, MB2_SEARCH, MB2_ALIGN, MB2_HEADER, ['magic', 'architecture', 'header_length', 'checksum'], 'Multiboot2');
  if (found.offset === undefined) return { issues: found.issues };
  const offset = found.offset;
  const issues: Issue[] = [];
  const h = readStruct(r, MB2_HEADER, offset);
  const where = (field: keyof typeof MB2_HEADER.fields) => at(fieldOffset(MB2_HEADER, offset, field), field);
  const architecture = Number(h.architecture);
  if (architecture !== MB2_ARCH_I386) {
    issues.push(issue('MULTIBOOT_UNSUPPORTED', `architecture ${architecture} (${MB2_ARCH_NAMES[architecture] ?? 'unknown'}) is not i386 (0)`, { where: where('architecture') }));
  }
  const headerLength = Number(h.header_length);
  const minLength = MB2_HEADER.size + MB2_TAG.size;
  if (headerLength < minLength) {
    issues.push(issue('MULTIBOOT_HEADER', `header_length ${hex(headerLength)} is below ${hex(minLength)}, the header and an end tag`, { where: where('header_length') }));
    return { issues };
  }
  const end = offset + headerLength;
  if (end > Math.min(r.length, MB2_SEARCH)) {
    issues.push(issue('MULTIBOOT_HEADER', `the header ${hexRange(BigInt(offset), BigInt(end))} (header_length ${hex(headerLength)}) runs past ${areaEnd(r.length, MB2_SEARCH)}`, { where: where('header_length') }));
    return { issues };
  }
  const tags: Multiboot2Tag[] = [];
  for (let pos = offset + MB2_HEADER.size, index = 0; ; index++) {
    if (pos + MB2_TAG.size > end) {
      issues.push(issue('MULTIBOOT_HEADER', `the tags reach the end of the header at ${hex(end)} without an end tag`, { where: where('header_length') }));
      break;
    }
    const t = readStruct(r, MB2_TAG, pos);
    const base = { type: Number(t.type), flags: Number(t.flags), size: Number(t.size), offset: pos };
    const name = MB2_TAG_NAMES[base.type] ?? `type ${base.type}`;
    if (base.size < MB2_TAG.size || pos + base.size > end) {
      const why = base.size < MB2_TAG.size ? `is below ${MB2_TAG.size}, the tag header` : `makes the tag ${hexRange(BigInt(pos), BigInt(pos + base.size))} run past the end of the header at ${hex(end)}`;
      issues.push(issue('MULTIBOOT_HEADER', `tag ${index} (${name}): size ${hex(base.size)} ${why}`, { where: at(fieldOffset(MB2_TAG, pos, 'size'), `tag ${index} size`) }));
      break;
    }
    if (base.type === MB2_TAG_END) break;
    const tag = readTag(r, base, index, { offset, size: headerLength }, issues);
    // Loaders disagree on which of two such tags counts (GRUB takes the last), so a repeat is an error. Requests may repeat.
    const earlier = tags.find((x) => x.type === base.type);
    if (tag && earlier && tag.kind !== 'information-request' && tag.kind !== 'unknown') {
      issues.push(issue('MULTIBOOT_HEADER', `tag ${index} (${name}) repeats the one at ${hex(earlier.offset)}`, { where: at(fieldOffset(MB2_TAG, pos, 'type'), `tag ${index} type`) }));
    }
    if (tag) tags.push(tag);
    pos += Math.ceil(base.size / MB2_TAG_ALIGN) * MB2_TAG_ALIGN;
  }
  return hasErrors(issues) ? { issues } : { value: { offset, architecture, headerLength, tags }, issues };
}

type TagBase = Pick<Multiboot2Tag, 'type' | 'flags' | 'size' | 'offset'>;

/** One tag's body, checked; undefined (with an issue) when its size cannot hold its structure or its fields contradict. */
function readTag(r: Reader, base: TagBase, index: number, header: { offset: number; size: number }, issues: Issue[]): Multiboot2Tag | undefined {
  const name = MB2_TAG_NAMES[base.type] ?? `type ${base.type}`;
  const where = (field: string, offset = base.offset) => at(offset, `tag ${index} ${field}`);
  const bad = (field: string, message: string, offset?: number) => issues.push(issue('MULTIBOOT_HEADER', `tag ${index} (${name}): ${message}`, { where: where(field, offset) }));
  /** The tag's fields, or undefined when its size is too small for them. */
  const read = <F extends string>(s: Struct<F>): Record<F, bigint> | undefined => {
    if (base.size >= s.size) return readStruct(r, s, base.offset);
    bad('size', `size ${hex(base.size)} is below ${hex(s.size)}, the size of this tag`, fieldOffset(MB2_TAG, base.offset, 'size'));
    return undefined;
  };
  const fieldAt = <F extends string>(s: Struct<F>, field: F) => fieldOffset(s, base.offset, field);

  switch (base.type) {
    case MB2_TAG_INFORMATION_REQUEST: {
      const listed = base.size - MB2_TAG.size;
      if (listed % MB2_REQUEST_ENTRY.size !== 0) {
        bad('size', `size ${hex(base.size)} is not ${MB2_TAG.size} plus a multiple of ${MB2_REQUEST_ENTRY.size}`, fieldOffset(MB2_TAG, base.offset, 'size'));
        return undefined;
      }
      const requests = Array.from({ length: listed / MB2_REQUEST_ENTRY.size }, (_, i) =>
        Number(readStruct(r, MB2_REQUEST_ENTRY, base.offset + MB2_TAG.size + i * MB2_REQUEST_ENTRY.size).mbi_tag_type),
      );
      return { ...base, kind: 'information-request', requests };
    }
    case MB2_TAG_ADDRESS: {
      const f = read(MB2_ADDRESS_TAG);
      if (!f) return undefined;
      // load_addr -1: the file is loaded from its first byte, so load_addr is whatever puts the header at header_addr.
      let loadAddr = f.load_addr;
      if (f.load_addr === MB2_LOAD_FROM_FILE_START) {
        loadAddr = f.header_addr - BigInt(header.offset);
        if (loadAddr < 0n) {
          bad('header_addr', `load_addr is -1 (load from the start of the file), but header_addr ${hex(f.header_addr)} is below the header's file offset ${hex(header.offset)}`, fieldAt(MB2_ADDRESS_TAG, 'header_addr'));
          return undefined;
        }
      }
      const load = resolveLoad(
        {
          fileLength: r.length,
          headerOffset: header.offset,
          headerSize: header.size,
          headerAddr: f.header_addr,
          loadAddr,
          loadEndAddr: f.load_end_addr,
          bssEndAddr: f.bss_end_addr,
          where: (field) => where(field, fieldAt(MB2_ADDRESS_TAG, field)),
          prefix: `tag ${index} (${name}): `,
        },
        issues,
      );
      if (!load) return undefined;
      const fields: AddressFields = { headerAddr: f.header_addr, loadAddr: f.load_addr, loadEndAddr: f.load_end_addr, bssEndAddr: f.bss_end_addr, load };
      return { ...base, kind: 'address', ...fields };
    }
    case MB2_TAG_ENTRY_ADDRESS:
    case MB2_TAG_ENTRY_ADDRESS_EFI32:
    case MB2_TAG_ENTRY_ADDRESS_EFI64: {
      const f = read(MB2_ENTRY_TAG);
      if (!f) return undefined;
      const kind = base.type === MB2_TAG_ENTRY_ADDRESS ? 'entry-address' : base.type === MB2_TAG_ENTRY_ADDRESS_EFI32 ? 'entry-address-efi32' : 'entry-address-efi64';
      return { ...base, kind, entryAddr: f.entry_addr };
    }
    case MB2_TAG_CONSOLE_FLAGS: {
      const f = read(MB2_CONSOLE_TAG);
      if (!f) return undefined;
      return { ...base, kind: 'console-flags', consoleFlags: Number(f.console_flags) };
    }
    case MB2_TAG_FRAMEBUFFER: {
      const f = read(MB2_FRAMEBUFFER_TAG);
      if (!f) return undefined;
      return { ...base, kind: 'framebuffer', width: Number(f.width), height: Number(f.height), depth: Number(f.depth) };
    }
    case MB2_TAG_MODULE_ALIGN:
      return { ...base, kind: 'module-align' };
    case MB2_TAG_EFI_BS:
      return { ...base, kind: 'efi-boot-services' };
    case MB2_TAG_RELOCATABLE: {
      const f = read(MB2_RELOCATABLE_TAG);
      if (!f) return undefined;
      const before = issues.length;
      if (f.min_addr > f.max_addr) bad('max_addr', `max_addr ${hex(f.max_addr)} is below min_addr ${hex(f.min_addr)}`, fieldAt(MB2_RELOCATABLE_TAG, 'max_addr'));
      if (f.align > 1n && (f.align & (f.align - 1n)) !== 0n) bad('align', `align ${hex(f.align)} is not 0, 1 or a power of two`, fieldAt(MB2_RELOCATABLE_TAG, 'align'));
      const preference = Number(f.preference);
      if (MB2_RELOCATABLE_PREFERENCES[preference] === undefined) {
        bad('preference', `preference ${preference} is not 0 (none), 1 (lowest) or 2 (highest)`, fieldAt(MB2_RELOCATABLE_TAG, 'preference'));
      }
      if (issues.length > before) return undefined;
      return { ...base, kind: 'relocatable', minAddr: f.min_addr, maxAddr: f.max_addr, align: f.align, preference };
    }
    default:
      return { ...base, kind: 'unknown', body: r.slice(base.offset + MB2_TAG.size, base.size - MB2_TAG.size) };
  }
}
