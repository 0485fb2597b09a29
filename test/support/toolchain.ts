// Test support: build real ELF files with Debian's GNU toolchain (as, ld,
// gcc) and read them back with readelf, so format code is checked against
// what the real tools produce and say. Only tests import this; it may run
// processes and write files (in one temp dir per process, removed at exit).
//
// There is no clang or nasm here: assembly is GNU as (AT&T syntax unless the
// source says `.intel_syntax noprefix`), assembled with --32/--64 and linked
// with `ld -m elf_i386` / `ld -m elf_x86_64`.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string | undefined;

/** This process's scratch directory, created on first use and deleted when the process exits. */
export function tempDir(): string {
  if (dir === undefined) {
    const created = mkdtempSync(join(tmpdir(), 'mimg-test-'));
    dir = created;
    process.on('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return dir;
}

/** Runs a program and returns its stdout; throws with the command line and stderr when it fails. */
export function run(cmd: string, args: readonly string[]): string {
  try {
    // LC_ALL=C keeps readelf's and ld's wording stable for the parsers below.
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr?.trim() || err.message}`);
  }
}

/**
 * Why the given tools cannot be used, or undefined when all are on PATH.
 * Pass the result as node:test's `skip` option so a missing tool is a visible skip, never a pass.
 */
export function missingTools(...tools: string[]): string | undefined {
  // Only "cannot be started" counts: some tools (mkfs.fat, mke2fs) exit non-zero on --version.
  const missing = tools.filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
  return missing.length === 0 ? undefined : `not installed: ${missing.join(', ')}`;
}

export interface SourceOptions {
  /** File name stem, unique within the process (outputs are `<name>.o`, `<name>.elf`). */
  name: string;
  bits: 32 | 64;
  /** GNU as source. */
  asm?: string;
  /** Freestanding C source, compiled with gcc -m32/-m64 -ffreestanding. */
  c?: string;
  /** Extra gcc flags for `c`, e.g. ['-fpie'] for a -pie link. */
  cflags?: string[];
}

export interface BuildElfOptions extends SourceOptions {
  /** Linker script text, passed with -T (use AT() for physical addresses != virtual). Without it ld's default script applies. */
  linkerScript?: string;
  /** Extra ld arguments, e.g. ['-pie', '-z', 'notext', '--no-dynamic-linker'] for an ET_DYN with RELATIVE relocations, or ['--build-id']. */
  ldArgs?: string[];
}

/** Assembles and/or compiles the sources into object files (ET_REL); returns their paths. */
export function compile(opts: SourceOptions): string[] {
  if (opts.asm === undefined && opts.c === undefined) throw new Error(`compile ${opts.name}: give asm or c source`);
  const d = tempDir();
  const objects: string[] = [];
  if (opts.asm !== undefined) {
    const src = join(d, `${opts.name}.s`);
    const obj = join(d, `${opts.name}.s.o`);
    writeFileSync(src, opts.asm);
    run('as', [`--${opts.bits}`, '-o', obj, src]);
    objects.push(obj);
  }
  if (opts.c !== undefined) {
    const src = join(d, `${opts.name}.c`);
    const obj = join(d, `${opts.name}.c.o`);
    writeFileSync(src, opts.c);
    const flags = ['-ffreestanding', '-fno-stack-protector', '-fno-asynchronous-unwind-tables', '-O2', ...(opts.cflags ?? [])];
    run('gcc', [`-m${opts.bits}`, ...flags, '-c', '-o', obj, src]);
    objects.push(obj);
  }
  return objects;
}

/** Builds an executable from GNU as (and/or C) source with ld; returns the path of the ELF file. */
export function buildElf(opts: BuildElfOptions): string {
  const d = tempDir();
  const objects = compile(opts);
  const out = join(d, `${opts.name}.elf`);
  const args = ['-m', opts.bits === 32 ? 'elf_i386' : 'elf_x86_64', '-o', out];
  if (opts.linkerScript !== undefined) {
    const script = join(d, `${opts.name}.ld`);
    writeFileSync(script, opts.linkerScript);
    args.push('-T', script);
  }
  run('ld', [...args, ...(opts.ldArgs ?? []), ...objects]);
  return out;
}

/** `readelf ARGS PATH` (always wide, -W), returning stdout. */
export function readelf(path: string, args: readonly string[]): string {
  return run('readelf', ['-W', ...args, path]);
}

// Structured views of `readelf -W` output, for comparing a parser's result
// with what binutils says about the same file. Numbers are bigint as in mimg.

export interface ReadelfHeader {
  /** The first word of "Type:", e.g. EXEC, DYN, REL. */
  type: string;
  /** "Machine:" as readelf words it, e.g. "Intel 80386", "Advanced Micro Devices X86-64". */
  machine: string;
  entry: bigint;
  class: 'ELF32' | 'ELF64';
}

export interface ReadelfSegment {
  /** readelf's type name: LOAD, NOTE, DYNAMIC, GNU_STACK, ... */
  type: string;
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
  /** p_flags rebuilt from "RWE": R = 4, W = 2, E = 1. */
  flags: number;
  align: bigint;
}

export interface ReadelfSymbol {
  value: bigint;
  size: bigint;
  type: string;
  bind: string;
  /** "UND", "ABS" or a section index as text. */
  ndx: string;
  name: string;
}

export interface ReadelfRelocation {
  offset: bigint;
  /** e.g. R_X86_64_RELATIVE. */
  type: string;
}

export interface ReadelfNote {
  owner: string;
  descsz: number;
  /** readelf's description, e.g. "NT_GNU_BUILD_ID (unique build ID bitstring)" or "Unknown note type: (0x00001234)". */
  description: string;
}

const field = (text: string, label: string): string => {
  const m = new RegExp(`^\\s*${label}:\\s*(.*)$`, 'm').exec(text);
  if (m?.[1] === undefined) throw new Error(`readelf output has no "${label}:" line`);
  return m[1].trim();
};

/** `readelf -h`. */
export function readelfHeader(path: string): ReadelfHeader {
  const out = readelf(path, ['-h']);
  return {
    type: field(out, 'Type').split(' ')[0] ?? '',
    machine: field(out, 'Machine'),
    entry: BigInt(field(out, 'Entry point address')),
    class: field(out, 'Class') === 'ELF32' ? 'ELF32' : 'ELF64',
  };
}

/** `readelf -l`: every program header in table order. */
export function readelfSegments(path: string): ReadelfSegment[] {
  const out = readelf(path, ['-l']);
  const hex = '(0x[0-9a-f]+)';
  const line = new RegExp(`^\\s+(\\S+)\\s+${hex}\\s+${hex}\\s+${hex}\\s+${hex}\\s+${hex}\\s([RWE ]{3})\\s+${hex}$`, 'gm');
  return [...out.matchAll(line)].map((m) => {
    const flg = m[7] ?? '';
    return {
      type: m[1] ?? '',
      offset: BigInt(m[2] ?? ''),
      vaddr: BigInt(m[3] ?? ''),
      paddr: BigInt(m[4] ?? ''),
      filesz: BigInt(m[5] ?? ''),
      memsz: BigInt(m[6] ?? ''),
      flags: (flg.includes('R') ? 4 : 0) | (flg.includes('W') ? 2 : 0) | (flg.includes('E') ? 1 : 0),
      align: BigInt(m[8] ?? ''),
    };
  });
}

/** `readelf -s`: the entries of one symbol table ('.symtab' or '.dynsym'), index 0 included. */
export function readelfSymbols(path: string, table = '.symtab'): ReadelfSymbol[] {
  const out = readelf(path, ['-s']);
  const start = out.indexOf(`Symbol table '${table}'`);
  if (start < 0) return [];
  const body = out.slice(start).split('\n').slice(2);
  const symbols: ReadelfSymbol[] = [];
  for (const l of body) {
    const m = /^\s*\d+:\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s?(.*)$/.exec(l);
    if (m === null) break;
    symbols.push({ value: BigInt('0x' + m[1]), size: BigInt(m[2] ?? ''), type: m[3] ?? '', bind: m[4] ?? '', ndx: m[5] ?? '', name: m[6] ?? '' });
  }
  return symbols;
}

/** `readelf -r`: every relocation of every relocation section, in file order. */
export function readelfRelocations(path: string): ReadelfRelocation[] {
  const out = readelf(path, ['-r']);
  return [...out.matchAll(/^([0-9a-f]{8,16})\s+[0-9a-f]+\s+(R_\S+)/gm)].map((m) => ({ offset: BigInt('0x' + m[1]), type: m[2] ?? '' }));
}

/** `readelf -n`: every note, in file order. */
export function readelfNotes(path: string): ReadelfNote[] {
  const out = readelf(path, ['-n']);
  return [...out.matchAll(/^\s{2}(\S+)\s+0x([0-9a-f]+)\t(.*?)(?:\t|$)/gm)].map((m) => ({
    owner: m[1] ?? '',
    descsz: Number.parseInt(m[2] ?? '', 16),
    description: (m[3] ?? '').trim(),
  }));
}
