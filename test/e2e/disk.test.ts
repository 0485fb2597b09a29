// BIOS disk media end to end: `mimg build` with [media] writes a raw disk
// (MBR or GPT) that SeaBIOS boots through stage 1, the BIOS bootstrapper and
// mimgload, on IDE and on virtio-blk. The guest's report is compared with
// `mimg inspect --json`, and the disk itself with sfdisk's and sgdisk's view.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineArgs, runCaptured, QEMU } from '../../src/host/qemu.js';
import { assertMatches, image, kernels, MEMORY, mimg, report, TIMEOUT_MS } from '../support/bootcheck.js';
import { KERNEL_TOOLS } from '../support/kernels.js';
import { missingTools, run } from '../support/toolchain.js';

const STAGES = ['mbr.bin', 'pbr.bin', 'stage2.bin', 'mimgload.elf'].map((f) => new URL(`../../../stages/prebuilt/${f}`, import.meta.url).pathname);
const skip = missingTools(QEMU, 'sfdisk', ...KERNEL_TOOLS) ?? (STAGES.every((f) => existsSync(f)) ? undefined : 'stages/prebuilt/ is incomplete');

const BIG = 64 << 20;

function diskImage(name: string, protocol: 'multiboot1' | 'multiboot2', partitioning: 'mbr' | 'gpt', withBigRange: boolean) {
  const kernel = protocol === 'multiboot1' ? kernels().mb1 : kernels().mb2;
  const range = withBigRange ? `[[range]]\nname = "ramdisk"\npath = "ramdisk.bin"\nflags = ["preload", "ro"]\n` : '';
  const img = image(`disk-${name}`, protocol, kernel, `${range}[media]\ntype = "disk"\npartitioning = "${partitioning}"\n`, (dir) => {
    if (withBigRange) writeFileSync(join(dir, 'ramdisk.bin'), Buffer.alloc(BIG, 0xa5));
  });
  return { ...img, disk: join(img.dir, 'mimg.img') };
}

const bootDisk = (disk: string, bus: 'ide' | 'virtio', memory = MEMORY, stopWhen?: RegExp) =>
  runCaptured(['-drive', `file=${disk},format=raw,if=${bus}`, ...machineArgs(memory)], TIMEOUT_MS, stopWhen);

