// Payload digests. SHA-256 comes from node:crypto; XXH64 from xxhash-wasm,
// which must be instantiated once (asynchronously) before use.

import { createHash } from 'node:crypto';
import xxhash from 'xxhash-wasm';
import { DIGEST_SIZE } from './struct.js';
import type { DigestAlgorithm } from './types.js';

/** An incremental digest. digest() returns the 32-byte section digest field and may be called once. */
export interface Digest {
  update(bytes: Uint8Array): void;
  digest(): Uint8Array;
}

const XXH_SLICE = 1 << 20;

type XxhashApi = Awaited<ReturnType<typeof xxhash>>;
let xxh: XxhashApi | undefined;
let loading: Promise<XxhashApi> | undefined;

/** Must have been awaited once before createDigest('xxh64'). Safe to call again. */
export async function initDigests(): Promise<void> {
  loading ??= xxhash();
  xxh = await loading;
}

export function createDigest(alg: DigestAlgorithm): Digest {
  if (alg === 'sha256') {
    const h = createHash('sha256');
    return {
      update: (b) => void h.update(b),
      digest: () => new Uint8Array(h.digest()),
    };
  }
  if (xxh === undefined) throw new Error("createDigest('xxh64') before initDigests() was awaited");
  const h = xxh.create64(0n);
  return {
    // xxhash-wasm copies each update into its own memory, which it grows for a
    // large one; fed in 1 MiB slices it runs several times faster.
    update: (b) => {
      for (let o = 0; o < b.length; o += XXH_SLICE) h.update(b.subarray(o, o + XXH_SLICE));
    },
    digest: () => {
      const field = new Uint8Array(DIGEST_SIZE);
      new DataView(field.buffer).setBigUint64(0, h.digest(), true);
      return field;
    },
  };
}

/** The digest field for a whole payload: all zero for an empty payload. */
export function payloadDigest(alg: DigestAlgorithm, payload: Uint8Array): Uint8Array {
  if (payload.length === 0) return new Uint8Array(DIGEST_SIZE);
  const d = createDigest(alg);
  d.update(payload);
  return d.digest();
}
