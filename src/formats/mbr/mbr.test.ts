// The MBR codec against util-linux: tables sfdisk makes parse to what
// `sfdisk --json` says and write back byte for byte (with GRUB's boot code
// in them too); tables we write read back through sfdisk and fdisk, and
// `sfdisk --verify` finds nothing wrong; our CHS fields are sfdisk's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingTools, run, tempDir } from '../../../test/support/toolchain.js';
import { emptyPartition, encodeMbr, mbrPartition, parseMbr, verifyMbr, type Mbr } from './mbr.js';
import { PARTITION_ENTRY, chsOf } from './struct.js';

const noSfdisk = missingTools('sfdisk');
const GRUB_BOOT_IMG = '/usr/lib/grub/i386-pc/boot.img';

interface SfdiskJson {
  partitiontable: { label: string; id: string; partitions: { node: string; start: number; size: number; type: string; bootable?: boolean }[] };
}

/** A sparse disk image of `mib` MiB partitioned by sfdisk from `script`. */
function sfdiskDisk(name: string, mib: number, script: string): string {
  const file = join(tempDir(), name);
  writeFileSync(file, '');
  run('truncate', ['-s', `${mib}M`, file]);
  run('sh', ['-c', `printf '%s' "$1" | sfdisk -q "$2"`, 'sh', script, file]);
  return file;
}

function sector0(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  const bytes = new Uint8Array(512);
  readSync(fd, bytes, 0, 512, 0);
  closeSync(fd);
  return bytes;
}
const sfdiskJson = (file: string): SfdiskJson => JSON.parse(run('sfdisk', ['--json', file])) as SfdiskJson;

const SCRIPT = 'label: dos\nlabel-id: 0x12345678\nstart=2048, size=20480, type=c, bootable\nstart=22528, size=40960, type=83\nstart=63488, type=5\nstart=65536, size=2048, type=82\n';

test('an MBR sfdisk made parses to what sfdisk --json says, and writes back byte-exactly', { skip: noSfdisk }, () => {
  const file = sfdiskDisk('sfdisk.img', 64, SCRIPT);
  const bytes = sector0(file);
  const m = parseMbr(bytes);
  assert.deepEqual(m.issues, []);
  const mbr = m.value!;
  const json = sfdiskJson(file).partitiontable;
  assert.equal(`0x${mbr.diskSignature.toString(16)}`, json.id);
  const primaries = json.partitions.filter((p) => Number(/\d+$/.exec(p.node)![0]) <= 4);
  assert.deepEqual(
    mbr.partitions.filter((p) => p.type !== 0).map((p) => ({ start: Number(p.firstLba), size: Number(p.sectors), type: p.type.toString(16), bootable: p.status === 0x80 })),
    primaries.map((p) => ({ start: p.start, size: p.size, type: p.type, bootable: p.bootable ?? false })),
  );
  assert.deepEqual(verifyMbr(mbr, 64n * 2048n), []);
  assert.deepEqual(encodeMbr(mbr), bytes);
});

test('real boot code (GRUB boot.img) round-trips with the table', { skip: noSfdisk ?? (existsSync(GRUB_BOOT_IMG) ? undefined : `${GRUB_BOOT_IMG} is not installed`) }, () => {
  const file = sfdiskDisk('grub.img', 16, 'label: dos\nstart=2048, type=83, bootable\n');
  const bytes = sector0(file);
  bytes.set(new Uint8Array(readFileSync(GRUB_BOOT_IMG)).subarray(0, 440));
  const mbr = parseMbr(bytes).value!;
  assert.equal(mbr.bootCode[0], 0xeb, "GRUB's boot.img starts with a jmp");
  assert.deepEqual(encodeMbr(mbr), bytes);
});

test("chsOf gives sfdisk's CHS fields, below and above the CHS limit", { skip: noSfdisk }, () => {
  const file = sfdiskDisk('chs.img', 10 * 1024, 'label: dos\nstart=63, size=16002, type=83\nstart=2048000, size=1000, type=83\nstart=16450560, size=2048, type=83\nstart=20000000, size=900000, type=83\n');
  const mbr = parseMbr(sector0(file)).value!;
  for (const p of mbr.partitions) {
    assert.deepEqual(chsOf(p.firstLba), p.chsFirst, `first CHS of LBA ${p.firstLba}`);
    assert.deepEqual(chsOf(p.firstLba + p.sectors - 1n), p.chsLast, `last CHS of LBA ${p.firstLba + p.sectors - 1n}`);
  }
});

