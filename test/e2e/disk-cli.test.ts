// The disk commands as a user runs them: `mimg inspect DISK [--json]`,
// `mimg install` and its refusals (one line each, exit 1, the disk
// untouched), and `mimg build` with [media]. Disks for inspect are made
// through the library with stand-in stages; what needs the real BIOS stages
// skips, saying so, until stages/prebuilt/ has them. (Booting the disks is
// test/e2e/disk.test.ts.)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, cpSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../../src/host/build.js';
import { missingPrebuiltStages, noStandInStages, standInStages } from '../support/stages.js';
import { missingTools, run, tempDir } from '../support/toolchain.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../examples/hello/', import.meta.url));

let built: string | undefined;
/** examples/hello built once into this process's temp dir: the repo holds no built image. */
function builtExample(): string {
  if (built === undefined) {
    built = join(tempDir(), 'hello.mimg');
    const r = spawnSync(process.execPath, [CLI, 'build', join(EXAMPLE, 'mimg.toml'), '-o', built], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building examples/hello failed: ${r.stderr}`);
  }
  return built;
}

function mimg(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: tempDir(), encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
/** How mimg shows a path: relative to its working directory, tempDir(). */
const shown = (file: string): string => relative(tempDir(), file);

let n = 0;
function example(extra: string): string {
  const dir = join(tempDir(), `disk-cli-${n++}`);
  cpSync(EXAMPLE, dir, { recursive: true });
  const config = join(dir, 'mimg.toml');
  writeFileSync(config, readFileSync(config, 'utf8') + extra);
  return config;
}

interface DiskJson {
  kind: string;
  partitioning: string;
  volume: { partition: number; ranges: { name: string; type: string; flags: string[]; size: string; offset: string }[] } | null;
  issues: string[];
}

describe('mimg inspect DISK', { skip: noStandInStages }, () => {
  test('lists the partitions, the patch block and every range; --json gives the same', async () => {
    const config = example('\n[media]\noutput = "disk.img"\n[[range]]\nname = "motd-copy"\npath = "motd.txt"\nflags = ["preload", "ro"]\n');
    const r = await build(config, undefined, undefined, standInStages());
    const img = r.disk!.output;
    const text = mimg('inspect', img);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /GPT disk, 0x300000 bytes/);
    assert.match(text.stdout, /^1 +0x800 +0x800 +0x100000 +\* +6D696D67-626F-4F74-9A3B-766F6C756D65 \(mimg boot volume\) +"mimg boot"$/m);
    assert.match(text.stdout, /^stage 1 \(MBR\): boots the volume at LBA 0x800/m);
    assert.match(text.stdout, /^2 +data +preload,ro +0x[0-9a-f]+ +0x9e +- +- +motd-copy$/m);

    const json = mimg('inspect', img, '--json');
    assert.equal(json.status, 0, json.stderr);
    const j = JSON.parse(json.stdout) as DiskJson;
    assert.equal(j.kind, 'disk');
    assert.equal(j.partitioning, 'gpt');
    assert.deepEqual(j.issues, []);
    assert.deepEqual(j.volume?.ranges.map((x) => [x.name, x.type, x.flags]), [['mimgload', 'loader', []], ['hello.mimg', 'image', ['preload']], ['motd-copy', 'data', ['preload', 'ro']]]);
    const image = j.volume!.ranges[1]!;
    const bytes = readFileSync(img).subarray(Number(image.offset), Number(image.offset) + Number(image.size));
    assert.deepEqual(bytes, readFileSync(r.output), "the image range's offset and size locate the .mimg on the disk");
    assert.equal(mimg('inspect', img, '--svg', 'x.svg').status, 2, '--svg is for memory maps, not disks');
  });

  test('a damaged range table: what can be read, then one line per problem, exit 1', async () => {
    const config = example('\n[media]\npartitioning = "mbr"\noutput = "disk.img"\n');
    const r = await build(config, undefined, undefined, standInStages());
    const img = r.disk!.output;
    const table = Number((r.disk!.plan.partition!.lba + r.disk!.plan.volume!.header.rangesLba) * 512n);
    const fd = openSync(img, 'r+');
    writeSync(fd, Buffer.from('X'), 0, 1, table + 32 + 80 + 1); // a byte of the image range's name
    closeSync(fd);
    const out = mimg('inspect', img);
    assert.equal(out.status, 1);
    assert.match(out.stdout, /boot volume at LBA 0x800 \(partition 1\)/);
    const [line, ...more] = lines(out.stderr);
    assert.deepEqual(more, []);
    assert.match(line!, new RegExp(`^mimg: error\\[BOOTVOL_CHECKSUM\\] ${img} range table \\(entries_crc32\\): entries_crc32 is 0x[0-9a-f]+, the entries' CRC-32 is 0x[0-9a-f]+; hint: the boot volume is corrupt`));
  });
});

