// What `mimg inspect` looks at: a .mimg image or an ELF executable (either
// possibly compressed), told apart by magic bytes; an executable's Multiboot
// headers too.

import { MimgError, issue, type Issue } from '../diagnostics/issue.js';
import type { ElfFile } from '../formats/elf/types.js';
import { MIMG_MAGIC } from '../formats/mimg/index.js';
import type { MimgImage } from '../formats/mimg/types.js';
import type { Compression } from '../formats/compress/detect.js';
import { scanMultiboot, type MultibootScan } from '../formats/multiboot/index.js';
import { elfFrom, firstBytes, readInput, sniff } from './files.js';
import { readImageFile } from './verify.js';

export type Inspection =
  | { kind: 'mimg'; file: string; image?: MimgImage; issues: Issue[] }
  | { kind: 'elf'; file: string; elf: ElfFile; compression?: Compression; multiboot: MultibootScan };

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

function startsWith(b: Uint8Array, magic: ArrayLike<number>): boolean {
  return b.length >= magic.length && Array.from(magic).every((v, i) => b[i] === v);
}

export async function inspectFile(file: string): Promise<Inspection> {
  const compression = await sniff(file);
  // An uncompressed file's first bytes are enough to tell; a compressed one must be unpacked (ELF only).
  const head = compression ? (await readInput(file)).subarray(0, 8) : await firstBytes(file, 8);
  if (startsWith(head, MIMG_MAGIC)) {
    if (compression) throw new MimgError(issue('MIMG_MAGIC', `a ${compression}-compressed .mimg image; decompress it first`, { file }));
    const report = await readImageFile(file, false);
    return { kind: 'mimg', file, image: report.image, issues: report.issues };
  }
  if (startsWith(head, ELF_MAGIC)) {
    const bytes = await readInput(file);
    return { kind: 'elf', file, elf: elfFrom(bytes, file), compression, multiboot: scanMultiboot(bytes) };
  }
  throw new MimgError(issue('ELF_MAGIC', 'neither a .mimg image nor an ELF executable', { file, hint: 'mimg inspect reads .mimg images and ELF files' }));
}
