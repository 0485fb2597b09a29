// Boot-time benchmark: the same minimal Multiboot1 kernel booted by QEMU's
// own -kernel loader (the floor) and through mimgload (`mimg run`'s path),
// with no module and with a 64 MiB module, with SHA-256 and with the fast
// (XXH64) digest, side by side in one run. Under TCG, as in CI.
//
//   npm run bench:boot            (tsc, then node dist/bench/boot.js [--runs N] [--module-mib M])
//
// Target: mimgload with the fast digest takes at most 1.3x the floor.

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineArgs, mimgloadPath } from '../src/host/qemu.js';
import { benchDir, benchKernel, median, sh, timeBoot } from './qemu-bench.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const TARGET_FAST_RATIO = 1.3;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'module-mib': { type: 'string', default: '64' } } });
const runs = Number(values.runs);
const dir = benchDir('boot');

const kernel = benchKernel(dir);
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
