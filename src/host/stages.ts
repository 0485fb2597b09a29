// The committed BIOS stages (stages/prebuilt/), read and checked when boot
// media are made. They are read by path at run time, so a build without them
// fails with one line per missing file rather than at import.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MimgError, inFile, issue, type Result } from '../diagnostics/issue.js';
import { parseElf } from '../formats/elf/index.js';
import { checkBootx64, checkStages, flattenLoader, type FlatLoader, type Stages } from '../media/index.js';

/** stages/prebuilt/ inside the package. */
export const PREBUILT = fileURLToPath(new URL('../../../stages/prebuilt/', import.meta.url));

export const STAGE_FILES = { mbr: 'mbr.bin', pbr: 'pbr.bin', stage2: 'stage2.bin', loader: 'mimgload.elf', bootx64: 'BOOTX64.EFI' } as const;

export interface BiosStages {
  stages: Stages;
  loader: FlatLoader;
  /** mimgload.elf as it is: the EFI system partition holds the file. */
  loaderElf: Uint8Array;
}

export interface UefiStages {
  bootx64: Uint8Array;
}

const KEYS = ['mbr', 'pbr', 'stage2', 'loader'] as const;

/** mimgload, parsed and flattened; every issue names its file. */
function loaderOf(bytes: Uint8Array, file: string): Result<FlatLoader> {
  const elf = parseElf(bytes);
  if (!elf.value) return { issues: inFile(file, elf.issues) };
  return flattenLoader(elf.value, file);
}

/** Every stage a BIOS disk needs, from `dir`; all missing or malformed files are reported together, in file order. */
export async function readStages(dir = PREBUILT): Promise<BiosStages> {
  const path = (k: (typeof KEYS)[number]): string => join(dir, STAGE_FILES[k]);
  const read = await Promise.allSettled(KEYS.map((k) => readFile(path(k))));
  const unreadable = read.flatMap((r, i) => {
    if (r.status === 'fulfilled') return [];
    const e = r.reason as NodeJS.ErrnoException;
    return [issue('MEDIA_STAGE', e.code === 'ENOENT' ? 'missing: the BIOS stages are not built' : `cannot read: ${e.message}`, { file: path(KEYS[i]!) })];
  });
  if (unreadable.length > 0) throw new MimgError(unreadable);
  const [mbr, pbr, stage2, elf] = read.map((r) => new Uint8Array((r as PromiseFulfilledResult<Buffer>).value)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const stages = checkStages({ mbr, pbr, stage2 }, { mbr: path('mbr'), pbr: path('pbr'), stage2: path('stage2') });
  const loader = loaderOf(elf, path('loader'));
  if (!stages.value || !loader.value) throw new MimgError([...stages.issues, ...loader.issues]);
  return { stages: stages.value, loader: loader.value, loaderElf: elf };
}

/** The UEFI bootstrapper, BOOTX64.EFI, from `dir`, checked. */
export async function readUefiStages(dir = PREBUILT): Promise<UefiStages> {
  const path = join(dir, STAGE_FILES.bootx64);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new MimgError(issue('MEDIA_STAGE', e.code === 'ENOENT' ? 'missing: the UEFI stage is not built' : `cannot read: ${e.message}`, { file: path }));
  }
  const issues = checkBootx64(bytes, path);
  if (issues.length > 0) throw new MimgError(issues);
  return { bootx64: bytes };
}
