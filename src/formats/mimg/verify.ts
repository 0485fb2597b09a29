// The structural rules of a .mimg image that hold on its typed value (rules
// 11-17 of docs/format/mimg.md), and verification of a whole in-memory image
// (rules 1-19). Every failure is reported, not just the first.

import { hex, hexRange, issue, type Issue, type Result } from '../../diagnostics/issue.js';
import { overlaps, range, subtract, type Range } from '../../layout/range.js';
import { decodeHead, headSize, headerWhere, sectionWhere } from './decode.js';
import { payloadDigest } from './digest.js';
import { HEADER, MAP_PAGE, PAYLOAD_ALIGN, SECTION, UPPER_HALF, type Field } from './struct.js';
import type { MimgImage, MimgSection, SectionType } from './types.js';

const H = HEADER.f;
const S = SECTION.f;
const ADDRESS_SPACE = 1n << 64n;
/** protected32 and real16 images must end at or below 4 GiB. */
const LIMIT_32 = 1n << 32n;
const NO_PAYLOAD: readonly SectionType[] = ['zero', 'bootinfo', 'reserved'];
const MOD_64 = ADDRESS_SPACE - 1n;

/** The first and last page a section with a vaddr covers in the virtual address space. */
function virtualPages(s: MimgSection): [bigint, bigint] {
  const v = s.vaddr ?? 0n;
  return [v - (v % MAP_PAGE), v + s.memSize - 1n - ((v + s.memSize - 1n) % MAP_PAGE)];
}

/** Rule 12's part for vaddr: why section s may not have the vaddr it has, or undefined. */
function vaddrProblem(header: MimgImage['header'], s: MimgSection): string | undefined {
  const v = s.vaddr ?? 0n;
  if (v === 0n) return undefined;
  if (header.versionMinor < 1) return `vaddr is ${hex(v)}, but format 1.0 reserves the field (must be 0)`;
  if (header.cpuMode !== 'long64' || s.type !== 'exec') return `vaddr is ${hex(v)}, but only exec sections of long64 images are mapped at a virtual address`;
  if (v < UPPER_HALF || v + s.memSize > ADDRESS_SPACE) return `virtual range ${hexRange(v, v + s.memSize)} is not inside the upper half [${hex(UPPER_HALF)}, 2^64)`;
  if (v % MAP_PAGE !== s.dest % MAP_PAGE) return `vaddr ${hex(v)} and dest ${hex(s.dest)} differ in their offset within a ${hex(MAP_PAGE)}-byte page`;
  return undefined;
}

function memRange(s: MimgSection): Range {
  return range(s.dest, s.dest + s.memSize);
}

function describe(i: number, s: MimgSection): string {
  const r = memRange(s);
  return `section ${i} '${s.name}' ${hexRange(r.start, r.end)}`;
}

/**
 * Rules 11-17 on a decoded or freshly laid-out image, for a file of
 * `fileLength` bytes. Rules 1-10 concern the encoding and are checked by
 * decodeHead; rules 18-19 need the payload bytes (verifyImage).
 */
