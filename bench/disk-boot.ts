// BIOS disk boot benchmark (issue 4): QEMU start to kernel exit for a mimg
// disk image on IDE and on virtio-blk, against GRUB from Debian's packages
// (a GRUB BIOS disk image on IDE and virtio-blk, and a grub-mkrescue ISO;
// timeout 0, GRUB loading the kernel and module itself) and QEMU's own
// -kernel, with no module and with a 64 MiB module, side by side in one run
// (TCG, -m 256). Also the build time of each medium.
//
// The GRUB disk is made as grub-install would make it, without root or loop
// devices: an MBR partition table (sfdisk), a FAT partition holding the
// files (mtools), core.img from grub-mkimage in the gap after the MBR, and
// the first 440 bytes of boot.img as the MBR's code. boot.img's default
// kernel sector (1) and diskboot's default blocklist (from sector 2, length
// filled in by grub-mkimage) are exactly that layout, so nothing is patched.
//
//   npm run bench:disk        (tsc, then node dist/bench/disk-boot.js [--runs N])

import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineArgs } from '../src/host/qemu.js';
import { benchDir, benchKernel, median, sh, timeBoot } from './qemu-bench.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const MEMORY = '256M';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const dir = benchDir('disk');

const kernel = benchKernel(dir);
const module = join(dir, 'module.bin');
writeFileSync(module, randomBytes(64 << 20));

