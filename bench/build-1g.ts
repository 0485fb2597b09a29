// Speed benchmark: building a memory image with a 1 GiB module, against
// `cp` of the same bytes, side by side in one run.
//
//   npm run bench                       (tsc, then node dist/bench/build-1g.js)
//   node dist/bench/build-1g.js [--runs N] [--size MIB] [--strict]
//
// Measured, each --runs times (default 5; median reported), page cache warm:
//   cp           cp DATA COPY                          the raw I/O peer
//   dd bs=1M     dd of the same file: a copy through user space, for reference
//   make sha256  mimg make OUT kernel.elf DATA@ADDR --ram 2G --integrity sha256
//   make fast    the same with --integrity fast (xxh64)
//   verify       mimg verify OUT, for each of the two images
// Wall time, ratio to cp, peak RSS of the process. Targets: a build takes at
// most 1.5x cp, and no mimg process goes above 200 MiB. --strict makes a
// missed target exit 1. Not part of `npm test`: it writes ~3 GiB.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// This file runs as dist/bench/build-1g.js.
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const KERNEL = fileURLToPath(new URL('../../examples/hello/kernel.elf', import.meta.url));
const TIME = '/usr/bin/time';
const MIB = 1 << 20;

const TARGET_BUILD_RATIO = 1.5;
const TARGET_RSS_MIB = 200;
const DATA_ADDRESS = '0x1000000'; // 16 MiB: above the kernel, below 2 GiB of RAM with the 1 GiB module

interface Sample {
  seconds: number;
  /** Peak resident set of the measured process, KiB; undefined when it could not be measured. */
  rssKiB?: number;
}

interface Case {
  name: string;
  /** Command and arguments. */
  cmd: string[];
  /** Run before each sample, not timed (e.g. remove the previous output). */
  before?: () => void;
  /** The file the command must leave behind, at least `size` bytes: a run that exits 0 without it is a failure, not a fast run. */
  output?: string;
  isBuild: boolean;
  isMimg: boolean;
  samples: Sample[];
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    size: { type: 'string', default: '1024' },
    strict: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const sizeMiB = Number(values.size);
if (!Number.isInteger(runs) || runs < 1) fail(`--runs must be a positive integer, got ${values.runs}`);
if (!Number.isInteger(sizeMiB) || sizeMiB < 16 || sizeMiB % 16 !== 0) fail(`--size must be a multiple of 16 (MiB), got ${values.size}`);
if (!existsSync(CLI)) fail(`${CLI} not found: run \`npx tsc -p .\` first`);
if (!existsSync(KERNEL)) fail(`${KERNEL} not found`);
const haveTime = existsSync(TIME);

const dir = mkdtempSync(join(tmpdir(), 'mimg-bench-'));
const cleanup = () => rmSync(dir, { recursive: true, force: true });
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

/** The data module: a random 16 MiB block repeated. Repetition does not help a digest; it only makes the file fast to create. */
function makeData(path: string): void {
  const block = randomBytes(16 * MIB);
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < sizeMiB / 16; i++) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
}

