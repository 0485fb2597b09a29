// Test support for booting Linux: Debian's kernel from /boot, and a tiny
// initramfs made here — Debian's static busybox and an /init script, as a
// gzip-compressed `newc` cpio archive — whose init reports over the serial
// console what the kernel received, then powers the machine off.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseElf } from '../../src/formats/elf/parse.js';

export const BUSYBOX = '/bin/busybox';
/** The init's report lines start with this. */
export const MARKER = 'MIMGLINUX';

/** Debian's newest /boot/vmlinuz-*, or undefined. */
export function debianKernel(): string | undefined {
  if (!existsSync('/boot')) return undefined;
  const names = readdirSync('/boot').filter((n) => n.startsWith('vmlinuz-')).sort();
  return names.length ? join('/boot', names[names.length - 1]!) : undefined;
}

/** Why the Linux boot tests cannot run here, or undefined. */
export function linuxMissing(): string | undefined {
  if (debianKernel() === undefined) return 'no /boot/vmlinuz-* (Debian package linux-image-amd64)';
  // The initramfs holds busybox alone: it must be the static build, with no program interpreter (PT_INTERP, 3).
  const elf = existsSync(BUSYBOX) ? parseElf(readFileSync(BUSYBOX)).value : undefined;
  if (!elf || elf.segments.some((s) => s.type === 3)) return `no static ${BUSYBOX} (Debian package busybox-static)`;
  return undefined;
}

interface Entry {
  name: string;
  mode: number;
  data?: Uint8Array;
  /** Device nodes: major, minor. */
  rdev?: [number, number];
}

/** A newc ("070701") cpio archive: header of 13 hex fields, name, data, each padded to 4 bytes, then the trailer. */
export function newc(entries: readonly Entry[]): Buffer {
  const parts: Buffer[] = [];
  const pad = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  const all = [...entries, { name: 'TRAILER!!!', mode: 0 }];
  all.forEach((e, ino) => {
    const data = Buffer.from(e.data ?? new Uint8Array());
    const name = Buffer.from(e.name + '\0', 'latin1');
    const fields = [ino + 1, e.mode, 0, 0, 1, 0, data.length, 0, 0, e.rdev?.[0] ?? 0, e.rdev?.[1] ?? 0, name.length, 0];
    const header = Buffer.from('070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join(''), 'latin1');
    parts.push(header, name, pad(header.length + name.length), data, pad(data.length));
  });
  return Buffer.concat(parts);
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFCHR = 0o020000;

/**
 * The init script: mounts /proc and /sys, prints the command line and the
 * boot_params fields the kernel kept (/sys/kernel/boot_params/data: the
 * ramdisk's address and size, the loader type, the E820 entries) and the
 * uptime (the time since the kernel started its clock), then powers off.
 */
const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
bp=/sys/kernel/boot_params/data
echo "${MARKER} cmdline: $(cat /proc/cmdline)"
echo "${MARKER} ramdisk: $(od -A n -t x4 -j 536 -N 8 $bp)"
echo "${MARKER} loader: $(od -A n -t x1 -j 528 -N 1 $bp)"
echo "${MARKER} e820: $(od -A n -t u1 -j 488 -N 1 $bp)"
echo "${MARKER} uptime: $(cat /proc/uptime)"
echo "${MARKER} end"
poweroff -f
`;

/** Writes the gzip-compressed initramfs to `path`; returns its size in bytes. */
export function writeInitramfs(path: string): number {
  const cpio = newc([
    { name: 'bin', mode: S_IFDIR | 0o755 },
    { name: 'bin/busybox', mode: S_IFREG | 0o755, data: readFileSync(BUSYBOX) },
    { name: 'dev', mode: S_IFDIR | 0o755 },
    { name: 'dev/console', mode: S_IFCHR | 0o600, rdev: [5, 1] },
    { name: 'proc', mode: S_IFDIR | 0o755 },
    { name: 'sys', mode: S_IFDIR | 0o755 },
    { name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(INIT) },
  ]);
  const gz = gzipSync(cpio, { level: 6 });
  writeFileSync(path, gz);
  return gz.length;
}

export interface LinuxReport {
  cmdline: string;
  ramdiskImage: bigint;
  ramdiskSize: bigint;
  loaderType: number;
  e820Entries: number;
  /** Seconds since the kernel's clock started, when init reported. */
  uptime: number;
}

/** The init's report in a serial transcript, or undefined when it did not get that far. */
export function parseLinuxReport(serial: string): LinuxReport | undefined {
  const line = (key: string) => new RegExp(`^${MARKER} ${key}: ?(.*?)\\r?$`, 'm').exec(serial)?.[1]?.trim();
  const cmdline = line('cmdline');
  const ramdisk = line('ramdisk')?.split(/\s+/);
  const loader = line('loader');
  const e820 = line('e820');
  const uptime = Number(line('uptime')?.split(/\s+/)[0]);
  if (cmdline === undefined || ramdisk?.length !== 2 || loader === undefined || e820 === undefined || !serial.includes(`${MARKER} end`)) return undefined;
  return { cmdline, ramdiskImage: BigInt('0x' + ramdisk[0]), ramdiskSize: BigInt('0x' + ramdisk[1]), loaderType: parseInt(loader, 16), e820Entries: Number(e820), uptime };
}
