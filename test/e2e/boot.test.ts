// Boots real images in QEMU through mimgload — chained by QEMU's own -kernel
// loader and by a real GRUB — and compares what the guest reports over
// serial with what the host says the image holds (`mimg inspect --json`).
// Fault cases must end in mimgload's specific error and never reach a kernel.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeHead, encodeHead } from '../../src/formats/mimg/index.js';
import { bootCaptured, machineArgs, mimgloadPath, runCaptured, QEMU, type CapturedBoot } from '../../src/host/qemu.js';
import { buildKernels, kernelLayout, KERNEL_TOOLS, type TestKernels } from '../support/kernels.js';
import { grubIso } from '../support/grub.js';
import { parseTranscript, type Report } from '../support/transcript.js';
import { missingTools, readelfSegments, tempDir } from '../support/toolchain.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const EXIT_OK = 33; // the test kernels write 0x10 to isa-debug-exit
const TIMEOUT_MS = 60_000;
const MEMORY = '128M';

const skip = missingTools(QEMU, 'grub-mkrescue', 'xorriso', ...KERNEL_TOOLS) ?? (spawnSync('test', ['-f', mimgloadPath()]).status === 0 ? undefined : 'stages/prebuilt/mimgload.elf is not built');

interface InspectedSection {
  type: string;
  start: string;
  end: string;
  component: number;
  name: string;
  cmdline: string;
  fileOffset: string;
}
interface Inspected {
  protocol: string;
  entry: string;
  cmdline: string;
  sections: InspectedSection[];
}