function timed(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** A mimg disk: the kernel, and the module as a data module of the image. */
function mimgDisk(name: string, withModule: boolean): { disk: string; seconds: number } {
  const d = join(dir, name);
  mkdirSync(d);
  const config = join(d, 'mimg.toml');
  writeFileSync(
    config,
    `[image]\nprotocol = "multiboot1"\nram = "${MEMORY}"\nintegrity = "fast"\n[kernel]\npath = "${kernel}"\n` +
      (withModule ? `[[module]]\nname = "module"\npath = "${module}"\n` : '') +
      `[media]\ntype = "disk"\npartitioning = "mbr"\n`,
  );
  const seconds = timed(() => sh(process.execPath, [CLI, 'build', config]));
  return { disk: join(d, 'mimg.img'), seconds };
}

/** A GRUB rescue ISO that boots the kernel (and module) with multiboot, timeout 0. */
function grubIso(name: string, withModule: boolean): { iso: string; seconds: number } {
  const root = join(dir, `${name}-root`);
  mkdirSync(join(root, 'boot', 'grub'), { recursive: true });
  copyFileSync(kernel, join(root, 'boot', 'k.elf'));
  if (withModule) copyFileSync(module, join(root, 'boot', 'module.bin'));
  writeFileSync(
    join(root, 'boot', 'grub', 'grub.cfg'),
    `set timeout=0\nmenuentry "bench" {\n  multiboot /boot/k.elf\n${withModule ? '  module /boot/module.bin module\n' : ''}  boot\n}\n`,
  );
  const iso = join(dir, `${name}.iso`);
  const seconds = timed(() => sh('grub-mkrescue', ['-o', iso, root]));
  return { iso, seconds };
}

const GRUB_PC = '/usr/lib/grub/i386-pc';
const SECTOR = 512;
const GAP_SECTORS = 2048; // the partition starts at 1 MiB, as fdisk aligns it

/** A GRUB BIOS disk (MBR, FAT partition) that boots the kernel (and module) with multiboot, timeout 0. */
function grubDisk(name: string, withModule: boolean): { disk: string; seconds: number } {
  const d = join(dir, name);
  mkdirSync(d);
  const cfg = join(d, 'grub.cfg');
  writeFileSync(cfg, `set timeout=0\nmenuentry "bench" {\n  multiboot /boot/k.elf\n${withModule ? '  module /boot/module.bin module\n' : ''}  boot\n}\n`);
  const disk = join(d, 'grub.img');
  const part = join(d, 'part.img');
  const core = join(d, 'core.img');
  const partBytes = (withModule ? 96 : 16) << 20;
  const seconds = timed(() => {
    sh('grub-mkimage', ['-O', 'i386-pc', '-o', core, '-p', '(hd0,msdos1)/boot/grub', 'biosdisk', 'part_msdos', 'fat', 'normal', 'multiboot']);
    sh('truncate', ['-s', String(partBytes), part]);
    sh('mformat', ['-i', part, '::']);
    sh('mmd', ['-i', part, '::/boot', '::/boot/grub']);
    sh('mcopy', ['-i', part, kernel, '::/boot/k.elf']);
    sh('mcopy', ['-i', part, cfg, '::/boot/grub/grub.cfg']);
    if (withModule) sh('mcopy', ['-i', part, module, '::/boot/module.bin']);
    sh('truncate', ['-s', String(GAP_SECTORS * SECTOR + partBytes), disk]);
    sh('sh', ['-c', `echo 'start=${GAP_SECTORS}, type=c, bootable' | sfdisk -q "$1"`, 'sh', disk]);
    sh('dd', [`if=${part}`, `of=${disk}`, `bs=${SECTOR}`, `seek=${GAP_SECTORS}`, 'conv=notrunc,sparse', 'status=none']);
    sh('dd', [`if=${core}`, `of=${disk}`, `bs=${SECTOR}`, 'seek=1', 'conv=notrunc', 'status=none']);
    sh('dd', [`if=${join(GRUB_PC, 'boot.img')}`, `of=${disk}`, 'bs=440', 'count=1', 'conv=notrunc', 'status=none']);
  });
  rmSync(part);
  return { disk, seconds };
}

const cases: { name: string; args: string[]; times: number[] }[] = [];
const builds: string[] = [];
for (const withModule of [false, true]) {
  const tag = withModule ? '64 MiB module' : 'no module';
  const m = mimgDisk(`mimg-${withModule}`, withModule);
  const g = grubIso(`grub-${withModule}`, withModule);
  const gd = grubDisk(`grub-disk-${withModule}`, withModule);
  const ratio = (s: number): string => `${(s / m.seconds).toFixed(1)}x`;
  builds.push(
    `${tag}: mimg build (image + disk) ${m.seconds.toFixed(2)} s; GRUB disk ${gd.seconds.toFixed(2)} s (${ratio(gd.seconds)}); grub-mkrescue ${g.seconds.toFixed(2)} s (${ratio(g.seconds)})`,
  );
  cases.push({ name: `qemu -kernel, ${tag}`, args: ['-kernel', kernel, ...(withModule ? ['-initrd', module] : []), ...machineArgs(MEMORY)], times: [] });
  cases.push({ name: `GRUB ISO, ${tag}`, args: ['-cdrom', g.iso, ...machineArgs(MEMORY)], times: [] });
  for (const bus of ['ide', 'virtio']) cases.push({ name: `GRUB disk ${bus}, ${tag}`, args: ['-drive', `file=${gd.disk},format=raw,if=${bus}`, ...machineArgs(MEMORY)], times: [] });
  for (const bus of ['ide', 'virtio']) cases.push({ name: `mimg disk ${bus}, ${tag}`, args: ['-drive', `file=${m.disk},format=raw,if=${bus}`, ...machineArgs(MEMORY)], times: [] });
}
for (let i = 0; i < runs; i++) for (const c of cases) c.times.push(timeBoot(c.args));

console.log(`disk boot benchmark: ${runs} runs each, median wall time of the whole QEMU process (TCG, -m ${MEMORY})\n`);
console.log('case'.padEnd(36) + 'median s'.padStart(10) + '  vs mimg disk (same bus)');
for (const c of cases) {
  const bus = /(ide|virtio)/.exec(c.name)?.[1];
  const mimg = bus && !c.name.startsWith('mimg') ? cases.find((o) => o.name === c.name.replace(/^GRUB disk/, 'mimg disk')) : undefined;
  const vs = mimg ? `  ${(median(c.times) / median(mimg.times)).toFixed(1)}x` : '';
  console.log(c.name.padEnd(36) + median(c.times).toFixed(3).padStart(10) + vs);
}
console.log('\ntargets: mimg disk <= 0.12 s with no module; with the 64 MiB module <= 1.0 s on IDE, <= 0.5 s on virtio');
console.log('\nbuild time:');
for (const b of builds) console.log(`  ${b}`);