test('an MBR we write reads back through sfdisk and fdisk, and sfdisk --verify finds no error', { skip: noSfdisk ?? missingTools('fdisk') }, () => {
  const mbr: Mbr = {
    bootCode: Uint8Array.from({ length: 440 }, (_, i) => i & 0xff),
    diskSignature: 0xcafef00d,
    copyProtect: 0,
    partitions: [mbrPartition(0xda, 2048n, 4096n, true), emptyPartition(), mbrPartition(0x83, 6144n, 10240n), emptyPartition()],
  };
  const file = join(tempDir(), 'ours.img');
  const disk = new Uint8Array(16384 * 512);
  disk.set(encodeMbr(mbr));
  writeFileSync(file, disk);
  const json = sfdiskJson(file).partitiontable;
  assert.equal(json.label, 'dos');
  assert.equal(json.id, '0xcafef00d');
  assert.deepEqual(
    json.partitions.map((p) => [p.node.replace(/^.*img/, ''), p.start, p.size, p.type, p.bootable ?? false]),
    [['1', 2048, 4096, 'da', true], ['3', 6144, 10240, '83', false]],
  );
  assert.match(run('sfdisk', ['--verify', file]), /No errors detected/);
  assert.match(run('fdisk', ['-l', file]), /ours\.img1 \*\s+2048\s+6143\s+4096\s+2M da Non-FS data/);
});

test('parseMbr: no value without 55 AA or a whole sector', () => {
  const blank = new Uint8Array(512);
  assert.deepEqual(parseMbr(blank).issues.map((i) => [i.code, i.where]), [['DISK_TABLE', 'MBR offset 0x1fe (boot_signature)']]);
  assert.deepEqual(parseMbr(new Uint8Array(100)).issues.map((i) => i.code), ['DISK_TABLE']);
});

test('verifyMbr reports every bad entry: status, empty, at LBA 0, past the end, overlapping', () => {
  const bad = (p: ReturnType<typeof mbrPartition>, status: number) => ({ ...p, status });
  const mbr: Mbr = {
    bootCode: new Uint8Array(440),
    diskSignature: 1,
    copyProtect: 0,
    partitions: [bad(mbrPartition(0x83, 0n, 100n), 0x12), mbrPartition(0x83, 50n, 0n), mbrPartition(0x83, 90n, 100n), mbrPartition(0x83, 150n, 1000n)],
  };
  const issues = verifyMbr(mbr, 1000n).map((i) => [i.where, i.message]);
  assert.deepEqual(issues, [
    ['MBR partition 1 (status)', 'status 0x12 is neither 0x00 nor 0x80'],
    ['MBR partition 1 (first_lba)', 'partition 1 [0x0,0x64) starts at LBA 0, over the MBR'],
    ['MBR partition 2 (sectors)', 'partition 2 is empty (0 sectors) but has type 0x83'],
    ['MBR partition 4 (sectors)', 'partition 4 sectors [0x96,0x47e) run past the end of the disk (0x3e8 sectors)'],
    ['MBR partition 3 (first_lba)', 'partition 3 sectors [0x5a,0xbe) overlap partition 1 sectors [0x0,0x64)'],
    ['MBR partition 4 (first_lba)', 'partition 4 sectors [0x96,0x47e) overlap partition 3 sectors [0x5a,0xbe)'],
  ]);
});

test('the partition entry table matches the 16-byte layout every MBR tool uses', () => {
  assert.deepEqual(
    PARTITION_ENTRY.fields.map((f) => [f.name, f.offset, f.size]),
    [['status', 0, 1], ['chs_first', 1, 3], ['type', 4, 1], ['chs_last', 5, 3], ['first_lba', 8, 4], ['sectors', 12, 4]],
  );
});
