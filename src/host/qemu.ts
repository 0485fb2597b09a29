// Booting images in QEMU: mimgload (committed in stages/prebuilt/) is given
// to QEMU's own Multiboot loader with -kernel, and the image as its module
// with -initrd. The serial port is the console; isa-debug-exit lets a test
// kernel end the run with a status of its choosing ((value << 1) | 1).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MimgError, issue } from '../diagnostics/issue.js';

export const QEMU = process.env.MIMG_QEMU ?? 'qemu-system-x86_64';

/** The committed mimgload, inside the package. */
export function mimgloadPath(): string {
  return fileURLToPath(new URL('../../../stages/prebuilt/mimgload.elf', import.meta.url));
}

export function qemuAvailable(): boolean {
  return spawnSync(QEMU, ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface BootOptions {
  image: string;
  /** Guest RAM as QEMU's -m takes it, e.g. "128M". */
  memory: string;
  /** Appended to mimgload's command line (e.g. "image=NAME"). */
  loaderCmdline?: string;
  /** More QEMU arguments, after mimg's own. */
  extraArgs?: readonly string[];
}

/** The machine every boot uses: serial on stdio, no display, exit device, no reboot loops. */
export function machineArgs(memory: string): string[] {
  return ['-m', memory, '-serial', 'stdio', '-display', 'none', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'];
}

/** QEMU's arguments for booting `image` through mimgload. */
export function qemuArgs(o: BootOptions): string[] {
  const loader = mimgloadPath();
  if (!existsSync(loader)) throw new MimgError(issue('FILE_READ', 'mimgload is missing from this installation', { file: loader, hint: 'run `npm run build:stages`, or reinstall mimg' }));
  return [
    '-kernel', loader,
    ...(o.loaderCmdline ? ['-append', o.loaderCmdline] : []),
    '-initrd', o.image,
    ...machineArgs(o.memory),
    ...(o.extraArgs ?? []),
  ];
}

function notInstalled(): MimgError {
  return new MimgError(issue('QEMU_MISSING', `${QEMU} was not found`));
}

/** Debian's OVMF (package ovmf): the firmware's code, and the variable store each machine gets a copy of. */
export const OVMF_CODE = process.env.MIMG_OVMF_CODE ?? '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = process.env.MIMG_OVMF_VARS ?? '/usr/share/OVMF/OVMF_VARS_4M.fd';

export function ovmfAvailable(): boolean {
  return existsSync(OVMF_CODE) && existsSync(OVMF_VARS);
}

/**
 * QEMU's arguments for UEFI firmware: OVMF's code read-only, `vars` (a copy
 * of OVMF_VARS the firmware may write), no network card (OVMF would try a
 * network boot before the disk). S3 stays on, QEMU's default: OVMF then
 * keeps ACPI NVS memory in [8 MiB, 9 MiB), which the `pc` profile of media
 * that boot on UEFI leaves out.
 */
export function uefiArgs(vars: string): string[] {
  return [
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
    '-drive', `if=pflash,format=raw,unit=1,file=${vars}`,
    '-net', 'none',
  ];
}

/** Runs `use` with a fresh copy of OVMF's variable store, removed afterwards. */
export async function withUefiVars<T>(use: (vars: string) => Promise<T>): Promise<T> {
  if (!ovmfAvailable()) throw new MimgError(issue('FIRMWARE_MISSING', `OVMF was not found at ${OVMF_CODE} and ${OVMF_VARS}`));
  const dir = await mkdtemp(join(tmpdir(), 'mimg-ovmf-'));
  try {
    const vars = join(dir, 'OVMF_VARS.fd');
    await copyFile(OVMF_VARS, vars);
    return await use(vars);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A disk image booted from an IDE or virtio-blk drive by SeaBIOS, or by OVMF with `uefiVars`. */
export interface DiskBootOptions {
  disk: string;
  bus: 'ide' | 'virtio';
  memory: string;
  /** OVMF's variable store (withUefiVars): boot through UEFI. */
  uefiVars?: string;
  extraArgs?: readonly string[];
}

/** QEMU's arguments for booting a disk image. */
export function diskArgs(o: DiskBootOptions): string[] {
  return [...(o.uefiVars ? uefiArgs(o.uefiVars) : []), '-drive', `file=${o.disk},format=raw,if=${o.bus}`, ...machineArgs(o.memory), ...(o.extraArgs ?? [])];
}

/** Boot with the serial console on this terminal; resolves to QEMU's exit status. */
export function bootInteractive(o: BootOptions | DiskBootOptions): Promise<number> {
  const args = 'disk' in o ? diskArgs(o) : qemuArgs(o);
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU, args, { stdio: 'inherit' });
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? notInstalled() : err));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export interface CapturedBoot {
  /** QEMU's exit status; null when it was killed at the timeout. */
  status: number | null;
  serial: string;
  timedOut: boolean;
}

/** Boot with the serial output captured (tests, benchmarks); QEMU is killed after `timeoutMs`, or once `stopWhen` matches a whole line. */
export function bootCaptured(o: BootOptions, timeoutMs: number, stopWhen?: RegExp): Promise<CapturedBoot> {
  return runCaptured(qemuArgs(o), timeoutMs, stopWhen);
}

/**
 * Asks QEMU's QMP server at `socket` for a screendump (a PPM file) at `file`
 * and resolves once QEMU has written it.
 */
function qmpScreendump(socket: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = createConnection(socket);
    let pending = '';
    let asked = false;
    c.on('error', reject);
    c.on('data', (b: Buffer) => {
      pending += b.toString('utf8');
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const m = JSON.parse(pending.slice(0, nl)) as { QMP?: unknown; return?: unknown; error?: { desc: string } };
        pending = pending.slice(nl + 1);
        if (m.QMP) c.write('{"execute":"qmp_capabilities"}\n');
        else if (m.error) reject(new Error(`QMP: ${m.error.desc}`));
        else if (m.return !== undefined && !asked) {
          asked = true;
          c.write(`${JSON.stringify({ execute: 'screendump', arguments: { filename: file } })}\n`);
        } else if (m.return !== undefined) {
          c.end();
          resolve();
        }
      }
    });
  });
}

