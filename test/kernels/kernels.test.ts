// The guest test kernels themselves: build them, check each file against the
// Multiboot specifications with readelf and an independent header scan (not
// mimg's parser: these kernels are what mimg is tested with), and boot the
// ones QEMU's own -kernel loader takes (ELF32 or a.out-kludge Multiboot1)
// to check their reports against what the host gave them.
// mb2, mb64 and mb2-pie are booted through mimgload by the runtime tests.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { QEMU, machineArgs } from '../../src/host/qemu.js';
import { KERNEL_TOOLS, buildKernels, kernelLayout } from '../support/kernels.js';
import { parseTranscript, type Report } from '../support/transcript.js';
import { missingTools, readelfHeader, readelfRelocations, readelfSegments, readelfSymbols, tempDir, type ReadelfSegment } from '../support/toolchain.js';

// ---- the specifications, independently of test/kernels/include ----------

const MB1_HEADER_MAGIC = 0x1badb002;
const MB1_SEARCH_LIMIT = 8192;
const MB1_HEADER_ALIGN = 4;
const MB1_PAGE_ALIGN = 1 << 0;
const MB1_MEMORY_INFO = 1 << 1;
const MB1_ADDRESS = 1 << 16;
const MB1_BOOTLOADER_MAGIC = 0x2badb002n;
// Multiboot1 information flags.
const MB1_INFO_MEMORY = 1n << 0n;
const MB1_INFO_CMDLINE = 1n << 2n;
const MB1_INFO_MODULES = 1n << 3n;
const MB1_INFO_MEMORY_MAP = 1n << 6n;
const MB1_INFO_LOADER_NAME = 1n << 9n;

const MB2_HEADER_MAGIC = 0xe85250d6;
const MB2_SEARCH_LIMIT = 32768;
const MB2_HEADER_ALIGN = 8;
const MB2_ARCH_I386 = 0;
const MB2_HEADER_TAG_END = 0;
const MB2_HEADER_TAG_INFORMATION_REQUEST = 1;
// Boot information tags mimg provides: cmdline, loader name, modules, basic meminfo, memory map.
const MB2_PROVIDED_TAGS = [1, 2, 3, 4, 6];

const MMAP_AVAILABLE = 1;
const PAGE_SIZE = 0x1000n;
const KIB = 1024n;
const MIB = 1024n * KIB;

const u32 = (b: Buffer, at: number): number => b.readUInt32LE(at);
const sum32 = (...words: number[]): number => words.reduce((a, w) => (a + w) >>> 0, 0);

interface Mb1Header {
  offset: number;
  flags: number;
  /** The five address fields, when flag 16 is set. */
  address?: { headerAddr: number; loadAddr: number; loadEndAddr: number; bssEndAddr: number; entryAddr: number };
}

/** The Multiboot1 header a loader finds: the first 4-aligned magic in the first 8 KiB with a valid checksum. */
function scanMultiboot1(file: Buffer): Mb1Header | undefined {
  for (let o = 0; o + 12 <= Math.min(file.length, MB1_SEARCH_LIMIT); o += MB1_HEADER_ALIGN) {
    if (u32(file, o) !== MB1_HEADER_MAGIC || sum32(u32(file, o), u32(file, o + 4), u32(file, o + 8)) !== 0) continue;
    const flags = u32(file, o + 4);
    if (!(flags & MB1_ADDRESS)) return { offset: o, flags };
    const [headerAddr, loadAddr, loadEndAddr, bssEndAddr, entryAddr] = [12, 16, 20, 24, 28].map((f) => u32(file, o + f)) as [number, number, number, number, number];
    return { offset: o, flags, address: { headerAddr, loadAddr, loadEndAddr, bssEndAddr, entryAddr } };
  }
  return undefined;
}

interface Mb2Header {
  offset: number;
  tags: { type: number; flags: number; size: number; offset: number }[];
}

/** The Multiboot2 header a loader finds (first 8-aligned magic in 32 KiB, valid checksum), with its tags. */
function scanMultiboot2(file: Buffer): Mb2Header | undefined {
  for (let o = 0; o + 16 <= Math.min(file.length, MB2_SEARCH_LIMIT); o += MB2_HEADER_ALIGN) {
    const [magic, arch, length, checksum] = [0, 4, 8, 12].map((f) => u32(file, o + f)) as [number, number, number, number];
    if (magic !== MB2_HEADER_MAGIC || sum32(magic, arch, length, checksum) !== 0) continue;
    assert.equal(arch, MB2_ARCH_I386, 'Multiboot2 architecture');
    const tags: Mb2Header['tags'] = [];
    for (let t = o + 16; t < o + length; t += (u32(file, t + 4) + 7) & ~7) {
      tags.push({ type: file.readUInt16LE(t), flags: file.readUInt16LE(t + 2), size: u32(file, t + 4), offset: t });
    }
    return { offset: o, tags };
  }
  return undefined;
}

