// `mimg build` with [media] type = "disk", through the library API, on a
// copy of examples/hello with stand-in stages (test/support/stages.ts): the
// disk image is checked by sfdisk, fdisk and sgdisk, read back by mimg, and
// holds the .mimg and every range byte for byte. Every input problem is
// reported before anything is written.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, cpSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MimgError } from '../diagnostics/issue.js';
import { missingTools, run, tempDir } from '../../test/support/toolchain.js';
import { noStandInStages, standInStages } from '../../test/support/stages.js';
import { build } from './build.js';
import { readDiskFile } from './disk.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/hello/', import.meta.url));
const skip = noStandInStages;

let copies = 0;
/** A copy of examples/hello whose mimg.toml ends in `extra`; returns the config's path. */
function example(extra: string): string {
  const dir = join(tempDir(), `disk-${copies++}`);
  // Sources only: an image or disk left by `npm run example` must not be taken for the test's own output.
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !/\.(mimg|img)$/.test(src) });
  const config = join(dir, 'mimg.toml');
  writeFileSync(config, readFileSync(config, 'utf8') + extra);
  return config;
}

/** sha256 of `length` bytes of `file` from `offset`. */
function hashOf(file: string, offset: bigint, length: bigint): string {
  const fd = openSync(file, 'r');
  const h = createHash('sha256');
  const buf = new Uint8Array(1 << 20);
  for (let done = 0n; done < length; ) {
    const n = readSync(fd, buf, 0, Number(length - done < BigInt(buf.length) ? length - done : BigInt(buf.length)), Number(offset + done));
    h.update(buf.subarray(0, n));
    done += BigInt(n);
  }
  closeSync(fd);
  return h.digest('hex');
}
const hashFile = (file: string): string => hashOf(file, 0n, BigInt(statSync(file).size));

async function rejects(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MimgError) return err.issues.map((i) => `${i.code} ${i.where ?? ''}`.trim());
    throw err;
  }
  assert.fail('expected a MimgError');
}

const RANGE = '\n[[range]]\nname = "rootfs"\npath = "rootfs.img"\nflags = ["preload", "ro"]\n';

for (const partitioning of ['mbr', 'gpt'] as const) {
  test(`build writes a ${partitioning.toUpperCase()} disk that sfdisk, fdisk and sgdisk accept and that holds every range`, { skip: skip ?? missingTools('sfdisk', 'fdisk', 'sgdisk') }, async () => {
    const config = example(`\n[media]\npartitioning = "${partitioning}"\noutput = "hello.img"\n${RANGE}`);
    const dir = join(config, '..');
    writeFileSync(join(dir, 'rootfs.img'), Uint8Array.from({ length: 300_001 }, (_, i) => (i * 7) & 0xff));
    const r = await build(config, undefined, undefined, standInStages());
    const img = join(dir, 'hello.img');
    assert.equal(r.disk?.output, img);
    assert.equal(BigInt(statSync(img).size), r.disk!.plan.size);

    const dump = run('sfdisk', ['--dump', img]);
    assert.match(dump, new RegExp(`label: ${partitioning === 'mbr' ? 'dos' : 'gpt'}`));
    const sectors = r.disk!.plan.partition!.sectors;
    assert.match(dump, partitioning === 'mbr' ? new RegExp(`hello\\.img1 : start=\\s*2048, size=\\s*${sectors}, type=da, bootable`) : new RegExp(`hello\\.img1 : start=\\s*2048, size=\\s*${sectors}, type=6D696D67-626F-4F74-9A3B-766F6C756D65, uuid=[0-9A-F-]+, name="mimg boot", attrs="LegacyBIOSBootable"`));
    assert.match(run('fdisk', ['-l', img]), /hello\.img1/);
    if (partitioning === 'mbr') assert.match(run('sfdisk', ['--verify', img]), /No errors detected/);
    else {
      const v = spawnSync('sgdisk', ['-v', img], { encoding: 'utf8' });
      assert.match(v.stdout, /No problems found/);
      assert.equal(v.stderr, '');
    }

    const back = await readDiskFile(img);
    assert.deepEqual(back.issues, []);
    const ranges = back.disk!.volume!.ranges!;
    assert.deepEqual(ranges.map((x) => [x.name, x.type, x.flags]), [['mimgload', 'loader', []], ['hello.mimg', 'image', ['preload']], ['rootfs', 'data', ['preload', 'ro']]]);
    const where = (name: string) => {
      const x = ranges.find((y) => y.name === name)!;
      return [(2048n + x.lba) * 512n, x.size] as const;
    };
    assert.equal(hashOf(img, ...where('hello.mimg')), hashFile(r.output));
    assert.equal(hashOf(img, ...where('rootfs')), hashFile(join(dir, 'rootfs.img')));
  });
}