/** Reads the file once so every case starts with it in the page cache. */
function warm(path: string): void {
  const buf = Buffer.allocUnsafe(16 * MIB);
  const fd = openSync(path, 'r');
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/** Writes dirty pages back so that one case's writeback is not billed to the next. */
function sync(): void {
  spawnSync('sync', [], { stdio: 'ignore' });
}

/**
 * One timed run. Peak RSS comes from GNU time's %M; without it, node
 * children report their own maxRSS through a preloaded exit hook.
 */
function measure(c: Case): Sample {
  const rssFile = join(dir, 'rss.txt');
  rmSync(rssFile, { force: true });
  let [cmd, ...args] = c.cmd as [string, ...string[]];
  const env = { ...process.env };
  if (haveTime) {
    args = ['-f', '%M', '-o', rssFile, cmd, ...args];
    cmd = TIME;
  } else if (cmd === process.execPath) {
    const hook = "import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(process.env.MIMG_BENCH_RSS,String(process.resourceUsage().maxRSS)))";
    args = ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, ...args];
    env.MIMG_BENCH_RSS = rssFile;
  }
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) fail(`${c.name}: ${c.cmd.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  if (c.output !== undefined && (!existsSync(c.output) || statSync(c.output).size < sizeMiB * MIB)) {
    fail(`${c.name}: ${c.cmd.join(' ')} exited 0 but did not write ${c.output} (${sizeMiB} MiB or more)`);
  }
  const rss = existsSync(rssFile) ? Number.parseInt(readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '', 10) : NaN;
  return { seconds, rssKiB: Number.isFinite(rss) ? rss : undefined };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function main(): void {
  const data = join(dir, 'data.bin');
  const copy = join(dir, 'copy.bin');
  const imgSha = join(dir, 'sha256.mimg');
  const imgFast = join(dir, 'fast.mimg');
  const node = process.execPath;
  const make = (out: string, integrity: string) => [node, CLI, 'make', out, KERNEL, `${data}@${DATA_ADDRESS}`, '--protocol', 'multiboot2', '--ram', '2G', '--integrity', integrity];

  console.log(`bench: ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, node ${process.version}, temp dir ${dir}`);
  console.log(`bench: writing ${sizeMiB} MiB of pseudo-random data...`);
  makeData(data);
  warm(data);

  const cases: Case[] = [
    { name: 'cp', cmd: ['cp', data, copy], before: () => rmSync(copy, { force: true }), output: copy, isBuild: false, isMimg: false, samples: [] },
    // dd copies through user space (read + write, 1 MiB blocks), as a Node program must; cp may copy inside the kernel (copy_file_range).
    { name: 'dd bs=1M', cmd: ['dd', `if=${data}`, `of=${copy}`, 'bs=1M', 'status=none'], before: () => rmSync(copy, { force: true }), output: copy, isBuild: false, isMimg: false, samples: [] },
    { name: 'make sha256', cmd: make(imgSha, 'sha256'), before: () => rmSync(imgSha, { force: true }), output: imgSha, isBuild: true, isMimg: true, samples: [] },
    { name: 'make fast', cmd: make(imgFast, 'fast'), before: () => rmSync(imgFast, { force: true }), output: imgFast, isBuild: true, isMimg: true, samples: [] },
    { name: 'verify sha256', cmd: [node, CLI, 'verify', imgSha], isBuild: false, isMimg: true, samples: [] },
    { name: 'verify fast', cmd: [node, CLI, 'verify', imgFast], isBuild: false, isMimg: true, samples: [] },
  ];

  // Rounds interleave the cases, so a slow moment of the machine touches all of them alike.
  for (let round = 1; round <= runs; round++) {
    for (const c of cases) {
      c.before?.();
      sync();
      const s = measure(c);
      c.samples.push(s);
      console.log(`bench: round ${round}/${runs} ${pad(c.name, 14)} ${s.seconds.toFixed(2)} s${s.rssKiB !== undefined ? `, ${(s.rssKiB / 1024).toFixed(0)} MiB` : ''}`);
    }
    rmSync(copy, { force: true });
  }
  const imageMiB = statSync(imgSha).size / MIB;

  const cpTime = median(cases[0]!.samples.map((s) => s.seconds));
  const rows: string[][] = [['case', 'median s', 'MiB/s', 'x cp', 'peak RSS MiB', 'target', '']];
  let missed = 0;
  for (const c of cases) {
    const t = median(c.samples.map((s) => s.seconds));
    const rssList = c.samples.map((s) => s.rssKiB).filter((x): x is number => x !== undefined);
    const rss = rssList.length ? Math.max(...rssList) / 1024 : undefined;
    const ratio = t / cpTime;
    const goals: string[] = [];
    let ok = true;
    if (c.isBuild) {
      goals.push(`<= ${TARGET_BUILD_RATIO}x cp`);
      ok &&= ratio <= TARGET_BUILD_RATIO;
    }
    if (c.isMimg) {
      goals.push(`< ${TARGET_RSS_MIB} MiB`);
      ok &&= rss !== undefined && rss < TARGET_RSS_MIB;
    }
    if (!ok) missed++;
    rows.push([c.name, t.toFixed(2), (sizeMiB / t).toFixed(0), ratio.toFixed(2), rss === undefined ? 'n/a' : rss.toFixed(0), goals.join(', ') || '-', goals.length ? (ok ? 'ok' : 'MISSED') : '']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`\nmimg build-1g: ${sizeMiB} MiB module (image ${imageMiB.toFixed(0)} MiB), ${runs} run(s) each, median wall time, page cache warm`);
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, j) => pad(cell, widths[j]!, j > 0 && j < 5)).join('  ').trimEnd());
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  if (!haveTime) console.log(`(${TIME} not found: peak RSS of cp is not measured; node processes report their own)`);
  console.log(missed ? `\nbench: ${missed} case(s) missed the target` : '\nbench: every target met');
  if (missed && values.strict) process.exitCode = 1;
}

main();
