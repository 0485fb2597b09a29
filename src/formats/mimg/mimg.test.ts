import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hasErrors, type Issue } from '../../diagnostics/issue.js';
import { decodeHead, headSize } from './decode.js';
import { initDigests, payloadDigest } from './digest.js';
import { encodeHead, encodeImage, layoutFile, sealHead } from './encode.js';
import { HEADER, SECTION, type Field } from './struct.js';
import type { CpuMode, DigestAlgorithm, MimgImage, MimgSection, SectionFlag, SectionType } from './types.js';
import { verifyImage, verifyStructure } from './verify.js';

before(initDigests);

/** Deterministic filler bytes (xorshift32), so payloads are not all zero. */
function filler(length: number, seed: number): Uint8Array {
  let x = seed | 1;
  return new Uint8Array(length).map(() => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

function section(type: SectionType, dest: bigint, memSize: bigint, fileSize: bigint, more: Partial<MimgSection> = {}): MimgSection {
  return { type, flags: [], dest, memSize, fileSize, fileOffset: 0n, digest: new Uint8Array(32), component: 0, name: '', cmdline: '', ...more };
}

/** One section of every type; payloads that end mid-page, on a page boundary, and a zero section after an exec one. */
function base(digest: DigestAlgorithm = 'sha256', cpuMode: CpuMode = 'long64'): { image: MimgImage; payloads: Uint8Array[] } {
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

function encodeBase(digest: DigestAlgorithm = 'sha256', cpuMode: CpuMode = 'long64'): Uint8Array {
  const { image, payloads } = base(digest, cpuMode);
  return encodeImage(image, payloads);
}

/** A copy of `bytes` with one header field (section undefined) or section-entry field set, re-sealed unless asked not to. */
function patch(bytes: Uint8Array, sectionIndex: number | undefined, f: Field, value: number | bigint | ((old: bigint) => bigint), reseal = true): Uint8Array {
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

function setByte(bytes: Uint8Array, offset: number, value: number, reseal = true): Uint8Array {
  const out = bytes.slice();
  out[offset] = value;
  if (reseal) sealHead(out);
  return out;
}

const H = HEADER.f;
const S = SECTION.f;
const summary = (issues: readonly Issue[]): string[] => issues.map((i) => `${i.code} ${i.where}`).sort();

test('the base images are valid', () => {
  for (const alg of ['sha256', 'xxh64'] as const) {
    const r = verifyImage(encodeBase(alg));
    assert.deepEqual(summary(r.issues), []);
    assert.ok(r.value);
  }
});

test('encoding is deterministic and layoutFile is idempotent', () => {
  assert.deepEqual(encodeBase(), encodeBase());
  const { image } = base();
  assert.deepEqual(layoutFile(layoutFile(image)), layoutFile(image));
});

test('layout: payloads page-aligned after the head, in section order; the file ends at the last payload', () => {
  const image = layoutFile(base().image);
  assert.deepEqual(
    image.sections.map((s) => s.fileOffset),
    [0n, 0n, 0x1000n, 0n, 0x3000n, 0x4000n],
  );
  assert.equal(image.header.fileSize, 0x5000n);
  assert.equal(encodeHead({ ...image, sections: image.sections.map((s) => ({ ...s })) }).length, 0x1000);
});

test('headSize and decodeHead work from the head alone', () => {
  const bytes = encodeBase();
  const need = headSize(bytes.subarray(0, HEADER.size));
  assert.deepEqual(need.issues, []);
  const n = need.value!;
  assert.ok(n > HEADER.size && n < 0x1000);
  assert.deepEqual(decodeHead(bytes.subarray(0, n)).value, verifyImage(bytes).value);
  assert.deepEqual(summary(decodeHead(bytes.subarray(0, n - 1)).issues), ['MIMG_TRUNCATED offset 0x30 (strtab_size)']);
});

test('verifyStructure checks a laid-out image before anything is written', () => {
  const { image, payloads } = base();
  const laid = layoutFile({ ...image, sections: image.sections.map((s, i) => ({ ...s, digest: payloadDigest('sha256', payloads[i]!) })) });
  assert.deepEqual(verifyStructure(laid, laid.header.fileSize), []);
  const bad = { ...laid, sections: laid.sections.map((s, i) => (i === 3 ? { ...s, dest: 0x102000n } : s)) };
  assert.deepEqual(summary(verifyStructure(bad, laid.header.fileSize)), ['MIMG_ORDER section 3 (dest)']);
});

test('encoders reject values they cannot represent', () => {
  const { image, payloads } = base();
  const withSection = (i: number, change: Partial<MimgSection>): MimgImage => ({ ...image, sections: image.sections.map((s, j) => (j === i ? { ...s, ...change } : s)) });
  assert.throws(() => encodeImage(withSection(4, { name: 'a\0b' }), payloads), RangeError);
  assert.throws(() => encodeImage(withSection(4, { component: 0x10000 }), payloads), RangeError);
  assert.throws(() => encodeImage(withSection(0, { dest: -1n }), payloads), RangeError);
  assert.throws(() => encodeImage(image, payloads.slice(1)), RangeError);
  assert.throws(() => encodeHead(image), /layoutFile/, 'payload offsets not assigned');
});

// One corruption per rule of docs/format/mimg.md. Each case gives exactly the issues expected.
const corruptions: [rule: number, what: string, mutate: (b: Uint8Array) => Uint8Array, expected: string[]][] = [
  [1, 'shorter than a header', (b) => b.subarray(0, 100), ['MIMG_TRUNCATED offset 0x0 (header)']],
  [1, 'magic', (b) => setByte(b, 3, 0x67, false), ['MIMG_MAGIC offset 0x0 (magic)']],
  [1, 'text-mode transfer (CRLF -> LF)', (b) => new Uint8Array([...b.subarray(0, 4), ...b.subarray(5)]), ['MIMG_MAGIC offset 0x0 (magic)']],
  [2, 'major version', (b) => patch(b, undefined, H.version_major, 2), ['MIMG_VERSION offset 0x8 (version_major)']],
  [2, 'newer minor version', (b) => patch(b, undefined, H.version_minor, 1), ['MIMG_VERSION offset 0xa (version_minor)']],
  [3, 'header_crc32', (b) => patch(b, undefined, H.entry, 0x100020n, false), ['MIMG_CHECKSUM offset 0x64 (header_crc32)']],
  [4, 'header_size', (b) => patch(b, undefined, H.header_size, 256), ['MIMG_FIELD offset 0xc (header_size)']],
  [4, 'section_table_offset', (b) => patch(b, undefined, H.section_table_offset, 256n), ['MIMG_FIELD offset 0x20 (section_table_offset)']],
  [4, 'section_entry_size', (b) => patch(b, undefined, H.section_entry_size, 64), ['MIMG_FIELD offset 0x28 (section_entry_size)']],
  [4, 'strtab_offset', (b) => patch(b, undefined, H.strtab_offset, (v) => v + 8n), ['MIMG_FIELD offset 0x2c (strtab_offset)']],
  [4, 'section_count', (b) => patch(b, undefined, H.section_count, 5), ['MIMG_FIELD offset 0x2c (strtab_offset)']],
  [5, 'string table past the end of the file', (b) => patch(b, undefined, H.strtab_size, 0x10000), ['MIMG_TRUNCATED offset 0x30 (strtab_size)']],
  [6, 'table_crc32', (b) => patch(b, 2, S.dest, 0x100001n, false), ['MIMG_CHECKSUM offset 0x60 (table_crc32)']],
  [7, 'header reserved0', (b) => setByte(b, H.reserved0.offset, 1), ['MIMG_FIELD offset 0x1b (reserved0)']],
  [7, 'header reserved2', (b) => setByte(b, H.reserved2.offset + 23, 1), ['MIMG_FIELD offset 0x68 (reserved2)']],
  [7, 'section reserved1', (b) => patch(b, 2, S.reserved1, 1), ['MIMG_FIELD section 2 (reserved1)']],
  [7, 'section reserved2', (b) => setByte(b, HEADER.size + SECTION.size * 5 + S.reserved2.offset, 1), ['MIMG_FIELD section 5 (reserved2)']],
  [8, 'protocol', (b) => patch(b, undefined, H.protocol, 0), ['MIMG_FIELD offset 0x18 (protocol)']],
  [8, 'cpu_mode', (b) => patch(b, undefined, H.cpu_mode, 4), ['MIMG_FIELD offset 0x19 (cpu_mode)']],
  [8, 'digest_alg', (b) => patch(b, undefined, H.digest_alg, 3), ['MIMG_FIELD offset 0x1a (digest_alg)']],
  [8, 'section type', (b) => patch(b, 3, S.type, 6), ['MIMG_FIELD section 3 (type)']],
  [9, 'unknown flag bit', (b) => patch(b, 2, S.flags, (v) => v | 0x100n), ['MIMG_FIELD section 2 (flags)']],
  [9, 'ro and rw', (b) => patch(b, 2, S.flags, 3), ['MIMG_FIELD section 2 (flags)']],
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

for (const [rule, what, mutate, expected] of corruptions) {
  test(`rule ${rule}: ${what}`, () => {
    const r = verifyImage(mutate(encodeBase()));
    assert.deepEqual(summary(r.issues), [...expected].sort());
  });
}

test('rule 12: a section above 4 GiB is fine in long64', () => {
  assert.deepEqual(summary(verifyImage(patch(encodeBase(), 5, S.dest, 0xfffff800n)).issues), []);
});

test('rule 14: xxh64 uses digest bytes 0-7 only', () => {
  const b = encodeBase('xxh64');
  const r = verifyImage(setByte(b, HEADER.size + SECTION.size * 2 + S.digest.offset + 8, 1));
  assert.deepEqual(summary(r.issues), ['MIMG_DIGEST section 2 (digest)', 'MIMG_FIELD section 2 (digest)']);
});

test('rule 19: xxh64 payloads are checked', () => {
  const b = encodeBase('xxh64');
  assert.deepEqual(summary(verifyImage(setByte(b, 0x4fff, b[0x4fff]! ^ 4, false)).issues), ['MIMG_DIGEST section 5 (digest)']);
});

test('issues name both parties and the ranges', () => {
  const r = verifyImage(patch(encodeBase(), 2, S.mem_size, 0x3800n));
  assert.equal(r.issues[0]!.message, "section 3 'kernel:bss' [0x103000,0x104000) overlaps section 2 'kernel:seg0' [0x100000,0x103800)");
});

// ---- Round trip over random valid images ----

const arbName = fc.string({ unit: 'grapheme', maxLength: 10 }).filter((s) => !s.includes('\0'));
const arbFlags = fc.subarray<SectionFlag>(['ro', 'rw', 'preload', 'x']).filter((f) => !(f.includes('ro') && f.includes('rw')));
const arbSpec = fc.record({
  type: fc.constantFrom<SectionType>('exec', 'module', 'zero', 'reserved'),
  gap: fc.bigInt({ min: 0n, max: 0x5000n }),
  memSize: fc.bigInt({ min: 1n, max: 0x2800n }),
  fill: fc.double({ min: 0, max: 1, noNaN: true }),
  flags: arbFlags,
  component: fc.integer({ min: 0, max: 0xffff }),
  name: arbName,
  cmdline: arbName,
});

const arbImage = fc
  .record({
    specs: fc.array(arbSpec, { minLength: 1, maxLength: 7 }),
    execAt: fc.nat(),
    bootinfoAt: fc.option(fc.nat(), { nil: undefined }),
    entryAt: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    cpuMode: fc.constantFrom<CpuMode>('protected32', 'long64', 'real16'),
    protocol: fc.constantFrom('multiboot1', 'multiboot2', 'linux', 'mimg' as const),
    digest: fc.constantFrom<DigestAlgorithm>('sha256', 'xxh64'),
    start: fc.bigInt({ min: 0n, max: 0x7fff0000n }),
    high: fc.bigInt({ min: 0n, max: (1n << 63n) }),
    cmdline: arbName,
    ramRequired: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  })
  .map((g) => {
    const n = g.specs.length;
    const execAt = g.execAt % n;
    const bootinfoAt = g.bootinfoAt === undefined || g.bootinfoAt % n === execAt ? undefined : g.bootinfoAt % n;
    let cursor = g.cpuMode === 'long64' ? g.start + g.high : g.start;
    const sections = g.specs.map((sp, i): MimgSection => {
      const type: SectionType = i === execAt ? 'exec' : i === bootinfoAt ? 'bootinfo' : sp.type;
      const dest = cursor + sp.gap;
      cursor = dest + sp.memSize;
      const fileSize = type === 'exec' || type === 'module' ? BigInt(Math.floor(Number(sp.memSize) * sp.fill)) : 0n;
      return section(type, dest, sp.memSize, fileSize, { flags: sp.flags, component: sp.component, name: sp.name, cmdline: sp.cmdline });
    });
    const exec = sections[execAt]!;
    const boot = bootinfoAt === undefined ? undefined : sections[bootinfoAt]!;
    const image: MimgImage = {
      header: {
        versionMajor: 1, versionMinor: 0, protocol: g.protocol, cpuMode: g.cpuMode, digest: g.digest,
        entry: exec.dest + BigInt(Math.floor(Number(exec.memSize) * g.entryAt)),
        bootInfoAddr: boot?.dest ?? 0n, bootInfoSize: boot?.memSize ?? 0n,
        ramRequired: g.ramRequired, cmdline: g.cmdline, fileSize: 0n,
      },
      sections,
    };
    return { image, payloads: sections.map((s, i) => filler(Number(s.fileSize), i + 7)) };
  });

test('round trip: random valid images encode, verify clean, decode to the same values and re-encode byte-exactly', () => {
  fc.assert(
    fc.property(arbImage, ({ image, payloads }) => {
      const bytes = encodeImage(image, payloads);
      const r = verifyImage(bytes);
      assert.deepEqual(summary(r.issues), []);
      const got = r.value!;
      assert.deepEqual(got.header, { ...image.header, fileSize: BigInt(bytes.length) });
      got.sections.forEach((s, i) => {
        const want = image.sections[i]!;
        assert.deepEqual({ ...s, fileOffset: 0n, digest: undefined }, { ...want, fileOffset: 0n, digest: undefined });
        assert.deepEqual(s.digest, payloadDigest(image.header.digest, payloads[i]!));
        assert.deepEqual(bytes.subarray(Number(s.fileOffset), Number(s.fileOffset + s.fileSize)), payloads[i]);
      });
      assert.deepEqual(encodeImage(got, payloads), bytes);
      const head = encodeHead(got);
      assert.deepEqual(head, bytes.subarray(0, head.length));
    }),
    { numRuns: 150 },
  );
});

// ---- Mutation: every changed byte and every truncation is detected, and nothing throws ----

test('every single-byte change anywhere in a valid image is detected; verifyImage never throws', () => {
  const images = [encodeBase('sha256'), encodeBase('xxh64')];
  const headEnd = headSize(images[0]!).value!;
  // A third of the flips go to the head, where the bytes are densest in meaning.
  const arbFlip = fc.record({
    image: fc.constantFrom(0, 1),
    inHead: fc.boolean(),
    pos: fc.nat(),
    xor: fc.integer({ min: 1, max: 255 }),
  });
  fc.assert(
    fc.property(arbFlip, ({ image, inHead, pos, xor }) => {
      const bytes = images[image]!;
      const at = inHead ? pos % headEnd : pos % bytes.length;
      const r = verifyImage(setByte(bytes, at, bytes[at]! ^ xor, false));
      assert.ok(hasErrors(r.issues), `flip of byte ${at.toString(16)} by ${xor.toString(16)} went undetected`);
    }),
    { numRuns: 3000, seed: 0x6d696d67 },
  );
});

test('every truncation and extension is detected', () => {
  for (const bytes of [encodeBase('sha256'), encodeBase('xxh64')]) {
    for (let n = 0; n < bytes.length; n += n < 0x200 ? 1 : 61) {
      assert.ok(hasErrors(verifyImage(bytes.subarray(0, n)).issues), `truncation to ${n}`);
    }
    assert.ok(hasErrors(verifyImage(new Uint8Array([...bytes, 0])).issues));
  }
});

test('fields set to random values behind valid checksums never make the decoder throw', () => {
  const bytes = encodeBase();
  const fields = [...HEADER.fields.map((f) => [undefined, f] as const), ...SECTION.fields.flatMap((f) => [0, 2, 5].map((i) => [i, f] as const))].filter(
    ([, f]) => f.type !== 'bytes' && f.name !== 'header_crc32' && f.name !== 'table_crc32',
  );
  fc.assert(
    fc.property(fc.constantFrom(...fields), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.boolean(), ([i, f], v, small) => {
      verifyImage(patch(bytes, i, f, small ? v % 0x2000n : v));
    }),
    { numRuns: 1000, seed: 7 },
  );
});