/** The file offset of virtual address `vaddr`, through the LOAD segment that holds it in the file. */
function fileOffset(segments: readonly ReadelfSegment[], vaddr: bigint): number {
  const s = segments.find((p) => p.type === 'LOAD' && p.vaddr <= vaddr && vaddr < p.vaddr + p.filesz);
  assert.ok(s, `no LOAD segment holds 0x${vaddr.toString(16)} in the file`);
  return Number(s.offset + (vaddr - s.vaddr));
}

function symbol(path: string, name: string): bigint {
  const s = readelfSymbols(path).find((x) => x.name === name);
  assert.ok(s, `${path} has no symbol ${name}`);
  return s.value;
}

const loads = (path: string): ReadelfSegment[] => readelfSegments(path).filter((s) => s.type === 'LOAD');

/** Checks that the Multiboot2 header a loader finds is `mb2_header` and asks for the tags mimg provides. */
function checkMultiboot2Header(path: string): void {
  const file = readFileSync(path);
  const h = scanMultiboot2(file);
  assert.ok(h, 'no Multiboot2 header in the first 32 KiB');
  assert.equal(h.offset, fileOffset(readelfSegments(path), symbol(path, 'mb2_header')));
  const request = h.tags.find((t) => t.type === MB2_HEADER_TAG_INFORMATION_REQUEST);
  assert.ok(request, 'no information request tag');
  const requested = Array.from({ length: (request.size - 8) / 4 }, (_, i) => u32(file, request.offset + 8 + 4 * i));
  assert.deepEqual(requested, MB2_PROVIDED_TAGS);
  assert.equal(h.tags.at(-1)?.type, MB2_HEADER_TAG_END, 'the last header tag is the end tag');
}

const skipBuild = missingTools(...KERNEL_TOOLS);

