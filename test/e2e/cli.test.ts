// End-to-end tests of the mimg command: spawn the compiled CLI as a user
// would, on a copy of examples/hello in a temp dir (nothing under examples/
// is ever written), and check exit codes, stderr lines and the images.
// Expected addresses come from readelf, never from constants in this file.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { missingTools, readelfHeader, readelfSegments, tempDir } from '../support/toolchain.js';

// This file runs as dist/test/e2e/cli.test.js.
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'hello');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function mimg(args: readonly string[], cwd?: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: cwd ?? tempDir(), encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs mimg and fails with its stderr unless it exits `status`. */
function expectExit(status: number, args: readonly string[], cwd?: string): Run {
  const r = mimg(args, cwd);
  assert.equal(r.status, status, `mimg ${args.join(' ')} exited ${r.status}, expected ${status}; stderr:\n${r.stderr}`);
  return r;
}

function stderrLines(r: Run): string[] {
  return r.stderr.split('\n').filter((l) => l !== '');
}

let copies = 0;
/** A fresh copy of examples/hello; returns its directory. */
function exampleCopy(): string {
  const dir = join(tempDir(), `hello-${copies++}`);
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

interface JsonSection {
  type: string;
  start: string;
  end: string;
  size: string;
  fileOffset: string;
  fileSize: string;
  component: number;
  name: string;
  cmdline: string;
}

interface JsonImage {
  kind: string;
  entry: string;
  sections: JsonSection[];
}

function inspectJson(image: string): JsonImage {
  const r = expectExit(0, ['inspect', image, '--json']);
  return JSON.parse(r.stdout) as JsonImage;
}

/** [start, end) of every section, as bigint. */
function range(s: JsonSection): [bigint, bigint] {
  return [BigInt(s.start), BigInt(s.end)];
}

/** The [paddr, paddr + memsz) of each non-empty PT_LOAD, as readelf reports them. */
function loadRanges(elf: string): [bigint, bigint][] {
  return readelfSegments(elf)
    .filter((s) => s.type === 'LOAD' && s.memsz > 0n)
    .map((s) => [s.paddr, s.paddr + s.memsz]);
}

const byStart = (a: [bigint, bigint], b: [bigint, bigint]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const PAGE = 0x1000n;
const noReadelf = missingTools('readelf');

describe('mimg build / verify on examples/hello', () => {
  const dir = exampleCopy();
  const image = join(dir, 'out.mimg');

  test('build exits 0 and verify accepts the image', () => {
    const r = expectExit(0, ['build', join(dir, 'mimg.toml'), '-o', image]);
    assert.match(r.stdout, /wrote/);
    assert.ok(statSync(image).size > 0);
    expectExit(0, ['verify', image]);
  });

  test('building twice gives byte-identical images', () => {
    const again = join(dir, 'again.mimg');
    expectExit(0, ['build', join(dir, 'mimg.toml'), '-o', again]);
    assert.ok(readFileSync(image).equals(readFileSync(again)), 'two builds of the same config differ');
  });

  test('inspect --json lists kernel, init and motd where readelf puts them', { skip: noReadelf }, () => {
    const json = inspectJson(image);
    assert.equal(json.kind, 'mimg');
    // Components are numbered in config order: kernel, module[0] (init), module[1] (motd).
    const of = (component: number) => json.sections.filter((s) => s.component === component);

    const kernelElf = join(dir, 'kernel.elf');
    assert.deepEqual(of(0).map(range).sort(byStart), loadRanges(kernelElf).sort(byStart));
    assert.ok(of(0).every((s) => s.type === 'exec'));
    assert.equal(BigInt(json.entry), readelfHeader(kernelElf).entry);

    const init = of(1);
    assert.deepEqual(init.map(range).sort(byStart), loadRanges(join(dir, 'init.elf')).sort(byStart));
    assert.ok(init.every((s) => s.type === 'exec' && s.name === 'init'));

    // motd is placed by the layout rule: page-aligned, above every executable section, its exact size.
    const [motd, ...more] = of(2);
    assert.ok(motd !== undefined && more.length === 0, 'one section for motd');
    assert.equal(motd.type, 'module');
    assert.equal(motd.name, 'motd');
    assert.equal(motd.cmdline, 'message of the day');
    const [start, end] = range(motd);
    assert.equal(end - start, BigInt(statSync(join(dir, 'motd.txt')).size));
    assert.equal(start % PAGE, 0n);
    const execEnd = json.sections.filter((s) => s.type === 'exec').reduce((m, s) => (BigInt(s.end) > m ? BigInt(s.end) : m), 0n);
    assert.ok(start >= execEnd, `motd at ${motd.start} is below the end of the executables 0x${execEnd.toString(16)}`);
  });

  test('inspect --svg and build --svg write an SVG map', () => {
    const a = join(dir, 'inspect.svg');
    expectExit(0, ['inspect', image, '--svg', a]);
    assert.ok(readFileSync(a, 'utf8').startsWith('<svg'), 'inspect --svg output starts with <svg');
    const b = join(dir, 'build.svg');
    expectExit(0, ['build', join(dir, 'mimg.toml'), '-o', join(dir, 'svg.mimg'), '--svg', b]);
    assert.ok(readFileSync(b, 'utf8').startsWith('<svg'), 'build --svg output starts with <svg');
  });

  test('verify rejects a truncated image', () => {
    const bytes = readFileSync(image);
    const cut = join(dir, 'truncated.mimg');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 7));
    const r = expectExit(1, ['verify', cut]);
    assert.match(r.stderr, /^mimg: error\[/m);
  });

  test('verify reports MIMG_DIGEST for a byte flipped inside a payload', () => {
    const motd = inspectJson(image).sections.find((s) => s.name === 'motd');
    assert.ok(motd && BigInt(motd.fileSize) > 8n);
    const bytes = Buffer.from(readFileSync(image));
    const at = Number(BigInt(motd.fileOffset)) + 5;
    bytes[at] = bytes[at]! ^ 0x20;
    const flipped = join(dir, 'flipped.mimg');
    writeFileSync(flipped, bytes);
    const r = expectExit(1, ['verify', flipped]);
    assert.match(r.stderr, /error\[MIMG_DIGEST\]/);
  });
});

describe('mimg usage and bad input', () => {
  test('--help exits 0 and mentions every command', () => {
    const r = expectExit(0, ['--help']);
    for (const cmd of ['build', 'make', 'inspect', 'verify', 'run', 'schema']) assert.match(r.stdout, new RegExp(`mimg ${cmd}\\b`), `--help mentions ${cmd}`);
  });

  test('an unknown command exits 2', () => {
    const r = expectExit(2, ['frobnicate']);
    assert.match(r.stderr, /frobnicate/);
  });

  test('a missing config exits 1 with one FILE_READ line', () => {
    const r = expectExit(1, ['build', join(tempDir(), 'no-such-dir', 'mimg.toml')]);
    const lines = stderrLines(r);
    assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
    assert.ok(lines[0]!.startsWith('mimg: error[FILE_READ]'), lines[0]);
  });

  test('a module inside the kernel is an overlap naming both, and writes nothing', () => {
    const dir = exampleCopy();
    const [kernelStart, kernelEnd] = loadRanges(join(dir, 'kernel.elf'))[0]!;
    const inside = kernelStart + (kernelEnd - kernelStart) / 2n;
    const config = join(dir, 'overlap.toml');
    writeFileSync(
      config,
      readFileSync(join(dir, 'mimg.toml'), 'utf8') + `\n[[module]]\nname = "x"\npath = "motd.txt"\naddress = 0x${inside.toString(16)}\n`,
    );
    const before = readdirSync(dir).sort();
    const out = join(dir, 'overlap.mimg');
    const r = expectExit(1, ['build', config, '-o', out]);
    const line = stderrLines(r).find((l) => l.includes('LAYOUT_OVERLAP'));
    assert.ok(line, `no LAYOUT_OVERLAP line in:\n${r.stderr}`);
    assert.match(line, /module 'x'/);
    assert.match(line, /kernel segment/);
    assert.equal(existsSync(out), false, 'no output file after a failed build');
    assert.deepEqual(readdirSync(dir).sort(), before, 'a failed build leaves no file behind');
  });

  test('a misspelt config key is CONFIG_KEY', () => {
    const dir = exampleCopy();
    const config = join(dir, 'typo.toml');
    writeFileSync(config, readFileSync(join(dir, 'mimg.toml'), 'utf8').replace('cmdline  =', 'cmdlin  ='));
    const r = expectExit(1, ['build', config, '-o', join(dir, 'typo.mimg')]);
    assert.match(r.stderr, /error\[CONFIG_KEY\]/);
    assert.match(r.stderr, /cmdlin\b/);
    assert.equal(existsSync(join(dir, 'typo.mimg')), false);
  });
});

describe('mimg make argument forms', () => {
  const dir = exampleCopy();
  const data = (name: string, size: number) => {
    const p = join(dir, name);
    writeFileSync(p, Buffer.alloc(size, name.charCodeAt(0)));
    return name;
  };

  test('each argument form puts its range where asked', { skip: noReadelf }, () => {
    const a = data('a.bin', 0x1234);
    const b = data('b.bin', 0x321);
    const c = data('c.bin', 0x100);
    const A = 0x800000n;
    const zero: [bigint, bigint] = [0x900000n, 0x903000n];
    const reserved: [bigint, bigint] = [0xa00000n, 0xa10000n];
    const entry = readelfHeader(join(dir, 'kernel.elf')).entry;
    const out = join(dir, 'made.mimg');
    const args = [
      'kernel.elf',
      'init.elf',
      `${a}@0x${A.toString(16)}`,
      `${b}@next`,
      `${c}@page`,
      `zero:0x${zero[0].toString(16)}-0x${zero[1].toString(16)}`,
      `reserved:0x${reserved[0].toString(16)}-0x${reserved[1].toString(16)}`,
      `entry@0x${entry.toString(16)}`,
    ];
    expectExit(0, ['make', out, ...args], dir);
    expectExit(0, ['verify', out]);
    const json = inspectJson(out);
    const ranges = (pred: (s: JsonSection) => boolean) => json.sections.filter(pred).map(range).sort(byStart);

    assert.deepEqual(ranges((s) => s.component === 0), loadRanges(join(dir, 'kernel.elf')).sort(byStart), 'kernel.elf at its own addresses');
    assert.deepEqual(ranges((s) => s.component === 1), loadRanges(join(dir, 'init.elf')).sort(byStart), 'init.elf at its own addresses');
    const aEnd = A + 0x1234n;
    assert.deepEqual(ranges((s) => s.name === a), [[A, aEnd]], 'FILE@ADDR');
    const bEnd = aEnd + 0x321n;
    assert.deepEqual(ranges((s) => s.name === b), [[aEnd, bEnd]], 'FILE@next: right after the previous end');
    const cStart = (bEnd + PAGE - 1n) & ~(PAGE - 1n);
    assert.ok(cStart !== bEnd, 'the test needs @page to move the section');
    assert.deepEqual(ranges((s) => s.name === c), [[cStart, cStart + 0x100n]], 'FILE@page: the next 4 KiB boundary');
    assert.deepEqual(ranges((s) => s.type === 'zero'), [zero], 'zero:A-B');
    assert.deepEqual(ranges((s) => s.type === 'reserved'), [reserved], 'reserved:A-B');
    assert.equal(BigInt(json.entry), entry, 'entry@ADDR');
  });

  test('a bad argument exits 2', () => {
    for (const bad of ['zero:0x2000-0x1000', 'kernel.elf@nowhere', 'zero:12']) {
      const r = expectExit(2, ['make', join(dir, 'bad.mimg'), 'kernel.elf', bad], dir);
      assert.match(r.stderr, /error\[USAGE\]/);
      assert.equal(existsSync(join(dir, 'bad.mimg')), false);
    }
  });
});

describe('examples/hello sources', () => {
  test('build.sh --check: kernel.elf and init.elf rebuild byte-identical', { skip: missingTools('gcc', 'ld') }, () => {
    // --check builds twice in its own temp dir and compares; it writes nothing under examples/.
    const r = spawnSync('sh', [join(EXAMPLE, 'build.sh'), '--check'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('the committed example files are all there', () => {
    const files = readdirSync(EXAMPLE);
    for (const f of ['mimg.toml', 'kernel.elf', 'init.elf', 'motd.txt', 'build.sh', 'README.md']) assert.ok(files.includes(f), `examples/hello/${f} is missing`);
  });
});

describe('mimg run', () => {
  test('a bad option is a usage error; without QEMU one QEMU_MISSING line, exit 1', () => {
    expectExit(2, ['run', join(EXAMPLE, 'mimg.toml'), '--frob']);
    const dir = exampleCopy();
    const r = spawnSync(process.execPath, [CLI, 'run', join(dir, 'mimg.toml')], { encoding: 'utf8', env: { ...process.env, MIMG_QEMU: join(dir, 'no-such-qemu') } });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^mimg: error\[QEMU_MISSING\] .*no-such-qemu was not found; hint: install it/m);
  });

  test('--uefi: an image is a usage error; a BIOS-only disk, or no OVMF, one line and exit 1', () => {
    const dir = exampleCopy();
    mimg(['build', join(dir, 'mimg.toml')]);
    expectExit(2, ['run', join(dir, 'hello.mimg'), '--uefi']);
    const config = join(dir, 'mimg.toml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}\n[media]\nfirmware = ["bios"]\n`);
    assert.match(expectExit(1, ['run', config, '--uefi']).stderr, /^mimg: error\[CONFIG_TYPE\] .*media\.firmware: --uefi boots the disk from UEFI firmware, and \[media\] firmware does not list "uefi"/m);
    writeFileSync(config, readFileSync(config, 'utf8').replace('["bios"]', '["uefi"]'));
    const r = spawnSync(process.execPath, [CLI, 'run', config, '--uefi'], { encoding: 'utf8', env: { ...process.env, MIMG_OVMF_CODE: join(dir, 'no-ovmf.fd') } });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^mimg: error\[FIRMWARE_MISSING\] OVMF was not found at .*no-ovmf\.fd/m);
  });
});
