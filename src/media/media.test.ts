// The disk planner, pure: planned disks are materialised in memory from
// their extents and read back with readDisk (the same code `mimg inspect`
// uses), which must find exactly the planned partition, patch block, volume
// header and ranges, and no issue. The real tools read them in
// src/host/disk.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECTOR_SIZE } from '../bytes/sectors.js';
import { verifyVolume } from '../formats/bootvol/index.js';
import { parseElf } from '../formats/elf/index.js';
import type { ElfFile, ElfSegment } from '../formats/elf/types.js';
import { PREBUILT, STAGE_FILES } from '../host/stages.js';
import { missingTools, readelfSegments } from '../../test/support/toolchain.js';
import { tile, type Extent } from './extent.js';
import { planDisk, type DiskInput, type DiskPlan } from './disk.js';
import { readDisk } from './read.js';
import { checkBootx64, checkStages, flattenLoader, type Stages } from './stages.js';

const SECTOR = BigInt(SECTOR_SIZE);

const stages: Stages = {
  stage1: Uint8Array.of(0xeb, 0xfe),
  pbr: (() => {
    const s = new Uint8Array(512);
    s.set([0xeb, 0x25, 0x90]);
    s.set([0x55, 0xaa], 510);
    return s;
  })(),
  stage2: Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff),
};
const loader = { bytes: Uint8Array.from({ length: 0x5000 }, (_, i) => (i * 3) & 0xff), loadAddress: 0x800000n, entry: 0x80000cn };
const imageBytes = Uint8Array.from({ length: 0x3001 }, (_, i) => (i * 5) & 0xff);
const rootfs = Uint8Array.from({ length: 0x12345 }, (_, i) => (i * 11) & 0xff);

function input(partitioning: 'mbr' | 'gpt', extra: Partial<DiskInput> = {}): DiskInput {
  return {
    partitioning,
    identity: new TextEncoder().encode('image head'),
    stages,
    loader,
    image: { name: 'hello.mimg', size: BigInt(imageBytes.length), source: { kind: 'bytes', bytes: imageBytes }, nameKey: 'image.output', pathKey: 'image.output' },
    ranges: [{ name: 'rootfs', size: BigInt(rootfs.length), source: { kind: 'bytes', bytes: rootfs }, flags: ['preload', 'ro'], nameKey: 'range[0].name', pathKey: 'range[0].path' }],
    ...extra,
  };
}

/** The disk's bytes, from its extents. */
function materialise(plan: DiskPlan): Uint8Array {
  const disk = new Uint8Array(Number(plan.size));
  for (const e of plan.extents) {
    if (e.source.kind === 'bytes') disk.set(e.source.bytes, Number(e.offset));
    else assert.equal(e.source.kind, 'zeros', 'this test plans no file sources');
  }
  return disk;
}

const readSectors = (disk: Uint8Array) => (lba: bigint, count: number) => disk.subarray(Number(lba * SECTOR), Number(lba * SECTOR) + count * SECTOR_SIZE);

for (const partitioning of ['mbr', 'gpt'] as const) {
  test(`a ${partitioning.toUpperCase()} disk reads back as planned, with every range's bytes in place`, () => {
    const r = planDisk(input(partitioning));
    assert.deepEqual(r.issues, []);
    const plan = r.value!;
    // The extents tile the disk: contiguous from 0 to its size.
    plan.extents.reduce((at, e) => (assert.equal(e.offset, at), e.offset + e.length), 0n);
    assert.equal(plan.extents.reduce((n, e) => n + e.length, 0n), plan.size);
    assert.equal(plan.size % (1n << 20n), 0n, 'the disk ends on a MiB boundary');
    assert.equal(plan.partition!.lba, 2048n);

    const disk = materialise(plan);
    const back = readDisk(readSectors(disk), plan.size / SECTOR);
    assert.deepEqual(back.issues, []);
    const d = back.value!;
    assert.equal(d.partitioning, partitioning);
    assert.deepEqual(d.partitions.map((p) => [p.number, p.firstLba, p.sectors, p.bootable]), [[1, 2048n, plan.partition!.sectors, true]]);
    assert.deepEqual(d.patch, plan.volume!.patch);
    assert.deepEqual(d.volume?.header, plan.volume!.header);
    assert.deepEqual(d.volume?.ranges, plan.volume!.ranges);
    assert.deepEqual(verifyVolume(plan.volume!.header, plan.volume!.ranges, plan.partition!), []);

    const at = (lba: bigint, length: number) => disk.subarray(Number((plan.partition!.lba + lba) * SECTOR), Number((plan.partition!.lba + lba) * SECTOR) + length);
    const [l, i, f] = plan.volume!.ranges;
    assert.deepEqual([l!.name, l!.type, l!.loadAddress, l!.entry], ['mimgload', 'loader', 0x800000n, 0x80000cn]);
    assert.deepEqual([i!.name, i!.type, i!.flags], ['hello.mimg', 'image', ['preload']]);
    assert.deepEqual([f!.name, f!.type, f!.flags], ['rootfs', 'data', ['preload', 'ro']]);
    assert.deepEqual(at(l!.lba, loader.bytes.length), loader.bytes);
    assert.deepEqual(at(i!.lba, imageBytes.length), imageBytes);
    assert.deepEqual(at(f!.lba, rootfs.length), rootfs);
    assert.deepEqual(at(1n, stages.stage2.length), stages.stage2);
    assert.deepEqual(disk.subarray(0, 2), stages.stage1, 'stage 1 starts the MBR');
  });
}

