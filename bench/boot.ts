// Boot-time benchmark: the same minimal Multiboot1 kernel booted by QEMU's
// own -kernel loader (the floor) and through mimgload (`mimg run`'s path),
// with no module and with a 64 MiB module, with SHA-256 and with the fast
// (XXH64) digest, side by side in one run. Under TCG, as in CI.
//
//   npm run bench:boot            (tsc, then node dist/bench/boot.js [--runs N] [--module-mib M])
//
// Target: mimgload with the fast digest takes at most 1.3x the floor.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { QEMU, machineArgs, mimgloadPath } from '../src/host/qemu.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const TARGET_FAST_RATIO = 1.3;
const EXIT_OK = 33; // the kernel writes 0x10 to isa-debug-exit: (0x10 << 1) | 1

/** A Multiboot1 kernel at 1 MiB that exits QEMU at once: what is left is the loading. */
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

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr?.toString().trim() || r.error?.message}`);
}

function timeBoot(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== EXIT_OK) throw new Error(`qemu ${args.join(' ')} exited ${r.status}: ${r.stdout?.toString().slice(-500)}`);
  return s;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'module-mib': { type: 'string', default: '64' } } });
const runs = Number(values.runs);
const dir = mkdtempSync(join(tmpdir(), 'mimg-bench-boot-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const src = join(dir, 'k.s');
const kernel = join(dir, 'k.elf');
writeFileSync(src, KERNEL_ASM);
sh('as', ['--32', '-o', join(dir, 'k.o'), src]);
sh('ld', ['-m', 'elf_i386', '-N', '-Ttext=0x100000', '--build-id=none', '-o', kernel, join(dir, 'k.o')]);
const module = join(dir, 'module.bin');
writeFileSync(module, randomBytes(Number(values['module-mib']) << 20));

const memory = '256M';
const image = (name: string, withModule: boolean, integrity: string) => {
  const out = join(dir, `${name}.mimg`);
  sh(process.execPath, [CLI, 'make', out, kernel, ...(withModule ? [`${module}@page`] : []), '--protocol', 'multiboot1', '--ram', memory, '--integrity', integrity]);
  return out;
};
const viaMimg = (img: string) => ['-kernel', mimgloadPath(), '-initrd', img, ...machineArgs(memory)];
const direct = (withModule: boolean) => ['-kernel', kernel, ...(withModule ? ['-initrd', module] : []), ...machineArgs(memory)];

const cases: { name: string; args: string[]; floor?: string; fast?: boolean; times: number[] }[] = [];
for (const withModule of [false, true]) {
  const tag = withModule ? `${values['module-mib']} MiB module` : 'no module';
  const floor = `qemu -kernel, ${tag}`;
  cases.push({ name: floor, args: direct(withModule), times: [] });
  cases.push({ name: `mimgload sha256, ${tag}`, args: viaMimg(image(`sha-${withModule}`, withModule, 'sha256')), floor, times: [] });
  cases.push({ name: `mimgload fast, ${tag}`, args: viaMimg(image(`fast-${withModule}`, withModule, 'fast')), floor, fast: true, times: [] });
}
for (let i = 0; i < runs; i++) for (const c of cases) c.times.push(timeBoot(c.args));

const floorOf = (name: string) => median(cases.find((c) => c.name === name)!.times);
let missed = false;
console.log(`boot benchmark: ${runs} runs each, median wall time of the whole QEMU process (TCG)\n`);
console.log('case'.padEnd(40) + 'median s'.padStart(10) + 'x floor'.padStart(10));
for (const c of cases) {
  const m = median(c.times);
  const ratio = c.floor ? m / floorOf(c.floor) : 1;
  if (c.fast && ratio > TARGET_FAST_RATIO) missed = true;
  console.log(c.name.padEnd(40) + m.toFixed(3).padStart(10) + ratio.toFixed(2).padStart(10) + (c.fast ? `  (target <= ${TARGET_FAST_RATIO})` : ''));
}
console.log(missed ? '\nfast-digest target missed' : '\nfast-digest target met');
