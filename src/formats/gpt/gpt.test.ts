// The GPT codec against GPT fdisk and util-linux: tables sgdisk makes read
// back as `sfdisk --json` shows them and write back byte for byte (both
// copies, and the protective MBR); tables we write pass `sgdisk -v`; and on
// damaged tables our verdict agrees with sgdisk's.

import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SECTOR_SIZE, type ReadSectors } from '../../bytes/sectors.js';
import { missingTools, run, tempDir } from '../../../test/support/toolchain.js';
import { encodeMbr, mbrPartition, parseMbr } from '../mbr/mbr.js';
import { encodeGpt, protectiveMbr, protectivePartition, readGpt, usableSectors, type Gpt } from './gpt.js';
import { guidBytes, guidFromHash, guidString } from './guid.js';
import { ATTR_LEGACY_BIOS_BOOTABLE, TYPE_BIOS_BOOT, TYPE_MIMG } from './struct.js';

const noTools = missingTools('sgdisk', 'sfdisk');

interface SfdiskGpt {
  partitiontable: { label: string; id: string; firstlba: number; lastlba: number; partitions: { node: string; start: number; size: number; type: string; uuid: string; name?: string; attrs?: string }[] };
}

function image(name: string, mib: number): string {
  const file = join(tempDir(), name);
  writeFileSync(file, '');
  run('truncate', ['-s', `${mib}M`, file]);
  return file;
}

/** Sectors of a file, read as a disk would be. */
function reader(file: string): { read: ReadSectors; close(): void } {
  const fd = openSync(file, 'r');
  return {
    read: (lba, count) => {
      const buf = new Uint8Array(count * SECTOR_SIZE);
      return buf.subarray(0, readSync(fd, buf, 0, buf.length, Number(lba) * SECTOR_SIZE));
    },
    close: () => closeSync(fd),
  };
}

function withReader<T>(file: string, use: (read: ReadSectors) => T): T {
  const r = reader(file);
  try {
    return use(r.read);
  } finally {
    r.close();
  }
}

/**
 * sgdisk -v's verdict. It exits 0 even when it finds problems; a damaged
 * copy that it can rebuild from the other still ends in "No problems found",
 * after warnings on stderr.
 */