test('the same inputs give the same disk; other content gives other identifiers', () => {
  const a = materialise(planDisk(input('gpt')).value!);
  assert.deepEqual(materialise(planDisk(input('gpt')).value!), a);
  const b = planDisk(input('gpt', { identity: new TextEncoder().encode('another head') })).value!;
  const g = planDisk(input('gpt')).value!.gpt!;
  assert.notEqual(b.gpt!.diskGuid, g.diskGuid);
  assert.notEqual(b.gpt!.partitions[0]!.guid, g.partitions[0]!.guid);
  assert.notEqual(b.gpt!.diskGuid, b.gpt!.partitions[0]!.guid);
});

test('[media] size: taken as given, and too small is MEDIA_SIZE naming what the volume needs', () => {
  const sized = planDisk(input('mbr', { partitionSize: 64n << 20n, sizeKey: 'media.size' })).value!;
  assert.equal(sized.partition!.sectors, (64n << 20n) / SECTOR);
  assert.equal(sized.size, (65n << 20n), 'MBR: 1 MiB before the partition, nothing after');
  const needed = planDisk(input('gpt')).value!.volume!.sectors * SECTOR;
  assert.ok(planDisk(input('gpt', { partitionSize: needed })).value, 'exactly the volume fits');
  const small = planDisk(input('gpt', { partitionSize: needed - SECTOR, sizeKey: 'media.size', file: 'mimg.toml' }));
  assert.equal(small.value, undefined);
  assert.deepEqual(small.issues.map((i) => [i.code, i.file, i.where]), [['MEDIA_SIZE', 'mimg.toml', 'media.size']]);
  assert.match(small.issues[0]!.message, new RegExp(`the boot volume needs 0x${needed.toString(16)} bytes .*'rootfs' 0x12345.*; size is 0x${(needed - SECTOR).toString(16)}`));
  assert.match(small.issues[0]!.hint!, /at least "1M"/);
});

test('range names and sizes: every problem at its key', () => {
  const r = planDisk(
    input('mbr', {
      ranges: [
        { name: 'hello.mimg', size: 1n, source: { kind: 'zeros' }, flags: [], nameKey: 'range[0].name', pathKey: 'range[0].path' },
        { name: 'mimgload', size: 0n, source: { kind: 'zeros' }, flags: [], nameKey: 'range[1].name', pathKey: 'range[1].path' },
      ],
    }),
  );
  assert.deepEqual(r.issues.map((i) => [i.code, i.where, i.message]), [
    ['CONFIG_TYPE', 'range[0].name', 'range name "hello.mimg" is already taken by image.output'],
    ['CONFIG_TYPE', 'range[1].name', `range name "mimgload" is already taken by mimgload's range`],
    ['CONFIG_TYPE', 'range[1].path', 'range "mimgload" is empty: its file has no bytes'],
  ]);
});

