#!/usr/bin/env node
// The mimg command: parse argv, call the library, render. Exit codes:
// 0 success, 1 bad input (one line per problem), 2 bad usage.

import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import cliProgress from 'cli-progress';
import { configJsonSchema } from '../config/json-schema.js';
import { parseAddress } from '../config/make-args.js';
import { MimgError, inFile, issue, renderIssue, type Issue } from '../diagnostics/issue.js';
import { multibootJson, multibootText } from '../formats/multiboot/index.js';
import { build, LayoutError, memoryOf, loadConfig, type BuildResult } from '../host/build.js';
import { inspectFile } from '../host/inspect.js';
import { bzImageJson, bzImageText } from '../formats/bzimage/index.js';
import { SETUP_BASE } from '../layout/linux.js';
import { make } from '../host/make.js';
import { readImageFile } from '../host/verify.js';
import { firstBytes } from '../host/files.js';
import { bootInteractive, withUefiVars } from '../host/qemu.js';
import { MIMG_MAGIC } from '../formats/mimg/index.js';
import type { Progress } from '../host/write.js';
import { pcProfile } from '../layout/profile.js';
import { alignUp } from '../layout/range.js';
import { memoryMapSvg, type MapItem } from '../layout/svg.js';
import { elfItems, elfJson, elfText, imageItems, imageJson, imageText, planItems } from './render.js';
import { cmdInstall, diskSummary, inspectDisk } from './disk.js';
import type { DigestAlgorithm, Protocol } from '../formats/mimg/types.js';

const VERSION: string = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;

const HELP = `mimg ${VERSION} — build, check and boot memory images

Usage:
  mimg build CONFIG [-o IMAGE] [--svg FILE]   build a .mimg from mimg.toml (or .json)
  mimg make IMAGE ARG... [options]            build a .mimg from mimgmake-style arguments
  mimg inspect FILE [--json] [--svg FILE]     show a .mimg image, an ELF executable, a bzImage or a disk image
  mimg verify FILE                            check every field and payload digest of a .mimg
  mimg install --disk DISK --partition N CONFIG|IMAGE [--force]
                                              install the BIOS boot code and a boot volume
                                              into partition N of a disk image
  mimg run CONFIG|IMAGE [-m SIZE] [--disk ide|virtio] [--uefi] [--qemu-arg ARG]...
                                              build if given a config, then boot it in QEMU
                                              through mimgload (or, with --disk, the disk the
                                              config's [media] writes, from SeaBIOS, or with
                                              --uefi from OVMF); exits with QEMU's status
  mimg schema                                 print the JSON Schema of the config
  mimg --help | --version

mimg make arguments (ranges are half-open [A,B), numbers 0x.., decimal, K/M/G):
  FILE            ELF executable at its own physical addresses
  noload:FILE     reserve an ELF's ranges without loading it
  FILE@ADDR       raw bytes at ADDR          FILE@next  right after the previous one
  FILE@page       at the next page boundary  entry@ADDR the entry point
  zero:A-B        zero-filled range          bootdata:A-B  the boot information block
  reserved:A-B    keep free

mimg make options:
  --protocol P    multiboot1 | multiboot2 | mimg (default mimg)
  --cmdline S     kernel command line
  --ram SIZE      RAM of the target (default 128M), pc memory profile
  --integrity I   sha256 (default) | fast

Exit status: 0 success, 1 bad input (each problem on one line), 2 bad usage,
3 internal error (a bug in mimg: please report it).
Docs: docs/config.md (config keys), docs/format/mimg.md (image format), docs/errors.md.
`;

class UsageError extends Error {}

