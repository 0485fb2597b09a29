// Large sequential I/O: read a byte range in big chunks with the next read
// already in flight while the current chunk is hashed (and written), so a
// 1 GiB module moves at close to the speed of `cp` with bounded memory.

import type { FileHandle } from 'node:fs/promises';

const CHUNK = 16 << 20;
/** Three buffers: one being read, one being hashed, one being written. */
const BUFFERS = 3;

/**
 * Reads `length` bytes of `src` from `offset`, calling `chunk` on each piece
 * in order; when `dst` is given, also writes each piece to `dst` at
 * `dstOffset` + its position. Resolves to the number of bytes read, which is
 * less than `length` only if the file is shorter.
 */
export async function streamRange(
  src: FileHandle,
  offset: bigint,
  length: bigint,
  chunk: (bytes: Uint8Array) => void,
  dst?: { fh: FileHandle; offset: bigint },
): Promise<bigint> {
  const bufs = Array.from({ length: BUFFERS }, () => new Uint8Array(Number(length < BigInt(CHUNK) ? length : BigInt(CHUNK))));
  const writes: (Promise<unknown> | undefined)[] = new Array(BUFFERS);
  const readInto = (i: number, pos: bigint) => {
    const want = length - pos < BigInt(CHUNK) ? Number(length - pos) : CHUNK;
    return src.read(bufs[i]!, 0, want, Number(offset + pos)).then((r) => r.bytesRead);
  };
  let pos = 0n;
  let pending = length > 0n ? readInto(0, 0n) : Promise.resolve(0);
  for (let i = 0; pos < length; i = (i + 1) % BUFFERS) {
    const n = await pending;
    if (n === 0) break;
    const next = (i + 1) % BUFFERS;
    await writes[next]; // the buffer about to be refilled must be written out first
    if (pos + BigInt(n) < length) pending = readInto(next, pos + BigInt(n));
    const piece = bufs[i]!.subarray(0, n);
    chunk(piece);
    if (dst) writes[i] = dst.fh.write(piece, 0, n, Number(dst.offset + pos));
    pos += BigInt(n);
  }
  await Promise.all(writes);
  return pos;
}