function sgdiskClean(file: string): boolean {
  const r = spawnSync('sgdisk', ['-v', file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  return /No problems found/.test(r.stdout) && !/Warning|ERROR|Caution|Problem/.test(r.stdout + r.stderr);
}

function patch(file: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}

test('guidBytes and guidString: the mixed-endian GPT form', () => {
  const esp = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
  assert.deepEqual([...guidBytes(esp)], [0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b]);
  assert.equal(guidString(guidBytes(esp)), esp);
  assert.equal(guidString(guidBytes(TYPE_MIMG.toLowerCase())), TYPE_MIMG);
  const made = guidFromHash(new Uint8Array(32).fill(0xff));
  assert.match(made, /^[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/, 'version 8, RFC variant');
});

test('a GPT sgdisk made reads as sfdisk shows it, and both copies and the protective MBR write back byte-exactly', { skip: noTools }, () => {
  const file = image('sgdisk.img', 32);
  run('sgdisk', ['-n', '1:2048:+1M', '-t', '1:ef02', '-c', '1:bios boot', '-A', '1:set:2', '-n', '2:0:+8M', '-t', '2:8300', '-c', '2:données', '-n', '5:0:0', '-t', '5:ef00', file]);
  const sectors = 32n * 2048n;
  const { gpt, issues, sector0, primary, backup } = withReader(file, (read) => {
    const r = readGpt(read, sectors);
    return { gpt: r.value!, issues: r.issues, sector0: read(0n, 1), primary: read(1n, 33), backup: read(sectors - 33n, 33) };
  });
  assert.deepEqual(issues, []);
  const json = (JSON.parse(run('sfdisk', ['--json', file])) as SfdiskGpt).partitiontable;
  assert.equal(gpt.diskGuid, json.id);
  assert.deepEqual([gpt.firstUsableLba, gpt.lastUsableLba], [BigInt(json.firstlba), BigInt(json.lastlba)]);
  assert.deepEqual(
    gpt.partitions.map((p) => ({ node: `${p.entry + 1}`, start: Number(p.firstLba), size: Number(p.lastLba - p.firstLba + 1n), type: p.type, uuid: p.guid, name: p.name, legacyBoot: (p.attributes & ATTR_LEGACY_BIOS_BOOTABLE) !== 0n })),
    json.partitions.map((p) => ({ node: /\d+$/.exec(p.node)![0], start: p.start, size: p.size, type: p.type, uuid: p.uuid, name: p.name ?? '', legacyBoot: p.attrs === 'LegacyBIOSBootable' })),
  );
  assert.equal(gpt.partitions[1]!.name, 'données');
  const out = encodeGpt(gpt, sectors);
  assert.deepEqual(out.primary, primary);
  assert.deepEqual(out.backup, backup);
  assert.equal(out.backupLba, sectors - 33n);
  const mbr = parseMbr(sector0).value!;
  assert.deepEqual(encodeMbr(protectiveMbr(sectors, mbr.bootCode, mbr.diskSignature)), sector0, "our protective MBR is sgdisk's");
});

test("protectivePartition's CHS ends are sgdisk's: computed below the CHS limit, FF FF FF above", { skip: noTools }, () => {
  for (const mib of [8, 9000]) {
    const file = image(`pmbr-${mib}.img`, mib);
    run('sgdisk', ['-o', file]);
    const entry = withReader(file, (read) => parseMbr(read(0n, 1)).value!.partitions[0]!);
    assert.deepEqual(protectivePartition(BigInt(mib) * 2048n), entry, `${mib} MiB`);
  }
});

test('a GPT we write passes sgdisk -v and reads back through sfdisk', { skip: noTools }, () => {
  const sectors = 16n * 2048n;
  const usable = usableSectors(sectors);
  const gpt: Gpt = {
    diskGuid: '01234567-89AB-4DEF-8123-456789ABCDEF',
    firstUsableLba: usable.first,
    lastUsableLba: usable.last,
    entryCount: 128,
    partitions: [
      { entry: 0, type: TYPE_MIMG, guid: 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE', firstLba: 2048n, lastLba: 6143n, attributes: ATTR_LEGACY_BIOS_BOOTABLE, name: 'mimg boot' },
      { entry: 3, type: TYPE_BIOS_BOOT, guid: '11111111-2222-4333-8444-555555555555', firstLba: 6144n, lastLba: 8191n, attributes: 0n, name: 'x' },
    ],
  };
  const file = image('ours.img', 16);
  const out = encodeGpt(gpt, sectors);
  patch(file, 0, encodeMbr(protectiveMbr(sectors, new Uint8Array(440), 0)));
  patch(file, SECTOR_SIZE, out.primary);
  patch(file, Number(out.backupLba) * SECTOR_SIZE, out.backup);
  assert.ok(sgdiskClean(file), 'sgdisk -v finds no problem');
  const json = (JSON.parse(run('sfdisk', ['--json', file])) as SfdiskGpt).partitiontable;
  assert.equal(json.id, gpt.diskGuid);
  assert.deepEqual(json.partitions.map((p) => [p.node.replace(/^.*img/, ''), p.start, p.size, p.type, p.uuid, p.name]), [
    ['1', 2048, 4096, TYPE_MIMG, 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE', 'mimg boot'],
    ['4', 6144, 2048, TYPE_BIOS_BOOT, '11111111-2222-4333-8444-555555555555', 'x'],
  ]);
  assert.deepEqual(withReader(file, (read) => readGpt(read, sectors)), { value: gpt, issues: [] });
});

test('damage: where sgdisk -v finds problems, so does readGpt, and the backup copy still gives the table', { skip: noTools }, () => {
  const sectors = 8n * 2048n;
  const fresh = (name: string): string => {
    const file = image(name, 8);
    run('sgdisk', ['-n', '1:2048:+2M', '-t', '1:ef02', file]);
    return file;
  };
  const cases: [string, (file: string) => void, string[]][] = [
    ['a primary entry byte flipped', (f) => patch(f, 2 * SECTOR_SIZE + 40, Uint8Array.of(0x77)), ['primary GPT header (partition_entry_array_crc32)']],
    ['the primary header CRC broken', (f) => patch(f, SECTOR_SIZE + 16, Uint8Array.of(0, 0, 0, 0)), ['primary GPT header (header_crc32)']],
    ['the backup header gone', (f) => patch(f, Number(sectors - 1n) * SECTOR_SIZE, new Uint8Array(SECTOR_SIZE)), ['backup GPT header (signature)']],
  ];
  for (const [what, damage, where] of cases) {
    const file = fresh(`damaged-${where[0]!.replace(/\W+/g, '-')}.img`);
    const good = withReader(file, (read) => readGpt(read, sectors)).value!;
    assert.ok(sgdiskClean(file));
    damage(file);
    assert.ok(sgdiskClean(file) === false, `${what}: sgdisk agrees it is damaged`);
    const r = withReader(file, (read) => readGpt(read, sectors));
    assert.deepEqual(r.issues.map((i) => i.where), where, what);
    assert.ok(r.issues.every((i) => i.code === 'DISK_TABLE'));
    assert.deepEqual(r.value, good, `${what}: the table still reads from the intact copy`);
  }
});

test('readGpt reports overlapping and out-of-range entries (sgdisk -v agrees), and a missing GPT', { skip: noTools }, () => {
  const sectors = 8n * 2048n;
  const usable = usableSectors(sectors);
  const entry = (i: number, first: bigint, last: bigint) => ({ entry: i, type: TYPE_BIOS_BOOT, guid: guidFromHash(Uint8Array.of(i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)), firstLba: first, lastLba: last, attributes: 0n, name: '' });
  const gpt: Gpt = { diskGuid: guidFromHash(new Uint8Array(16)), firstUsableLba: usable.first, lastUsableLba: usable.last, entryCount: 128, partitions: [entry(0, 2048n, 4095n), entry(1, 4000n, 5000n), entry(2, 10n, 100n)] };
  const file = image('overlap.img', 8);
  const out = encodeGpt(gpt, sectors);
  patch(file, 0, encodeMbr(protectiveMbr(sectors, new Uint8Array(440), 0)));
  patch(file, SECTOR_SIZE, out.primary);
  patch(file, Number(out.backupLba) * SECTOR_SIZE, out.backup);
  assert.ok(sgdiskClean(file) === false, 'sgdisk finds the overlap too');
  const r = withReader(file, (read) => readGpt(read, sectors));
  const primary = r.issues.filter((i) => i.where?.startsWith('primary')).map((i) => i.message);
  assert.deepEqual(primary, [
    'partition 2, sectors [4000,5000], overlaps partition 1, sectors [2048,4095]',
    `partition 3, sectors [10,100], is not inside the usable sectors [34,${sectors - 34n}]`,
  ]);
  const blank = new Uint8Array(SECTOR_SIZE);
  blank.set(encodeMbr({ bootCode: new Uint8Array(440), diskSignature: 0, copyProtect: 0, partitions: [protectivePartition(sectors), mbrPartition(0, 0n, 0n), mbrPartition(0, 0n, 0n), mbrPartition(0, 0n, 0n)] }));
  const none = readGpt((lba) => (lba === 0n ? blank : new Uint8Array(SECTOR_SIZE)), sectors);
  assert.equal(none.value, undefined);
  assert.deepEqual(none.issues.map((i) => i.where), ['primary GPT header (signature)', 'backup GPT header (signature)']);
});
