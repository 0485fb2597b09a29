// Test support for boot tests: builds an image from the test kernels with a
// fixed set of modules, and checks a guest's serial report against what
// `mimg inspect --json` says the image holds. Shared by the boot tests of
// every chain (QEMU -kernel, GRUB, BIOS disk).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CapturedBoot } from '../../src/host/qemu.js';
import { buildKernels, type TestKernels } from './kernels.js';
import { parseTranscript, type Report } from './transcript.js';
import { tempDir } from './toolchain.js';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
export const EXIT_OK = 33; // the test kernels write 0x10 to isa-debug-exit
export const TIMEOUT_MS = 60_000;
export const MEMORY = '128M';

export interface InspectedSection {
  type: string;
  flags: string[];
  /** Long64 images: where the section is also mapped (format 1.1). */
  vaddr?: string;
  start: string;
  end: string;
  component: number;
  name: string;
  cmdline: string;
  fileOffset: string;
}
export interface Inspected {
  protocol: string;
  bootInfo: { start: string; size: string };
  framebuffer: { width: number; height: number; depth: number; required: boolean; text: boolean } | null;
  entry: string;
  cmdline: string;
  sections: InspectedSection[];
}

export function mimg(...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mimg ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A config in a fresh directory with the kernels and module files it names; `imageKeys` go into its [image] table, `extra` after the modules. */
export function image(
  name: string,
  protocol: 'multiboot1' | 'multiboot2' | 'mimg',
  kernel: string,
  extra = '',
  prepare?: (dir: string) => void,
  imageKeys = '',
): { path: string; inspect: Inspected; dir: string } {
  const dir = join(tempDir(), `boot-${name}`);
  mkdirSync(dir, { recursive: true });
  prepare?.(dir);
  copyFileSync(kernel, join(dir, 'kernel'));
  copyFileSync(kernels().second, join(dir, 'second.elf'));
  writeFileSync(join(dir, 'fixed.bin'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff)));
  writeFileSync(join(dir, 'auto.txt'), `module of ${name}\n`.repeat(300));
  const config = join(dir, 'mimg.toml');
  writeFileSync(
    config,
    `[image]\nprotocol = "${protocol}"\ncmdline = "console=ttyS0 test=${name}"\nram = "${MEMORY}"\noutput = "${name}.mimg"\n${imageKeys}` +
      `[kernel]\npath = "kernel"\n` +
      `[[module]]\nname = "second"\npath = "second.elf"\nload = "elf"\n` +
      `[[module]]\nname = "fixed"\npath = "fixed.bin"\naddress = 0x2000000\ncmdline = "at=32M"\n` +
      `[[module]]\nname = "auto"\npath = "auto.txt"\n` +
      extra,
  );
  mimg('build', config);
  const path = join(dir, `${name}.mimg`);
  return { path, dir, inspect: JSON.parse(mimg('inspect', path, '--json')) as Inspected };
}

let cache: TestKernels | undefined;
export function kernels(): TestKernels {
  return (cache ??= buildKernels());
}

export function report(boot: CapturedBoot): Report {
  assert.equal(boot.timedOut, false, `QEMU timed out; serial:\n${boot.serial}`);
  return parseTranscript(boot.serial);
}

/** A module the chain loader handed mimgload besides the image (a preloaded range): its string and its file in the image's directory. */
export interface ExtraModule {
  string: string;
  file: string;
}

/** Everything the guest reported must match the image, then the extra modules, in order, after the image's own. */
export function assertMatches(r: Report, img: { inspect: Inspected; dir: string }, boot: CapturedBoot, extra: ExtraModule[] = []): void {
  assert.deepEqual(r.failures, [], boot.serial);
  assert.ok(r.complete, `the kernel finished its report:\n${boot.serial}`);
  assert.equal(boot.status, EXIT_OK);
  const protocol = img.inspect.protocol;
  assert.equal(r.handoff?.protocol, protocol);
  assert.equal(r.handoff?.magic, protocol === 'multiboot1' ? 0x2badb002n : protocol === 'mimg' ? 0x4d494d47n : 0x36d76289n);
  assert.equal(r.cmdline, img.inspect.cmdline);
  assert.equal(r.loader, 'mimgload');
  const modules = img.inspect.sections.filter((s) => s.type === 'module').sort((a, b) => a.component - b.component);
  assert.equal(r.modules.length, modules.length + extra.length, 'one module per data module, then the extra ones');
  modules.forEach((m, i) => {
    const got = r.modules[i]!;
    assert.equal(got.start, BigInt(m.start), `module ${i} start`);
    assert.equal(got.end, BigInt(m.end), `module ${i} end`);
    assert.equal(got.string, m.cmdline ? `${m.name} ${m.cmdline}` : m.name, `module ${i} string`);
    const file = m.name === 'auto' ? 'auto.txt' : `${m.name}.bin`; // the test images' data modules
    assert.equal(got.sha256, sha256(readFileSync(join(img.dir, file))), `module ${i} SHA-256 computed in the guest`);
  });
  extra.forEach((x, k) => {
    const got = r.modules[modules.length + k]!;
    const data = readFileSync(join(img.dir, x.file));
    assert.equal(got.string, x.string, `extra module ${k} string`);
    assert.equal(got.end - got.start, BigInt(data.length), `extra module ${k} size`);
    assert.equal(got.sha256, sha256(data), `extra module ${k} SHA-256 computed in the guest`);
  });
  assert.ok(r.secondPresent, 'the second executable is installed at its address');
  // The mimg protocol retypes the image's RAM in its map: test/e2e/mimg-protocol.test.ts checks that map entry by entry.
  if (protocol !== 'mimg') {
    // Every section the loader wrote lies in RAM the map calls usable (firmware may hold holes between them).
    const usable = r.mmap.filter((e) => e.type === 1);
    for (const s of img.inspect.sections.filter((x) => x.type !== 'reserved')) {
      const [start, end] = [BigInt(s.start), BigInt(s.end)];
      assert.ok(usable.some((e) => e.base <= start && end <= e.base + e.length), `the memory map gives section [${s.start}, ${s.end}) as usable RAM`);
    }
  }
}

