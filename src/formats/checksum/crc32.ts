// CRC-32/ISO-HDLC, the CRC of zlib, PNG, gzip and GPT: reflected polynomial
// 0xEDB88320, initial value and final XOR 0xFFFFFFFF.
// Check value: crc32("123456789") = 0xCBF43926.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32 of `bytes`, continuing from `crc` (the result for the preceding bytes,
 * 0 to start), so crc32(b, crc32(a)) === crc32(a ++ b) — zlib's crc32(crc, buf).
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
