// The build pipeline end to end through the library API: real ELF files
// from Debian's toolchain, real gzip/xz/zstd files from their own tools.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MimgError } from '../diagnostics/issue.js';
import { verifyImage } from '../formats/mimg/index.js';
import type { MimgImage } from '../formats/mimg/types.js';
import { buildElf, missingTools, readelfSymbols, run, tempDir } from '../../test/support/toolchain.js';
import { build } from './build.js';

const skip = missingTools('as', 'ld', 'readelf', 'gzip', 'xz', 'zstd');

const KERNEL_LD = `
ENTRY(_start)
SECTIONS {
  . = 0x100000;
  .text : { *(.text) }
  .data : { *(.data) }
  .bss : { *(.bss) }
}`;

function kernel(name: string): string {
  return buildElf({ name, bits: 32, asm: '.text\n.globl _start\n_start: hlt\n.data\n.long 0x11223344\n.bss\n.skip 0x2000\n', linkerScript: KERNEL_LD });
}

/** An x86_64 PIE whose .data holds absolute pointers: R_X86_64_RELATIVE relocations. */
function pie(name: string): string {
  const asm = `
    .text
    .globl _start
    _start: lea ptrs(%rip), %rax
            hlt
    .data
    .balign 8
    .globl ptrs
    ptrs: .quad _start, ptrs, ptrs + 0x10
  `;
  return buildElf({ name, bits: 64, asm, ldArgs: ['-pie', '-z', 'notext', '--no-dynamic-linker', '-z', 'max-page-size=0x1000'] });
}

function config(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function load(path: string): { bytes: Uint8Array; image: MimgImage } {
  const bytes = readFileSync(path);
  const r = verifyImage(bytes);
  assert.deepEqual(r.issues, []);
  return { bytes, image: r.value! };
}

function payload(bytes: Uint8Array, image: MimgImage, name: string): Uint8Array {
  const s = image.sections.find((x) => x.name === name && x.fileSize > 0n)!;
  return bytes.subarray(Number(s.fileOffset), Number(s.fileOffset + s.fileSize));
}

async function buildError(path: string): Promise<MimgError> {
  try {
    await build(path);
  } catch (err) {
    if (err instanceof MimgError) return err;
    throw err;
  }
  assert.fail('build succeeded');
}

test('a compressed kernel builds the same image as the plain one (gzip, xz, zstd)', { skip }, async () => {
  const dir = tempDir();
  const k = kernel('kplain');
  copyFileSync(k, join(dir, 'k.elf'));
  run('gzip', ['-kf', join(dir, 'k.elf')]);
  run('xz', ['-kf', join(dir, 'k.elf')]);
  run('zstd', ['-qf', join(dir, 'k.elf')]);
  const images = [];
  for (const ext of ['', '.gz', '.xz', '.zst']) {
    const c = config(dir, `c${ext || '.plain'}.toml`, `[image]\nprotocol = "multiboot1"\noutput = "k${ext}.mimg"\n[kernel]\npath = "k.elf${ext}"\n`);
    await build(c);
    images.push(sha(readFileSync(join(dir, `k${ext}.mimg`))));
  }
  assert.equal(new Set(images).size, 1, 'byte-identical images');
});

test('data modules are passed as they are unless decompress = true', { skip }, async () => {
  const dir = tempDir();
  copyFileSync(kernel('kdata'), join(dir, 'kd.elf'));
  const text = Buffer.from('module contents '.repeat(5000));
  writeFileSync(join(dir, 'm.bin'), text);
  run('gzip', ['-kf', join(dir, 'm.bin')]);
  run('xz', ['-kf', join(dir, 'm.bin')]);
  run('zstd', ['-qf', join(dir, 'm.bin')]);
  for (const ext of ['.gz', '.xz', '.zst']) {
    const c = config(
      dir,
      `d${ext}.toml`,
      `[image]\nprotocol = "multiboot2"\noutput = "d${ext}.mimg"\n[kernel]\npath = "kd.elf"\n` +
        `[[module]]\nname = "kept"\npath = "m.bin${ext}"\n[[module]]\nname = "unpacked"\npath = "m.bin${ext}"\ndecompress = true\n`,
    );
    const before = sha(readFileSync(join(dir, `m.bin${ext}`)));
    await build(c);
    const { bytes, image } = load(join(dir, `d${ext}.mimg`));
    assert.ok(Buffer.from(payload(bytes, image, 'kept')).equals(readFileSync(join(dir, `m.bin${ext}`))), `${ext} kept compressed`);
    assert.ok(Buffer.from(payload(bytes, image, 'unpacked')).equals(text), `${ext} decompressed`);
    assert.equal(sha(readFileSync(join(dir, `m.bin${ext}`))), before, 'input untouched');
  }
});

test('a corrupt compressed module is one DECOMPRESS error and leaves no output', { skip }, async () => {
  const dir = tempDir();
  copyFileSync(kernel('kbad'), join(dir, 'kb.elf'));
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(200000, 7));
  run('xz', ['-kf', join(dir, 'big.bin')]);
  const xz = readFileSync(join(dir, 'big.bin.xz'));
  writeFileSync(join(dir, 'cut.xz'), xz.subarray(0, xz.length - 20));
  const c = config(dir, 'bad.toml', `[image]\nprotocol = "multiboot2"\noutput = "bad.mimg"\n[kernel]\npath = "kb.elf"\n[[module]]\npath = "cut.xz"\ndecompress = true\n`);
  const err = await buildError(c);
  assert.deepEqual(err.issues.map((i) => [i.code, i.where]), [['DECOMPRESS', 'module[0].path']]);
  assert.ok(!existsSync(join(dir, 'bad.mimg')));
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temporary file left');
});

