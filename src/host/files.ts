// Reading inputs: the only place (with decompress.ts and write.ts) that opens files.

import { open, stat } from 'node:fs/promises';
import { MimgError, inFile, issue, hasErrors, type Issue } from '../diagnostics/issue.js';
import { detectCompression, MAGIC_BYTES, type Compression } from '../formats/compress/detect.js';
import { parseElf } from '../formats/elf/parse.js';
import type { ElfFile } from '../formats/elf/types.js';
import type { Protocol } from '../formats/mimg/types.js';
import { readAll, measure } from './decompress.js';
import { loadKernel, type Kernel } from './kernel.js';

function readError(file: string, err: unknown, where?: string): MimgError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
  return new MimgError(issue('FILE_READ', `cannot read input: ${why}`, { file, where }));
}

/** Up to `n` bytes from the start of `file`. */
export async function firstBytes(file: string, n: number, where?: string): Promise<Uint8Array> {
  try {
    const fh = await open(file, 'r');
    try {
      const head = new Uint8Array(n);
      const { bytesRead } = await fh.read(head, 0, n, 0);
      return head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw readError(file, err, where);
  }
}

/** The compression of `file`, judged by its first bytes. */
export async function sniff(file: string, where?: string): Promise<Compression | undefined> {
  return detectCompression(await firstBytes(file, MAGIC_BYTES, where));
}

/** Runs `read`, turning any failure into issues that name `file` and `where`. */
async function reading<T>(file: string, where: string | undefined, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof MimgError) throw new MimgError(err.issues.map((i) => ({ ...i, where: i.where ?? where })));
    throw readError(file, err, where);
  }
}

/** A file's bytes, decompressed when compressed (kernels and ELF modules always are). */
export async function readInput(file: string, where?: string): Promise<Uint8Array> {
  const kind = await sniff(file, where);
  return reading(file, where, () => readAll(file, kind));
}

/** Parse an executable; every ELF issue names the file. */
export async function readElf(file: string, where?: string): Promise<ElfFile> {
  return elfFrom(await readInput(file, where), file, where);
}

/** Parse an executable already read from `file`. */
export function elfFrom(bytes: Uint8Array, file: string, where?: string): ElfFile {
  const r = parseElf(bytes);
  const issues = inFile(file, r.issues);
  if (hasErrors(issues) || !r.value) throw new MimgError(issues.length ? issues : [issue('ELF_MAGIC', 'not a loadable ELF file', { file, where })]);
  return r.value;
}

/** The kernel as `protocol` loads it (see kernel.ts). Errors throw, with any warnings; warnings alone come back. */
export async function readKernel(file: string, protocol: Protocol, where?: string): Promise<{ kernel: Kernel; warnings: Issue[] }> {
  const r = loadKernel(await readInput(file, where), protocol);
  const issues = inFile(file, r.issues).map((i) => ({ ...i, where: i.where ?? where }));
  if (hasErrors(issues) || !r.value) throw new MimgError(issues);
  return { kernel: r.value, warnings: issues };
}

/** A data module's size as it will be placed, and how to read it. */
export async function dataInput(file: string, decompress: boolean, where?: string): Promise<{ size: bigint; compression?: Compression }> {
  const kind = decompress ? await sniff(file, where) : undefined;
  if (kind) return { size: await reading(file, where, () => measure(file, kind)), compression: kind };
  return reading(file, where, async () => {
    const st = await stat(file);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: st.isDirectory() ? 'EISDIR' : 'ENOTFILE' });
    return { size: BigInt(st.size) };
  });
}