export function verifyStructure(image: MimgImage, fileLength: bigint): Issue[] {
  const { header, sections } = image;
  const issues: Issue[] = [];
  const fail = (code: Issue['code'], message: string, where: string): void => void issues.push(issue(code, message, { where }));

  // Rule 11.
  if (header.fileSize !== fileLength) {
    fail(fileLength < header.fileSize ? 'MIMG_TRUNCATED' : 'MIMG_FIELD', `file_size is ${hex(header.fileSize)}, the file has ${hex(fileLength)} bytes`, headerWhere(H.file_size));
  }

  const limit = header.cpuMode === 'long64' ? ADDRESS_SPACE : LIMIT_32;
  let previousPayload: number | undefined;
  sections.forEach((s, i) => {
    const where = (f: Field): string => sectionWhere(i, f);
    const end = s.dest + s.memSize;
    // Rule 12.
    if (s.memSize === 0n) fail('MIMG_FIELD', `${describe(i, s)} is empty; mem_size must be > 0`, where(S.mem_size));
    else if (end > limit) {
      const why = limit === ADDRESS_SPACE ? 'runs past the end of the 64-bit address space' : `ends above 4 GiB, out of reach in ${header.cpuMode} mode`;
      fail('MIMG_FIELD', `${describe(i, s)} ${why}`, where(S.mem_size));
    } else {
      const bad = vaddrProblem(header, s);
      if (bad !== undefined) fail('MIMG_FIELD', `${describe(i, s)}: ${bad}`, where(S.vaddr));
      else if ((s.vaddr ?? 0n) !== 0n) {
        // Two mappings that share a virtual page must agree on where it lies physically.
        const [first, last] = virtualPages(s);
        const clash = sections.slice(0, i).findIndex((o) => {
          if ((o.vaddr ?? 0n) === 0n || o.memSize === 0n || vaddrProblem(header, o) !== undefined || o.dest + o.memSize > limit) return false;
          const [of, ol] = virtualPages(o);
          return of <= last && first <= ol && ((o.vaddr! - o.dest) & MOD_64) !== ((s.vaddr! - s.dest) & MOD_64);
        });
        if (clash >= 0) fail('MIMG_FIELD', `${describe(i, s)} maps a virtual page that section ${clash} maps to other physical memory`, where(S.vaddr));
      }
    }
    // Rule 13: sorted by dest (overlaps are found below, over all pairs).
    const prev = sections[i - 1];
    if (prev !== undefined && s.dest < prev.dest) {
      fail('MIMG_ORDER', `${describe(i, s)} comes after ${describe(i - 1, prev)}; sections must be sorted by dest`, where(S.dest));
    }
    // Rule 14.
    if (s.fileSize > s.memSize) fail('MIMG_FIELD', `file_size ${hex(s.fileSize)} exceeds mem_size ${hex(s.memSize)}`, where(S.file_size));
    if (NO_PAYLOAD.includes(s.type) && s.fileSize !== 0n) fail('MIMG_FIELD', `a ${s.type} section has no payload; file_size must be 0, not ${hex(s.fileSize)}`, where(S.file_size));
    if (s.fileSize === 0n) {
      if (s.fileOffset !== 0n) fail('MIMG_FIELD', `file_offset must be 0 when file_size is 0, not ${hex(s.fileOffset)}`, where(S.file_offset));
      if (s.digest.some((b) => b !== 0)) fail('MIMG_FIELD', 'digest must be all zero when file_size is 0', where(S.digest));
    } else if (header.digest === 'xxh64' && s.digest.subarray(8).some((b) => b !== 0)) {
      fail('MIMG_FIELD', 'an xxh64 digest uses bytes 0-7 only; bytes 8-31 must be zero', where(S.digest));
    }
    // Rule 15 (decodeHead checks that payloads start after the head).
    if (s.fileSize > 0n) {
      const payloadEnd = s.fileOffset + s.fileSize;
      if (s.fileOffset % PAYLOAD_ALIGN !== 0n) fail('MIMG_FIELD', `payload offset ${hex(s.fileOffset)} is not a multiple of ${hex(PAYLOAD_ALIGN)}`, where(S.file_offset));
      if (payloadEnd > fileLength) fail('MIMG_TRUNCATED', `payload ${hexRange(s.fileOffset, payloadEnd)} runs past the end of the file (${hex(fileLength)})`, where(S.file_size));
      const p = previousPayload === undefined ? undefined : sections[previousPayload]!;
      if (p !== undefined && s.fileOffset < p.fileOffset + p.fileSize) {
        fail('MIMG_ORDER', `payload ${hexRange(s.fileOffset, payloadEnd)} starts before the end of section ${previousPayload}'s payload ${hexRange(p.fileOffset, p.fileOffset + p.fileSize)}; payloads must be disjoint and in section order`, where(S.file_offset));
      }
      previousPayload = i;
    }
  });

  // Rule 13: pairwise disjoint. Sweep in dest order, comparing each section
  // with the one reaching furthest so far; this finds every overlapping
  // section even in an unsorted table.
  const byDest = sections.map((_, i) => i).sort((a, b) => (sections[a]!.dest < sections[b]!.dest ? -1 : sections[a]!.dest > sections[b]!.dest ? 1 : a - b));
  let reach: number | undefined;
  for (const k of byDest) {
    const s = sections[k]!;
    if (reach !== undefined) {
      const r = sections[reach]!;
      if (overlaps(memRange(r), memRange(s))) {
        const [a, b] = k < reach ? [k, reach] : [reach, k]; // reported at the later entry
        fail('MIMG_ORDER', `${describe(b, sections[b]!)} overlaps ${describe(a, sections[a]!)}`, sectionWhere(b, S.dest));
      }
      if (memRange(s).end <= memRange(r).end) continue;
    }
    reach = k;
  }

  // Rule 16.
  const bootinfo = sections.flatMap((s, i) => (s.type === 'bootinfo' ? [i] : []));
  if (header.bootInfoSize === 0n) {
    if (header.bootInfoAddr !== 0n) fail('MIMG_FIELD', `bootinfo_addr is ${hex(header.bootInfoAddr)} but bootinfo_size is 0; both must be 0 when there is no boot information`, headerWhere(H.bootinfo_addr));
    for (const i of bootinfo) fail('MIMG_FIELD', `${describe(i, sections[i]!)} is a bootinfo section, but bootinfo_size is 0`, sectionWhere(i, S.type));
  } else {
    const block = hexRange(header.bootInfoAddr, header.bootInfoAddr + header.bootInfoSize);
    const [first, ...extra] = bootinfo;
    if (first === undefined) fail('MIMG_FIELD', `no bootinfo section holds the boot information block ${block}`, headerWhere(H.bootinfo_size));
    else {
      const s = sections[first]!;
      if (s.dest !== header.bootInfoAddr || s.memSize !== header.bootInfoSize) {
        fail('MIMG_FIELD', `the boot information block ${block} differs from ${describe(first, s)}`, headerWhere(s.dest !== header.bootInfoAddr ? H.bootinfo_addr : H.bootinfo_size));
      }
    }
    for (const i of extra) fail('MIMG_FIELD', `${describe(i, sections[i]!)} is a second bootinfo section (the first is section ${first})`, sectionWhere(i, S.type));
  }

  // Rule 17.
  if (!sections.some((s) => s.type === 'exec' && s.dest <= header.entry && header.entry < s.dest + s.memSize)) {
    fail('MIMG_FIELD', `entry ${hex(header.entry)} is not inside an exec section`, headerWhere(H.entry));
  }
  return issues;
}