function mimg(...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mimg ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A config in a fresh directory with the kernels and module files it names. */
function image(name: string, protocol: 'multiboot1' | 'multiboot2', kernel: string, extra = ''): { path: string; inspect: Inspected; dir: string } {
  const dir = join(tempDir(), `boot-${name}`);
  spawnSync('mkdir', ['-p', dir]);
  copyFileSync(kernel, join(dir, 'kernel'));
  copyFileSync(kernels().second, join(dir, 'second.elf'));
  writeFileSync(join(dir, 'fixed.bin'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff)));
  writeFileSync(join(dir, 'auto.txt'), `module of ${name}\n`.repeat(300));
  const config = join(dir, 'mimg.toml');
  writeFileSync(
    config,
    `[image]\nprotocol = "${protocol}"\ncmdline = "console=ttyS0 test=${name}"\nram = "${MEMORY}"\noutput = "${name}.mimg"\n` +
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
function kernels(): TestKernels {
  return (cache ??= buildKernels());
}

function report(boot: CapturedBoot): Report {
  assert.equal(boot.timedOut, false, `QEMU timed out; serial:\n${boot.serial}`);
  return parseTranscript(boot.serial);
}

/** Everything the guest reported must match the image. */
function assertMatches(r: Report, img: { inspect: Inspected; dir: string }, boot: CapturedBoot): void {
  assert.deepEqual(r.failures, [], boot.serial);
  assert.ok(r.complete, `the kernel finished its report:\n${boot.serial}`);
  assert.equal(boot.status, EXIT_OK);
  const protocol = img.inspect.protocol;
  assert.equal(r.handoff?.protocol, protocol);
  assert.equal(r.handoff?.magic, protocol === 'multiboot1' ? 0x2badb002n : 0x36d76289n);
  assert.equal(r.cmdline, img.inspect.cmdline);
  assert.equal(r.loader, 'mimgload');
  const modules = img.inspect.sections.filter((s) => s.type === 'module').sort((a, b) => a.component - b.component);
  assert.equal(r.modules.length, modules.length, 'one module per data module');
  modules.forEach((m, i) => {
    const got = r.modules[i]!;
    assert.equal(got.start, BigInt(m.start), `module ${i} start`);
    assert.equal(got.end, BigInt(m.end), `module ${i} end`);
    assert.equal(got.string, m.cmdline ? `${m.name} ${m.cmdline}` : m.name, `module ${i} string`);
    const file = m.name === 'fixed' ? 'fixed.bin' : 'auto.txt';
    assert.equal(got.sha256, sha256(readFileSync(join(img.dir, file))), `module ${i} SHA-256 computed in the guest`);
  });
  assert.ok(r.secondPresent, 'the second executable is installed at its address');
  assert.ok(r.mmap.some((e) => e.type === 1 && e.base <= 0x100000n && e.base + e.length >= 0x2100000n), 'memory map has the RAM the image uses');
}

const boot = (path: string, memory = MEMORY, stopWhen?: RegExp) => bootCaptured({ image: path, memory }, TIMEOUT_MS, stopWhen);

describe('booting through mimgload, chained by QEMU -kernel', { skip, concurrency: 2 }, () => {
  test('Multiboot1 kernel: every address, string and SHA-256 as the image says', async () => {
    const img = image('mb1', 'multiboot1', kernels().mb1);
    const b = await boot(img.path);
    const r = report(b);
    assertMatches(r, img, b);
    // mimgload passes on the chain loader's map: the same kernel booted by QEMU alone sees the same one.
    const direct = report(await runCaptured(['-kernel', kernels().mb1, ...machineArgs(MEMORY)], TIMEOUT_MS));
    assert.deepEqual(r.mmap, direct.mmap);
  });

  test('Multiboot2 kernel', async () => {
    const img = image('mb2', 'multiboot2', kernels().mb2);
    const b = await boot(img.path);
    assertMatches(report(b), img, b);
  });

  test('a.out-kludge kernel (flat binary) is loaded by its header fields', async () => {
    const img = image('aout', 'multiboot1', kernels().mb1Aout);
    const exec = img.inspect.sections.filter((s) => s.type === 'exec' && s.component === 0);
    assert.equal(BigInt(exec[0]!.start), kernelLayout().aoutAddress);
    const b = await boot(img.path);
    assertMatches(report(b), img, b);
  });

  test('ELF64 kernel with Multiboot headers is entered in 32-bit protected mode', async () => {
    const img = image('mb64', 'multiboot2', kernels().mb64);
    const b = await boot(img.path);
    assertMatches(report(b), img, b);
  });

  test('relocatable (ET_DYN) kernel: moved, relocated, entered', async () => {
    const img = image('pie', 'multiboot2', kernels().mb2Pie);
    const b = await boot(img.path);
    const r = report(b);
    assertMatches(r, img, b);
    const kernelStart = img.inspect.sections.filter((s) => s.component === 0).map((s) => BigInt(s.start)).reduce((a, c) => (c < a ? c : a));
    const link = readelfSegments(kernels().mb2Pie).filter((s) => s.type === 'LOAD').map((s) => s.paddr).reduce((a, c) => (c < a ? c : a));
    assert.ok(r.relocation, 'the kernel reported its base');
    assert.equal(r.relocation.base - r.relocation.link, kernelStart - link, 'runs where the image put it');
    assert.notEqual(kernelStart, link, 'it was moved');
    assert.ok(r.relocOk, 'R_386_RELATIVE relocations applied');
  });

  test('the chain loader put the image where a section must go: it still boots', async () => {
    // QEMU places the module right after mimgload, page aligned; put a module exactly there.
    const end = readelfSegments(mimgloadPath()).filter((s) => s.type === 'LOAD').reduce((m, s) => (s.paddr + s.memsz > m ? s.paddr + s.memsz : m), 0n);
    const at = (end + 0xfffn) & ~0xfffn;
    const dir = join(tempDir(), 'clash-data');
    spawnSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'clash.bin'), Buffer.alloc(0x20000, 0x5a));
    const img = image('clash', 'multiboot1', kernels().mb1, `[[module]]\nname = "clash"\npath = "${join(dir, 'clash.bin')}"\naddress = 0x${at.toString(16)}\n`);
    const b = await boot(img.path);
    const r = report(b);
    assert.ok(r.complete, b.serial);
    const clash = r.modules.find((m) => m.string === 'clash')!;
    assert.equal(clash.start, at);
    assert.equal(clash.sha256, sha256(readFileSync(join(dir, 'clash.bin'))));
  });
});

