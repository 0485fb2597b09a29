// UEFI boot benchmark (issue 6): QEMU + OVMF start to kernel exit for a mimg
// UEFI disk (BOOTX64.EFI, mimgload) on IDE and on virtio-blk, against GRUB
// EFI from Debian's grub-efi-amd64-bin (grub-mkimage's BOOTX64.EFI on a FAT
// ESP, on IDE and virtio-blk, and a grub-mkrescue ISO; timeout 0, GRUB
// loading the kernel and module itself) and the firmware floor: an EFI
// application that exits QEMU at once. With no module and with a 64 MiB
// module, side by side in one run (TCG, -m 256, a fresh copy of OVMF's
// variable store per run).
//
// The GRUB and floor ESPs are FAT32 volumes written by mimg's own FAT
// writer (src/formats/fat) on a GPT disk, so every disk has the same layout.
//
//   npm run bench:uefi        (tsc, then node dist/bench/uefi-boot.js [--runs N] [--no-grub])

import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SECTOR_SIZE } from '../src/bytes/sectors.js';
import { planFat32 } from '../src/formats/fat/index.js';
import { ENTRY_COUNT, TYPE_ESP, encodeGpt, protectiveMbr, usableSectors } from '../src/formats/gpt/index.js';
import { encodeMbr } from '../src/formats/mbr/index.js';
import { writeDisk } from '../src/host/disk.js';
import { OVMF_VARS, machineArgs, ovmfAvailable, uefiArgs } from '../src/host/qemu.js';
import { bytesExtent, shift, tile, type Extent, type Source } from '../src/media/extent.js';
import { benchDir, benchKernel, median, sh, timeBoot } from './qemu-bench.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const MEMORY = '256M';
const GRUB_EFI = '/usr/lib/grub/x86_64-efi';
const SECTOR = BigInt(SECTOR_SIZE);

if (!ovmfAvailable()) throw new Error('OVMF is not installed (Debian package ovmf)');
if (!statSync(GRUB_EFI, { throwIfNoEntry: false })) throw new Error(`${GRUB_EFI} is missing (Debian package grub-efi-amd64-bin)`);

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, 'no-grub': { type: 'boolean', default: false } } });
const runs = Number(values.runs);
const dir = benchDir('uefi');

const kernel = benchKernel(dir);
const module = join(dir, 'module.bin');
writeFileSync(module, randomBytes(64 << 20));
const vars = join(dir, 'vars.fd');

/** A GPT disk whose one partition is an ESP holding `files` (path on the ESP, file on the host). */
async function espDisk(out: string, files: { path: string[]; file: string }[]): Promise<void> {
  const fat = planFat32<Source>({
    files: files.map((f) => ({ path: f.path, size: BigInt(statSync(f.file).size), source: { kind: 'file', path: f.file, offset: 0n } })),
    volumeId: 0x6d696d67,
    hiddenSectors: 2048n,
    alignSectors: 2048n,
  }).value!;
  const diskSectors = 2048n + fat.sectors + 2048n;
  const usable = usableSectors(diskSectors);
  const guid = (n: number): string => `6D696D67-0000-4000-8000-00000000000${n}`;
  const tables = encodeGpt(
    { diskGuid: guid(1), firstUsableLba: usable.first, lastUsableLba: usable.last, entryCount: ENTRY_COUNT, partitions: [{ entry: 0, type: TYPE_ESP, guid: guid(2), firstLba: 2048n, lastLba: 2048n + fat.sectors - 1n, attributes: 0n, name: 'EFI system partition' }] },
    diskSectors,
  );
  const extents: Extent[] = [
    bytesExtent(0n, encodeMbr(protectiveMbr(diskSectors, new Uint8Array(440), 0)), 'MBR'),
    bytesExtent(SECTOR, tables.primary, 'primary GPT'),
    bytesExtent(tables.backupLba * SECTOR, tables.backup, 'backup GPT'),
    ...shift([...fat.areas.map((a) => bytesExtent(a.offset, a.bytes, a.what)), ...fat.files.map((f): Extent => ({ offset: f.offset, length: f.size, source: f.source, what: f.path }))], 2048n * SECTOR),
  ];
  await writeDisk(out, { size: diskSectors * SECTOR, extents: tile(extents, diskSectors * SECTOR) });
}

/** The floor: an EFI application that writes the exit code to isa-debug-exit at once. */
async function floorDisk(): Promise<string> {
  const src = join(dir, 'floor.c');
  writeFileSync(src, 'void efi_main(void *image, void *st) { (void)image; (void)st; __asm__ volatile("outb %0, $0xf4" : : "a"((unsigned char)0x10)); for (;;) __asm__ volatile("hlt"); }\n');
  sh('clang', ['-target', 'x86_64-unknown-windows', '-ffreestanding', '-fno-stack-protector', '-mno-red-zone', '-O2', '-c', '-o', join(dir, 'floor.obj'), src]);
  sh('lld-link', ['/subsystem:efi_application', '/entry:efi_main', '/nodefaultlib', `/out:${join(dir, 'floor.efi')}`, join(dir, 'floor.obj')]);
  const disk = join(dir, 'floor.img');
  await espDisk(disk, [{ path: ['EFI', 'BOOT', 'BOOTX64.EFI'], file: join(dir, 'floor.efi') }]);
  return disk;
}

