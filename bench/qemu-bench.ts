// Shared by the boot benchmarks: a minimal Multiboot1 kernel that exits QEMU
// at once (so what is measured is the loading), timing of whole QEMU runs,
// and medians.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QEMU } from '../src/host/qemu.js';

export const EXIT_OK = 33; // the kernel writes 0x10 to isa-debug-exit: (0x10 << 1) | 1

const KERNEL_ASM = `
  .set MAGIC, 0x1BADB002
  .set FLAGS, 0x3
  .section .text
  .globl _start
  .balign 4
  .long MAGIC, FLAGS, -(MAGIC + FLAGS)
_start:
  mov $0x10, %al
  out %al, $0xf4
1: hlt
  jmp 1b
`;

/** A fresh temp dir for a benchmark's files, removed when the process exits (Ctrl-C included). */
export function benchDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mimg-bench-${name}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function sh(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr?.toString().trim() || r.error?.message}`);
}

/** Builds the bench kernel (ELF32, Multiboot1, at 1 MiB) in `dir`; returns its path. */
export function benchKernel(dir: string): string {
  const src = join(dir, 'k.s');
  const kernel = join(dir, 'k.elf');
  writeFileSync(src, KERNEL_ASM);
  sh('as', ['--32', '-o', join(dir, 'k.o'), src]);
  sh('ld', ['-m', 'elf_i386', '-N', '-Ttext=0x100000', '--build-id=none', '-o', kernel, join(dir, 'k.o')]);
  return kernel;
}

/** Wall time of one QEMU run from start to exit; the kernel must have reported success. */
export function timeBoot(args: readonly string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== EXIT_OK) throw new Error(`qemu ${args.join(' ')} exited ${r.status}: ${r.stdout?.toString().slice(-500)}`);
  return s;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