describe('BIOS disk media boot through stage 1, the bootstrapper and mimgload', { skip, concurrency: 2 }, () => {
  const matrix = [
    ['mbr-mb1-ide', 'multiboot1', 'mbr', 'ide', true],
    ['gpt-mb2-virtio', 'multiboot2', 'gpt', 'virtio', true],
    ['mbr-mb2-virtio', 'multiboot2', 'mbr', 'virtio', false],
    ['gpt-mb1-ide', 'multiboot1', 'gpt', 'ide', false],
  ] as const;
  for (const [name, protocol, partitioning, bus, big] of matrix) {
    test(`${partitioning.toUpperCase()} disk, ${protocol}, ${bus}${big ? ', 64 MiB preloaded range' : ''}`, async () => {
      const img = diskImage(name, protocol, partitioning, big);
      const b = await bootDisk(img.disk, bus);
      const r = report(b);
      assertMatches(r, img, b, big ? [{ string: 'ramdisk', file: 'ramdisk.bin' }] : []);
      if (name === 'gpt-mb1-ide') {
        // The bootstrapper passes SeaBIOS's map unchanged: QEMU's own Multiboot loader, same -m, sees the same one.
        const direct = report(await runCaptured(['-kernel', kernels().mb1, ...machineArgs(MEMORY)], TIMEOUT_MS));
        assert.deepEqual(r.mmap, direct.mmap);
      }
      assert.match(b.serial, /mimg bios: loaded image/);
      if (big) assert.match(b.serial, new RegExp(`mimg bios: loaded range 'ramdisk' 0x${BIG.toString(16)} bytes`));
    });
  }

  test('the disk is what sfdisk (and sgdisk for GPT) say it is', () => {
    for (const partitioning of ['mbr', 'gpt'] as const) {
      const img = diskImage(`tools-${partitioning}`, 'multiboot2', partitioning, false);
      const dump = run('sfdisk', ['--dump', img.disk]);
      assert.match(dump, partitioning === 'gpt' ? /label: gpt/ : /label: dos/);
      const inspected = JSON.parse(mimg('inspect', img.disk, '--json')) as { partitions: { firstLba: string; sectors: string }[] };
      const p = inspected.partitions[0]!;
      assert.match(dump, new RegExp(`start=\\s*${BigInt(p.firstLba)}, size=\\s*${BigInt(p.sectors)}`));
      if (partitioning === 'gpt' && !missingTools('sgdisk')) assert.match(run('sgdisk', ['-v', img.disk]), /No problems found/);
    }
  });

  test('a corrupted range table: the bootstrapper says so and halts', async () => {
    const img = diskImage('bad-ranges', 'multiboot2', 'mbr', false);
    const inspected = JSON.parse(mimg('inspect', img.disk, '--json')) as { volume: { lba: string; rangesLba: string } };
    const disk = readFileSync(img.disk);
    const at = Number((BigInt(inspected.volume.lba) + BigInt(inspected.volume.rangesLba)) * 512n) + 40;
    disk[at] = disk[at]! ^ 0xff;
    writeFileSync(img.disk, disk);
    const b = await bootDisk(img.disk, 'ide', MEMORY, /mimg bios: error/);
    assert.match(b.serial, /mimg bios: error: .*range table/i, b.serial);
    assert.doesNotMatch(b.serial, /MIMGTEST begin/);
  });

  test('a corrupted image on disk: mimgload refuses it', async () => {
    const img = diskImage('bad-image', 'multiboot2', 'gpt', false);
    const disk = readFileSync(img.disk);
    const image = readFileSync(img.path);
    const at = disk.indexOf(image.subarray(0, 64)) + image.length - 10; // inside the last payload
    disk[at] = disk[at]! ^ 0x01;
    writeFileSync(img.disk, disk);
    const b = await bootDisk(img.disk, 'virtio', MEMORY, /mimgload: error/);
    assert.match(b.serial, /mimgload: error: .*MIMG_DIGEST/, b.serial);
    assert.doesNotMatch(b.serial, /MIMGTEST begin/);
  });

  test('a disk read error in the image range: the bootstrapper names the read and halts', async () => {
    const img = diskImage('read-error', 'multiboot1', 'mbr', false);
    const inspected = JSON.parse(mimg('inspect', img.disk, '--json')) as { volume: { lba: string; ranges: { type: string; lba: string }[] } };
    const sector = BigInt(inspected.volume.lba) + BigInt(inspected.volume.ranges.find((x) => x.type === 'image')!.lba);
    // QEMU's blkdebug driver fails every read of that sector with EIO, on the DMA path and through INT 13h alike.
    const conf = join(img.dir, 'blkdebug.conf');
    writeFileSync(conf, `[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "${sector}"\n`);
    const b = await runCaptured(['-drive', `file=blkdebug:${conf}:${img.disk},format=raw,if=ide`, ...machineArgs(MEMORY)], TIMEOUT_MS, /mimg bios: error/);
    assert.match(b.serial, new RegExp(`mimg bios: error: disk 0x80: reading \\d+ sectors at LBA 0x${sector.toString(16)} failed`), b.serial);
    assert.doesNotMatch(b.serial, /MIMGTEST begin/);
  });

  test('too little RAM: a clear error, no jump', async () => {
    const img = diskImage('small-ram', 'multiboot1', 'mbr', false);
    const b = await bootDisk(img.disk, 'ide', '8M', /error/);
    assert.match(b.serial, /error/, b.serial);
    assert.doesNotMatch(b.serial, /MIMGTEST begin/);
  });
});
