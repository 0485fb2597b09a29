// Bounds-checked little-endian reads over a byte array. Every read names the
// field it is for, so a short file becomes "offset 0x34 (e_phoff): needs 4
// bytes, file has 0x30" instead of a RangeError.

export class OutOfBounds extends Error {
  constructor(
    readonly offset: number,
    readonly length: number,
    readonly available: number,
    readonly field: string,
  ) {
    super(`offset 0x${offset.toString(16)} (${field}): needs ${length} bytes, only 0x${available.toString(16)} available`);
    this.name = 'OutOfBounds';
  }
}

export class Reader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  /** True when [offset, offset+length) lies inside the bytes. Accepts bigint so callers can test untrusted 64-bit fields. */
  has(offset: number | bigint, length: number | bigint): boolean {
    const o = BigInt(offset);
    const l = BigInt(length);
    return o >= 0n && l >= 0n && o + l <= BigInt(this.length);
  }

  check(offset: number, length: number, field: string): void {
    if (!this.has(offset, length)) throw new OutOfBounds(offset, length, this.length, field);
  }

  u8(offset: number, field = 'u8'): number {
    this.check(offset, 1, field);
    return this.view.getUint8(offset);
  }
  u16(offset: number, field = 'u16'): number {
    this.check(offset, 2, field);
    return this.view.getUint16(offset, true);
  }
  u32(offset: number, field = 'u32'): number {
    this.check(offset, 4, field);
    return this.view.getUint32(offset, true);
  }
  i32(offset: number, field = 'i32'): number {
    this.check(offset, 4, field);
    return this.view.getInt32(offset, true);
  }
  u64(offset: number, field = 'u64'): bigint {
    this.check(offset, 8, field);
    return this.view.getBigUint64(offset, true);
  }
  i64(offset: number, field = 'i64'): bigint {
    this.check(offset, 8, field);
    return this.view.getBigInt64(offset, true);
  }
  /** A view (not a copy) of [offset, offset+length). */
  slice(offset: number, length: number, field = 'bytes'): Uint8Array {
    this.check(offset, length, field);
    return this.bytes.subarray(offset, offset + length);
  }
  /** A NUL-terminated string starting at offset, at most maxLength bytes. */
  cstring(offset: number, field = 'string', maxLength = 4096): string {
    this.check(offset, 0, field);
    const end = Math.min(this.length, offset + maxLength);
    let i = offset;
    while (i < end && this.bytes[i] !== 0) i++;
    if (i === end) throw new OutOfBounds(offset, i - offset + 1, this.length, `${field}: no terminating NUL`);
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(offset, i));
  }
}

/** Convert an untrusted 64-bit size/offset to a number, or undefined if it cannot be a file offset. */
export function toSafeNumber(v: bigint): number | undefined {
  return v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}
