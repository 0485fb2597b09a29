// What `mimg inspect` looks at: a .mimg image or an ELF executable (either
// possibly compressed), or a disk image with mimg's boot code, told apart by
// magic bytes; an executable's Multiboot headers too.

import { MimgError, inFile, issue, type Issue } from '../diagnostics/issue.js';
import type { ElfFile } from '../formats/elf/types.js';
import { MIMG_MAGIC } from '../formats/mimg/index.js';
import type { MimgImage } from '../formats/mimg/types.js';
import type { Compression } from '../formats/compress/detect.js';
import { scanMultiboot, type MultibootScan } from '../formats/multiboot/index.js';
import { SECTOR_SIZE } from '../bytes/sectors.js';
import { decodePatch } from '../formats/bootvol/index.js';
import { SIGNATURE as GPT_SIGNATURE } from '../formats/gpt/index.js';
import { MBR } from '../formats/mbr/index.js';
import type { DiskReport } from '../media/index.js';
import { isBzImage, parseBzImage, type BzImage } from '../formats/bzimage/index.js';
import { readDiskFile } from './disk.js';
import { elfFrom, firstBytes, readInput, sniff } from './files.js';
import { readImageFile } from './verify.js';

export type Inspection =
  | { kind: 'mimg'; file: string; image?: MimgImage; issues: Issue[] }
  | { kind: 'elf'; file: string; elf: ElfFile; compression?: Compression; multiboot: MultibootScan }
  | { kind: 'disk'; file: string; disk?: DiskReport; issues: Issue[] }
  | { kind: 'bzimage'; file: string; kernel: BzImage; compression?: Compression };

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

function startsWith(b: Uint8Array, magic: ArrayLike<number>, at = 0): boolean {
  return b.length >= at + magic.length && Array.from(magic).every((v, i) => b[at + i] === v);
}

/** 55 AA ending LBA 0, and either stage 1's patch block or a GPT header at LBA 1: a disk mimg made or installed into. */
function isMimgDisk(head: Uint8Array): boolean {
  const bootSignature = MBR.f.boot_signature.offset;
  return startsWith(head, [0x55, 0xaa], bootSignature) && (decodePatch(head).value !== undefined || startsWith(head, GPT_SIGNATURE, SECTOR_SIZE));
}

export async function inspectFile(file: string): Promise<Inspection> {
  const compression = await sniff(file);
  // An uncompressed file's first bytes are enough to tell; a compressed one must be unpacked (ELF only).
  const head = compression ? (await readInput(file)).subarray(0, 2 * SECTOR_SIZE) : await firstBytes(file, 2 * SECTOR_SIZE);
  if (startsWith(head, MIMG_MAGIC)) {
    if (compression) throw new MimgError(issue('MIMG_MAGIC', `a ${compression}-compressed .mimg image; decompress it first`, { file }));
    const report = await readImageFile(file, false);
    return { kind: 'mimg', file, image: report.image, issues: report.issues };
  }
  if (startsWith(head, ELF_MAGIC)) {
    const bytes = await readInput(file);
    return { kind: 'elf', file, elf: elfFrom(bytes, file), compression, multiboot: scanMultiboot(bytes) };
  }
  // Before the disk test: a bzImage also ends its first sector with 55 AA.
  if (isBzImage(head)) {
    const r = parseBzImage(await readInput(file));
    if (!r.value) throw new MimgError(inFile(file, r.issues));
    return { kind: 'bzimage', file, kernel: r.value, compression };
  }
  if (!compression && isMimgDisk(head)) return { kind: 'disk', file, ...(await readDiskFile(file)) };
  throw new MimgError(issue('ELF_MAGIC', 'neither a .mimg image, an ELF executable, a Linux bzImage nor a disk image with mimg boot code', { file, hint: 'mimg inspect reads .mimg images, ELF files, bzImages and disk images' }));
}
