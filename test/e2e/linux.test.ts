// Linux through mimg, end to end: Debian's kernel and a busybox initramfs
// made here, built into an image with protocol = "linux" and booted by
// mimgload from QEMU's -kernel chain, GRUB and the BIOS disk, by the 32-bit
// and the 16-bit entries. The guest's init reports the command line and the
// boot_params the kernel kept; the host compares them with the config and
// with `mimg inspect --json`. Bad bzImages and an initrd that does not fit
// get one clear error line each.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { machineArgs, mimgloadPath, qemuArgs, QEMU, runCaptured, type CapturedBoot } from '../../src/host/qemu.js';
import { grubIso } from '../support/grub.js';
import { CLI, mimg } from '../support/bootcheck.js';
import { debianKernel, linuxMissing, MARKER, parseLinuxReport, writeInitramfs, type LinuxReport } from '../support/linux.js';
import { missingTools, tempDir } from '../support/toolchain.js';

const skip = linuxMissing();
const MEMORY = '256M';
// A Debian kernel reaches init in about 5 s under TCG here; two boots share the 2 cores.
const BOOT_TIMEOUT_MS = 90_000;

interface Section {
  type: string;
  start: string;
  end: string;
  name: string;
}

let initrd: string | undefined;
function initramfs(): string {
  if (initrd === undefined) {
    initrd = join(tempDir(), 'initramfs.cpio.gz');
    writeInitramfs(initrd);
  }
  return initrd;
}

type Entry = '64' | '32' | '16';

/** A config for Debian's kernel and the initramfs in a fresh directory (`default`: no linux_entry); returns it with its built image. */
function linuxImage(name: string, entry: Entry | 'default', extra = '', image = '') {
  const dir = join(tempDir(), `linux-${name}`);
  mkdirSync(dir, { recursive: true });
  const cmdline = `console=ttyS0 quiet panic=-1 mimgtest=${name}`;
  const config = join(dir, 'mimg.toml');
  writeFileSync(
    config,
    `[image]\nprotocol = "linux"\ncmdline = "${cmdline}"\nram = "${MEMORY}"\n${image}` +
      `[kernel]\npath = "${debianKernel()}"\ninitrd = "${initramfs()}"\n${entry === 'default' ? '' : `linux_entry = "${entry}"\n`}${extra}`,
  );
  mimg('build', config);
  const path = join(dir, 'mimg.mimg');
  const sections = (JSON.parse(mimg('inspect', path, '--json')) as { sections: Section[] }).sections;
  return { dir, path, cmdline, sections, disk: join(dir, 'mimg.img') };
}

function checkReport(b: CapturedBoot, img: ReturnType<typeof linuxImage>): LinuxReport {
  const r = parseLinuxReport(b.serial);
  assert.ok(r, `no complete ${MARKER} report from the guest:\n${b.serial.slice(-3000)}`);
  assert.equal(r.cmdline, img.cmdline);
  const placed = img.sections.find((s) => s.name === 'initrd')!;
  assert.equal(r.ramdiskImage, BigInt(placed.start), 'ramdisk_image is where the image put the initrd');
  assert.equal(r.ramdiskSize, BigInt(statSync(initramfs()).size), 'ramdisk_size is the initrd file, passed as it is');
  assert.equal(r.loaderType, 0xff, 'type_of_loader');
  assert.ok(r.e820Entries > 0);
  assert.match(b.serial, /mimgload: entering 0x[0-9a-f]+ \(linux\)/);
  return r;
}

const stopAtEnd = new RegExp(`^${MARKER} end`);

