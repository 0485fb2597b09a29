// The disk commands: `mimg install`, `mimg inspect` of a disk image, and the
// line `mimg build` prints for the disk it wrote. Thin, like main.ts: parse,
// call src/host/, render.

import { parseArgs } from 'node:util';
import { SECTOR_SIZE } from '../bytes/sectors.js';
import { MimgError, hex, issue, renderIssue, type Issue } from '../diagnostics/issue.js';
import type { DiskResult } from '../host/media.js';
import { install } from '../host/install.js';
import type { Inspection } from '../host/inspect.js';
import type { Progress } from '../host/write.js';
import { diskJson, diskText } from './render-disk.js';

/** What main.ts lends the commands here: its progress bar and its way of showing paths. */
export interface CliKit {
  progressBar(): { progress: Progress; stop: () => void };
  shown(path: string): string;
}

const INSTALL_USAGE = 'mimg install --disk DISK --partition N CONFIG|IMAGE [--force]';

function usage(message: string): MimgError {
  return new MimgError(issue('USAGE', `${message}; usage: ${INSTALL_USAGE}`));
}

export function diskSummary(d: DiskResult, kit: CliKit): string {
  const p = d.plan;
  const parts = [
    ...(p.partition && p.volume ? [`boot volume at LBA ${hex(p.partition.lba)} with ${p.volume.ranges.length} ranges`] : []),
    ...(p.esp ? [`EFI system partition at LBA ${hex(p.esp.lba)} with ${p.esp.files.length} files`] : []),
  ];
  return `mimg: wrote ${kit.shown(d.output)}: ${p.partitioning.toUpperCase()} disk, ${hex(p.size)} bytes, ${parts.join(', ')}`;
}

/** `mimg inspect DISK`: exit 1 when the disk has any problem, after showing what could be read. */
export function inspectDisk(r: Extract<Inspection, { kind: 'disk' }>, opts: { json?: boolean; svg?: string }): number {
  if (opts.svg !== undefined) throw new MimgError(issue('USAGE', '--svg draws the memory map of a .mimg or an ELF file, not of a disk image'));
  if (!r.disk) throw new MimgError(r.issues);
  if (opts.json) console.log(JSON.stringify({ ...diskJson(r.disk), issues: r.issues.map(renderIssue) }, null, 2));
  else process.stdout.write(diskText(r.file, r.disk));
  r.issues.forEach((i: Issue) => console.error(renderIssue(i)));
  return r.issues.length > 0 ? 1 : 0;
}

export async function cmdInstall(argv: string[], kit: CliKit): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { disk: { type: 'string' }, partition: { type: 'string' }, force: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw usage((err as Error).message.split(/\.( |$)/)[0]!);
  }
  const { disk, partition, force } = parsed.values;
  if (disk === undefined) throw usage('--disk is required');
  if (partition === undefined) throw usage('--partition is required');
  if (!/^[1-9][0-9]*$/.test(partition)) throw usage(`--partition takes a partition number from 1, got "${partition}"`);
  if (parsed.positionals.length !== 1) throw usage(parsed.positionals.length === 0 ? 'missing CONFIG or IMAGE' : `unexpected argument "${parsed.positionals[1]}"`);
  const bar = kit.progressBar();
  try {
    const r = await install({ disk, partition: Number(partition), source: parsed.positionals[0]!, force: force ?? false, progress: bar.progress });
    bar.stop();
    const v = r.volume;
    console.log(
      `mimg: installed ${kit.shown(r.image)} into ${kit.shown(disk)} partition ${r.partition.number} (LBA ${hex(r.partition.firstLba)}): ` +
        `stage 1 in the MBR, boot volume ${hex(v.sectors * BigInt(SECTOR_SIZE))} bytes with ${v.ranges.length} ranges`,
    );
    return 0;
  } finally {
    bar.stop();
  }
}
