import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hasErrors, type Issue } from '../../diagnostics/issue.js';
import { decodeHead, headSize } from './decode.js';
import { initDigests, payloadDigest } from './digest.js';
import { encodeHead, encodeImage, layoutFile } from './encode.js';
import { HEADER, SECTION } from './struct.js';
import type { CpuMode, DigestAlgorithm, MimgImage, MimgSection, SectionFlag, SectionType } from './types.js';
import { verifyImage, verifyStructure } from './verify.js';
import { base, corruptions, encodeBase, filler, patch, section, setByte } from '../../../test/support/mimg-corpus.js';

before(initDigests);

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

test('a vaddr makes the image format 1.1 and survives decoding; without one the writer stays at 1.0', () => {
  const { image, payloads } = base();
  assert.equal(decodeHead(encodeImage(image, payloads)).value!.header.versionMinor, 0);
  const high = { ...image, sections: image.sections.map((s) => (s.type === 'exec' ? { ...s, vaddr: 0xffffffff80000000n + s.dest } : s)) };
  const r = verifyImage(encodeImage(high, payloads));
  assert.deepEqual(summary(r.issues), []);
  assert.equal(r.value!.header.versionMinor, 1);
  assert.deepEqual(r.value!.sections.map((s) => s.vaddr), [undefined, undefined, 0xffffffff80100000n, undefined, undefined, undefined]);
});
