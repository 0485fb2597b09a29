// A longer mutation run than the test suite's: random byte flips, runs of
// garbage and truncations of real ELF files and real .mimg images, fed to
// the pure parsers and verifiers. Any exception, or any case slower than the
// limit, is a bug; the run prints a summary and exits 1 if it found one.
//
//   npm run fuzz -- [CASES] [SEED]      (default 200000 cases, seed from the clock)

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseElf, relocate } from '../src/formats/elf/index.js';
import { encodeImage, initDigests, verifyImage } from '../src/formats/mimg/index.js';
import type { MimgImage } from '../src/formats/mimg/types.js';

const SLOW_MS = 250;

/** xorshift32: reproducible from the printed seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function mutate(input: Uint8Array, next: () => number): Uint8Array {
  const kind = next() % 4;
  if (kind === 0) return input.subarray(0, next() % (input.length + 1));
  const out = Uint8Array.from(input);
  const flips = 1 + (next() % 8);
  for (let i = 0; i < flips; i++) {
    // Bias towards the first 256 bytes, where the headers are.
    const at = next() % 2 === 0 ? next() % Math.min(256, out.length) : next() % out.length;
    out[at] = kind === 1 ? out[at]! ^ (1 << (next() % 8)) : next() & 0xff;
  }
  return out;
}

function sampleImage(): Uint8Array {
  const section = (type: 'exec' | 'module' | 'bootinfo', dest: bigint, memSize: bigint, fileSize: bigint, name: string) => ({
    type,
    flags: [],
    dest,
    memSize,
    fileSize,
    fileOffset: 0n,
    digest: new Uint8Array(32),
    component: 0,
    name,
    cmdline: 'x=1',
  });
  const image: MimgImage = {
    header: { versionMajor: 1, versionMinor: 0, protocol: 'multiboot2', cpuMode: 'protected32', digest: 'xxh64', entry: 0x100000n, bootInfoAddr: 0x300000n, bootInfoSize: 0x1000n, ramRequired: 0x301000n, cmdline: 'fuzz', fileSize: 0n },
    sections: [section('exec', 0x100000n, 0x2000n, 0x800n, 'kernel'), section('module', 0x200000n, 0x300n, 0x300n, 'm'), section('bootinfo', 0x300000n, 0x1000n, 0n, 'bootinfo')],
  };
  return encodeImage(image, [new Uint8Array(0x800).fill(0x90), new Uint8Array(0x300).fill(7), new Uint8Array(0)]);
}

async function main(): Promise<number> {
  const cases = Number(process.argv[2] ?? 200000);
  const seed = Number(process.argv[3] ?? Date.now() % 0xffffffff);
  await initDigests();
  const example = (name: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(`../../examples/hello/${name}`, import.meta.url))));
  const corpus: [string, Uint8Array, (b: Uint8Array) => void][] = [
    ['kernel.elf', example('kernel.elf'), fuzzElf],
    ['init.elf', example('init.elf'), fuzzElf],
    ['image.mimg', sampleImage(), (b) => void verifyImage(b)],
  ];
  const next = rng(seed);
  let failures = 0;
  let slowest = 0;
  const t0 = Date.now();
  for (let i = 0; i < cases; i++) {
    const [name, bytes, run] = corpus[i % corpus.length]!;
    const input = mutate(bytes, next);
    const t = performance.now();
    try {
      run(input);
    } catch (err) {
      failures++;
      console.error(`case ${i} (${name}, seed ${seed}): threw ${(err as Error).stack ?? err}`);
    }
    const ms = performance.now() - t;
    slowest = Math.max(slowest, ms);
    if (ms > SLOW_MS) {
      failures++;
      console.error(`case ${i} (${name}, seed ${seed}): took ${ms.toFixed(0)} ms`);
    }
  }
  console.log(`${cases} cases, seed ${seed}, ${((Date.now() - t0) / 1000).toFixed(1)} s, slowest ${slowest.toFixed(1)} ms: ${failures} failures`);
  return failures ? 1 : 0;
}

function fuzzElf(b: Uint8Array): void {
  const r = parseElf(b);
  if (r.value) relocate(r.value, r.value.type === 'dyn' ? 0x200000n : 0n);
}

process.exitCode = await main();