test('checkStages: each binary as the writer needs it', () => {
  const names = { mbr: 'mbr.bin', pbr: 'pbr.bin', stage2: 'stage2.bin' };
  const sector = (edit: (s: Uint8Array) => void = () => undefined): Uint8Array => {
    const s = new Uint8Array(512);
    s.set([0x55, 0xaa], 510);
    edit(s);
    return s;
  };
  assert.ok(checkStages({ mbr: sector(), pbr: sector(), stage2: new Uint8Array(1) }, names).value);
  const problems = (files: Parameters<typeof checkStages>[0]) => checkStages(files, names).issues.map((i) => `${i.file} ${i.where ?? ''}: ${i.message}`);
  assert.deepEqual(problems({ mbr: new Uint8Array(446), pbr: sector((s) => (s[511] = 0)), stage2: new Uint8Array(0) }), [
    "mbr.bin : 0x1be bytes; a boot sector is exactly 0x200",
    'pbr.bin offset 0x1fe: does not end in 55 AA',
    'stage2.bin : stage 2 is empty',
  ]);
  assert.deepEqual(problems({ mbr: sector((s) => (s[0x1a4] = 1)), pbr: sector((s) => (s[0x10] = 1)), stage2: new Uint8Array(512 * 0x10000) }), [
    'mbr.bin offset 0x1a4: byte 0x1a4 is 0x1, but [0x1a0,0x1fe) is the patch block, disk signature and partition table and must be zero in the binary',
    'pbr.bin offset 0x10: byte 0x10 is 0x1, but [0x3,0x27) is the volume header and must be zero in the binary',
    'stage2.bin : stage 2 is 0x2000000 bytes, more than the 65535 sectors stage2_sectors can count',
  ]);
});

function segment(index: number, paddr: bigint, data: number[], memsz: bigint): ElfSegment {
  return { index, type: 1, flags: 5, offset: 0n, vaddr: paddr, paddr, filesz: BigInt(data.length), memsz, align: 0x1000n, data: Uint8Array.from(data) };
}
const elf = (e: Partial<ElfFile>): ElfFile => ({ class: 32, machine: 'i386', type: 'exec', entry: 0x800000n, segments: [], loads: [], notes: [], symbols: [], relocations: [], ...e });

test('flattenLoader: segments, gaps and .bss as one range from the lowest p_paddr', () => {
  const loads = [segment(1, 0x801000n, [4, 5], 0x1800n), segment(0, 0x800000n, [1, 2, 3], 3n)];
  const r = flattenLoader(elf({ loads, entry: 0x800002n }), 'l.elf');
  assert.deepEqual(r.issues, []);
  const want = new Uint8Array(0x1800 + 0x1000);
  want.set([1, 2, 3]);
  want.set([4, 5], 0x1000);
  assert.deepEqual(r.value, { bytes: want, loadAddress: 0x800000n, entry: 0x800002n });
  const problem = (e: Partial<ElfFile>) => flattenLoader(elf({ loads, ...e }), 'l.elf').issues.map((i) => `${i.code}: ${i.message}`);
  assert.deepEqual(problem({ class: 64 }), ['MEDIA_STAGE: mimgload must be an ELF32 ET_EXEC file (stage 2 enters it in 32-bit protected mode at fixed addresses), not ELF64 ET_EXEC']);
  assert.deepEqual(problem({ loads: [] }), ['MEDIA_STAGE: mimgload has no PT_LOAD segment']);
  assert.deepEqual(problem({ entry: 0x900000n }), ["MEDIA_STAGE: the entry 0x900000 lies outside mimgload's segments [0x800000,0x802800)"]);
  assert.deepEqual(problem({ loads: [...loads, segment(2, 0xa00000n, [1], 1n)] }), ["MEDIA_STAGE: mimgload's segments span [0x800000,0xa00001), more than 0x100000 bytes"]);
});

const MIMGLOAD = join(PREBUILT, STAGE_FILES.loader);

test('flattenLoader on the committed mimgload spans what readelf says its PT_LOADs span', { skip: missingTools('readelf') ?? (existsSync(MIMGLOAD) ? undefined : `${MIMGLOAD} is not built`) }, () => {
  const file = readFileSync(MIMGLOAD);
  const flat = flattenLoader(parseElf(new Uint8Array(file)).value!, MIMGLOAD).value!;
  const loads = readelfSegments(MIMGLOAD).filter((s) => s.type === 'LOAD');
  const start = loads.reduce((m, s) => (s.paddr < m ? s.paddr : m), loads[0]!.paddr);
  const end = loads.reduce((m, s) => (s.paddr + s.memsz > m ? s.paddr + s.memsz : m), 0n);
  assert.equal(flat.loadAddress, start);
  assert.equal(BigInt(flat.bytes.length), end - start);
  for (const s of loads) assert.deepEqual(flat.bytes.subarray(Number(s.paddr - start), Number(s.paddr - start + s.filesz)), new Uint8Array(file.subarray(Number(s.offset), Number(s.offset + s.filesz))));
});

