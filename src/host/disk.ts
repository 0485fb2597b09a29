// Reading disk images, and writing planned extents. A new disk image goes to a temporary file beside
// the output, sized with ftruncate so that every zero extent stays a hole
// (a 4 GiB disk with a 1 MiB kernel takes 1 MiB), and is renamed into place
// only when complete. An installer writes extents into an existing disk,
// zeros included, and nothing else.

import { readSync } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SECTOR_SIZE, type ReadSectors } from '../bytes/sectors.js';
import { MimgError, hex, issue, type Issue } from '../diagnostics/issue.js';
import { readDisk, type DiskReport, type Extent } from '../media/index.js';
import { streamRange } from './copy.js';
import type { Progress } from './write.js';

const ZERO_CHUNK = 1 << 20;

/**
 * Writes `extents` into `fh`, each at `base` + its offset; zero extents only
 * when `zeros` is set. File sources must still have the length they had when
 * planned: a changed input is an error, not a silently different disk.
 */
export async function writeExtents(fh: FileHandle, extents: readonly Extent[], opts: { base?: bigint; zeros: boolean }, progress?: Progress): Promise<void> {
  const base = opts.base ?? 0n;
  const todo = extents.filter((e) => opts.zeros || e.source.kind !== 'zeros');
  const total = todo.reduce((n, e) => n + e.length, 0n);
  let done = 0n;
  const advance = (n: number): void => {
    done += BigInt(n);
    progress?.(done, total);
  };
  for (const e of todo) {
    const at = base + e.offset;
    const src = e.source;
    if (src.kind === 'bytes') {
      await fh.write(src.bytes, 0, src.bytes.length, Number(at));
      advance(src.bytes.length);
    } else if (src.kind === 'zeros') {
      const zero = new Uint8Array(Number(e.length < BigInt(ZERO_CHUNK) ? e.length : BigInt(ZERO_CHUNK)));
      for (let pos = 0n; pos < e.length; pos += BigInt(zero.length)) {
        const n = e.length - pos < BigInt(zero.length) ? Number(e.length - pos) : zero.length;
        await fh.write(zero, 0, n, Number(at + pos));
        advance(n);
      }
    } else {
      const size = BigInt((await stat(src.path)).size);
      if (size !== src.offset + e.length) throw new MimgError(issue('FILE_READ', `input changed while writing the disk: ${e.what} was planned with ${hex(e.length)} bytes, the file now has ${hex(size - src.offset)}`, { file: src.path }));
      const input = await open(src.path, 'r');
      try {
        const n = await streamRange(input, src.offset, e.length, (b) => advance(b.length), { fh, offset: at });
        if (n !== e.length) throw new MimgError(issue('FILE_READ', `input shrank while writing the disk: ${e.what} ended after ${hex(n)} of ${hex(e.length)} bytes`, { file: src.path }));
      } finally {
        await input.close();
      }
    }
  }
}

/** Writes a new disk image of `size` bytes made of `extents` to `output`, sparsely; nothing is left behind on failure. */
export async function writeDisk(output: string, plan: { size: bigint; extents: readonly Extent[] }, progress?: Progress): Promise<void> {
  const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'w');
  } catch (err) {
    throw new MimgError(issue('FILE_WRITE', `cannot create output: ${(err as Error).message}`, { file: output }));
  }
  try {
    await fh.truncate(Number(plan.size));
    await writeExtents(fh, plan.extents, { zeros: false }, progress);
    await fh.close();
    fh = undefined;
    await rename(tmp, output);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    if (err instanceof MimgError) throw err;
    throw new MimgError(issue('FILE_WRITE', `cannot write output: ${(err as Error).message}`, { file: output }));
  }
}

/** An open disk image: its handle, its size in whole sectors, and a ReadSectors over it. */
export interface OpenDisk {
  fh: FileHandle;
  sectors: bigint;
  read: ReadSectors;
}

/**
 * Runs `use` on the disk image `file`, opened read-only or for update
 * ("r+", never created or truncated), and closes it. Only regular files:
 * a block device has no size to stat, and writing one needs more care.
 */
export async function withDisk<T>(file: string, mode: 'r' | 'r+', use: (disk: OpenDisk) => Promise<T>): Promise<T> {
  let fh: FileHandle;
  try {
    fh = await open(file, mode);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message;
    // A disk that is not there cannot be read; one that is there but not writable cannot be installed into.
    throw new MimgError(issue(mode === 'r' || e.code === 'ENOENT' ? 'FILE_READ' : 'FILE_WRITE', `cannot open the disk image: ${why}`, { file }));
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new MimgError(issue('FILE_READ', 'not a regular file; mimg reads and installs into disk image files', { file }));
    const read: ReadSectors = (lba, count) => {
      const buf = new Uint8Array(count * SECTOR_SIZE);
      const position = lba * BigInt(SECTOR_SIZE);
      return position >= BigInt(st.size) ? buf.subarray(0, 0) : buf.subarray(0, readSync(fh.fd, buf, 0, buf.length, Number(position)));
    };
    return await use({ fh, sectors: BigInt(st.size) / BigInt(SECTOR_SIZE), read });
  } finally {
    await fh.close();
  }
}

/** The partitions and boot volume of a disk image, with every issue found (naming the file). */
export async function readDiskFile(file: string): Promise<{ disk?: DiskReport; issues: Issue[] }> {
  return withDisk(file, 'r', async ({ read, sectors }) => {
    const r = readDisk(read, sectors);
    return { disk: r.value, issues: r.issues.map((i) => ({ ...i, file })) };
  });
}