describe('booting through mimgload, chained by GRUB', { skip, concurrency: 2 }, () => {
  for (const [protocol, grub] of [['multiboot1', 'multiboot'], ['multiboot2', 'multiboot2']] as const) {
    test(`GRUB ${grub} -> mimgload -> ${protocol} kernel`, async () => {
      const img = image(`grub-${protocol}`, protocol, protocol === 'multiboot1' ? kernels().mb1 : kernels().mb2);
      const iso = grubIso({ name: `grub-${protocol}`, loader: mimgloadPath(), image: img.path, protocol: grub });
      const b = await runCaptured(['-cdrom', iso, ...machineArgs(MEMORY)], TIMEOUT_MS);
      assertMatches(report(b), img, b);
    });
  }
});

describe('mimgload refuses bad images before moving a byte', { skip, concurrency: 2 }, () => {
  let good: { path: string; inspect: Inspected; dir: string };
  const variant = (name: string, bytes: Uint8Array) => {
    const p = join(good.dir, `${name}.mimg`);
    writeFileSync(p, bytes);
    return p;
  };
  const expectError = async (path: string, pattern: RegExp, memory = MEMORY) => {
    const b = await boot(path, memory, /mimgload: error/);
    assert.equal(b.timedOut, false, b.serial);
    assert.match(b.serial, /mimgload: error/, b.serial);
    assert.match(b.serial, pattern, b.serial);
    assert.doesNotMatch(b.serial, /MIMGTEST begin/, 'no jump into the kernel');
  };
  const bytes = () => {
    good ??= image('fault', 'multiboot1', kernels().mb1);
    return new Uint8Array(readFileSync(good.path));
  };

  test('a flipped payload byte', async () => {
    const b = bytes();
    const at = Number(good.inspect.sections.find((s) => s.name === 'fixed')!.fileOffset) + 100;
    b[at] = b[at]! ^ 0x01;
    await expectError(variant('flip', b), /MIMG_DIGEST/);
  });

  test('a section table that is not sorted (CRCs made valid again)', async () => {
    const decoded = decodeHead(bytes());
    const sections = [...decoded.value!.sections];
    [sections[0], sections[1]] = [sections[1]!, sections[0]!];
    const b = bytes();
    b.set(encodeHead({ ...decoded.value!, sections }), 0);
    await expectError(variant('order', b), /MIMG_ORDER/);
  });

  test('two sections that overlap (CRCs made valid again)', async () => {
    const decoded = decodeHead(bytes());
    const sections = decoded.value!.sections.map((s) => ({ ...s }));
    const [a, b2] = [sections[0]!, sections[1]!];
    a.memSize = b2.dest - a.dest + 0x10n; // now runs into the next section
    const b = bytes();
    b.set(encodeHead({ ...decoded.value!, sections }), 0);
    await expectError(variant('overlap', b), /MIMG_ORDER/);
  });

  test('a truncated image', async () => {
    const b = bytes();
    await expectError(variant('trunc', b.subarray(0, b.length - 100)), /MIMG_TRUNCATED|MIMG_FIELD/);
  });

  test('wrong magic', async () => {
    const b = bytes();
    b[0] = 0x4e;
    await expectError(variant('magic', b), /MIMG_MAGIC/);
  });

  test('a module that is not a .mimg', async () => {
    bytes();
    await expectError(join(good.dir, 'auto.txt'), /MIMG_MAGIC/);
  });

  test('RAM too small for the image', async () => {
    bytes();
    await expectError(good.path, /not in usable RAM|RAM/, '24M');
  });
});