/** Parse one command's options; `usage` is its synopsis, shown with any mistake. */
function args<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, positionals: [number, number], usage: string) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's messages go on to explain `--`; the first sentence is the mistake.
    throw new UsageError(`${(err as Error).message.split(/\.( |$)/)[0]}; usage: ${usage}`);
  }
  const n = parsed.positionals.length;
  if (n < positionals[0]) throw new UsageError(`missing argument; usage: ${usage}`);
  if (n > positionals[1]) throw new UsageError(`unexpected argument "${parsed.positionals[positionals[1]]}"; usage: ${usage}`);
  return parsed;
}

function progressBar(): { progress: Progress; stop: () => void } {
  if (!process.stderr.isTTY) return { progress: () => undefined, stop: () => undefined };
  let bar: cliProgress.SingleBar | undefined;
  return {
    progress: (done, total) => {
      if (total < 64n << 20n) return; // small images finish before a bar helps
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'writing [{bar}] {percentage}% {value}/{total} MiB', hideCursor: true }, cliProgress.Presets.shades_classic);
        bar.start(Number(total >> 20n), 0);
      }
      if (bar.getTotal() !== Number(total >> 20n)) bar.setTotal(Number(total >> 20n)); // the next file (the disk after the .mimg)
      bar.update(Number(done >> 20n));
    },
    stop: () => bar?.stop(),
  };
}

