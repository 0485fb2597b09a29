// UEFI disk media end to end: `mimg build` with [media] firmware "uefi"
// writes a GPT disk whose EFI system partition OVMF boots through
// BOOTX64.EFI and mimgload. The guest's report is compared with `mimg
// inspect --json`; the memory map it received with the raw map OVMF gave
// BOOTX64.EFI, converted here from the UEFI types independently; the
// partition with fsck.fat and mtools. One ["bios", "uefi"] disk boots under
// SeaBIOS and OVMF alike.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, openSync, readFileSync, readSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diskArgs, ovmfAvailable, runCaptured, withUefiVars, QEMU, type StopWhen } from '../../src/host/qemu.js';
import { assertMatches, image, kernels, MEMORY, mimg, report, sha256, TIMEOUT_MS } from '../support/bootcheck.js';
import { KERNEL_TOOLS } from '../support/kernels.js';
import type { MemoryMapEntry } from '../support/transcript.js';
import { assertScreenShows, errorLine, readPpm } from '../support/screen.js';
import { missingTools, run } from '../support/toolchain.js';

const BOOTX64 = new URL('../../../stages/prebuilt/BOOTX64.EFI', import.meta.url).pathname;
const skip =
  missingTools(QEMU, 'sgdisk', 'fsck.fat', 'mdir', 'mcopy', ...KERNEL_TOOLS) ??
  (ovmfAvailable() ? undefined : 'OVMF is not installed (Debian package ovmf)') ??
  (existsSync(BOOTX64) ? undefined : 'stages/prebuilt/BOOTX64.EFI is missing');

const BIG = 64 << 20;
/** OVMF at 128 MiB has no 64 MiB of contiguous free memory left below its own allocations. */
const UEFI_MEMORY = '256M';

interface EspJson {
  lba: string;
  files: { path: string; size: string; offset: string | null }[];
}

/**
 * A disk of the test image; with `rangeBytes`, a preloaded range 'ramdisk' of that many 0x5a bytes;
 * with `moduleBytes`, a data module 'big' of that many 0xa5 bytes, placed by the layout rule.
 */
function uefiDisk(name: string, protocol: 'multiboot1' | 'multiboot2', firmware: string, rangeBytes = 0, moduleBytes = 0) {
  const kernel = protocol === 'multiboot1' ? kernels().mb1 : kernels().mb2;
  const range = rangeBytes ? `[[range]]\nname = "ramdisk"\npath = "ramdisk.bin"\nflags = ["preload", "ro"]\n` : '';
  const module = moduleBytes ? `[[module]]\nname = "big"\npath = "big.bin"\n` : '';
  const img = image(`uefi-${name}`, protocol, kernel, `${module}${range}[media]\nfirmware = ${firmware}\n`, (dir) => {
    if (rangeBytes) writeFileSync(join(dir, 'ramdisk.bin'), Buffer.alloc(rangeBytes, 0x5a));
    if (moduleBytes) writeFileSync(join(dir, 'big.bin'), Buffer.alloc(moduleBytes, 0xa5));
  });
  const disk = join(img.dir, 'mimg.img');
  const inspected = JSON.parse(mimg('inspect', disk, '--json')) as { partitions: { type: string; firstLba: string; sectors: string }[]; esp: EspJson; stage1: unknown };
  return { ...img, disk, inspected, esp: inspected.esp, mtools: `${disk}@@${BigInt(inspected.esp.lba) * 512n}` };
}

const bootUefi = (disk: string, bus: 'ide' | 'virtio', stopWhen?: StopWhen, extraArgs: string[] = [], screendump?: string) =>
  withUefiVars((uefiVars) => runCaptured(diskArgs({ disk, bus, memory: UEFI_MEMORY, uefiVars, extraArgs }), TIMEOUT_MS, stopWhen, screendump));