/**
 * The file ranges that belong to neither the head nor a payload, which must
 * hold zeros (rule 18): alignment padding, and anything a corrupt table
 * leaves uncovered. For a streaming verifier: pass headSize() as headEnd.
 */
export function paddingRanges(image: MimgImage, headEnd: bigint, fileLength: bigint): Range[] {
  const used = [range(0n, headEnd), ...image.sections.map((s) => range(s.fileOffset, s.fileOffset + s.fileSize))];
  return subtract([range(0n, fileLength)], used);
}

/** Rule 18 for one padding range, given its bytes (a streaming verifier reads them itself). */
export function paddingIssue(r: Range, bytes: Uint8Array): Issue | undefined {
  const i = bytes.findIndex((b) => b !== 0);
  if (i < 0) return undefined;
  const at = r.start + BigInt(i);
  return issue('MIMG_FIELD', `byte ${hex(at)} of padding ${hexRange(r.start, r.end)} is ${hex(bytes[i]!)}; padding must be zero`, { where: `offset ${hex(at)} (padding)` });
}

/** Rule 19 for section i, given the digest of its payload as computed by the caller. */
export function digestIssue(image: MimgImage, i: number, computed: Uint8Array): Issue | undefined {
  const s = image.sections[i]!;
  if (computed.every((b, j) => b === s.digest[j])) return undefined;
  return issue('MIMG_DIGEST', `${describe(i, s)}: the ${image.header.digest} digest of payload ${hexRange(s.fileOffset, s.fileOffset + s.fileSize)} does not match`, { where: sectionWhere(i, S.digest) });
}

/**
 * Every rule, on a whole image held in memory (tests, small files). The value
 * is present whenever the head could be decoded; the image is valid when
 * there are no issues. xxh64 images need `await initDigests()` first.
 */
export function verifyImage(bytes: Uint8Array): Result<MimgImage> {
  const decoded = decodeHead(bytes);
  const image = decoded.value;
  if (image === undefined) return decoded;
  const length = BigInt(bytes.length);
  const issues = [...decoded.issues, ...verifyStructure(image, length)];

  // Rule 18.
  for (const r of paddingRanges(image, BigInt(headSize(bytes).value!), length)) {
    const bad = paddingIssue(r, bytes.subarray(Number(r.start), Number(r.end)));
    if (bad) issues.push(bad);
  }
  // Rule 19, for every payload that lies inside the file.
  image.sections.forEach((s, i) => {
    if (s.fileSize === 0n || s.fileOffset + s.fileSize > length) return;
    const payload = bytes.subarray(Number(s.fileOffset), Number(s.fileOffset + s.fileSize));
    const bad = digestIssue(image, i, payloadDigest(image.header.digest, payload));
    if (bad) issues.push(bad);
  });
  return { value: image, issues };
}