describe('Linux (bzImage) through mimgload', { skip: skip ?? missingTools(QEMU), concurrency: 2 }, () => {
  // The 32-bit entry hands over the firmware's map as mimgload got it; the 16-bit setup code asks the BIOS itself.
  // Both must see as many entries: each 16-bit boot compares with its 32-bit twin, which runs beside it.
  const e820 = new Map<string, { promise: Promise<number | undefined>; resolve: (n: number | undefined) => void }>();
  const twin = (key: string) => {
    let entry = e820.get(key);
    if (!entry) {
      let resolve!: (n: number | undefined) => void;
      const promise = new Promise<number | undefined>((r) => (resolve = r));
      e820.set(key, (entry = { promise, resolve }));
    }
    return entry;
  };
  async function boot(key: string, entry: Entry, run: () => Promise<{ b: CapturedBoot; img: ReturnType<typeof linuxImage> }>) {
    let count: number | undefined;
    try {
      const { b, img } = await run();
      count = checkReport(b, img).e820Entries;
    } finally {
      twin(`${key}-${entry}`).resolve(count);
    }
    if (entry !== '16') return;
    const other = await twin(`${key}-32`).promise;
    if (other !== undefined) assert.equal(count, other, 'E820 entries: 16-bit setup code (from the BIOS) vs 32-bit entry (from mimgload)');
  }

  for (const entry of ['64', '32', '16'] as const) {
    test(`QEMU -kernel chain, ${entry}-bit entry`, () =>
      boot('chain', entry, async () => {
        // Debian's kernel has XLF_KERNEL_64: without linux_entry, the 64-bit entry is the one chosen.
        const img = linuxImage(`chain-${entry}`, entry === '64' ? 'default' : entry);
        const head = JSON.parse(mimg('inspect', img.path, '--json')) as { cpuMode: string; entry: string };
        const kernel = img.sections.find((x) => x.name === 'kernel')!;
        assert.equal(head.cpuMode, { '64': 'long64', '32': 'protected32', '16': 'real16' }[entry]);
        if (entry === '64') assert.equal(BigInt(head.entry), BigInt(kernel.start) + 0x200n, 'the 64-bit entry: load address + 0x200');
        return { img, b: await runCaptured(qemuArgs({ image: img.path, memory: MEMORY }), BOOT_TIMEOUT_MS, stopAtEnd) };
      }));
  }

  // GRUB's Multiboot loader, like QEMU's, leaves the BIOS intact for the drop back to real mode.
  test('GRUB chain (multiboot2), 16-bit entry', { skip: missingTools('grub-mkrescue', 'xorriso') }, async () => {
    const img = linuxImage('grub-16', '16', '', 'integrity = "fast"\n');
    const iso = grubIso({ name: 'grub-linux-16', loader: mimgloadPath(), image: img.path, protocol: 'multiboot2' });
    checkReport(await runCaptured(['-cdrom', iso, ...machineArgs(MEMORY)], BOOT_TIMEOUT_MS, stopAtEnd), img);
  });

  // All on virtio-blk. The 16-bit entry's setup code probes EDD through INT 13h, which stage 2's virtio driver
  // would leave unusable (it takes the BIOS's virtqueue): stage 2 reads that image through INT 13h instead.
  const disks = [
    ['64', 'gpt', 'virtio'],
    ['32', 'gpt', 'virtio'],
    ['16', 'mbr', 'virtio'],
  ] as const;
  for (const [entry, partitioning, bus] of disks) {
    test(`BIOS disk (${partitioning.toUpperCase()}, ${bus}), ${entry}-bit entry`, () =>
      boot('disk', entry, async () => {
        const img = linuxImage(`disk-${entry}`, entry, `[media]\ntype = "disk"\npartitioning = "${partitioning}"\n`, 'integrity = "fast"\n');
        const b = await runCaptured(['-drive', `file=${img.disk},format=raw,if=${bus}`, ...machineArgs(MEMORY)], BOOT_TIMEOUT_MS, stopAtEnd);
        assert.match(b.serial, /mimg bios: loaded image/);
        assert.match(b.serial, entry === '16' ? /mimg bios: disk 0x80: reading the ranges by INT 13h extensions/ : /mimg bios: disk 0x80: reading the ranges by virtio-blk/, b.serial);
        return { img, b };
      }));
  }
});

interface Run {
  status: number | null;
  stderr: string;
}

