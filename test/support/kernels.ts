// Test support: build the guest test kernels of test/kernels/ (README.md
// there) into this process's temp dir, once per process.
//
// Toolchain: clang, ld.lld and llvm-objcopy — the stages' own toolchain
// (Debian's clang and lld), which cross-compiles for i386 and x86_64 from
// one binary and preprocesses the linker scripts. Assembly is GNU as syntax
// (.S, through clang's preprocessor and integrated assembler). The kernels
// link the stages' SHA-256 (stages/common/sha256.c), the one mimgload uses.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tempDir } from './toolchain.js';

// This file runs as dist/test/support/kernels.js.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCES = join(ROOT, 'test', 'kernels');
const STAGES = join(ROOT, 'stages');
const SHA256_C = join(STAGES, 'common', 'sha256.c');

/** The tools buildKernels() runs; give them to missingTools() for a visible skip. */
export const KERNEL_TOOLS = ['clang', 'ld.lld', 'llvm-objcopy'] as const;

/** Paths of the built kernels (all in tempDir()). */
export interface TestKernels {
  /** ELF32, Multiboot1 header, at KERNEL_ADDRESS. */
  mb1: string;
  /** ELF32, Multiboot2 header with an information request, at KERNEL_ADDRESS. */
  mb2: string;
  /** mb1 whose header asks for a 1024x768x32 linear video mode (flags bit 2). */
  mb1Video: string;
  /** mb2 whose header requires an 800x600x32 framebuffer (a framebuffer tag without the optional bit) and asks for tag 8. */
  mb2Video: string;
  /** Flat binary with a Multiboot1 a.out-kludge header: loadable only by the header's fields, at AOUT_ADDRESS. */
  mb1Aout: string;
  /** mb1Aout's ELF form: the same header and bytes, but program headers AOUT_ELF_SKEW too high. */
  mb1AoutElf: string;
  /** ELF64 (x86_64), both Multiboot headers, 32-bit entry code; virtual = physical + MB64_VIRTUAL_OFFSET. */
  mb64: string;
  /** ET_DYN static PIE with a Multiboot2 header, linked at PIE_LINK_ADDRESS, R_386_RELATIVE relocations only. */
  mb2Pie: string;
  /** ELF32 executable whose first bytes, at SECOND_ADDRESS, are SECOND_MAGIC. */
  second: string;
  /** ELF64 (x86_64), no Multiboot header, linked as mb64: booted with the mimg protocol in long mode at its virtual addresses. */
  mimg64: string;
  /** ELF32, no Multiboot header, at KERNEL_ADDRESS: booted with the mimg protocol in protected mode. */
  mimg32: string;
}

/** test/kernels/include/layout.h, read from the header itself. */
export interface KernelLayout {
  kernelAddress: bigint;
  aoutAddress: bigint;
  aoutElfSkew: bigint;
  mb64VirtualOffset: bigint;
  pieLinkAddress: bigint;
  secondAddress: bigint;
  /** Without the NUL that follows it in memory. */
  secondMagic: string;
}

/** The kernels' fixed addresses, as layout.h defines them for the kernels themselves. */
export function kernelLayout(): KernelLayout {
  const text = readFileSync(join(SOURCES, 'include', 'layout.h'), 'utf8');
  const define = (name: string): string => {
    const m = new RegExp(`^#define ${name}\\s+(\\S+)`, 'm').exec(text);
    if (m?.[1] === undefined) throw new Error(`test/kernels/include/layout.h: no #define ${name}`);
    return m[1];
  };
  const magic = /^"([!-~]+)"$/.exec(define('SECOND_MAGIC'))?.[1];
  if (magic === undefined) throw new Error('test/kernels/include/layout.h: SECOND_MAGIC is not a plain quoted string');
  return {
    kernelAddress: BigInt(define('KERNEL_ADDRESS')),
    aoutAddress: BigInt(define('AOUT_ADDRESS')),
    aoutElfSkew: BigInt(define('AOUT_ELF_SKEW')),
    mb64VirtualOffset: BigInt(define('MB64_VIRTUAL_OFFSET')),
    pieLinkAddress: BigInt(define('PIE_LINK_ADDRESS')),
    secondAddress: BigInt(define('SECOND_ADDRESS')),
    secondMagic: magic,
  };
}

/** How object files are compiled: i386, i386 position-independent, x86_64 higher half. */
type Target = 'i386' | 'pie' | 'x86_64';

const TARGET_FLAGS: Record<Target, readonly string[]> = {
  i386: ['--target=i686-unknown-none-elf', '-march=i686', '-fno-pic'],
  pie: ['--target=i686-unknown-none-elf', '-march=i686', '-fpie'],
  // mb64 runs in the top 2 GiB, without a red zone (no IDT yet, but it is a kernel).
  x86_64: ['--target=x86_64-unknown-none-elf', '-mcmodel=kernel', '-mno-red-zone', '-fno-pic'],
};