/** A mimg UEFI disk: the kernel, and the module as a data module of the image. */
function mimgDisk(name: string, withModule: boolean): string {
  const d = join(dir, name);
  mkdirSync(d);
  const config = join(d, 'mimg.toml');
  writeFileSync(
    config,
    `[image]\nprotocol = "multiboot1"\nram = "${MEMORY}"\nintegrity = "fast"\n[kernel]\npath = "${kernel}"\n` +
      (withModule ? `[[module]]\nname = "module"\npath = "${module}"\n` : '') +
      `[media]\nfirmware = ["uefi"]\n`,
  );
  sh(process.execPath, [CLI, 'build', config]);
  return join(d, 'mimg.img');
}

const grubCfg = (withModule: boolean): string =>
  `set timeout=0\nmenuentry "bench" {\n  multiboot /boot/k.elf\n${withModule ? '  module /boot/module.bin module\n' : ''}  boot\n}\n`;

/** GRUB EFI on an ESP: grub-mkimage's BOOTX64.EFI with the prefix /boot/grub on the partition it was loaded from. */
async function grubDisk(name: string, withModule: boolean): Promise<string> {
  const d = join(dir, name);
  mkdirSync(d);
  const efi = join(d, 'BOOTX64.EFI');
  sh('grub-mkimage', ['-O', 'x86_64-efi', '-o', efi, '-p', '/boot/grub', 'part_gpt', 'fat', 'normal', 'multiboot']);
  const cfg = join(d, 'grub.cfg');
  writeFileSync(cfg, grubCfg(withModule));
  const disk = join(d, 'grub.img');
  await espDisk(disk, [
    { path: ['EFI', 'BOOT', 'BOOTX64.EFI'], file: efi },
    { path: ['boot', 'grub', 'grub.cfg'], file: cfg },
    { path: ['boot', 'k.elf'], file: kernel },
    ...(withModule ? [{ path: ['boot', 'module.bin'], file: module }] : []),
  ]);
  return disk;
}

/** A grub-mkrescue ISO (BIOS and EFI), booted by OVMF from its EFI image. */
function grubIso(name: string, withModule: boolean): string {
  const root = join(dir, `${name}-root`);
  mkdirSync(join(root, 'boot', 'grub'), { recursive: true });
  copyFileSync(kernel, join(root, 'boot', 'k.elf'));
  if (withModule) copyFileSync(module, join(root, 'boot', 'module.bin'));
  writeFileSync(join(root, 'boot', 'grub', 'grub.cfg'), grubCfg(withModule));
  const iso = join(dir, `${name}.iso`);
  sh('grub-mkrescue', ['-o', iso, root]);
  return iso;
}

const cases: { name: string; args: string[]; times: number[] }[] = [];
const drive = (file: string, bus: string): string[] => ['-drive', `file=${file},format=raw,if=${bus}`];
cases.push({ name: 'floor (EFI app exits at once)', args: drive(await floorDisk(), 'ide'), times: [] });
for (const withModule of [false, true]) {
  const tag = withModule ? '64 MiB module' : 'no module';
  const m = mimgDisk(`mimg-${withModule}`, withModule);
  for (const bus of ['ide', 'virtio']) cases.push({ name: `mimg disk ${bus}, ${tag}`, args: drive(m, bus), times: [] });
  if (values['no-grub']) continue; // the mimg cases against the floor only, for quick runs
  const g = await grubDisk(`grub-${withModule}`, withModule);
  for (const bus of ['ide', 'virtio']) cases.push({ name: `GRUB EFI disk ${bus}, ${tag}`, args: drive(g, bus), times: [] });
  cases.push({ name: `GRUB EFI ISO, ${tag}`, args: ['-cdrom', grubIso(`grub-iso-${withModule}`, withModule)], times: [] });
}
for (let i = 0; i < runs; i++) {
  for (const c of cases) {
    copyFileSync(OVMF_VARS, vars); // every run starts from the same firmware state
    c.times.push(timeBoot([...uefiArgs(vars), ...c.args, ...machineArgs(MEMORY)]));
  }
}

const floor = median(cases[0]!.times);
console.log(`UEFI boot benchmark: ${runs} runs each, median wall time of the whole QEMU process (OVMF, TCG, -m ${MEMORY})\n`);
console.log('case'.padEnd(36) + 'median s'.padStart(10) + '  min-max s'.padStart(13) + '  - floor' + '  vs mimg (same bus; the ISO vs virtio)');
for (const c of cases) {
  const t = median(c.times);
  const mimg = c.name.startsWith('GRUB') ? cases.find((o) => o.name === c.name.replace(/^GRUB EFI (disk|ISO)/, 'mimg disk').replace('mimg disk,', 'mimg disk virtio,')) : undefined;
  const vs = mimg ? `  ${(t / median(mimg.times)).toFixed(1)}x` : '';
  const spread = `${Math.min(...c.times).toFixed(2)}-${Math.max(...c.times).toFixed(2)}`;
  console.log(c.name.padEnd(36) + t.toFixed(2).padStart(10) + spread.padStart(13) + (t - floor).toFixed(2).padStart(9) + vs);
}
console.log(`\ntarget: mimg disk <= floor + 0.5 s (${(floor + 0.5).toFixed(2)} s), with the 64 MiB module too`);