/** A path as the user would type it: relative to the working directory when that is shorter. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.length < path.length ? rel : path;
}

function summary(r: BuildResult): string {
  const h = r.image.header;
  return `mimg: wrote ${shown(r.output)}: ${r.image.sections.length} sections, entry 0x${h.entry.toString(16)}, ${h.fileSize} bytes`;
}

async function cmdBuild(argv: string[]): Promise<number> {
  const a = args(argv, { output: { type: 'string', short: 'o' }, svg: { type: 'string' } }, [1, 1], 'mimg build CONFIG [-o IMAGE] [--svg FILE]');
  const config = a.positionals[0]!;
  const bar = progressBar();
  try {
    const r = await build(config, a.values.output as string | undefined, bar.progress);
    bar.stop();
    if (a.values.svg) await writeFile(a.values.svg as string, memoryMapSvg(planItems(r.plan), r.plan.memory, r.output));
    report(r.warnings);
    console.log(summary(r));
    if (r.disk) console.log(diskSummary(r.disk, { progressBar, shown }));
    return 0;
  } catch (err) {
    bar.stop();
    // A failed layout still has a map: write it so both parties can be seen.
    if (err instanceof LayoutError && err.plan && a.values.svg) {
      const spec = await loadConfig(config);
      await writeFile(a.values.svg as string, memoryMapSvg(planItems(err.plan), memoryOf(spec), `${config} (layout failed)`));
    }
    throw err;
  }
}

const PROTOCOLS = ['multiboot1', 'multiboot2', 'mimg'];

async function cmdMake(argv: string[]): Promise<number> {
  const a = args(argv, { protocol: { type: 'string' }, cmdline: { type: 'string' }, ram: { type: 'string' }, integrity: { type: 'string' } }, [2, Infinity], 'mimg make IMAGE ARG... [--protocol P] [--cmdline S] [--ram SIZE] [--integrity I]');
  const [output, ...rest] = a.positionals as [string, ...string[]];
  const protocol = (a.values.protocol as string | undefined) ?? 'mimg';
  if (!PROTOCOLS.includes(protocol)) throw new UsageError(`--protocol must be one of ${PROTOCOLS.join(', ')}, got "${protocol}"`);
  const ram = parseAddress((a.values.ram as string | undefined) ?? '128M');
  if (ram === undefined) throw new UsageError(`--ram: expected a size such as 128M or 0x8000000, got "${a.values.ram}"`);
  const integrity = (a.values.integrity as string | undefined) ?? 'sha256';
  if (integrity !== 'sha256' && integrity !== 'fast') throw new UsageError(`--integrity must be sha256 or fast, got "${integrity}"`);
  const bar = progressBar();
  try {
    const r = await make(
      output,
      rest,
      {
        protocol: protocol as Protocol,
        cmdline: (a.values.cmdline as string | undefined) ?? '',
        memory: pcProfile(ram),
        ram,
        integrity: (integrity === 'fast' ? 'xxh64' : 'sha256') as DigestAlgorithm,
      },
      bar.progress,
    );
    report(r.warnings);
    console.log(summary(r));
    return 0;
  } finally {
    bar.stop();
  }
}

async function cmdInspect(argv: string[]): Promise<number> {
  const a = args(argv, { json: { type: 'boolean' }, svg: { type: 'string' } }, [1, 1], 'mimg inspect FILE [--json] [--svg FILE]');
  const file = a.positionals[0]!;
  const r = await inspectFile(file);
  if (r.kind === 'disk') return inspectDisk(r, a.values as { json?: boolean; svg?: string });
  if (r.kind === 'bzimage') {
    if (a.values.json) console.log(JSON.stringify({ ...bzImageJson(r.kernel), ...(r.compression && { compression: r.compression }) }, null, 2));
    else process.stdout.write(bzImageText(file, r.kernel));
    if (a.values.svg) {
      // Where a build puts it unmoved: the setup code at X, the kernel with the memory it decompresses into.
      const k = r.kernel;
      const items: MapItem[] = [
        { start: SETUP_BASE, end: SETUP_BASE + BigInt(k.setupSize), label: 'setup', kind: 'exec' },
        { start: k.loadAddress, end: k.loadAddress + k.initSize, label: 'kernel (init_size)', kind: 'exec' },
      ];
      await writeFile(a.values.svg as string, memoryMapSvg(items, pcProfile(alignUp(k.loadAddress + k.initSize, 1n << 20n)), file));
    }
    return 0;
  }
  if (r.kind === 'mimg') {
    if (!r.image) throw new MimgError(r.issues);
    if (a.values.json) console.log(JSON.stringify({ ...imageJson(r.image), issues: r.issues.map(renderIssue) }, null, 2));
    else process.stdout.write(imageText(file, r.image));
    if (a.values.svg) {
      const ram = alignUp(r.image.header.ramRequired > 1n << 20n ? r.image.header.ramRequired : 1n << 21n, 1n << 20n);
      await writeFile(a.values.svg as string, memoryMapSvg(imageItems(r.image), pcProfile(ram), file));
    }
    r.issues.forEach((i) => console.error(renderIssue(i)));
    return r.issues.length ? 1 : 0;
  }
  if (a.values.json) console.log(JSON.stringify({ ...elfJson(r.elf, r.compression), ...multibootJson(r.multiboot) }, null, 2));
  else process.stdout.write(elfText(file, r.elf, r.compression) + multibootText(r.multiboot).map((l) => l + '\n').join(''));
  report(inFile(file, [...r.multiboot.multiboot1.issues, ...r.multiboot.multiboot2.issues]));
  if (a.values.svg) {
    const top = r.elf.loads.reduce((m, s) => (s.paddr + s.memsz > m ? s.paddr + s.memsz : m), 1n << 21n);
    await writeFile(a.values.svg as string, memoryMapSvg(elfItems(r.elf), pcProfile(alignUp(top, 1n << 20n)), file));
  }
  return 0;
}

async function cmdVerify(argv: string[]): Promise<number> {
  const a = args(argv, {}, [1, 1], 'mimg verify FILE');
  const file = a.positionals[0]!;
  const r = await readImageFile(file, true);
  if (r.issues.length) throw new MimgError(r.issues);
  console.log(`mimg: ${file}: OK (${r.image!.sections.length} sections, ${r.image!.header.digest} digests match)`);
  return 0;
}

const RUN_USAGE = 'mimg run CONFIG|IMAGE [-m SIZE] [--disk ide|virtio] [--uefi] [--qemu-arg ARG]...';

async function cmdRun(argv: string[]): Promise<number> {
  const a = args(argv, { memory: { type: 'string', short: 'm' }, disk: { type: 'string' }, uefi: { type: 'boolean' }, 'qemu-arg': { type: 'string', multiple: true } }, [1, 1], RUN_USAGE);
  const file = a.positionals[0]!;
  const uefi = a.values.uefi === true;
  // --uefi boots the disk too, from IDE unless --disk says otherwise.
  const bus = (a.values.disk as string | undefined) ?? (uefi ? 'ide' : undefined);
  if (bus !== undefined && bus !== 'ide' && bus !== 'virtio') throw new UsageError(`--disk must be ide or virtio, got "${bus}"; usage: ${RUN_USAGE}`);
  let image = file;
  let disk: string | undefined;
  let ram: bigint;
  const head = await firstBytes(file, MIMG_MAGIC.length);
  if (head.length === MIMG_MAGIC.length && head.every((b, i) => b === MIMG_MAGIC[i])) {
    if (bus) throw new UsageError(`--disk and --uefi boot the disk a config's [media] describes; ${file} is an image; usage: ${RUN_USAGE}`);
    const r = await readImageFile(file, false);
    if (!r.image) throw new MimgError(r.issues);
    ram = r.image.header.ramRequired;
  } else {
    const bar = progressBar();
    const r = await build(file, undefined, bar.progress).finally(bar.stop);
    console.error(summary(r));
    image = r.output;
    ram = (await loadConfig(file)).image.ram;
    if (bus) {
      if (!r.disk) throw new MimgError(issue('CONFIG_MISSING', `${uefi ? '--uefi' : '--disk'} needs [media] type = "disk" in the config`, { file, where: 'media' }));
      if (uefi && !r.disk.plan.esp) throw new MimgError(issue('CONFIG_TYPE', '--uefi boots the disk from UEFI firmware, and [media] firmware does not list "uefi"', { file, where: 'media.firmware', hint: 'set firmware = ["bios", "uefi"] or ["uefi"]' }));
      disk = r.disk.output;
    }
  }
  const MiB = 1n << 20n;
  const memory = (a.values.memory as string | undefined) ?? `${alignUp(ram > 128n * MiB ? ram : 128n * MiB, MiB) / MiB}M`;
  const extraArgs = (a.values['qemu-arg'] as string[] | undefined) ?? [];
  if (disk && uefi) return withUefiVars((uefiVars) => bootInteractive({ disk, bus: bus as 'ide' | 'virtio', memory, uefiVars, extraArgs }));
  return bootInteractive(disk ? { disk, bus: bus as 'ide' | 'virtio', memory, extraArgs } : { image, memory, extraArgs });
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  switch (cmd) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP);
      return cmd === undefined ? 2 : 0;
    case '-V':
    case '--version':
      console.log(VERSION);
      return 0;
    case 'build':
      return cmdBuild(rest);
    case 'make':
      return cmdMake(rest);
    case 'inspect':
      return cmdInspect(rest);
    case 'verify':
      return cmdVerify(rest);
    case 'run':
      return cmdRun(rest);
    case 'install':
      return cmdInstall(rest, { progressBar, shown });
    case 'schema':
      args(rest, {}, [0, 0], 'mimg schema');
      console.log(JSON.stringify(configJsonSchema(), null, 2));
      return 0;
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

function report(issues: Issue[]): void {
  for (const i of issues) console.error(renderIssue(i.file ? { ...i, file: shown(i.file) } : i));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      report([issue('USAGE', err.message)]);
      process.exitCode = 2;
    } else if (err instanceof MimgError) {
      report(err.issues);
      process.exitCode = err.issues.every((i) => i.code === 'USAGE') ? 2 : 1;
    } else {
      // A bug in mimg, not in the input: still one line, and a distinct status.
      console.error(`mimg: internal error: ${err instanceof Error ? err.message : String(err)}; please report it with the command line`);
      process.exitCode = 3;
    }
  },
);