/** The graphics output's mode, as BOOTX64.EFI reports it on serial. */
function gopMode(serial: string): { width: number; height: number } {
  const m = /mimg uefi: framebuffer (\d+)x(\d+), 32 bits per pixel/.exec(serial);
  assert.ok(m, serial);
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** The ESP as a file of its own, for fsck.fat (which takes no offset). */
function extractEsp(disk: string, esp: { firstLba: string; sectors: string }, out: string): void {
  const buf = Buffer.alloc(Number(BigInt(esp.sectors) * 512n));
  const fd = openSync(disk, 'r');
  readSync(fd, buf, 0, buf.length, Number(BigInt(esp.firstLba) * 512n));
  closeSync(fd);
  writeFileSync(out, buf);
}

/**
 * UEFI memory types as E820 types (ACPI 6.5 table 15.6, and what Linux's EFI
 * stub does): memory the loader or boot services held is free once they
 * are gone. Then sorted, and neighbours of one type merged.
 */
function e820FromEfi(efi: { type: number; base: bigint; pages: bigint }[]): MemoryMapEntry[] {
  const TYPE: Record<number, number> = { 1: 1, 2: 1, 3: 1, 4: 1, 7: 1, 8: 5, 9: 3, 10: 4, 14: 7 };
  const out: MemoryMapEntry[] = [];
  for (const d of [...efi].sort((a, b) => (a.base < b.base ? -1 : 1))) {
    const e = { base: d.base, length: d.pages * 4096n, type: TYPE[d.type] ?? 2 };
    const last = out.at(-1);
    if (last && last.type === e.type && last.base + last.length === e.base) last.length += e.length;
    else if (e.length > 0n) out.push(e);
  }
  return out;
}

describe('UEFI disk media boot through BOOTX64.EFI and mimgload', { skip, concurrency: 2 }, () => {
  test('one ["bios", "uefi"] disk with a 64 MiB preloaded range boots under OVMF and under SeaBIOS; the map handed over is OVMF\'s', async () => {
    const img = uefiDisk('both', 'multiboot2', '["bios", "uefi"]', BIG);
    assert.deepEqual(img.inspected.partitions.map((p) => p.type), ['6D696D67-626F-4F74-9A3B-766F6C756D65', 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B']);
    assert.match(run('sgdisk', ['-v', img.disk]), /No problems found/);
    // mtools reads what inspect lists, byte for byte.
    const listing = run('mdir', ['-i', img.mtools, '-/', '-b', '::']).split('\n').filter((l) => l && !l.endsWith('/'));
    assert.deepEqual(listing.sort(), img.esp.files.map((f) => `::${f.path}`).sort());
    for (const [esp, local] of [['/mimg/ramdisk', 'ramdisk.bin'], ['/mimg/uefi-both.mimg', 'uefi-both.mimg']] as const) {
      const out = join(img.dir, `back-${local}`);
      run('mcopy', ['-n', '-i', img.mtools, `::${esp}`, out]);
      assert.ok(readFileSync(out).equals(readFileSync(join(img.dir, local))), esp);
    }
    // The debug option: BOOTX64.EFI logs the firmware's raw map.
    const list = join(img.dir, 'load.txt');
    run('mcopy', ['-n', '-i', img.mtools, '::/mimg/load.txt', list]);
    writeFileSync(list, `${readFileSync(list, 'utf8')}option efi-map\n`);
    run('mcopy', ['-o', '-i', img.mtools, list, '::/mimg/load.txt']);

    // One after the other: QEMU locks the disk image it runs.
    const uefi = await bootUefi(img.disk, 'ide');
    const bios = await runCaptured(diskArgs({ disk: img.disk, bus: 'ide', memory: MEMORY }), TIMEOUT_MS);
    const extra = [{ string: 'ramdisk', file: 'ramdisk.bin' }];
    for (const b of [uefi, bios]) assertMatches(report(b), img, b, extra);
    assert.match(bios.serial, /mimg bios: loaded image/);
    assert.match(uefi.serial, /mimg uefi: reading the files by ATA bus-master DMA after ExitBootServices/);
    assert.match(uefi.serial, new RegExp(`mimg uefi: loaded module 'ramdisk' 0x${BIG.toString(16)} bytes`));

    const r = report(uefi);
    const raw = [...uefi.serial.matchAll(/^mimg uefi: efi-map type=(\d+) base=0x([0-9a-f]+) pages=0x([0-9a-f]+) attr=0x[0-9a-f]+\r?$/gm)].map((m) => ({
      type: Number(m[1]),
      base: BigInt(`0x${m[2]}`),
      pages: BigInt(`0x${m[3]}`),
    }));
    const count = /memory map: (\d+) firmware descriptors/.exec(uefi.serial);
    assert.equal(raw.length, Number(count?.[1]), 'one line per firmware descriptor');
    assert.ok(raw.length > 10, uefi.serial);
    assert.deepEqual(r.mmap, e820FromEfi(raw));
    assert.equal(r.rsdp.length, 1, 'the RSDP from the configuration table');
  });

  test('a ["uefi"] disk on virtio-blk, Multiboot1 kernel: no BIOS boot code, a clean FAT32 ESP', async () => {
    const img = uefiDisk('only', 'multiboot1', '["uefi"]');
    assert.deepEqual(img.inspected.partitions.map((p) => p.type), ['C12A7328-F81F-11D2-BA4B-00A0C93EC93B']);
    assert.equal(img.inspected.stage1, null);
    assert.ok(readFileSync(img.disk).subarray(0, 440).every((b) => b === 0), 'the MBR holds no boot code');
    const espFile = join(img.dir, 'esp.img');
    extractEsp(img.disk, img.inspected.partitions[0]!, espFile);
    const fsck = run('fsck.fat', ['-n', espFile]);
    assert.match(fsck, /: \d+ files, \d+\/\d+ clusters\n$/, fsck);
    assert.doesNotMatch(fsck, /fix|differ|wrong|invalid/i, fsck);
    const b = await bootUefi(img.disk, 'virtio');
    assertMatches(report(b), img, b);
    assert.match(b.serial, /mimg uefi: reading the files by the virtio-blk driver after ExitBootServices/, b.serial);
  });

  test("BOOTX64.EFI's own hand-off, seen by the Multiboot2 test kernel loaded in mimgload's place", async () => {
    const img = uefiDisk('direct', 'multiboot2', '["uefi"]');
    run('mcopy', ['-i', img.mtools, kernels().mb2, '::/mimg/kernel.elf']);
    const list = join(img.dir, 'load.txt');
    run('mcopy', ['-n', '-i', img.mtools, '::/mimg/load.txt', list]);
    writeFileSync(list, `${readFileSync(list, 'utf8').replace(/^loader .*$/m, 'loader kernel.elf')}option efi-map\n`);
    run('mcopy', ['-o', '-i', img.mtools, list, '::/mimg/load.txt']);
    const b = await bootUefi(img.disk, 'ide');
    const r = report(b);
    assert.deepEqual(r.failures, [], b.serial);
    assert.ok(r.complete, b.serial);
    assert.equal(r.handoff?.magic, 0x36d76289n);
    assert.equal(r.loader, 'mimg uefi');
    assert.equal(r.cmdline, 'image=uefi-direct.mimg');
    assert.deepEqual(r.modules.map((m) => [m.string, m.end - m.start, m.sha256]), [['uefi-direct.mimg', BigInt(readFileSync(img.path).length), sha256(readFileSync(img.path))]]);
    assert.equal(r.modules[0]!.start % 4096n, 0n, 'page-aligned');
    const raw = [...b.serial.matchAll(/^mimg uefi: efi-map type=(\d+) base=0x([0-9a-f]+) pages=0x([0-9a-f]+) attr=0x[0-9a-f]+\r?$/gm)].map((m) => ({ type: Number(m[1]), base: BigInt(`0x${m[2]}`), pages: BigInt(`0x${m[3]}`) }));
    assert.deepEqual(r.mmap, e820FromEfi(raw));
    // mem_upper: KiB from 1 MiB to the first byte the map does not call usable RAM.
    const upper = r.mmap.find((e) => e.type === 1 && e.base <= 0x100000n && e.base + e.length > 0x100000n)!;
    assert.equal(r.meminfo?.upper, (upper.base + upper.length - 0x100000n) / 1024n);
    assert.equal(r.rsdp.length, 1);
    const cpus = /enabled CPUs in the MADT: (\d+)/.exec(b.serial);
    // QEMU's standard VGA has a graphics output: its mode as a framebuffer tag (direct RGB), which the
    // kernel reports and proves: the card is in that mode, and the first and last pixel take writes.
    const gop = /mimg uefi: framebuffer (\d+)x(\d+), 32 bits per pixel, pitch 0x([0-9a-f]+), at 0x([0-9a-f]+)/.exec(b.serial);
    assert.ok(gop, b.serial);
    const fb = r.framebuffer;
    assert.deepEqual(fb && [fb.width, fb.height, fb.bpp, fb.pitch, fb.addr, fb.type], [Number(gop[1]), Number(gop[2]), 32, parseInt(gop[3]!, 16), BigInt(`0x${gop[4]}`), 1]);
    assert.deepEqual([r.dispi?.xres, r.dispi?.yres, r.dispi?.bpp], [fb!.width, fb!.height, fb!.bpp]);
    assert.ok(r.pixelOk);
    // Then the EFI system table (tag 12) and the EFI memory map (tag 17: two u32 and one descriptor per efi-map line).
    const efiMap = r.otherTags.find((t) => t.type === 17)!;
    const descriptorSize = (efiMap.size - 16) / raw.length;
    assert.ok(Number.isInteger(descriptorSize) && descriptorSize >= 40, `EFI memory map tag of ${efiMap.size} bytes for ${raw.length} descriptors`);
    assert.deepEqual(r.otherTags, [{ type: 12, size: 16 }, efiMap, { type: 0x6d696d01, size: 8 + 4 + 4 * Number(cpus?.[1]) }], 'and no other tag');
  });

  test('a file replaced on the ESP with the same first sector: its old offset is not trusted on IDE nor on virtio-blk, the new bytes come through the file system', async () => {
    const img = uefiDisk('replaced', 'multiboot2', '["uefi"]', 1 << 20);
    // mcopy frees the old clusters (their bytes stay) and writes the new file elsewhere: only the FAT says so.
    const data = Buffer.alloc(1 << 20, 0x33);
    data.fill(0x5a, 0, 512);
    writeFileSync(join(img.dir, 'ramdisk.bin'), data);
    run('mcopy', ['-o', '-i', img.mtools, join(img.dir, 'ramdisk.bin'), '::/mimg/ramdisk']);
    for (const bus of ['ide', 'virtio'] as const) {
      const b = await bootUefi(img.disk, bus);
      assert.match(b.serial, /mimg uefi: reading the files through the firmware's file system/, b.serial);
      assertMatches(report(b), img, b, [{ string: 'ramdisk', file: 'ramdisk.bin' }]);
    }
  });

  test("an error before ExitBootServices goes to the firmware's console too: OVMF copies it to the serial port, so the line comes twice", async () => {
    const img = uefiDisk('missing-image', 'multiboot2', '["uefi"]');
    const name = img.esp.files.find((f) => f.path.endsWith('.mimg'))!.path.split('/').pop()!;
    run('mdel', ['-i', img.mtools, `::/mimg/${name}`]);
    // The whole line once, from COM1; the firmware's copy at least up to the file's name: on a busy host OVMF's
    // own serial output can run into it, and OVMF's serial writes give up on characters the host does not take.
    const line = `mimg uefi: error: cannot open \\mimg\\${name} on the EFI system partition (status 0x800000000000000e); hint: rebuild the disk with \`mimg build\``;
    const head = line.slice(0, line.indexOf(' on the EFI'));
    const copies = (output: string) => output.split(head).length - 1;
    const b = await bootUefi(img.disk, 'ide', (output) => copies(output) >= 2 && output.includes(line));
    assert.ok(b.serial.includes(line), b.serial);
    assert.equal(copies(b.serial), 2, b.serial);
    assert.doesNotMatch(b.serial, /boot services exited/);
  });

  test('a corrupted image on the ESP: mimgload refuses it, on serial and on the framebuffer', async () => {
    const img = uefiDisk('bad-image', 'multiboot2', '["uefi"]');
    const file = img.esp.files.find((f) => f.path.endsWith('.mimg'))!;
    const disk = readFileSync(img.disk);
    const at = Number(BigInt(file.offset!) + BigInt(file.size)) - 10; // inside the last payload
    disk[at] = disk[at]! ^ 0x01;
    writeFileSync(img.disk, disk);
    const shot = join(img.dir, 'screen.ppm');
    const b = await bootUefi(img.disk, 'ide', /mimgload: error/, [], shot);
    assert.match(b.serial, /mimgload: error: .*MIMG_DIGEST/, b.serial);
    assert.doesNotMatch(b.serial, /MIMGTEST begin/);
    // The same line on the firmware's framebuffer, which mimgload got in BOOTX64.EFI's Multiboot2 tag 8.
    const screen = readPpm(shot);
    assert.deepEqual({ width: screen.width, height: screen.height }, gopMode(b.serial));
    assertScreenShows(screen, errorLine(b.serial, 'mimgload'));
  });

  test('a read error after ExitBootServices: BOOTX64.EFI says so on serial and on the framebuffer', async () => {
    const img = uefiDisk('read-error', 'multiboot2', '["uefi"]', 1 << 20);
    // QEMU's blkdebug fails every read that covers one sector in the middle of the range's file: the firmware's
    // file system reads only its first sectors before ExitBootServices, the IDE or virtio driver the whole file after.
    const file = img.esp.files.find((f) => f.path === '/mimg/ramdisk')!;
    const sector = BigInt(file.offset!) / 512n + 1024n; // the offset is the disk's: 512 KiB into the file
    const rules = join(img.dir, 'blkdebug.conf');
    writeFileSync(rules, `[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "${sector}"\n`);
    const shot = join(img.dir, 'screen.ppm');
    const b = await bootUefi(`blkdebug:${rules}:${img.disk}`, 'ide', /mimg uefi: error/, [], shot);
    assert.match(b.serial, /mimg uefi: boot services exited/, b.serial);
    assert.match(b.serial, /mimg uefi: error: reading \\mimg\\ramdisk \(0x100000 bytes at partition offset 0x[0-9a-f]+\) by ATA DMA failed/, b.serial);
    const screen = readPpm(shot);
    assert.deepEqual({ width: screen.width, height: screen.height }, gopMode(b.serial));
    assertScreenShows(screen, errorLine(b.serial, 'mimg uefi'));
    const v = await bootUefi(`blkdebug:${rules}:${img.disk}`, 'virtio', /mimg uefi: error/);
    assert.match(v.serial, /mimg uefi: reading the files by the virtio-blk driver after ExitBootServices/, v.serial);
    assert.match(v.serial, /mimg uefi: error: reading \\mimg\\ramdisk \(0x100000 bytes at partition offset 0x[0-9a-f]+\) by the virtio-blk driver failed/, v.serial);
  });

  test('read by DMA, the image goes where its largest payload already lies at its address; the kernel gets every byte', async () => {
    const img = uefiDisk('in-place', 'multiboot2', '["uefi"]', 0, 16 << 20);
    const big = img.inspect.sections.find((x) => x.name === 'big')!;
    const b = await bootUefi(img.disk, 'ide');
    const at = /mimg uefi: the image goes at 0x([0-9a-f]+), its largest payload in place/.exec(b.serial);
    assert.ok(at, b.serial);
    assert.equal(BigInt(`0x${at[1]}`), BigInt(big.start) - BigInt(big.fileOffset), 'the payload at its section address');
    assert.match(b.serial, new RegExp(`mimg uefi: loaded image '\\S+' 0x[0-9a-f]+ bytes at 0x${at[1]}\\b`));
    assertMatches(report(b), img, b);
  });

  test('on virtio-blk too: read by the driver after ExitBootServices, the image in place; the kernel gets every byte', async () => {
    const img = uefiDisk('in-place-virtio', 'multiboot2', '["uefi"]', 0, 16 << 20);
    const big = img.inspect.sections.find((x) => x.name === 'big')!;
    const b = await bootUefi(img.disk, 'virtio');
    assert.match(b.serial, /mimg uefi: reading the files by the virtio-blk driver after ExitBootServices/, b.serial);
    const at = /mimg uefi: the image goes at 0x([0-9a-f]+), its largest payload in place/.exec(b.serial);
    assert.ok(at, b.serial);
    assert.equal(BigInt(`0x${at[1]}`), BigInt(big.start) - BigInt(big.fileOffset), 'the payload at its section address');
    assert.match(b.serial, new RegExp(`mimg uefi: loaded image '\\S+' 0x[0-9a-f]+ bytes at 0x${at[1]}\\b`));
    assertMatches(report(b), img, b);
  });

  test("a load list offset that does not hold the file: read through the file system; a 16 MiB module keeps clear of OVMF's S3 memory at 8 MiB", async () => {
    const img = uefiDisk('s3', 'multiboot2', '["uefi"]', 0, 16 << 20);
    const big = img.inspect.sections.find((x) => x.name === 'big')!;
    assert.ok(BigInt(big.start) >= 9n << 20n, `the module lies at ${big.start}, below the end of UEFI's early memory`);
    const list = join(img.dir, 'load.txt');
    run('mcopy', ['-n', '-i', img.mtools, '::/mimg/load.txt', list]);
    writeFileSync(list, readFileSync(list, 'utf8').replace(/^(image \S+ 0x)([0-9a-f]+)$/m, (_, head: string, at: string) => `${head}${(BigInt(`0x${at}`) + 512n).toString(16).padStart(16, '0')}`));
    run('mcopy', ['-o', '-i', img.mtools, list, '::/mimg/load.txt']);
    const b = await bootUefi(img.disk, 'ide');
    const nvs = report(b).mmap.find((e) => e.type === 4 && e.base < 9n << 20n && e.base + e.length > 8n << 20n);
    assert.ok(nvs, `S3 is on: OVMF gives ACPI NVS memory at 8 MiB\n${b.serial}`);
    assert.match(b.serial, /mimg uefi: reading the files through the firmware's file system/, b.serial);
    assertMatches(report(b), img, b);
  });
});