/**
 * When a capture may stop: a complete line matches, or, for a function, it
 * says so of the output so far.
 */
export type StopWhen = RegExp | ((output: string) => boolean);

/**
 * Run QEMU with `args`, capturing its output (serial on stdio); killed after
 * `timeoutMs`, or as soon as `stopWhen` holds (a guest that halts on
 * purpose, like mimgload after an error, never exits by itself) — with
 * `screendump`, only once the screen at that moment is saved there as a
 * PPM file.
 */
export function runCaptured(args: readonly string[], timeoutMs: number, stopWhen?: StopWhen, screendump?: string): Promise<CapturedBoot> {
  const qmpDir = screendump ? mkdtempSync(join(tmpdir(), 'mimg-qmp-')) : undefined;
  const socket = qmpDir && join(qmpDir, 'qmp.sock');
  return new Promise<CapturedBoot>((resolve, reject) => {
    const child = spawn(QEMU, [...args, ...(socket ? ['-qmp', `unix:${socket},server=on,wait=off`] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let timedOut = false;
    let stopping = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const stop = () => {
      stopping = true;
      if (!socket || !screendump) return child.kill('SIGKILL');
      qmpScreendump(socket, screendump).then(
        () => child.kill('SIGKILL'),
        (err: Error) => {
          out.push(Buffer.from(`\nmimg: screendump failed: ${err.message}\n`));
          child.kill('SIGKILL');
        },
      );
    };
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (stopping || !stopWhen) return;
      const output = Buffer.concat(out).toString('latin1');
      if (typeof stopWhen === 'function' ? stopWhen(output) : output.split('\n').slice(0, -1).some((l) => stopWhen.test(l))) stop();
    });
    child.stderr.on('data', (b: Buffer) => out.push(b));
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? notInstalled() : err);
    });
    // 'close', not 'exit': QEMU may exit before its last serial bytes are read from the pipe.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: timedOut ? null : code, serial: Buffer.concat(out).toString('latin1'), timedOut });
    });
  }).finally(() => {
    if (qmpDir) rmSync(qmpDir, { recursive: true, force: true });
  });
}