const CFLAGS = [
  '-std=c11', '-O2', '-ffreestanding', '-nostdlibinc', '-fno-stack-protector',
  '-fno-asynchronous-unwind-tables', '-fcf-protection=none', '-mgeneral-regs-only',
  '-Wall', '-Wextra', '-Werror',
  '-I', join(SOURCES, 'include'), '-I', join(STAGES, 'include'),
];

const LDFLAGS = ['--build-id=none', '-z', 'noexecstack', '-nostdlib'];

interface KernelSpec {
  target: Target;
  /** Under test/kernels/, except SHA256_C. */
  sources: readonly string[];
  /** Linker script under test/kernels/, run through the C preprocessor. */
  script: string;
  ldflags?: readonly string[];
}

const COMMON = ['report.c', SHA256_C];

const KERNELS: Record<'mb1' | 'mb2' | 'mb1-video' | 'mb2-video' | 'mb1-aout' | 'mb64' | 'mb2-pie' | 'second' | 'mimg64' | 'mimg32', KernelSpec> = {
  mb1: { target: 'i386', script: 'kernel.ld.S', sources: ['entry.S', 'main.c', ...COMMON, 'mb1-header.c', 'mb1.c'] },
  mb2: { target: 'i386', script: 'kernel.ld.S', sources: ['entry.S', 'main.c', ...COMMON, 'mb2-header.c', 'mb2.c'] },
  'mb1-video': { target: 'i386', script: 'kernel.ld.S', sources: ['entry.S', 'main.c', ...COMMON, 'mb1-video.c'] },
  'mb2-video': { target: 'i386', script: 'kernel.ld.S', sources: ['entry.S', 'main.c', ...COMMON, 'mb2-video.c'] },
  'mb1-aout': { target: 'i386', script: 'aout.ld.S', sources: ['entry.S', 'main.c', ...COMMON, 'mb1-aout.c'] },
  mb64: { target: 'x86_64', script: 'mb64.ld.S', sources: ['entry64.S', 'main.c', ...COMMON, 'mb1-header.c', 'mb2-header.c', 'mb64.c'] },
  'mb2-pie': {
    target: 'pie',
    script: 'pie.ld.S',
    sources: ['entry-pie.S', ...COMMON, 'mb2-header.c', 'mb2-pie.c'],
    // A static PIE: no interpreter, and a text relocation is an error, so the
    // only relocations left are the R_386_RELATIVE ones of data pointers.
    ldflags: ['-pie', '--no-dynamic-linker', '-z', 'text'],
  },
  second: { target: 'i386', script: 'second.ld.S', sources: ['second.c'] },
  mimg64: { target: 'x86_64', script: 'mb64.ld.S', sources: ['entry-mimg64.S', ...COMMON, 'mimg64.c'] },
  mimg32: { target: 'i386', script: 'kernel.ld.S', sources: ['entry.S', 'main.c', ...COMMON, 'mimg32.c'] },
};

let built: TestKernels | undefined;

/** Builds every test kernel (once per process); returns their paths. Throws with the tool's message on any error. */
export function buildKernels(): TestKernels {
  if (built !== undefined) return built;
  if (!existsSync(SHA256_C)) throw new Error(`test kernels: ${SHA256_C} is missing; the kernels link the stages' SHA-256`);
  const out = join(tempDir(), 'kernels');
  mkdirSync(out, { recursive: true });

  const objects = new Map<string, string>(); // "<target> <source>" -> object file, each compiled once
  const compile = (source: string, target: Target): string => {
    const key = `${target} ${source}`;
    let obj = objects.get(key);
    if (obj === undefined) {
      const path = source === SHA256_C ? source : join(SOURCES, source);
      obj = join(out, `${basename(source)}.${target}.o`);
      run('clang', [...CFLAGS, ...TARGET_FLAGS[target], '-c', '-o', obj, path]);
      objects.set(key, obj);
    }
    return obj;
  };
  const link = (name: keyof typeof KERNELS): string => {
    const spec = KERNELS[name];
    const script = join(out, `${name}.ld`);
    run('clang', ['-E', '-P', '-x', 'assembler-with-cpp', '-I', join(SOURCES, 'include'), '-o', script, join(SOURCES, spec.script)]);
    const elf = join(out, `${name}.elf`);
    run('ld.lld', [...LDFLAGS, ...(spec.ldflags ?? []), '-T', script, '-o', elf, ...spec.sources.map((s) => compile(s, spec.target))]);
    return elf;
  };

  const mb1AoutElf = link('mb1-aout');
  const mb1Aout = join(out, 'mb1-aout.bin');
  run('llvm-objcopy', ['-O', 'binary', mb1AoutElf, mb1Aout]);
  built = {
    mb1: link('mb1'),
    mb2: link('mb2'),
    mb1Video: link('mb1-video'),
    mb2Video: link('mb2-video'),
    mb1Aout,
    mb1AoutElf,
    mb64: link('mb64'),
    mb2Pie: link('mb2-pie'),
    second: link('second'),
    mimg64: link('mimg64'),
    mimg32: link('mimg32'),
  };
  return built;
}