describe('test kernel files', { skip: skipBuild }, () => {
  const layout = kernelLayout();

  test('mb1: ELF32 at 1 MiB; its Multiboot1 header (page-aligned modules, memory info) in the first 8 KiB', () => {
    const { mb1 } = buildKernels();
    const header = readelfHeader(mb1);
    assert.deepEqual([header.class, header.type, header.machine], ['ELF32', 'EXEC', 'Intel 80386']);
    assert.equal(loads(mb1)[0]?.paddr, layout.kernelAddress);
    const h = scanMultiboot1(readFileSync(mb1));
    assert.ok(h, 'no Multiboot1 header in the first 8 KiB');
    assert.equal(h.offset, fileOffset(readelfSegments(mb1), symbol(mb1, 'mb1_header')));
    assert.equal(h.flags, MB1_PAGE_ALIGN | MB1_MEMORY_INFO);
    assert.equal(scanMultiboot2(readFileSync(mb1)), undefined, 'mb1 carries no Multiboot2 header');
  });

  test('mb2: ELF32 at 1 MiB; its Multiboot2 header in the first 32 KiB requests the tags mimg provides', () => {
    const { mb2 } = buildKernels();
    const header = readelfHeader(mb2);
    assert.deepEqual([header.class, header.type], ['ELF32', 'EXEC']);
    assert.equal(loads(mb2)[0]?.paddr, layout.kernelAddress);
    checkMultiboot2Header(mb2);
    assert.equal(scanMultiboot1(readFileSync(mb2)), undefined, 'mb2 carries no Multiboot1 header');
  });

  test('mb1-aout: the flat binary is exactly what its a.out-kludge header describes; the ELF form\'s program headers disagree', () => {
    const { mb1Aout, mb1AoutElf } = buildKernels();
    const bin = readFileSync(mb1Aout);
    const h = scanMultiboot1(bin);
    assert.ok(h?.address, 'no Multiboot1 header with address fields');
    const a = h.address;
    assert.equal(h.flags, MB1_PAGE_ALIGN | MB1_MEMORY_INFO | MB1_ADDRESS);
    assert.equal(h.offset, 0);
    assert.equal(a.headerAddr, a.loadAddr, 'the header is the first byte loaded');
    assert.equal(BigInt(a.loadAddr), layout.aoutAddress);
    assert.equal(a.loadEndAddr - a.loadAddr, bin.length, 'load_end_addr covers the whole flat binary');
    assert.ok(a.bssEndAddr > a.loadEndAddr, 'bss_end_addr asks for a zero-filled .bss');
    assert.equal(BigInt(a.entryAddr), symbol(mb1AoutElf, '_start'));
    assert.ok(a.loadAddr <= a.entryAddr && a.entryAddr < a.loadEndAddr, 'entry_addr is inside the loaded bytes');

    // The ELF form: the same header and bytes from the header's offset, but p_paddr is skewed.
    const elf = readFileSync(mb1AoutElf);
    const he = scanMultiboot1(elf);
    assert.deepEqual(he?.address, a);
    assert.deepEqual(elf.subarray(he.offset, he.offset + bin.length), bin);
    const [segment, ...more] = loads(mb1AoutElf);
    assert.equal(more.length, 0);
    assert.equal(segment?.paddr, layout.aoutAddress + layout.aoutElfSkew, 'p_paddr differs from load_addr');
  });

  test('mb64: ELF64 x86-64 in the higher half, loaded at 1 MiB, both Multiboot headers, entry inside a segment', () => {
    const { mb64 } = buildKernels();
    const header = readelfHeader(mb64);
    assert.deepEqual([header.class, header.type, header.machine], ['ELF64', 'EXEC', 'Advanced Micro Devices X86-64']);
    const segments = loads(mb64);
    assert.equal(segments[0]?.paddr, layout.kernelAddress);
    for (const s of segments) assert.equal(s.vaddr - s.paddr, layout.mb64VirtualOffset, 'virtual = physical + MB64_VIRTUAL_OFFSET');
    assert.equal(header.entry, symbol(mb64, '_start'));
    assert.ok(segments.some((s) => s.vaddr <= header.entry && header.entry < s.vaddr + s.memsz), 'e_entry is inside a segment (GRUB requires it)');
    const h1 = scanMultiboot1(readFileSync(mb64));
    assert.equal(h1?.offset, fileOffset(readelfSegments(mb64), symbol(mb64, 'mb1_header')));
    assert.equal(h1?.flags, MB1_PAGE_ALIGN | MB1_MEMORY_INFO, 'no address fields: loaded by its program headers');
    checkMultiboot2Header(mb64);
  });

  test('mb2-pie: a static ET_DYN linked at its link address, only R_386_RELATIVE relocations, Multiboot2 header', () => {
    const { mb2Pie } = buildKernels();
    const header = readelfHeader(mb2Pie);
    assert.deepEqual([header.class, header.type], ['ELF32', 'DYN']);
    const segments = readelfSegments(mb2Pie);
    assert.ok(!segments.some((s) => s.type === 'INTERP'), 'no interpreter');
    assert.ok(segments.some((s) => s.type === 'DYNAMIC'), 'a PT_DYNAMIC, where a loader finds the relocations');
    assert.equal(loads(mb2Pie)[0]?.vaddr, layout.pieLinkAddress);
    assert.equal(symbol(mb2Pie, '__image_link'), layout.pieLinkAddress);
    const relocations = readelfRelocations(mb2Pie);
    assert.ok(relocations.length > 0, 'the pointer the kernel checks needs a relocation');
    assert.deepEqual(new Set(relocations.map((r) => r.type)), new Set(['R_386_RELATIVE']));
    checkMultiboot2Header(mb2Pie);
  });

  test('second: ELF32 whose first loaded bytes, at SECOND_ADDRESS, are SECOND_MAGIC and its NUL', () => {
    const { second } = buildKernels();
    const [segment] = loads(second);
    assert.equal(segment?.paddr, layout.secondAddress);
    const magic = Buffer.from(`${layout.secondMagic}\0`, 'latin1');
    const at = Number(segment.offset);
    assert.deepEqual(readFileSync(second).subarray(at, at + magic.length), magic);
  });
});

// ---- booting with QEMU's own Multiboot1 loader ------------------------------

const BOOT_TIMEOUT_MS = 30_000;
const GUEST_RAM_MIB = 64n;
const EXIT_SUCCESS = 33; // the kernels write 0x10 to isa-debug-exit: (0x10 << 1) | 1
// Quote, backslash, a tab and UTF-8: everything the report must escape.
const APPEND = 'console=ttyS0 quote=" backslash=\\ tab=\t utf8=é';
const MODULE_ARGS = 'arg1 arg2';

interface Modules {
  paths: [string, string];
  /** QEMU's -initrd: "file args,file"; each module's string is its part, verbatim. */
  initrd: string;
  strings: [string, string];
}

let modules: Modules | undefined;
/** Two module files: 5000 patterned bytes (more than a page, not a page multiple) and a line of text. */
function moduleFiles(): Modules {
  if (modules === undefined) {
    const bin = join(tempDir(), 'module-one.bin');
    const txt = join(tempDir(), 'module-two.txt');
    writeFileSync(bin, Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 151 + (i >> 8)) & 0xff)));
    writeFileSync(txt, 'the second module\n');
    const strings: [string, string] = [`${bin} ${MODULE_ARGS}`, txt];
    modules = { paths: [bin, txt], initrd: strings.join(','), strings };
  }
  return modules;
}

