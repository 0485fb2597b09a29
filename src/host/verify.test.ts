// The streaming file verifier (mimg verify) and the in-memory verifier
// (verifyImage) must give the same issues for the same bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { encodeImage, initDigests, verifyImage } from '../formats/mimg/index.js';
import type { MimgImage, MimgSection } from '../formats/mimg/types.js';
import { tempDir } from '../../test/support/toolchain.js';
import { readImageFile } from './verify.js';

function section(type: MimgSection['type'], dest: bigint, memSize: bigint, fileSize: bigint, name: string): MimgSection {
  return { type, flags: [], dest, memSize, fileSize, fileOffset: 0n, digest: new Uint8Array(32), component: 0, name, cmdline: '' };
}

function sample(digest: 'sha256' | 'xxh64'): Uint8Array {
  const image: MimgImage = {
    header: { versionMajor: 1, versionMinor: 0, protocol: 'multiboot2', cpuMode: 'protected32', digest, entry: 0x100000n, bootInfoAddr: 0x200000n, bootInfoSize: 0x1000n, ramRequired: 0x201000n, cmdline: 'console=ttyS0', fileSize: 0n },
    sections: [section('exec', 0x100000n, 0x3000n, 0x1234n, 'kernel'), section('module', 0x104000n, 0x2000n, 0x2000n, 'initrd'), section('bootinfo', 0x200000n, 0x1000n, 0n, 'bootinfo')],
  };
  const payloads = [Uint8Array.from({ length: 0x1234 }, (_, i) => (i * 7) & 0xff), Uint8Array.from({ length: 0x2000 }, (_, i) => (i * 13) & 0xff), new Uint8Array(0)];
  return encodeImage(image, payloads);
}

test('mimg verify (streaming) and verifyImage agree on every mutation', async () => {
  await initDigests();
  const dir = tempDir();
  for (const digest of ['sha256', 'xxh64'] as const) {
    const good = sample(digest);
    const file = join(dir, `v-${digest}.mimg`);
    writeFileSync(file, good);
    assert.deepEqual((await readImageFile(file, true)).issues, []);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.boolean(), async (at, xor, truncate) => {
        const bad = truncate ? good.subarray(0, at) : Uint8Array.from(good, (b, i) => (i === at ? b ^ xor : b));
        writeFileSync(file, bad);
        const streamed = (await readImageFile(file, true)).issues.map((i) => i.code);
        const inMemory = verifyImage(bad).issues.map((i) => i.code);
        assert.ok(streamed.length > 0, `mutation at ${at} detected`);
        // The streaming verifier stops before payloads when the structure is already wrong; the codes it reports are a subset.
        assert.ok(streamed.every((c) => inMemory.includes(c)), `${streamed} vs ${inMemory}`);
      }),
      { numRuns: 300, seed: 0x51 },
    );
  }
});
