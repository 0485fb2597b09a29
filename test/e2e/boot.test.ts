// Boots real images in QEMU through mimgload — chained by QEMU's own -kernel
// loader and by a real GRUB — and compares what the guest reports over
// serial with what the host says the image holds (`mimg inspect --json`).
// Fault cases must end in mimgload's specific error and never reach a kernel.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeHead, encodeHead } from '../../src/formats/mimg/index.js';
import { bootCaptured, machineArgs, mimgloadPath, runCaptured, QEMU } from '../../src/host/qemu.js';
import { assertMatches, image, kernels, MEMORY, mimg, report, sha256, TIMEOUT_MS, type Inspected } from '../support/bootcheck.js';
import { kernelLayout, KERNEL_TOOLS } from '../support/kernels.js';
import { grubIso } from '../support/grub.js';
import { missingTools, readelfSegments, tempDir } from '../support/toolchain.js';

const skip = missingTools(QEMU, 'grub-mkrescue', 'xorriso', ...KERNEL_TOOLS) ?? (existsSync(mimgloadPath()) ? undefined : 'stages/prebuilt/mimgload.elf is not built');

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
    mkdirSync(dir, { recursive: true });
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
