// Compressed inputs are recognised by their magic bytes, never by file name.

export type Compression = 'gzip' | 'xz' | 'zstd';

const MAGICS: ReadonlyArray<[Compression, readonly number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

/** The longest magic; read at least this many bytes before calling detectCompression. */
export const MAGIC_BYTES = 6;

export function detectCompression(head: Uint8Array): Compression | undefined {
  for (const [kind, magic] of MAGICS) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return kind;
  }
  return undefined;
}
