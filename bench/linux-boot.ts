// Linux boot benchmark (issue 5): QEMU start to the init's marker line for
// Debian's kernel and a busybox initramfs (test/support/linux.ts), through
// mimg — QEMU's -kernel chain into mimgload, and the BIOS disk on IDE and
// virtio-blk, by the 64-, 32- and 16-bit entries — against QEMU's own
// `-kernel vmlinuz -initrd` (the floor: no loader at all) and GRUB from
// Debian's packages (a grub-mkrescue ISO, `linux` + `initrd`, timeout 0),
// side by side in one run, interleaved (TCG, -m 256).
//
//   npm run bench:linux       (tsc, then node dist/bench/linux-boot.js [--runs N])

import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineArgs, mimgloadPath, runCaptured } from '../src/host/qemu.js';
import { debianKernel, linuxMissing, MARKER, parseLinuxReport, writeInitramfs } from '../test/support/linux.js';
import { benchDir, median, sh } from './qemu-bench.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const MEMORY = '256M';
const CMDLINE = 'console=ttyS0 quiet panic=-1';

const missing = linuxMissing();
if (missing) {
  console.error(`bench/linux-boot: ${missing}`);
  process.exit(1);
}
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const dir = benchDir('linux');

const vmlinuz = debianKernel()!;
const initrd = join(dir, 'initramfs.cpio.gz');
writeInitramfs(initrd);

/** A mimg image (and BIOS disk) for the kernel, the initramfs and this entry. */
function mimgBuild(entry: '64' | '32' | '16'): { image: string; disk: string } {
  const d = join(dir, `mimg-${entry}`);
  mkdirSync(d);
  const config = join(d, 'mimg.toml');
  writeFileSync(
    config,
    `[image]\nprotocol = "linux"\ncmdline = "${CMDLINE}"\nram = "${MEMORY}"\nintegrity = "fast"\n` +
      `[kernel]\npath = "${vmlinuz}"\ninitrd = "${initrd}"\nlinux_entry = "${entry}"\n[media]\ntype = "disk"\npartitioning = "mbr"\n`,
  );
  sh(process.execPath, [CLI, 'build', config]);
  return { image: join(d, 'mimg.mimg'), disk: join(d, 'mimg.img') };
}

/** A GRUB rescue ISO that boots the kernel with `linux` and `initrd`, timeout 0. */
function grubIso(): string {
  const root = join(dir, 'grub-root');
  mkdirSync(join(root, 'boot', 'grub'), { recursive: true });
  copyFileSync(vmlinuz, join(root, 'boot', 'vmlinuz'));
  copyFileSync(initrd, join(root, 'boot', 'initrd.gz'));
  writeFileSync(join(root, 'boot', 'grub', 'grub.cfg'), `set timeout=0\nmenuentry "bench" {\n  linux /boot/vmlinuz ${CMDLINE}\n  initrd /boot/initrd.gz\n  boot\n}\n`);
  const iso = join(dir, 'grub.iso');
  sh('grub-mkrescue', ['-o', iso, root]);
  return iso;
}

const stop = new RegExp(`^${MARKER} end`);

/**
 * Seconds from QEMU's start to the init's last marker line (QEMU is killed
 * there), and of those, the part before the kernel started its clock (wall
 * time less the guest's uptime: QEMU, firmware, loader, decompression).
 */
async function timeToMarker(args: readonly string[]): Promise<{ total: number; before: number }> {
  const t = process.hrtime.bigint();
  const b = await runCaptured(args, 120_000, stop);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const r = parseLinuxReport(b.serial);
  // GRUB puts BOOT_IMAGE=PATH before the command line.
  if (!r || !r.cmdline.endsWith(CMDLINE)) throw new Error(`qemu ${args.join(' ')}: no complete report:\n${b.serial.slice(-1500)}`);
  return { total: s, before: s - r.uptime };
}

const m64 = mimgBuild('64');
const m32 = mimgBuild('32');
const m16 = mimgBuild('16');
const iso = grubIso();
const machine = machineArgs(MEMORY);
const cases: { name: string; args: string[]; times: number[]; before: number[] }[] = [
  { name: 'qemu -kernel vmlinuz -initrd (floor)', args: ['-kernel', vmlinuz, '-initrd', initrd, '-append', CMDLINE, ...machine], times: [], before: [] },
  { name: 'mimg chain (-kernel mimgload), 64-bit', args: ['-kernel', mimgloadPath(), '-initrd', m64.image, ...machine], times: [], before: [] },
  { name: 'mimg chain (-kernel mimgload), 32-bit', args: ['-kernel', mimgloadPath(), '-initrd', m32.image, ...machine], times: [], before: [] },
  { name: 'mimg chain (-kernel mimgload), 16-bit', args: ['-kernel', mimgloadPath(), '-initrd', m16.image, ...machine], times: [], before: [] },
  { name: 'mimg disk ide, 64-bit', args: ['-drive', `file=${m64.disk},format=raw,if=ide`, ...machine], times: [], before: [] },
  { name: 'mimg disk virtio, 64-bit', args: ['-drive', `file=${m64.disk},format=raw,if=virtio`, ...machine], times: [], before: [] },
  { name: 'mimg disk ide, 32-bit', args: ['-drive', `file=${m32.disk},format=raw,if=ide`, ...machine], times: [], before: [] },
  { name: 'mimg disk virtio, 32-bit', args: ['-drive', `file=${m32.disk},format=raw,if=virtio`, ...machine], times: [], before: [] },
  { name: 'mimg disk ide, 16-bit', args: ['-drive', `file=${m16.disk},format=raw,if=ide`, ...machine], times: [], before: [] },
  { name: 'GRUB ISO (linux + initrd)', args: ['-cdrom', iso, ...machine], times: [], before: [] },
];
for (let i = 0; i < runs; i++) {
  for (const c of cases) {
    const t = await timeToMarker(c.args);
    c.times.push(t.total);
    c.before.push(t.before);
  }
}

const floor = median(cases[0]!.times);
const floorBefore = median(cases[0]!.before);
console.log(`Linux boot benchmark: ${runs} runs each, medians (TCG, -m ${MEMORY}, ${vmlinuz})`);
console.log('total: QEMU start to the init\'s marker; before kernel: that less the guest\'s uptime (QEMU, firmware, loader, decompression)\n');
console.log('case'.padEnd(42) + 'total s'.padStart(9) + 'vs floor'.padStart(10) + 'before kernel s'.padStart(17) + 'vs floor'.padStart(10));
for (const c of cases) {
  const m = median(c.times);
  const b = median(c.before);
  console.log(c.name.padEnd(42) + m.toFixed(3).padStart(9) + `${(m / floor).toFixed(2)}x`.padStart(10) + b.toFixed(3).padStart(17) + `${(b / floorBefore).toFixed(2)}x`.padStart(10));
}
