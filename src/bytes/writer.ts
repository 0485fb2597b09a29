// Little-endian writes into a fixed-size buffer allocated up front (lay out
// first, allocate once, then fill). Writing outside it is a bug, so it throws.

export class Writer {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  private check(offset: number, length: number): void {
    if (offset < 0 || offset + length > this.bytes.length) {
      throw new RangeError(`Writer: [${offset},${offset + length}) outside buffer of ${this.bytes.length}`);
    }
  }

  u8(offset: number, v: number): void {
    this.check(offset, 1);
    this.view.setUint8(offset, v);
  }
  u16(offset: number, v: number): void {
    this.check(offset, 2);
    this.view.setUint16(offset, v, true);
  }
  u32(offset: number, v: number): void {
    this.check(offset, 4);
    this.view.setUint32(offset, v >>> 0, true);
  }
  u64(offset: number, v: bigint): void {
    this.check(offset, 8);
    this.view.setBigUint64(offset, v, true);
  }
  bytesAt(offset: number, b: Uint8Array): void {
    this.check(offset, b.length);
    this.bytes.set(b, offset);
  }
}
