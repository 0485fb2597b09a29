// Streaming decompression of gzip, xz and zstd inputs. Data modules can be
// large, so everything here is a stream of chunks; nothing holds a whole file.

import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import xz from 'xz-decompress';
import { MimgError, issue } from '../diagnostics/issue.js';
import type { Compression } from '../formats/compress/detect.js';

const CHUNK = 1 << 20;

function corrupt(file: string, kind: Compression, err: unknown): MimgError {
  const why = err instanceof Error ? err.message : String(err);
  return new MimgError(issue('DECOMPRESS', `${kind} data is corrupt or truncated: ${why}`, { file }));
}

async function* zstdChunks(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let ended = false;
  const z = new ZstdDecompress((chunk, final) => {
    out.push(chunk);
    if (final) ended = true;
  });
  for await (const chunk of source) {
    z.push(chunk);
    while (out.length) yield out.shift()!;
  }
  if (!ended) z.push(new Uint8Array(0), true);
  while (out.length) yield out.shift()!;
  if (!ended) throw new Error('unexpected end of zstd stream');
}

/** Chunks of `file` decompressed with `kind` (or as stored when kind is undefined). Errors become MimgError naming the file. */
export async function* readChunks(file: string, kind: Compression | undefined): AsyncGenerator<Uint8Array> {
  const raw = createReadStream(file, { highWaterMark: CHUNK });
  try {
    if (kind === undefined) {
      for await (const c of raw) yield c as Uint8Array;
    } else if (kind === 'gzip') {
      for await (const c of raw.pipe(createGunzip({ chunkSize: CHUNK }))) yield c as Uint8Array;
    } else if (kind === 'zstd') {
      yield* zstdChunks(raw);
    } else {
      const stream = new xz.XzReadableStream(Readable.toWeb(raw) as ReadableStream<Uint8Array>);
      for await (const c of Readable.fromWeb(stream as never)) yield c as Uint8Array;
    }
  } catch (err) {
    if (err instanceof MimgError) throw err;
    if (kind === undefined) throw new MimgError(issue('FILE_READ', `cannot read: ${(err as Error).message}`, { file }));
    throw corrupt(file, kind, err);
  } finally {
    raw.destroy();
  }
}

/** The whole decompressed content, for inputs that must be parsed (kernels, ELF modules). */
export async function readAll(file: string, kind: Compression | undefined): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of readChunks(file, kind)) {
    parts.push(c);
    n += c.length;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The decompressed size, by streaming once (data modules with decompress = true). */
export async function measure(file: string, kind: Compression): Promise<bigint> {
  let n = 0n;
  for await (const c of readChunks(file, kind)) n += BigInt(c.length);
  return n;
}
