// `mimg install` through the library API, with stand-in stages, into disks
// that sfdisk and sgdisk partition and mkfs.fat/mkfs.ext4 format. The one
// promise checked every time: no byte outside the MBR's boot code area and
// the target partition changes on success, and no byte at all on an error.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, cpSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MimgError } from '../diagnostics/issue.js';
import { encodeGpt, guidFromHash, protectiveMbr, usableSectors, TYPE_BIOS_BOOT } from '../formats/gpt/index.js';
import { encodeMbr } from '../formats/mbr/index.js';
import { missingTools, run, tempDir } from '../../test/support/toolchain.js';
import { noStandInStages, standInStages } from '../../test/support/stages.js';
import { readDiskFile } from './disk.js';
import { build } from './build.js';
import { install } from './install.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/hello/', import.meta.url));
/** examples/hello built into this process's temp dir: the repo holds no built image. */
const IMAGE = join(tempDir(), 'hello.mimg');
before(() => build(join(EXAMPLE, 'mimg.toml'), IMAGE));
const skip = noStandInStages ?? missingTools('sfdisk', 'sgdisk', 'mkfs.fat', 'mkfs.ext4');
const MiB = 2048; // sectors

let disks = 0;
function disk(mib: number): string {
  const file = join(tempDir(), `install-${disks++}.img`);
  writeFileSync(file, '');
  run('truncate', ['-s', `${mib}M`, file]);
  return file;
}

function sfdisk(file: string, script: string): void {
  run('sh', ['-c', `printf '%s' "$1" | sfdisk -q "$2"`, 'sh', script, file]);
}

/** sha256 of the whole file, or of it with the byte ranges `skip` (half-open, in bytes) left out. */
function hashExcept(file: string, skip: [number, number][] = []): string {
  const bytes = readFileSync(file);
  const h = createHash('sha256');
  let at = 0;
  for (const [from, to] of [...skip].sort((a, b) => a[0] - b[0])) {
    h.update(bytes.subarray(at, from));
    at = to;
  }
  h.update(bytes.subarray(at));
  return h.digest('hex');
}

async function issuesOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MimgError) return err.issues.map((i) => `${i.code} ${i.where ?? ''}`.trim());
    throw err;
  }
  assert.fail('expected the install to fail');
}

/** An MBR disk: 1 FAT (8 MiB, formatted), 2 da (4 MiB), 3 Linux (32 KiB), 4 extended with one logical. */
function mbrDisk(): string {
  const file = disk(32);
  sfdisk(file, 'label: dos\nstart=2048, size=16384, type=e\nstart=18432, size=8192, type=da\nstart=26624, size=64, type=83\nstart=28672, type=5\nstart=30720, size=2048, type=83\n');
  run('mkfs.fat', ['--offset', '2048', file, '8192']);
  return file;
}

const BOOT_CODE: [number, number] = [0, 0x1b8];
const sectorsOf = (first: number, count: number): [number, number] => [first * 512, (first + count) * 512];

test('MBR disk: install touches only the boot code area and the target partition, and reads back', { skip }, async () => {
  const file = mbrDisk();
  const target = sectorsOf(18432, 8192);
  const before = hashExcept(file, [BOOT_CODE, target]);
  const fat = hashExcept(file, [[0, 2048 * 512], [(2048 + 16384) * 512, 32 << 20]]);
  const r = await install({ disk: file, partition: 2, source: IMAGE, force: false, stagesDir: standInStages() });
  assert.equal(r.partition.firstLba, 18432n);
  assert.equal(hashExcept(file, [BOOT_CODE, target]), before, 'nothing outside [boot code] ∪ [partition 2] changed');
  assert.equal(hashExcept(file, [[0, 2048 * 512], [(2048 + 16384) * 512, 32 << 20]]), fat, 'the FAT partition is intact');

  const back = await readDiskFile(file);
  assert.deepEqual(back.issues, []);
  assert.deepEqual(back.disk!.patch, r.volume.patch);
  assert.equal(back.disk!.volume!.partition, 2);
  assert.deepEqual(back.disk!.volume!.ranges!.map((x) => [x.name, x.type]), [['mimgload', 'loader'], ['hello.mimg', 'image']]);
  assert.match(run('sfdisk', ['--verify', file]), /No errors detected/);

  // Reinstalling over a boot volume needs no --force.
  await install({ disk: file, partition: 2, source: IMAGE, force: false, stagesDir: standInStages() });
  assert.equal(hashExcept(file, [BOOT_CODE, target]), before);
});

test('MBR disk: a FAT partition needs --force; with it, only that partition and the boot code change', { skip }, async () => {
  const file = mbrDisk();
  const untouched = hashExcept(file);
  assert.deepEqual(await issuesOf(install({ disk: file, partition: 1, source: IMAGE, force: false, stagesDir: standInStages() })), ['INSTALL_FILESYSTEM --partition']);
  assert.equal(hashExcept(file), untouched);
  const target = sectorsOf(2048, 16384);
  const before = hashExcept(file, [BOOT_CODE, target]);
  await install({ disk: file, partition: 1, source: IMAGE, force: true, stagesDir: standInStages() });
  assert.equal(hashExcept(file, [BOOT_CODE, target]), before);
});

