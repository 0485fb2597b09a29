// The FAT32 writer, checked by the real tools: fsck.fat -n finds nothing to
// fix, mdir lists the long names, mcopy reads every file back byte for byte;
// and by our own reader (what `mimg inspect` lists).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SECTOR_SIZE } from '../../bytes/sectors.js';
import { missingTools, run, tempDir } from '../../../test/support/toolchain.js';
import { readFat32 } from './read.js';
import { planFat32, sectorsPerCluster, type FatInput, type FatPlan } from './write.js';
import { FAT32_MIN_CLUSTERS } from './struct.js';

const bytes = (n: number, k: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * k + (i >> 9)) & 0xff);

const files = [
  { path: ['EFI', 'BOOT', 'BOOTX64.EFI'], data: bytes(70_000, 7) },
  { path: ['mimg', 'mimgload.elf'], data: bytes(17_603, 3) },
  { path: ['mimg', 'a module with a rather long name, more than 26 characters.bin'], data: bytes(513, 5) },
  { path: ['mimg', 'hello.mimg'], data: bytes(3 << 20, 11) },
  { path: ['mimg', 'empty'], data: new Uint8Array(0) },
  { path: ['mimg', 'Mixed.Case'], data: bytes(512, 13) },
];

const input = (): FatInput<Uint8Array> => ({ files: files.map((f) => ({ path: f.path, size: BigInt(f.data.length), source: f.data })), volumeId: 0x1234abcd, hiddenSectors: 2048n, alignSectors: 2048n });

function materialise(plan: FatPlan<Uint8Array>): Uint8Array {
  const v = new Uint8Array(Number(plan.sectors) * SECTOR_SIZE);
  for (const a of plan.areas) v.set(a.bytes, Number(a.offset));
  for (const f of plan.files) v.set(f.source, Number(f.offset));
  return v;
}

test('a FAT32 volume reads back through our reader: every file, its size and its bytes in one run', () => {
  const r = planFat32(input());
  assert.deepEqual(r.issues, []);
  const plan = r.value!;
  assert.ok(plan.clusters >= BigInt(FAT32_MIN_CLUSTERS));
  assert.equal(plan.sectors % 2048n, 0n);
  const v = materialise(plan);
  const back = readFat32((lba, n) => v.subarray(Number(lba) * SECTOR_SIZE, (Number(lba) + n) * SECTOR_SIZE), plan.sectors);
  assert.deepEqual(back.issues, []);
  const got = back.value!.entries.filter((e) => !e.directory);
  assert.deepEqual(got.map((e) => e.path), files.map((f) => `/${f.path.join('/')}`));
  for (const [i, e] of got.entries()) {
    assert.equal(e.size, BigInt(files[i]!.data.length));
    assert.ok(e.contiguous);
    if (e.size > 0n) assert.deepEqual(v.subarray(Number(e.offset), Number(e.offset + e.size)), files[i]!.data, e.path);
  }
  assert.deepEqual(materialise(planFat32(input()).value!), v, 'the same files give the same bytes');
});

test('fsck.fat finds nothing to fix; mdir lists the long names; mcopy reads every file back', { skip: missingTools('fsck.fat', 'mdir', 'mcopy') }, () => {
  const plan = planFat32(input()).value!;
  const file = join(tempDir(), 'esp.img');
  writeFileSync(file, materialise(plan));
  const fsck = run('fsck.fat', ['-n', '-v', file]);
  assert.match(fsck, /2 FATs, 32 bit entries/);
  assert.doesNotMatch(fsck, /\b(fix|differ|wrong|invalid|Reclaim|lost)\b/i, fsck);
  // fsck counts directories as files: EFI, EFI/BOOT, mimg.
  assert.match(fsck, new RegExp(`: ${files.length + 3} files, ${plan.clusters - plan.freeClusters}/${plan.clusters} clusters\n$`));
  const listing = run('mdir', ['-i', file, '-/', '-b', '::']);
  assert.deepEqual(listing.split('\n').filter((l) => l && !l.endsWith('/')).sort(), files.map((f) => `::/${f.path.join('/')}`).sort(), listing);
  for (const [i, f] of files.entries()) {
    const out = join(tempDir(), `back-${i}`);
    run('mcopy', ['-n', '-i', file, `::/${f.path.join('/')}`, out]);
    assert.deepEqual(new Uint8Array(readFileSync(out)), f.data, f.path.join('/'));
  }
});

test('cluster sizes follow Microsoft’s table; bad names and clashes are errors', () => {
  assert.deepEqual([200n << 20n, 1n << 30n, 12n << 30n, 20n << 30n, 40n << 30n].map(sectorsPerCluster), [1, 8, 16, 32, 64]);
  const bad = planFat32({ files: [
    { path: ['a', 'x:y'], size: 1n, source: 0 },
    { path: ['A', 'b'], size: 1n, source: 0 },
    { path: ['a', 'B'], size: 1n, source: 0 },
  ], volumeId: 1, hiddenSectors: 0n });
  assert.deepEqual(bad.issues.map((i) => i.message.slice(0, 30)), ['"a/x:y": "x:y" is not a FAT fi', 'two files would be "a/B" on th']);
});

test('a volume over 260 MiB gets 4 KiB clusters, and fsck.fat still finds nothing to fix', { skip: missingTools('fsck.fat', 'mcopy') }, () => {
  const big = 300n << 20n;
  const head = bytes(4096, 3);
  const plan = planFat32<Uint8Array>({ files: [{ path: ['mimg', 'big.bin'], size: big, source: head }, { path: ['mimg', 'small'], size: 700n, source: bytes(700, 9) }], volumeId: 7, hiddenSectors: 2048n, alignSectors: 2048n }).value!;
  assert.equal(plan.clusterBytes, 4096);
  // Sparse: the metadata, the small file and the big file's first 4 KiB; the rest of it reads as zeros.
  const file = join(tempDir(), 'esp-4k.img');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, Number(plan.sectors) * SECTOR_SIZE);
  for (const a of plan.areas) writeSync(fd, a.bytes, 0, a.bytes.length, Number(a.offset));
  for (const f of plan.files) writeSync(fd, f.source, 0, f.source.length, Number(f.offset));
  closeSync(fd);
  const fsck = run('fsck.fat', ['-n', '-v', file]);
  assert.match(fsck, /4096 bytes per cluster/);
  assert.doesNotMatch(fsck, /\b(fix|differ|wrong|invalid|Reclaim|lost)\b/i, fsck);
  const out = join(tempDir(), 'small-back');
  run('mcopy', ['-n', '-i', file, '::/mimg/small', out]);
  assert.deepEqual(new Uint8Array(readFileSync(out)), bytes(700, 9));
});