function mimgRun(...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/** Exit 1 with exactly one error line, of this code. */
function oneError(r: Run, code: string): string {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(r.status, 1, r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, new RegExp(`^mimg: error\\[${code}\\] `));
  return lines[0]!;
}

describe('Linux (bzImage): bad input', { skip }, () => {
  /** A config around a kernel file written from `bytes`. */
  function config(name: string, bytes: Uint8Array, extra = '', ram = MEMORY): string {
    const dir = join(tempDir(), `linux-bad-${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'vmlinuz'), bytes);
    const path = join(dir, 'mimg.toml');
    writeFileSync(path, `[image]\nprotocol = "linux"\nram = "${ram}"\n[kernel]\npath = "vmlinuz"\n${extra}`);
    return path;
  }
  const kernel = () => readFileSync(debianKernel()!);

  test('a truncated bzImage', () => {
    const k = kernel();
    const line = oneError(mimgRun('build', config('truncated', k.subarray(0, k.length >> 1))), 'BZIMAGE_TRUNCATED');
    assert.match(line, /vmlinuz offset 0x1f4 \(syssize\): syssize declares/);
    oneError(mimgRun('build', config('short', k.subarray(0, 0x180))), 'BZIMAGE_TRUNCATED');
  });

  test('boot protocol older than 2.02, and a zImage', () => {
    const old = Buffer.from(kernel());
    old.writeUInt16LE(0x201, 0x206); // the protocol version field
    assert.match(oneError(mimgRun('build', config('old', old)), 'BZIMAGE_UNSUPPORTED'), /boot protocol 2\.01 is older than 2\.02/);
    const zimage = Buffer.from(kernel());
    zimage[0x211] = zimage[0x211]! & ~1; // loadflags without LOADED_HIGH
    assert.match(oneError(mimgRun('build', config('zimage', zimage)), 'BZIMAGE_UNSUPPORTED'), /zImage/);
  });

  test('not a bzImage; a bzImage with another protocol', () => {
    oneError(mimgRun('build', config('elf', Buffer.from('\x7fELF' + '\0'.repeat(0x400), 'latin1'))), 'BZIMAGE_MAGIC');
    const path = config('as-multiboot', kernel());
    writeFileSync(path, readFileSync(path, 'utf8').replace('"linux"', '"mimg"'));
    assert.match(oneError(mimgRun('build', path), 'ELF_MAGIC'), /hint: this is a Linux bzImage: set \[image\] protocol = "linux"$/);
  });

  test('an initrd, or a kernel, that does not fit in RAM', () => {
    const path = config('big-initrd', kernel(), 'initrd = "big.img"\n', '96M');
    writeFileSync(join(path, '..', 'big.img'), Buffer.alloc(24 << 20));
    assert.match(oneError(mimgRun('build', path), 'LAYOUT_NO_FIT'), /kernel\.initrd: initrd \(0x1800000 bytes\): no free hole/);
    // RAM too small for the kernel's init_size: the kernel's placement fails, and nothing else is reported.
    assert.match(oneError(mimgRun('build', config('small-ram', kernel(), '', '32M')), 'LAYOUT_NO_FIT'), /kernel\.path: kernel \(0x[0-9a-f]+ bytes\): no free hole/);
  });

  test('mimg inspect shows the setup header as the file holds it', () => {
    const k = kernel();
    const j = JSON.parse(mimg('inspect', debianKernel()!, '--json')) as { kind: string; protocol: string; header: Record<string, string> };
    assert.equal(j.kind, 'bzimage');
    // Offsets from the boot protocol's table, read here without the parser.
    assert.equal(BigInt(j.header['setup_sects']!), BigInt(k[0x1f1]!));
    assert.equal(BigInt(j.header['version']!), BigInt(k.readUInt16LE(0x206)));
    assert.equal(j.protocol, `${k[0x207]}.${String(k[0x206]).padStart(2, '0')}`);
    assert.equal(BigInt(j.header['init_size']!), BigInt(k.readUInt32LE(0x260)));
    assert.equal(BigInt(j.header['pref_address']!), k.readBigUInt64LE(0x258));
    assert.match(mimg('inspect', debianKernel()!), /Linux bzImage, boot protocol \d\.\d\d/);
    const svg = join(tempDir(), 'vmlinuz.svg');
    mimg('inspect', debianKernel()!, '--svg', svg);
    assert.match(readFileSync(svg, 'utf8'), /kernel \(init_size\)/);
  });
});
