// probe() on file systems the real tools make, and on what must not match.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingTools, run, tempDir } from '../../../test/support/toolchain.js';
import { pbrSector } from '../bootvol/encode.js';
import { PROBE_BYTES, probe } from './probe.js';

function head(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  const b = new Uint8Array(PROBE_BYTES);
  readSync(fd, b, 0, b.length, 0);
  closeSync(fd);
  return b;
}

function blank(name: string, mib: number): string {
  const file = join(tempDir(), name);
  writeFileSync(file, '');
  run('truncate', ['-s', `${mib}M`, file]);
  return file;
}

const cases: [string, string[], (file: string) => void, string][] = [
  ['FAT12', ['mkfs.fat'], (f) => run('mkfs.fat', ['-F', '12', f]), 'FAT12/FAT16'],
  ['FAT16', ['mkfs.fat'], (f) => run('mkfs.fat', ['-F', '16', f]), 'FAT12/FAT16'],
  ['FAT32', ['mkfs.fat'], (f) => run('mkfs.fat', ['-F', '32', f]), 'FAT32'],
  ['ext2', ['mkfs.ext2'], (f) => run('mkfs.ext2', ['-q', '-F', f]), 'ext2/ext3/ext4'],
  ['ext4', ['mkfs.ext4'], (f) => run('mkfs.ext4', ['-q', '-F', f]), 'ext2/ext3/ext4'],
  ['swap', ['mkswap'], (f) => run('mkswap', [f]), 'Linux swap'],
];

for (const [name, tools, make, want] of cases) {
  test(`probe: ${name} made by ${tools[0]}`, { skip: missingTools(...tools) }, () => {
    const file = blank(`${name}.img`, 40);
    make(file);
    assert.equal(probe(head(file)), want);
  });
}

test('probe: an ISO 9660 image made by xorriso', { skip: missingTools('xorriso') }, () => {
  const dir = join(tempDir(), 'iso-root');
  run('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  const iso = join(tempDir(), 'probe.iso');
  run('xorriso', ['-as', 'mkisofs', '-quiet', '-o', iso, dir]);
  assert.equal(probe(head(iso)), 'ISO 9660');
});

test('probe: nothing in zeros, a short head, or a boot volume', () => {
  assert.equal(probe(new Uint8Array(PROBE_BYTES)), undefined);
  assert.equal(probe(new Uint8Array(10)), undefined);
  const pbr = new Uint8Array(PROBE_BYTES);
  pbr.set(pbrSector(new Uint8Array(512).fill(0x90), { version: 1, stage2Lba: 1n, stage2Sectors: 1, rangesLba: 2n, rangesSectors: 1n, volumeLba: 2048n }));
  assert.equal(probe(pbr), undefined);
});