describe('mimg install refusals', { skip: missingTools('sfdisk', 'mkfs.fat') }, () => {
  function fatDisk(): string {
    const file = join(tempDir(), `refuse-${n++}.img`);
    writeFileSync(file, '');
    run('truncate', ['-s', '16M', file]);
    run('sh', ['-c', `printf 'label: dos\\nstart=2048, size=8192, type=c\\nstart=10240, type=da\\n' | sfdisk -q "$1"`, 'sh', file]);
    run('mkfs.fat', ['--offset', '2048', file, '4096']);
    return file;
  }
  const image = builtExample();

  test('each refusal is one line, exit 1, and the disk is not touched', () => {
    const file = fatDisk();
    const before = sha(file);
    const cases: [string[], string][] = [
      [['--partition', '3'], `mimg: error[INSTALL_TARGET] ${shown(file)} --partition: the disk has no partition 3 (its partitions: 1 sectors [0x800,0x2800), 2 sectors [0x2800,0x8000)); hint: list the partitions with \`mimg inspect DISK\` or \`sfdisk --list DISK\``],
      [['--partition', '1'], `mimg: error[INSTALL_FILESYSTEM] ${shown(file)} --partition: partition 1 (sectors [0x800,0x2800)) holds a FAT12/FAT16 file system, which the boot volume would overwrite; hint: pick another partition, or pass --force to overwrite it (its contents are lost)`],
    ];
    for (const [args, line] of cases) {
      const r = mimg('install', '--disk', file, ...args, image);
      assert.equal(r.status, 1, r.stderr);
      assert.deepEqual(lines(r.stderr), [line]);
      assert.equal(sha(file), before);
    }
  });

  test('usage mistakes exit 2', () => {
    const r = mimg('install', '--partition', '1', image);
    assert.equal(r.status, 2);
    assert.deepEqual(lines(r.stderr), ['mimg: error[USAGE] --disk is required; usage: mimg install --disk DISK --partition N CONFIG|IMAGE [--force]; hint: run `mimg --help`']);
    assert.equal(mimg('install', '--disk', 'd.img', '--partition', '0', image).status, 2);
    assert.equal(mimg('install', '--disk', 'd.img', '--partition', '1').status, 2);
  });
});

describe('with the real BIOS stages', { skip: missingPrebuiltStages() ?? missingTools('sfdisk') }, () => {
  test('mimg build writes the .mimg and the disk, and says so', () => {
    const config = example('\n[media]\n');
    const r = mimg('build', config);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^mimg: wrote .*hello\.mimg: /m);
    assert.match(r.stdout, /^mimg: wrote .*mimg\.img: GPT disk, 0x[0-9a-f]+ bytes, boot volume at LBA 0x800 with 2 ranges$/m);
    assert.equal(mimg('inspect', join(config, '..', 'mimg.img')).status, 0);
  });

  test('mimg install into a disk sfdisk made', () => {
    const file = join(tempDir(), `real-${n++}.img`);
    writeFileSync(file, '');
    run('truncate', ['-s', '16M', file]);
    run('sh', ['-c', `printf 'label: dos\\nstart=2048, type=da\\n' | sfdisk -q "$1"`, 'sh', file]);
    const r = mimg('install', '--disk', file, '--partition', '1', builtExample());
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^mimg: installed .*hello\.mimg into .* partition 1 \(LBA 0x800\): stage 1 in the MBR, boot volume 0x[0-9a-f]+ bytes with 2 ranges$/m);
    const j = JSON.parse(mimg('inspect', file, '--json').stdout) as DiskJson;
    assert.deepEqual(j.issues, []);
    assert.equal(j.volume?.partition, 1);
  });
});
