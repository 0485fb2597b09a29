// The shared .mimg test corpus: a base image with one section of every type,
// helpers to corrupt it field by field behind valid checksums, one corruption
// per rule of docs/format/mimg.md, further valid shapes, and seeded random
// mutations. src/formats/mimg/mimg.test.ts checks the TypeScript verifier on
// it; test/stages/verifier.test.ts runs the C verifier of stages/common/ over
// the same images and compares the verdicts (STYLE.md habit 11).
//
// xxh64 images need `await initDigests()` before they are built.

import { encodeImage, sealHead } from '../../src/formats/mimg/encode.js';
import { HEADER, SECTION, type Field } from '../../src/formats/mimg/struct.js';
import type { CpuMode, DigestAlgorithm, MimgHeader, MimgImage, MimgSection, SectionType } from '../../src/formats/mimg/types.js';

/** Deterministic filler bytes (xorshift32), so payloads are not all zero. */
export function filler(length: number, seed: number): Uint8Array {
  let x = seed | 1;
  return new Uint8Array(length).map(() => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

export function section(type: SectionType, dest: bigint, memSize: bigint, fileSize: bigint, more: Partial<MimgSection> = {}): MimgSection {
  return { type, flags: [], dest, memSize, fileSize, fileOffset: 0n, digest: new Uint8Array(32), component: 0, name: '', cmdline: '', ...more };
}

/** One section of every type; payloads that end mid-page, on a page boundary, and a zero section after an exec one. */
export function base(digest: DigestAlgorithm = 'sha256', cpuMode: CpuMode = 'long64'): { image: MimgImage; payloads: Uint8Array[] } {
  const sections = [
    section('reserved', 0x0n, 0x1000n, 0n, { name: 'ivt' }),
    section('bootinfo', 0x9000n, 0x1000n, 0n, { name: 'bootinfo' }),
    section('exec', 0x100000n, 0x3000n, 0x1800n, { name: 'kernel:seg0', flags: ['ro', 'x'] }),
    section('zero', 0x103000n, 0x1000n, 0n, { name: 'kernel:bss', flags: ['rw'] }),
    section('module', 0x200000n, 0x2000n, 100n, { name: 'init', cmdline: '-v', flags: ['ro', 'preload'], component: 1 }),
    section('module', 0x300000n, 0x1000n, 0x1000n, { name: 'data', component: 2 }),
  ];
  const image: MimgImage = {
    header: {
      versionMajor: 1, versionMinor: 0, protocol: 'mimg', cpuMode, digest, entry: 0x100010n,
      bootInfoAddr: 0x9000n, bootInfoSize: 0x1000n, ramRequired: 128n << 20n, cmdline: 'console=ttyS0', fileSize: 0n,
    },
    sections,
  };
  return { image, payloads: sections.map((s, i) => filler(Number(s.fileSize), i + 1)) };
}

export function encodeBase(digest: DigestAlgorithm = 'sha256', cpuMode: CpuMode = 'long64'): Uint8Array {
  const { image, payloads } = base(digest, cpuMode);
  return encodeImage(image, payloads);
}

/** A copy of `bytes` with one header field (section undefined) or section-entry field set, re-sealed unless asked not to. */
export function patch(bytes: Uint8Array, sectionIndex: number | undefined, f: Field, value: number | bigint | ((old: bigint) => bigint), reseal = true): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const at = (sectionIndex === undefined ? 0 : HEADER.size + SECTION.size * sectionIndex) + f.offset;
  const read = (): bigint => {
    switch (f.type) {
      case 'u8': return BigInt(view.getUint8(at));
      case 'u16': return BigInt(view.getUint16(at, true));
      case 'u32': return BigInt(view.getUint32(at, true));
      case 'u64': return view.getBigUint64(at, true);
      default: throw new Error('patch: bytes fields are patched by index');
    }
  };
  const v = BigInt.asUintN(f.size * 8, typeof value === 'function' ? value(read()) : BigInt(value));
  if (f.type === 'u8') view.setUint8(at, Number(v));
  else if (f.type === 'u16') view.setUint16(at, Number(v), true);
  else if (f.type === 'u32') view.setUint32(at, Number(v), true);
  else view.setBigUint64(at, v, true);
  if (reseal) sealHead(out);
  return out;
}

export function setByte(bytes: Uint8Array, offset: number, value: number, reseal = true): Uint8Array {
  const out = bytes.slice();
  out[offset] = value;
  if (reseal) sealHead(out);
  return out;
}

const H = HEADER.f;
const S = SECTION.f;

/** A higher-half virtual address (where -mcmodel=kernel links). */
const HIGH = 0xffffffff80000000n;
/** The image as format 1.1, which gives vaddr and the framebuffer fields a meaning. */
const v11 = (b: Uint8Array): Uint8Array => patch(b, undefined, H.version_minor, 1);

/** A rule of docs/format/mimg.md section 8, a corruption of the base image that breaks it, and every issue (`CODE where`) the TypeScript verifier reports. */
export type Corruption = [rule: number, what: string, mutate: (b: Uint8Array) => Uint8Array, expected: string[]];

/** One corruption per rule of docs/format/mimg.md, applied to encodeBase('sha256'); each gives exactly the issues expected. */
export const corruptions: Corruption[] = [
  [1, 'shorter than a header', (b) => b.subarray(0, 100), ['MIMG_TRUNCATED offset 0x0 (header)']],
  [1, 'magic', (b) => setByte(b, 3, 0x67, false), ['MIMG_MAGIC offset 0x0 (magic)']],
  [1, 'text-mode transfer (CRLF -> LF)', (b) => new Uint8Array([...b.subarray(0, 4), ...b.subarray(5)]), ['MIMG_MAGIC offset 0x0 (magic)']],
  [2, 'major version', (b) => patch(b, undefined, H.version_major, 2), ['MIMG_VERSION offset 0x8 (version_major)']],
  [2, 'newer minor version', (b) => patch(b, undefined, H.version_minor, 2), ['MIMG_VERSION offset 0xa (version_minor)']],
  [3, 'header_crc32', (b) => patch(b, undefined, H.entry, 0x100020n, false), ['MIMG_CHECKSUM offset 0x64 (header_crc32)']],
  [4, 'header_size', (b) => patch(b, undefined, H.header_size, 256), ['MIMG_FIELD offset 0xc (header_size)']],
  [4, 'section_table_offset', (b) => patch(b, undefined, H.section_table_offset, 256n), ['MIMG_FIELD offset 0x20 (section_table_offset)']],
  [4, 'section_entry_size', (b) => patch(b, undefined, H.section_entry_size, 64), ['MIMG_FIELD offset 0x28 (section_entry_size)']],
  [4, 'strtab_offset', (b) => patch(b, undefined, H.strtab_offset, (v) => v + 8n), ['MIMG_FIELD offset 0x2c (strtab_offset)']],
  [4, 'section_count', (b) => patch(b, undefined, H.section_count, 5), ['MIMG_FIELD offset 0x2c (strtab_offset)']],
  [5, 'string table past the end of the file', (b) => patch(b, undefined, H.strtab_size, 0x10000), ['MIMG_TRUNCATED offset 0x30 (strtab_size)']],
  [6, 'table_crc32', (b) => patch(b, 2, S.dest, 0x100001n, false), ['MIMG_CHECKSUM offset 0x60 (table_crc32)']],
  [7, 'header reserved0', (b) => setByte(b, H.reserved0.offset, 1), ['MIMG_FIELD offset 0x1b (reserved0)']],
  [7, 'header reserved2', (b) => setByte(b, H.reserved2.offset + 7, 1), ['MIMG_FIELD offset 0x78 (reserved2)']],
  [7, 'a framebuffer request in a 1.0 image', (b) => patch(patch(b, undefined, H.fb_width, 1024), undefined, H.fb_flags, 1), ['MIMG_FIELD offset 0x68 (fb_width)', 'MIMG_FIELD offset 0x74 (fb_flags)']],
  [7, 'section reserved1', (b) => patch(b, 2, S.reserved1, 1), ['MIMG_FIELD section 2 (reserved1)']],
  [8, 'protocol', (b) => patch(b, undefined, H.protocol, 0), ['MIMG_FIELD offset 0x18 (protocol)']],
  [8, 'cpu_mode', (b) => patch(b, undefined, H.cpu_mode, 4), ['MIMG_FIELD offset 0x19 (cpu_mode)']],
  [8, 'digest_alg', (b) => patch(b, undefined, H.digest_alg, 3), ['MIMG_FIELD offset 0x1a (digest_alg)']],
  [8, 'section type', (b) => patch(b, 3, S.type, 6), ['MIMG_FIELD section 3 (type)']],
  [9, 'unknown flag bit', (b) => patch(b, 2, S.flags, (v) => v | 0x100n), ['MIMG_FIELD section 2 (flags)']],
  [9, 'ro and rw', (b) => patch(b, 2, S.flags, 3), ['MIMG_FIELD section 2 (flags)']],
  [9, 'unknown fb_flags bit', (b) => patch(v11(b), undefined, H.fb_flags, 0x9), ['MIMG_FIELD offset 0x74 (fb_flags)']],
  [9, 'fb_flags required without requested', (b) => patch(v11(b), undefined, H.fb_flags, 0x2), ['MIMG_FIELD offset 0x74 (fb_flags)']],
  [9, 'fb_height without a request', (b) => patch(v11(b), undefined, H.fb_height, 768), ['MIMG_FIELD offset 0x68 (fb_width)']],
  [9, 'text mode with a depth', (b) => patch(patch(v11(b), undefined, H.fb_flags, 0x5), undefined, H.fb_depth, 8), ['MIMG_FIELD offset 0x70 (fb_depth)']],
  [10, 'string past the table', (b) => patch(b, 4, S.name_len, 0x1000), ['MIMG_FIELD section 4 (name_off)']],
  [10, 'string without its NUL', (b) => patch(b, 4, S.name_len, (v) => v - 1n), ['MIMG_FIELD section 4 (name_off)']],
  [10, 'string with a NUL inside', (b) => patch(patch(b, 4, S.name_off, (v) => v - 1n), 4, S.name_len, (v) => v + 1n), ['MIMG_FIELD section 4 (name_off)']],
  [10, 'kernel command line', (b) => patch(b, undefined, H.cmdline_off, (v) => v + 0x1000n), ['MIMG_FIELD offset 0x34 (cmdline_off)']],
  [11, 'trailing bytes', (b) => new Uint8Array([...b, 0]), ['MIMG_FIELD offset 0x58 (file_size)']],
  [11, 'file_size larger than the file', (b) => patch(b, undefined, H.file_size, (v) => v + 0x1000n), ['MIMG_TRUNCATED offset 0x58 (file_size)']],
  [11, 'last payload cut short', (b) => b.subarray(0, b.length - 1), ['MIMG_TRUNCATED offset 0x58 (file_size)', 'MIMG_TRUNCATED section 5 (file_size)']],
  [12, 'empty section', (b) => patch(b, 3, S.mem_size, 0n), ['MIMG_FIELD section 3 (mem_size)']],
  [12, 'past 2^64', (b) => patch(b, 5, S.dest, (1n << 64n) - 0x800n), ['MIMG_FIELD section 5 (mem_size)']],
  [12, 'above 4 GiB in protected32', (b) => patch(patch(b, undefined, H.cpu_mode, 1), 5, S.dest, 0xfffff800n), ['MIMG_FIELD section 5 (mem_size)']],
  [12, 'above 4 GiB in real16', (b) => patch(patch(b, undefined, H.cpu_mode, 3), 5, S.dest, 0xfffff800n), ['MIMG_FIELD section 5 (mem_size)']],
  [12, 'vaddr in a 1.0 image', (b) => patch(b, 2, S.vaddr, HIGH), ['MIMG_FIELD section 2 (vaddr)']],
  [12, 'vaddr in the lower half', (b) => patch(v11(b), 2, S.vaddr, 0x40100000n), ['MIMG_FIELD section 2 (vaddr)']],
  [12, 'vaddr running past 2^64', (b) => patch(v11(b), 2, S.vaddr, (1n << 64n) - 0x1000n), ['MIMG_FIELD section 2 (vaddr)']],
  [12, 'vaddr of a module', (b) => patch(v11(b), 4, S.vaddr, HIGH + 0x100000n), ['MIMG_FIELD section 4 (vaddr)']],
  [12, 'vaddr in protected32', (b) => patch(patch(v11(b), undefined, H.cpu_mode, 1), 2, S.vaddr, HIGH), ['MIMG_FIELD section 2 (vaddr)']],
  [12, 'vaddr with another page offset', (b) => patch(v11(b), 2, S.vaddr, HIGH + 0x800n), ['MIMG_FIELD section 2 (vaddr)']],
  [12, 'two mappings of one virtual page', (b) => patch(patch(patch(v11(b), 2, S.vaddr, HIGH), 3, S.type, 1), 3, S.vaddr, HIGH + 0x2000n), ['MIMG_FIELD section 3 (vaddr)']],
  [13, 'not sorted', (b) => patch(patch(b, 4, S.dest, 0x300000n), 5, S.dest, 0x200000n), ['MIMG_ORDER section 5 (dest)']],
  [13, 'overlap with the next section', (b) => patch(b, 2, S.mem_size, 0x3800n), ['MIMG_ORDER section 3 (dest)']],
  [13, 'contained in the previous section', (b) => patch(b, 3, S.dest, 0x101000n), ['MIMG_ORDER section 3 (dest)']],
  [13, 'same destination', (b) => patch(b, 3, S.dest, 0x100000n), ['MIMG_ORDER section 3 (dest)']],
  [14, 'file_size > mem_size', (b) => patch(b, 4, S.mem_size, 50n), ['MIMG_FIELD section 4 (file_size)']],
  [14, 'payload for a zero section', (b) => patch(patch(b, 3, S.file_size, 0x800n), 3, S.file_offset, 0x2000n), ['MIMG_DIGEST section 3 (digest)', 'MIMG_FIELD section 3 (file_size)', 'MIMG_ORDER section 3 (file_offset)']],
  [14, 'file_offset without a payload', (b) => patch(b, 3, S.file_offset, 0x1000n), ['MIMG_FIELD section 3 (file_offset)']],
  [14, 'digest without a payload', (b) => setByte(b, HEADER.size + SECTION.size * 3 + S.digest.offset + 31, 1), ['MIMG_FIELD section 3 (digest)']],
  [15, 'payload not page-aligned', (b) => patch(b, 4, S.file_offset, (v) => v + 0x10n), ['MIMG_DIGEST section 4 (digest)', 'MIMG_FIELD offset 0x3000 (padding)', 'MIMG_FIELD section 4 (file_offset)']],
  [15, 'payload inside the head', (b) => patch(b, 2, S.file_offset, 0n), ['MIMG_DIGEST section 2 (digest)', 'MIMG_FIELD offset 0x1800 (padding)', 'MIMG_FIELD section 2 (file_offset)']],
  [15, 'payload past the end of the file', (b) => patch(b, 5, S.file_offset, 0x10000n), ['MIMG_FIELD offset 0x4000 (padding)', 'MIMG_TRUNCATED section 5 (file_size)']],
  [15, 'payloads out of order', (b) => patch(b, 5, S.file_offset, 0x3000n), ['MIMG_DIGEST section 5 (digest)', 'MIMG_FIELD offset 0x4000 (padding)', 'MIMG_ORDER section 5 (file_offset)']],
  [16, 'bootinfo_addr differs from the bootinfo section', (b) => patch(b, undefined, H.bootinfo_addr, 0xa000n), ['MIMG_FIELD offset 0x40 (bootinfo_addr)']],
  [16, 'bootinfo_size differs from the bootinfo section', (b) => patch(b, undefined, H.bootinfo_size, 0x2000n), ['MIMG_FIELD offset 0x48 (bootinfo_size)']],
  [16, 'no bootinfo section', (b) => patch(b, 1, S.type, 4), ['MIMG_FIELD offset 0x48 (bootinfo_size)']],
  [16, 'two bootinfo sections', (b) => patch(b, 3, S.type, 3), ['MIMG_FIELD section 3 (type)']],
  [16, 'bootinfo section without a block', (b) => patch(patch(b, undefined, H.bootinfo_size, 0n), undefined, H.bootinfo_addr, 0n), ['MIMG_FIELD section 1 (type)']],
  [16, 'bootinfo_addr without bootinfo_size', (b) => patch(b, undefined, H.bootinfo_size, 0n), ['MIMG_FIELD offset 0x40 (bootinfo_addr)', 'MIMG_FIELD section 1 (type)']],
  [17, 'entry in a module', (b) => patch(b, undefined, H.entry, 0x200000n), ['MIMG_FIELD offset 0x10 (entry)']],
  [17, 'entry at the end of the exec section', (b) => patch(b, undefined, H.entry, 0x103000n), ['MIMG_FIELD offset 0x10 (entry)']],
  [18, 'padding after the string table', (b) => setByte(b, 0xfff, 1, false), ['MIMG_FIELD offset 0xfff (padding)']],
  [18, 'padding after a payload', (b) => setByte(b, 0x3064, 0x80, false), ['MIMG_FIELD offset 0x3064 (padding)']],
  [19, 'payload byte', (b) => setByte(b, 0x1234, b[0x1234]! ^ 1, false), ['MIMG_DIGEST section 2 (digest)']],
  [19, 'last payload byte', (b) => setByte(b, b.length - 1, b[b.length - 1]! ^ 0x80, false), ['MIMG_DIGEST section 5 (digest)']],
];

/** A named image of a corpus. */
export interface Sample {
  name: string;
  bytes: Uint8Array;
}

/** An image of the given sections with filler payloads, entered at the first exec section. */
function imageOf(digest: DigestAlgorithm, cpuMode: CpuMode, sections: MimgSection[], header: Partial<MimgHeader> = {}): Uint8Array {
  const image: MimgImage = {
    header: {
      versionMajor: 1, versionMinor: 0, protocol: 'multiboot1', cpuMode, digest,
      entry: sections.find((s) => s.type === 'exec')!.dest,
      bootInfoAddr: 0n, bootInfoSize: 0n, ramRequired: 64n << 20n, cmdline: '', fileSize: 0n,
      ...header,
    },
    sections,
  };
  return encodeImage(image, sections.map((s, i) => filler(Number(s.fileSize), i + 11)));
}

const KERNEL = 0x100000n;
/** Payload sizes around the SHA-256 block (64) and XXH64 stripe (32) and the payload alignment (4096). */
const EDGE_SIZES = [1n, 3n, 7n, 8n, 31n, 32n, 33n, 63n, 64n, 65n, 127n, 128n, 129n, 4095n, 4096n, 4097n];

/** Valid images of several shapes, for both digests; each verifies clean. */
export function validImages(): Sample[] {
  const out: Sample[] = [];
  for (const digest of ['sha256', 'xxh64'] as const) {
    const add = (name: string, bytes: Uint8Array): void => void out.push({ name: `${digest}: ${name}`, bytes });
    add('base image, long64', encodeBase(digest));
    add('base image, protected32', encodeBase(digest, 'protected32'));
    add('base image, real16', encodeBase(digest, 'real16'));
    add('a section above 4 GiB in long64', patch(encodeBase(digest), 5, S.dest, 0xfffff800n));
    add('version 1.1: a required 1024x768x32 framebuffer', imageOf(digest, 'protected32', [section('exec', KERNEL, 0x1000n, 16n)], {
      versionMinor: 1, framebuffer: { width: 1024, height: 768, depth: 32, required: true, text: false },
    }));
    add('version 1.1: best-effort text mode, any size', imageOf(digest, 'protected32', [section('exec', KERNEL, 0x1000n, 16n)], {
      versionMinor: 1, framebuffer: { width: 0, height: 0, depth: 0, required: false, text: true },
    }));
    add('version 1.1 without a request', patch(encodeBase(digest), undefined, H.version_minor, 1));
    add('one exec section without payload: the file is the head alone', imageOf(digest, 'protected32', [section('exec', KERNEL, 0x1000n, 0n)]));
    add('payload sizes around block boundaries', imageOf(digest, 'protected32', [
      section('exec', KERNEL, 0x1000n, 1n, { name: 'kernel' }),
      ...EDGE_SIZES.map((n, i) => section('module', 0x200000n + 0x2000n * BigInt(i), 0x2000n, n, { name: `m${n}`, component: i + 1 })),
    ]));
    add('a section ending at exactly 4 GiB in protected32', imageOf(digest, 'protected32', [
      section('exec', KERNEL, 0x1000n, 16n),
      section('module', 0xfffff000n, 0x1000n, 0x1000n, { name: 'top' }),
    ]));
    add('a section ending at exactly 2^64 in long64', imageOf(digest, 'long64', [
      section('exec', KERNEL, 0x1000n, 16n),
      section('reserved', (1n << 64n) - 0x1000n, 0x1000n, 0n, { name: 'top' }),
    ]));
    add('a 1 MiB payload', imageOf(digest, 'long64', [
      section('exec', KERNEL, 0x1000n, 0x40n),
      section('module', 0x1000000n, 0x200000n, 0x100005n, { name: 'initrd', cmdline: 'root=/dev/ram0' }),
    ]));
    add('a higher-half kernel (1.1): two mappings sharing a page at the same offset', imageOf(digest, 'long64', [
      section('exec', KERNEL, 0x1800n, 0x1800n, { name: 'text', vaddr: HIGH + KERNEL }),
      section('exec', KERNEL + 0x1800n, 0x3800n, 0x100n, { name: 'data', vaddr: HIGH + KERNEL + 0x1800n }),
      section('exec', (1n << 32n) - 0x1000n, 0x1000n, 0x10n, { name: 'top', vaddr: (1n << 64n) - 0x1000n }),
    ]));
    const types: SectionType[] = ['module', 'zero', 'reserved', 'module'];
    add('100 sections with long names and a bootinfo block', imageOf(digest, 'protected32', [
      section('exec', KERNEL, 0x3000n, 0x2345n, { name: 'kernel', flags: ['ro', 'x'] }),
      ...Array.from({ length: 98 }, (_, i) => {
        const type = types[i % types.length]!;
        const size = type === 'module' ? BigInt(i * 37) : 0n;
        return section(type, 0x200000n + 0x10000n * BigInt(i), 0x8000n, size, { name: `section-${i}-${'x'.repeat(i)}`, cmdline: i % 3 === 0 ? `opt=${i}` : '', component: i });
      }),
      section('bootinfo', 0x2000000n, 0x1000n, 0n, { name: 'bootinfo' }),
    ], { bootInfoAddr: 0x2000000n, bootInfoSize: 0x1000n, cmdline: 'console=ttyS0 quiet' }));
  }
  return out;
}

/** xorshift32: a seeded stream of uint32 values. */
export function rng(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** Interesting values for a field: the edges of the 32- and 64-bit ranges. */
const EDGES = [0n, 1n, 0xffffffffn, 1n << 32n, (1n << 64n) - 1n];

/**
 * `count` seeded random corruptions of `images`, in equal parts: one byte
 * changed (half of them in the head, where bytes are densest in meaning);
 * the file cut short or extended; and one field set to a random value behind
 * resealed checksums, which reaches the rules after the checksum gates.
 */
export function mutations(images: readonly Sample[], count: number, seed: number): Sample[] {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
  const u64 = (): bigint => (BigInt(next()) << 32n) | BigInt(next());
  const fields = [...HEADER.fields, ...SECTION.fields].filter((f) => f !== H.header_crc32 && f !== H.table_crc32);
  const out: Sample[] = [];
  for (let k = 0; k < count; k++) {
    const { name, bytes } = pick(images);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headEnd = view.getUint32(H.strtab_offset.offset, true) + view.getUint32(H.strtab_size.offset, true);
    const sections = view.getUint32(H.section_count.offset, true);
    if (k % 3 === 0) {
      const at = next() % 2 === 0 ? next() % headEnd : next() % bytes.length;
      const xor = (next() % 255) + 1;
      out.push({ name: `${name}, byte ${at.toString(16)} ^ ${xor.toString(16)}`, bytes: setByte(bytes, at, bytes[at]! ^ xor, false) });
    } else if (k % 3 === 1) {
      if (next() % 4 === 0) {
        const extra = (next() % 0x1000) + 1;
        const fill = next() % 2 === 0 ? new Uint8Array(extra) : filler(extra, next());
        out.push({ name: `${name}, ${extra} bytes appended`, bytes: new Uint8Array([...bytes, ...fill]) });
      } else {
        const length = next() % bytes.length;
        out.push({ name: `${name}, cut to ${length} bytes`, bytes: bytes.subarray(0, length) });
      }
    } else {
      const f = pick(fields);
      const i = HEADER.fields.includes(f) ? undefined : next() % sections;
      const place = `${i === undefined ? 'header' : `section ${i}`} ${f.name}`;
      if (f.type === 'bytes') {
        const at = (i === undefined ? 0 : HEADER.size + SECTION.size * i) + f.offset + (next() % f.size);
        const value = next() & 0xff;
        out.push({ name: `${name}, ${place} byte ${at.toString(16)} = ${value.toString(16)}, resealed`, bytes: setByte(bytes, at, value) });
      } else {
        const choice = next() % 4;
        const value = choice === 0 ? u64() : choice === 1 ? BigInt(next() % 0x2000) : choice === 2 ? pick(EDGES) : undefined;
        const delta = BigInt(next() % 33) - 16n;
        const patched = patch(bytes, i, f, value ?? ((old) => old + delta));
        out.push({ name: `${name}, ${place} = ${value === undefined ? `old + ${delta}` : `0x${value.toString(16)}`}, resealed`, bytes: patched });
      }
    }
  }
  return out;
}