test('tile fills gaps with zeros and refuses overlaps', () => {
  const e = (offset: bigint, length: bigint): Extent => ({ offset, length, source: { kind: 'bytes', bytes: new Uint8Array(Number(length)) }, what: `e${offset}` });
  assert.deepEqual(tile([e(10n, 5n), e(0n, 2n)], 20n).map((x) => [x.offset, x.length, x.source.kind]), [
    [0n, 2n, 'bytes'],
    [2n, 8n, 'zeros'],
    [10n, 5n, 'bytes'],
    [15n, 5n, 'zeros'],
  ]);
  assert.throws(() => tile([e(0n, 5n), e(4n, 2n)], 20n), /overlaps/);
  assert.throws(() => tile([e(0n, 25n)], 20n), /past the end/);
});

for (const firmware of [['uefi'], ['bios', 'uefi']] as const) {
  test(`a ${JSON.stringify(firmware)} GPT disk reads back: ${firmware.length > 1 ? 'the boot volume, then ' : ''}the EFI system partition with every file`, () => {
    const bootx64 = Uint8Array.from({ length: 9000 }, (_, i) => (i * 13) & 0xff);
    const loaderElf = Uint8Array.from({ length: 0x4100 }, (_, i) => (i * 17) & 0xff);
    const r = planDisk(input('gpt', { firmware, uefi: { bootx64, loaderElf } }));
    assert.deepEqual(r.issues, []);
    const plan = r.value!;
    const disk = materialise(plan);
    assert.deepEqual(materialise(planDisk(input('gpt', { firmware, uefi: { bootx64, loaderElf } })).value!), disk, 'the same inputs give the same disk');
    const back = readDisk(readSectors(disk), plan.size / SECTOR);
    assert.deepEqual(back.issues, []);
    const d = back.value!;
    const esp = plan.esp!;
    assert.deepEqual(d.partitions.map((p) => [p.number, p.type]), [
      ...(firmware.length > 1 ? [[1, '6D696D67-626F-4F74-9A3B-766F6C756D65']] : []),
      [firmware.length, 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B'],
    ]);
    assert.equal(d.esp?.lba, esp.lba);
    assert.equal(esp.lba % 2048n, 0n);
    assert.equal(d.volume !== undefined, firmware.length > 1, 'a boot volume only with bios');
    assert.equal(d.patch !== undefined, firmware.length > 1, 'stage 1 only with bios');
    const files = d.esp!.fat.entries.filter((e) => !e.directory);
    assert.deepEqual(files.map((f) => f.path), ['/EFI/BOOT/BOOTX64.EFI', '/mimg/load.txt', '/mimg/mimgload.elf', '/mimg/hello.mimg', '/mimg/rootfs']);
    const content = [bootx64, new TextEncoder().encode(esp.loadList), loaderElf, imageBytes, rootfs];
    files.forEach((f, i) => assert.deepEqual(disk.subarray(Number(esp.lba * SECTOR + f.offset), Number(esp.lba * SECTOR + f.offset + f.size)), content[i], f.path));
    // Each line names a file and where its bytes start in the partition, as the reader finds them.
    const lines = esp.loadList.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' '));
    assert.deepEqual(lines.map(([kind, name]) => `${kind} ${name}`), ['loader mimgload.elf', 'image hello.mimg', 'module rootfs']);
    for (const [, name, offset] of lines) assert.equal(BigInt(offset!), files.find((f) => f.path === `/mimg/${name}`)!.offset, name);
  });
}

const BOOTX64 = join(PREBUILT, STAGE_FILES.bootx64);
test('BOOTX64.EFI: the committed one is a PE32+ EFI application for x86-64; anything else is MEDIA_STAGE', { skip: existsSync(BOOTX64) ? undefined : 'stages/prebuilt/ has no BOOTX64.EFI' }, () => {
  const pe = new Uint8Array(readFileSync(BOOTX64));
  assert.deepEqual(checkBootx64(pe, 'BOOTX64.EFI'), []);
  const i386 = pe.slice();
  const at = new DataView(pe.buffer, pe.byteOffset).getUint32(0x3c, true) + 4; // COFF machine
  i386.set([0x4c, 0x01], at);
  assert.deepEqual(checkBootx64(i386, 'x.efi').map((i) => [i.code, i.message.slice(0, 16)]), [['MEDIA_STAGE', 'machine 0x14c, o']]);
  assert.match(checkBootx64(new Uint8Array(readFileSync(MIMGLOAD)), 'mimgload.elf')[0]!.message, /not a PE image \(no MZ header\)/);
});
