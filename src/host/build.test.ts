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
import { buildElf, missingTools, readelfHeader, readelfSegments, readelfSymbols, run, tempDir } from '../../test/support/toolchain.js';
import {
  MB1_ADDRESS_FIELDS, MB2_ADDRESS_TAGS, mb1Header, mb2Header, multibootBinary, multibootElf, type TagSource,
} from '../../test/support/multiboot.js';
import { pcProfile } from '../layout/profile.js';
import { build, type BuildResult } from './build.js';
import { make } from './make.js';

const skip = missingTools('as', 'ld', 'readelf', 'gzip', 'xz', 'zstd');

/** A 32-bit kernel at 1 MiB with both Multiboot headers, requiring nothing: either Multiboot protocol loads it without a warning. */
function kernel(name: string): string {
  return multibootElf({ name, headers: mb1Header(0) + mb2Header([]) });
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

// ---------------------------------------------------------------- Multiboot headers

/** Builds `kernelPath` under `protocol` with extra config text (modules); the image is `<name>.mimg`. */
async function buildWith(name: string, protocol: 'multiboot1' | 'multiboot2' | 'mimg', kernelPath: string, extra = ''): Promise<BuildResult> {
  return build(configFor(name, protocol, kernelPath, extra));
}

async function errorWith(name: string, protocol: 'multiboot1' | 'multiboot2', kernelPath: string, extra = ''): Promise<string[]> {
  const err = await buildError(configFor(name, protocol, kernelPath, extra));
  return err.issues.map((i) => `${i.severity} ${i.code} ${i.where}: ${i.message}`);
}

function configFor(name: string, protocol: string, kernelPath: string, extra: string): string {
  const dir = tempDir();
  copyFileSync(kernelPath, join(dir, `${name}.kernel`));
  writeFileSync(join(dir, 'small.bin'), Buffer.alloc(0x100, 7));
  return config(dir, `${name}.toml`, `[image]\nprotocol = "${protocol}"\noutput = "${name}.mimg"\n[kernel]\npath = "${name}.kernel"\n${extra}`);
}

function execSections(r: BuildResult): { dest: bigint; memSize: bigint; fileSize: bigint }[] {
  return r.image.sections.filter((s) => s.type === 'exec').map(({ dest, memSize, fileSize }) => ({ dest, memSize, fileSize }));
}

function symbolOf(elf: string, name: string): bigint {
  const s = readelfSymbols(elf).find((x) => x.name === name);
  assert.ok(s, name);
  return s.value;
}

/** `offset 0x... (field)` for a field `delta` bytes into the symbol's bytes in the ELF file. */
function offsetOf(elf: string, name: string, delta: number, field: string): string {
  const v = symbolOf(elf, name);
  const seg = readelfSegments(elf).find((s) => s.type === 'LOAD' && s.vaddr <= v && v < s.vaddr + s.filesz);
  assert.ok(seg, name);
  return `offset 0x${(v - seg.vaddr + seg.offset + BigInt(delta)).toString(16)} (${field})`;
}

/** Two 0x100-byte modules placed by the layout rule with align = 16: page aligned only if the kernel asks. */
const TWO_MODULES = '[[module]]\nname = "a"\npath = "small.bin"\nalign = 16\n[[module]]\nname = "b"\npath = "small.bin"\nalign = 16\n';

function moduleStarts(r: BuildResult): bigint[] {
  return r.image.sections.filter((s) => s.type === 'module').map((s) => s.dest);
}

test('Multiboot1 address fields (flags bit 16): a flat binary is loaded by them and entered at entry_addr, by build and make', { skip }, async () => {
  const opts = { name: 'mb1-aout', headers: mb1Header(0x10000, MB1_ADDRESS_FIELDS) };
  const bin = multibootBinary(opts);
  const elf = multibootElf(opts);
  const r = await buildWith('mb1-aout', 'multiboot1', bin);
  const size = BigInt(readFileSync(bin).length);
  assert.deepEqual(execSections(r), [{ dest: 0x100000n, memSize: symbolOf(elf, 'bss_end') - 0x100000n, fileSize: size }]);
  assert.equal(r.image.header.entry, symbolOf(elf, '_start'));
  assert.deepEqual(r.warnings, []);
  const { bytes, image } = load(r.output);
  assert.ok(Buffer.from(payload(bytes, image, 'kernel')).equals(readFileSync(bin)));

  const made = await make(join(tempDir(), 'mb1-aout-make.mimg'), [bin], { protocol: 'multiboot1', cmdline: '', memory: pcProfile(128n << 20n), ram: 128n << 20n, integrity: 'sha256' });
  assert.deepEqual(execSections(made), execSections(r));
  assert.equal(made.image.header.entry, r.image.header.entry);
});

test('Multiboot1 address fields win over the ELF program headers, as in GRUB', { skip }, async () => {
  // The program headers say 4 MiB; the header fields say 1 MiB.
  const k = multibootElf({ name: 'mb1-aout-elf', headers: mb1Header(0x10000, MB1_ADDRESS_FIELDS), script: { lma: 0x400000n } });
  const size = symbolOf(k, 'load_end') - 0x100000n;
  const r = await buildWith('mb1-aout-elf', 'multiboot1', k);
  assert.deepEqual(execSections(r), [{ dest: 0x100000n, memSize: symbolOf(k, 'bss_end') - 0x100000n, fileSize: size }]);
  const { bytes, image } = load(r.output);
  const at = Number(symbolOf(k, 'mb1_header') - 0x100000n) + 0x1000; // .text starts at file offset 0x1000
  assert.ok(Buffer.from(payload(bytes, image, 'kernel')).equals(readFileSync(k).subarray(at, at + Number(size))));
  // Protocol mimg knows nothing of Multiboot: the program headers decide.
  const plain = await buildWith('mb1-aout-elf-mimg', 'mimg', k);
  assert.ok(execSections(plain).every((s) => s.dest >= 0x400000n));
});

test('an ELF64 kernel with a Multiboot header is loaded at its physical addresses and entered in 32-bit mode', { skip }, async () => {
  const k = multibootElf({ name: 'mb-elf64', bits: 64, headers: mb1Header(0) + mb2Header([]) });
  for (const protocol of ['multiboot1', 'multiboot2'] as const) {
    const r = await buildWith(`mb-elf64-${protocol}`, protocol, k);
    assert.equal(r.image.header.cpuMode, 'protected32');
    assert.equal(r.image.header.entry, readelfHeader(k).entry);
    assert.ok(execSections(r).every((s) => s.dest >= 0x100000n && s.dest + s.memSize <= 0x200000n));
  }
  assert.equal((await buildWith('mb-elf64-mimg', 'mimg', k)).image.header.cpuMode, 'long64');

  // Higher half: like GRUB, an e_entry inside a segment is entered at its physical address; so is a physical ENTRY().
  const high = { vma: 0xffffffff80100000n, lma: 0x100000n };
  const hh = multibootElf({ name: 'mb-elf64-high', bits: 64, headers: mb2Header([]), script: high });
  assert.equal((await buildWith('mb-elf64-high', 'multiboot2', hh)).image.header.entry, readelfHeader(hh).entry - high.vma + high.lma);
  const phys = multibootElf({ name: 'mb-elf64-phys', bits: 64, headers: mb2Header([]), script: { ...high, entry: '_start_phys' } });
  const r = await buildWith('mb-elf64-phys', 'multiboot2', phys);
  assert.equal(r.image.header.entry, symbolOf(phys, '_start') - high.vma + high.lma);
});

test('Multiboot1 flags bit 0: every module is page aligned, and a fixed address that is not is an error naming the module', { skip }, async () => {
  const aligned = await buildWith('mb1-align', 'multiboot1', multibootElf({ name: 'mb1-align', headers: mb1Header(0x3) }), TWO_MODULES);
  assert.ok(moduleStarts(aligned).every((a) => a % 0x1000n === 0n), moduleStarts(aligned).join());
  const loose = await buildWith('mb1-noalign', 'multiboot1', multibootElf({ name: 'mb1-noalign', headers: mb1Header(0x2) }), TWO_MODULES);
  assert.ok(moduleStarts(loose).some((a) => a % 0x1000n !== 0n), 'without the flag align = 16 is kept');

  const fixed = '[[module]]\nname = "fixed"\npath = "small.bin"\naddress = 0x800100\n';
  assert.deepEqual(await errorWith('mb1-align-fixed', 'multiboot1', multibootElf({ name: 'mb1-align-fixed', headers: mb1Header(0x1) }), fixed), [
    "error LAYOUT_ALIGN module[0].address: module 'fixed' at 0x800100 is not page aligned (0x1000), but the kernel's Multiboot header requires page-aligned modules",
  ]);
});

test('video requests: the Multiboot1 video fields and the Multiboot2 framebuffer tag go into the image; [image] framebuffer overrides them', { skip }, async () => {
  const video = multibootElf({ name: 'mb1-video', headers: mb1Header(0x4, '.long 0, 0, 0, 0, 0\n.long 0, 1024, 768, 32') });
  const r1 = await buildWith('mb1-video', 'multiboot1', video);
  assert.deepEqual(r1.warnings, []);
  assert.equal(r1.image.header.versionMinor, 1);
  assert.deepEqual(r1.image.header.framebuffer, { width: 1024, height: 768, depth: 32, required: false, text: false });
  const text = await buildWith('mb1-text', 'multiboot1', multibootElf({ name: 'mb1-text', headers: mb1Header(0x4, '.long 0, 0, 0, 0, 0\n.long 1, 80, 25, 0') }));
  assert.deepEqual(text.image.header.framebuffer, { width: 80, height: 25, depth: 0, required: false, text: true });
  for (const flags of [0, 1]) {
    const mb2 = multibootElf({ name: `mb2-fb${flags}`, headers: mb2Header([{ type: 5, flags, body: '.long 800, 600, 16' }, { type: 1, body: '.long 8' }]) });
    const r2 = await buildWith(`mb2-fb${flags}`, 'multiboot2', mb2);
    assert.deepEqual(r2.image.header.framebuffer, { width: 800, height: 600, depth: 16, required: flags === 0, text: false }, `tag flags ${flags}`);
  }
  const plain = await buildWith('mb1-plain', 'multiboot1', multibootElf({ name: 'mb1-plain', headers: mb1Header(0x3) }));
  assert.equal(plain.image.header.versionMinor, 0);
  assert.equal(plain.image.header.framebuffer, undefined);
  // The config's request wins over the header's.
  const dir = tempDir();
  copyFileSync(video, join(dir, 'video.kernel'));
  const custom = config(dir, 'mb1-custom.toml', '[image]\nprotocol = "multiboot1"\noutput = "mb1-custom.mimg"\nframebuffer = "640x480"\nframebuffer_required = true\n[kernel]\npath = "video.kernel"\n');
  const rc = await build(custom);
  assert.deepEqual(rc.image.header.framebuffer, { width: 640, height: 480, depth: 0, required: true, text: false });
});

test('Multiboot1 required flags mimg cannot honour are errors naming them; optional bits are not', { skip }, async () => {
  // Bit 5 is a requirement no specification defines; bit 17 is an optional one.
  const unknown = multibootElf({ name: 'mb1-bit5', headers: mb1Header(0x20023) });
  assert.deepEqual(await errorWith('mb1-bit5', 'multiboot1', unknown), [`error MULTIBOOT_UNSUPPORTED ${offsetOf(unknown, 'mb1_header', 4, 'flags')}: required feature bit 5 unknown (flags 0x20023)`]);
  const optional = await buildWith('mb1-bit17', 'multiboot1', multibootElf({ name: 'mb1-bit17', headers: mb1Header(0x20002) }));
  assert.deepEqual(optional.warnings, []);
});

test('Multiboot2 information requests: a required tag mimgload does not provide is an error, an optional request is not', { skip }, async () => {
  const required = multibootElf({ name: 'mb2-request', headers: mb2Header([{ type: 1, body: '.long 1, 5, 6, 21' }]) });
  const lines = await errorWith('mb2-request', 'multiboot2', required);
  assert.equal(lines.length, 2, lines.join('\n'));
  // The requests follow the 16-byte header and the 8-byte tag header, 4 bytes each.
  assert.ok(lines[0]!.startsWith(`error MULTIBOOT_UNSUPPORTED ${offsetOf(required, 'mb2_header', 16 + 8 + 4, 'tag 0 mbi_tag_types')}: `));
  assert.ok(lines[1]!.startsWith(`error MULTIBOOT_UNSUPPORTED ${offsetOf(required, 'mb2_header', 16 + 8 + 12, 'tag 0 mbi_tag_types')}: `));
  assert.match(lines[0]!, /: tag 0 \(information request\) requires boot information tag 5 \(BIOS boot device\), but mimgload provides only 1 \(boot command line\), 2 \(boot loader name\), 3 \(modules\), 4 \(basic memory information\), 6 \(memory map\), 14 \(ACPI old RSDP\), 15 \(ACPI new RSDP\)$/);
  assert.match(lines[1]!, /: tag 0 \(information request\) requires boot information tag 21 \(image load base physical address\)/);
  const optional = multibootElf({ name: 'mb2-request-opt', headers: mb2Header([{ type: 1, flags: 1, body: '.long 1, 5, 6, 21' }, { type: 1, body: '.long 1, 2, 3, 4, 6, 14, 15' }]) });
  assert.deepEqual((await buildWith('mb2-request-opt', 'multiboot2', optional)).warnings, []);
});

test('Multiboot2 address and entry address tags: a flat binary is loaded by them; an entry tag overrides e_entry', { skip }, async () => {
  const opts = { name: 'mb2-aout', headers: mb2Header(MB2_ADDRESS_TAGS) };
  const bin = multibootBinary(opts);
  const elf = multibootElf(opts);
  const r = await buildWith('mb2-aout', 'multiboot2', bin);
  assert.deepEqual(execSections(r), [{ dest: 0x100000n, memSize: symbolOf(elf, 'bss_end') - 0x100000n, fileSize: BigInt(readFileSync(bin).length) }]);
  assert.equal(r.image.header.entry, symbolOf(elf, '_start'));

  const noEntry = multibootBinary({ name: 'mb2-aout-noentry', headers: mb2Header(MB2_ADDRESS_TAGS.slice(0, 1)) });
  // The flat binary starts with the header; the address tag follows its 16 bytes.
  assert.deepEqual(await errorWith('mb2-aout-noentry', 'multiboot2', noEntry), [
    'error MULTIBOOT_HEADER offset 0x10 (tag 0): an address tag needs an entry address tag (type 3): without the ELF headers there is no other entry point',
  ]);

  // ENTRY(image_start) in the ELF header, _start in the tag: the tag wins.
  const tagged = multibootElf({ name: 'mb2-entry', headers: mb2Header([{ type: 3, body: '.long _start' }]), script: { entry: 'image_start' } });
  assert.equal(readelfHeader(tagged).entry, 0x100000n);
  assert.equal((await buildWith('mb2-entry', 'multiboot2', tagged)).image.header.entry, symbolOf(tagged, '_start'));
});

test('Multiboot2 module alignment and relocatable header tags', { skip }, async () => {
  const reloc = (min: string, align = '0x1000'): TagSource => ({ type: 10, body: `.long ${min}, 0x10000000, ${align}, 1` });
  const ok = multibootElf({ name: 'mb2-align', headers: mb2Header([{ type: 6 }, reloc('0x100000')]) });
  const r = await buildWith('mb2-align', 'multiboot2', ok, TWO_MODULES);
  assert.ok(moduleStarts(r).every((a) => a % 0x1000n === 0n), moduleStarts(r).join());

  const above = multibootElf({ name: 'mb2-reloc', headers: mb2Header([reloc('0x200000')]) });
  const lines = await errorWith('mb2-reloc', 'multiboot2', above);
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.ok(lines[0]!.startsWith(`error MULTIBOOT_UNSUPPORTED ${offsetOf(above, 'mb2_header', 16, 'tag 0')}: `));
  assert.match(lines[0]!, /: tag 0 \(relocatable header\): the kernel \[0x100000,0x10[0-9a-f]{4}\) lies outside \[min_addr, max_addr\) = \[0x200000,0x10000000\), and mimg installs Multiboot2 kernels at their own address$/);
  const misaligned = multibootElf({ name: 'mb2-reloc-align', headers: mb2Header([reloc('0x100000', '0x200000')]) });
  assert.match((await errorWith('mb2-reloc-align', 'multiboot2', misaligned)).join('\n'), /the kernel \[0x100000,0x[0-9a-f]+\) starts at 0x100000, not a multiple of align 0x200000,/);
});

test('Multiboot2 console, framebuffer, EFI and unknown tags: errors when required, ignored when optional', { skip }, async () => {
  const tags = (flags: number): TagSource[] => [
    { type: 4, flags, body: '.long 1' },
    { type: 5, flags, body: '.long 1024, 768, 32' },
    { type: 7, flags },
    { type: 8, flags, body: '.long _start' },
    { type: 9, flags, body: '.long _start' },
    { type: 42, flags },
  ];
  const required = multibootElf({ name: 'mb2-required', headers: mb2Header(tags(0)) });
  assert.deepEqual(
    (await errorWith('mb2-required', 'multiboot2', required)).map((l) => l.replace(/ offset 0x[0-9a-f]+ /, ' ')),
    [
      'error MULTIBOOT_UNSUPPORTED (tag 0 flags): tag 0 (console flags) is not optional, but mimg makes no promise about the console',
      'error MULTIBOOT_UNSUPPORTED (tag 2 flags): tag 2 (EFI boot services) is not optional, but mimgload exits or never had EFI boot services',
      'error MULTIBOOT_UNSUPPORTED (tag 3 flags): tag 3 (EFI i386 entry address) is not optional, but mimg does not enter kernels through EFI',
      'error MULTIBOOT_UNSUPPORTED (tag 4 flags): tag 4 (EFI amd64 entry address) is not optional, but mimg does not enter kernels through EFI',
      'error MULTIBOOT_UNSUPPORTED (tag 5 flags): tag 5 (type 42) is not optional, but the Multiboot2 specification does not define it',
    ],
  );
  const optional = multibootElf({ name: 'mb2-optional', headers: mb2Header(tags(1)) });
  assert.deepEqual((await buildWith('mb2-optional', 'multiboot2', optional)).warnings, []);
});

test('a Multiboot protocol without that header is a warning and the build goes on; a flat binary without address fields is not a kernel', { skip }, async () => {
  const plain = buildElf({ name: 'mb-none', bits: 32, asm: '.text\n.globl _start\n_start: hlt\n', linkerScript: 'ENTRY(_start)\nSECTIONS { . = 0x100000; .text : { *(.text) } }' });
  const r = await buildWith('mb-none', 'multiboot2', plain);
  assert.deepEqual(
    r.warnings.map((i) => `${i.severity} ${i.code} ${i.where}: ${i.message}`),
    ['warning MULTIBOOT_MISSING kernel.path: protocol is multiboot2, but the kernel has no Multiboot2 header in the first 32 KiB: mimg loads it as an ELF file, GRUB would refuse it'],
  );
  // Warnings come with errors too, so one run shows everything.
  const lines = await errorWith('mb-none-overlap', 'multiboot1', plain, '[[module]]\npath = "small.bin"\naddress = 0x100000\n');
  assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')), ['warning MULTIBOOT_MISSING', 'error LAYOUT_OVERLAP']);

  const flat = multibootBinary({ name: 'mb1-flat-noaddr', headers: mb1Header(0) });
  const err = await buildError(configFor('mb1-flat-noaddr', 'multiboot1', flat, ''));
  assert.deepEqual(err.issues.map((i) => [i.code, i.hint]), [['ELF_MAGIC', 'a kernel that is not ELF needs the Multiboot1 (flags bit 16) address fields in its Multiboot header']]);
});