test('a large partition stays sparse, a 64 MiB range streams into place, and a rebuild is byte-identical', { skip }, async () => {
  const config = example('\n[media]\nsize = "256M"\n[[range]]\nname = "big"\npath = "big.bin"\n');
  const dir = join(config, '..');
  const big = join(dir, 'big.bin');
  writeFileSync(big, '');
  run('truncate', ['-s', '64M', big]);
  for (const at of [0, 12345, 40 << 20, (64 << 20) - 4]) run('sh', ['-c', `printf 'mark' | dd of="$1" bs=1 seek=${at} conv=notrunc status=none`, 'sh', big]);
  const stages = standInStages();
  const r = await build(config, undefined, undefined, stages);
  const img = r.disk!.output;
  assert.equal(r.disk!.plan.size, (256n + 2n) << 20n, 'GPT: 1 MiB before the partition, the backup in the last MiB');
  const st = statSync(img);
  assert.ok(st.blocks * 512 < 70 << 20, `${st.blocks * 512} bytes allocated for a ${st.size}-byte disk`);
  const x = r.disk!.plan.volume!.ranges.find((y) => y.name === 'big')!;
  assert.equal(hashOf(img, (2048n + x.lba) * 512n, x.size), hashFile(big));
  const first = hashFile(img);
  await build(config, undefined, undefined, stages);
  assert.equal(hashFile(img), first);
});

test('every input problem is reported before anything is written', { skip }, async () => {
  const config = example('\n[media]\n[[range]]\npath = "missing.bin"\n[[range]]\nname = "also"\npath = "."\n');
  const dir = join(config, '..');
  const empty = join(tempDir(), 'no-stages');
  run('mkdir', ['-p', empty]);
  assert.deepEqual(await rejects(build(config, undefined, undefined, empty)), [
    'MEDIA_STAGE',
    'MEDIA_STAGE',
    'MEDIA_STAGE',
    'MEDIA_STAGE',
    'FILE_READ range[0].path',
    'FILE_READ range[1].path',
  ]);
  assert.equal(existsSync(join(dir, 'hello.mimg')), false, 'no .mimg written');
  assert.equal(existsSync(join(dir, 'mimg.img')), false);

  // The stand-in stages have no BOOTX64.EFI.
  const uefi = example('\n[media]\nfirmware = ["bios", "uefi"]\n');
  assert.deepEqual(await rejects(build(uefi, undefined, undefined, standInStages())), ['MEDIA_STAGE']);
  const mbr = example('\n[media]\nfirmware = ["uefi"]\npartitioning = "mbr"\nsize = "4M"\n');
  assert.deepEqual(await rejects(build(mbr, undefined, undefined, standInStages())), ['CONFIG_TYPE media.partitioning', 'CONFIG_TYPE media.size']);
});

test('[media] size too small: MEDIA_SIZE, and no disk image', { skip }, async () => {
  const config = example('\n[media]\nsize = 4096\n');
  assert.deepEqual(await rejects(build(config, undefined, undefined, standInStages())), ['MEDIA_SIZE media.size']);
  assert.equal(existsSync(join(config, '..', 'mimg.img')), false);
});