test('install from a config: its .mimg is built and its [[range]]s are installed beside it', { skip }, async () => {
  const dir = join(tempDir(), 'install-config');
  cpSync(EXAMPLE, dir, { recursive: true });
  writeFileSync(join(dir, 'data.bin'), Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff));
  const config = join(dir, 'mimg.toml');
  writeFileSync(config, readFileSync(config, 'utf8') + '\n[media]\n[[range]]\npath = "data.bin"\nflags = ["preload"]\n');
  const file = mbrDisk();
  await install({ disk: file, partition: 2, source: config, force: false, stagesDir: standInStages() });
  const back = await readDiskFile(file);
  assert.deepEqual(back.issues, []);
  assert.deepEqual(back.disk!.volume!.ranges!.map((x) => [x.name, x.type, x.flags]), [['mimgload', 'loader', []], ['hello.mimg', 'image', ['preload']], ['data.bin', 'data', ['preload']]]);
  assert.equal(existsSync(join(dir, 'mimg.img')), false, 'install does not write the [media] disk image');
});

test('GPT disk: install into the BIOS boot partition; the ext4 partition and both GPT copies stay as they were', { skip }, async () => {
  const file = disk(32);
  run('sgdisk', ['-n', '1:2048:+4M', '-t', '1:ef02', '-n', '2:0:+16M', '-t', '2:8300', file]);
  run('mkfs.ext4', ['-q', '-F', '-E', `offset=${(2048 + 4 * MiB) * 512}`, file, '16M']);
  const target = sectorsOf(2048, 4 * MiB);
  const before = hashExcept(file, [BOOT_CODE, target]);
  await install({ disk: file, partition: 1, source: IMAGE, force: false, stagesDir: standInStages() });
  assert.equal(hashExcept(file, [BOOT_CODE, target]), before);
  const v = spawnSync('sgdisk', ['-v', file], { encoding: 'utf8' });
  assert.match(v.stdout, /No problems found/);
  const back = await readDiskFile(file);
  assert.deepEqual(back.issues, []);
  assert.equal(back.disk!.volume!.partition, 1);

  // Partition 2 is a Linux file system partition holding ext4: two reasons, both reported.
  const now = hashExcept(file);
  assert.deepEqual(await issuesOf(install({ disk: file, partition: 2, source: IMAGE, force: false, stagesDir: standInStages() })), ['INSTALL_TARGET --partition', 'INSTALL_FILESYSTEM --partition']);
  assert.equal(hashExcept(file), now);
});

test('every precondition fails with its own issue, and the disk is not modified', { skip }, async () => {
  const stagesDir = standInStages();
  const cases: [string, () => string, number, string[]][] = [
    ['no such partition', mbrDisk, 7, ['INSTALL_TARGET --partition']],
    ['an extended partition', mbrDisk, 4, ['INSTALL_TARGET --partition']],
    ['a partition too small', mbrDisk, 3, ['MEDIA_SIZE --partition']],
    ['no partition table', () => disk(4), 1, ['DISK_TABLE MBR offset 0x1fe (boot_signature)']],
    [
      'overlapping MBR partitions',
      () => {
        const f = disk(8);
        sfdisk(f, 'label: dos\nstart=2048, size=4096, type=da\nstart=8192, size=4096, type=83\n');
        const fd = openSync(f, 'r+');
        const entry2 = Buffer.alloc(4);
        entry2.writeUInt32LE(3000);
        writeSync(fd, entry2, 0, 4, 0x1be + 16 + 8); // partition 2 now starts inside partition 1
        closeSync(fd);
        return f;
      },
      1,
      ['DISK_TABLE MBR partition 2 (first_lba)'],
    ],
    [
      'a GPT partition over the GPT itself',
      () => {
        const f = disk(8);
        const sectors = 8n * 2048n;
        const u = usableSectors(sectors);
        const gpt = { diskGuid: guidFromHash(new Uint8Array(16)), firstUsableLba: u.first, lastUsableLba: u.last, entryCount: 128, partitions: [{ entry: 0, type: TYPE_BIOS_BOOT, guid: guidFromHash(new Uint8Array(16).fill(1)), firstLba: 16n, lastLba: 4095n, attributes: 0n, name: '' }] };
        const out = encodeGpt(gpt, sectors);
        const fd = openSync(f, 'r+');
        writeSync(fd, encodeMbr(protectiveMbr(sectors, new Uint8Array(440), 0)), 0, 512, 0);
        writeSync(fd, out.primary, 0, out.primary.length, 512);
        writeSync(fd, out.backup, 0, out.backup.length, Number(out.backupLba) * 512);
        closeSync(fd);
        return f;
      },
      1,
      ['DISK_TABLE primary GPT entry 1 (first_lba)', 'DISK_TABLE backup GPT entry 1 (first_lba)', 'INSTALL_TARGET --partition'],
    ],
  ];
  for (const [what, make, partition, want] of cases) {
    const file = make();
    const before = hashExcept(file);
    assert.deepEqual(await issuesOf(install({ disk: file, partition, source: IMAGE, force: false, stagesDir })), want, what);
    assert.equal(hashExcept(file), before, `${what}: the disk is unchanged`);
  }

  const file = mbrDisk();
  const before = hashExcept(file);
  const bad = join(tempDir(), 'bad.mimg');
  const image = readFileSync(IMAGE);
  image[image.length - 1]! ^= 0xff; // a payload byte: the digest no longer matches
  writeFileSync(bad, image);
  assert.deepEqual(await issuesOf(install({ disk: file, partition: 2, source: bad, force: false, stagesDir })), ['MIMG_DIGEST section 3 (digest)']);
  assert.deepEqual(await issuesOf(install({ disk: join(tempDir(), 'nope.img'), partition: 1, source: IMAGE, force: false, stagesDir })), ['FILE_READ']);
  assert.equal(hashExcept(file), before);
});