interface Boot {
  status: number | null;
  signal: NodeJS.Signals | null;
  transcript: string;
  stderr: string;
}

/** Boots `kernel` with QEMU's -kernel, the two modules, APPEND and the second executable (QEMU's generic loader puts it at its ELF addresses). */
function bootDirect(kernel: string): Promise<Boot> {
  const { second } = buildKernels();
  const args = [
    '-accel', 'tcg',
    '-kernel', kernel,
    '-initrd', moduleFiles().initrd,
    '-append', APPEND,
    '-device', `loader,file=${second}`,
    ...machineArgs(`${GUEST_RAM_MIB}M`),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: BOOT_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let transcript = '';
    let stderr = '';
    child.stdout.setEncoding('latin1').on('data', (d: string) => (transcript += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, transcript, stderr }));
  });
}

/** Boots, parses, and checks every fact that does not depend on the kernel. */
async function bootAndCheck(kernel: string, loadAddress: bigint): Promise<Report> {
  const boot = await bootDirect(kernel);
  const context = `QEMU ${boot.signal === 'SIGKILL' ? `killed after ${BOOT_TIMEOUT_MS / 1000} s` : `exit status ${boot.status}`}; stderr:\n${boot.stderr}\nserial:\n${boot.transcript}`;
  // The transcript is bytes; the parser decodes the \xNN-escaped strings as UTF-8 itself.
  const report = parseTranscript(boot.transcript);
  assert.deepEqual(report.failures, [], context);
  assert.ok(report.complete, `no "MIMGTEST end": ${context}`);
  assert.equal(boot.status, EXIT_SUCCESS, context);

  assert.ok(report.handoff?.protocol === 'multiboot1', 'a Multiboot1 handoff');
  assert.equal(report.handoff.magic, MB1_BOOTLOADER_MAGIC);
  const wanted = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODULES | MB1_INFO_MEMORY_MAP | MB1_INFO_LOADER_NAME;
  assert.equal(report.handoff.flags & wanted, wanted, `flags 0x${report.handoff.flags.toString(16)}`);

  // QEMU's Multiboot command line is the kernel's file name, a space, then -append.
  assert.equal(report.cmdline, `${kernel} ${APPEND}`);
  assert.equal(report.loader, 'qemu');

  const m = moduleFiles();
  assert.equal(report.modules.length, m.paths.length);
  report.modules.forEach((mod, i) => {
    const bytes = readFileSync(m.paths[i] ?? '');
    assert.equal(mod.string, m.strings[i]);
    assert.equal(mod.end - mod.start, BigInt(bytes.length), `module ${i} size`);
    assert.equal(mod.start % PAGE_SIZE, 0n, `module ${i} is page-aligned, as the header asks`);
    assert.equal(mod.sha256, createHash('sha256').update(bytes).digest('hex'), `module ${i} SHA-256, computed in the guest`);
  });

  assert.ok(report.meminfo, 'meminfo');
  assert.ok(report.meminfo.upper * KIB + MIB <= GUEST_RAM_MIB * MIB, 'mem_upper fits in the guest RAM');
  assert.ok(
    report.mmap.some((e) => e.type === MMAP_AVAILABLE && e.base <= loadAddress && loadAddress < e.base + e.length),
    'the memory map has available RAM where the kernel runs',
  );
  assert.ok(report.secondPresent, 'the second executable was found at its address');
  assert.equal(report.relocation, undefined);
  assert.equal(report.relocOk, false);
  return report;
}

describe('test kernels booted by QEMU -kernel (Multiboot1)', { skip: skipBuild ?? missingTools(QEMU), concurrency: true }, () => {
  const layout = kernelLayout();

  test('mb1 reports magic, flags, cmdline, loader, meminfo, memory map, modules with guest SHA-256, second', async () => {
    const report = await bootAndCheck(buildKernels().mb1, layout.kernelAddress);
    assert.equal(report.kernel, 'mb1');
  });

  test('mb1-aout as a flat binary: QEMU loads it by the header fields alone', async () => {
    const report = await bootAndCheck(buildKernels().mb1Aout, layout.aoutAddress);
    assert.equal(report.kernel, 'mb1-aout');
  });

  test('mb1-aout as ELF: QEMU follows the header fields, not the skewed program headers', async () => {
    const report = await bootAndCheck(buildKernels().mb1AoutElf, layout.aoutAddress);
    assert.equal(report.kernel, 'mb1-aout');
  });
});