test('a relocatable (ET_DYN) kernel is moved into a hole and its RELATIVE relocations applied', { skip }, async () => {
  const dir = tempDir();
  const p = pie('pk');
  copyFileSync(p, join(dir, 'pk.elf'));
  writeFileSync(join(dir, 'low.bin'), Buffer.alloc(0x3000, 1));
  const c = config(dir, 'pie.toml', `[image]\nprotocol = "mimg"\noutput = "pie.mimg"\n[kernel]\npath = "pk.elf"\n[[module]]\npath = "low.bin"\naddress = 0x100000\n`);
  const r = await build(c);
  const delta = r.plan.deltas.get(0)!;
  assert.ok(delta >= 0x103000n && delta % 0x1000n === 0n, `moved above the module, page aligned: ${delta.toString(16)}`);
  const { bytes, image } = load(join(dir, 'pie.mimg'));
  const syms = readelfSymbols(p);
  const value = (n: string) => syms.find((s) => s.name === n)!.value;
  assert.equal(image.header.entry, value('_start') + delta, 'entry moved with the image');
  assert.equal(image.header.cpuMode, 'long64');
  // Find ptrs in the installed bytes: the segment holding it, at its relocated address.
  const at = value('ptrs') + delta;
  const s = image.sections.find((x) => x.type === 'exec' && x.dest <= at && at < x.dest + x.fileSize)!;
  const view = new DataView(bytes.buffer, bytes.byteOffset + Number(s.fileOffset + (at - s.dest)));
  assert.equal(view.getBigUint64(0, true), value('_start') + delta);
  assert.equal(view.getBigUint64(8, true), value('ptrs') + delta);
  assert.equal(view.getBigUint64(16, true), value('ptrs') + 0x10n + delta);
});

test('several problems in one config are all reported, naming both parties', { skip }, async () => {
  const dir = tempDir();
  copyFileSync(kernel('kmulti'), join(dir, 'km.elf'));
  writeFileSync(join(dir, 'a.bin'), Buffer.alloc(0x100, 1));
  const c = config(
    dir,
    'multi.toml',
    `[image]\nprotocol = "multiboot1"\nram = "16M"\noutput = "multi.mimg"\n[kernel]\npath = "km.elf"\n` +
      `[[module]]\nname = "on-kernel"\npath = "a.bin"\naddress = 0x100000\n` +
      `[[module]]\nname = "in-vga"\npath = "a.bin"\naddress = 0xb8000\n` +
      `[[module]]\nname = "too-high"\npath = "a.bin"\naddress = 0x2000000\n`,
  );
  const err = await buildError(c);
  const lines = err.issues.map((i) => `${i.code} ${i.where}: ${i.message}`);
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.match(lines.find((l) => l.startsWith('LAYOUT_OVERLAP'))!, /module\[0\]\.address: module 'on-kernel' \[0x100000,0x100100\) overlaps kernel segment \d \[0x100000,/);
  assert.match(lines.find((l) => l.startsWith('LAYOUT_RESERVED'))!, /module\[1\]\.address: .*'VGA memory'/);
  assert.match(lines.find((l) => l.startsWith('LAYOUT_NO_RAM'))!, /module\[2\]\.address: .*0x1000000/);
  assert.ok(!existsSync(join(dir, 'multi.mimg')));
});
