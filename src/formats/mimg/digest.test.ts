import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createDigest, initDigests, payloadDigest } from './digest.js';
import type { DigestAlgorithm } from './types.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The XXH64 value stored little-endian in bytes 0..7 of the digest field. */
function xxh64Of(field: Uint8Array): bigint {
  return new DataView(field.buffer, field.byteOffset, 8).getBigUint64(0, true);
}

function digestOf(alg: DigestAlgorithm, chunks: readonly Uint8Array[]): Uint8Array {
  const d = createDigest(alg);
  for (const c of chunks) d.update(c);
  return d.digest();
}

// Runs first: every later test initialises the digests.
test("createDigest('xxh64') before initDigests() is a programming error", async () => {
  assert.throws(() => createDigest('xxh64'), /initDigests/);
  await initDigests();
  await initDigests();
  assert.doesNotThrow(() => createDigest('xxh64'));
});

test('sha256 check values', () => {
  assert.equal(hexOf(digestOf('sha256', [])), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(hexOf(digestOf('sha256', [ascii('abc')])), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('xxh64 check values, seed 0, little-endian in bytes 0..7, rest zero', () => {
  assert.equal(xxh64Of(digestOf('xxh64', [])), 0xef46db3751d8e999n);
  assert.equal(xxh64Of(digestOf('xxh64', [ascii('123456789')])), 0x8cb841db40e6ae83n);
  const field = digestOf('xxh64', [ascii('abc')]);
  assert.equal(hexOf(field.subarray(0, 8)), '990977adf52cbc44', 'XXH64("abc") = 0x44BC2CF5AD770999, stored little-endian');
  assert.ok(field.subarray(8).every((b) => b === 0));
});

test('digests do not depend on how the input is split into chunks', () => {
  fc.assert(
    fc.property(fc.constantFrom<DigestAlgorithm>('sha256', 'xxh64'), fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 5 }), (alg, data, cuts) => {
      const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
      const chunks = [0, ...points].map((p, i) => data.subarray(p, [...points, data.length][i]));
      assert.deepEqual(digestOf(alg, chunks), digestOf(alg, [data]));
    }),
  );
});

test('the digest of an empty payload is all zero', () => {
  assert.ok(payloadDigest('sha256', new Uint8Array(0)).every((b) => b === 0));
  assert.ok(payloadDigest('xxh64', new Uint8Array(0)).every((b) => b === 0));
});

test('xxh64 agrees with `xxhsum -H64`', (t) => {
  if (spawnSync('xxhsum', ['--version']).error) {
    t.skip('xxhsum not installed (Debian package xxhash)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mimg-xxh-'));
  try {
    // Sizes around XXH64's 32-byte stripes, and one spanning several of xxhash-wasm's internal buffers.
    for (const size of [0, 1, 31, 32, 33, 100, 4096, 1_000_003]) {
      const data = new Uint8Array(size).map((_, i) => (i * 2654435761) >>> 24);
      const file = join(dir, `in${size}`);
      writeFileSync(file, data);
      const out = spawnSync('xxhsum', ['-H64', file], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      const expected = BigInt('0x' + out.stdout.split(/\s+/)[0]);
      assert.equal(xxh64Of(digestOf('xxh64', [data.subarray(0, size >> 1), data.subarray(size >> 1)])), expected, `size ${size}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
