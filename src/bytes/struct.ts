// Little-endian structures declared once as field -> [offset, type].
// readStruct() and writeStruct() derive every access from the table, so no
// codec carries a literal offset. Used by the ELF and Multiboot codecs.

import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export type FieldType = 'u8' | 'u16' | 'u32' | 'u64' | 'i32' | 'i64';

export interface Struct<F extends string> {
  size: number;
  fields: Readonly<Record<F, readonly [offset: number, type: FieldType]>>;
}

export function struct<F extends string>(size: number, fields: Record<F, readonly [number, FieldType]>): Struct<F> {
  return { size, fields };
}

/** Reads every field of `s` at `base`. `label` prefixes field names in OutOfBounds errors ("program header 2 p_filesz"). */
export function readStruct<F extends string>(r: Reader, s: Struct<F>, base: number, label = ''): Record<F, bigint> {
  const out = {} as Record<F, bigint>;
  for (const name of Object.keys(s.fields) as F[]) {
    const [offset, type] = s.fields[name];
    const field = label === '' ? name : `${label} ${name}`;
    const at = base + offset;
    out[name] = type === 'u64' ? r.u64(at, field) : type === 'i64' ? r.i64(at, field) : BigInt(r[type](at, field));
  }
  return out;
}

const BITS: Record<FieldType, number> = { u8: 8, u16: 16, u32: 32, u64: 64, i32: 32, i64: 64 };

/** Writes every field of `s` at `base`; a value that does not fit its field is a programming error and throws. */
export function writeStruct<F extends string>(w: Writer, s: Struct<F>, base: number, values: Readonly<Record<F, bigint>>): void {
  for (const name of Object.keys(s.fields) as F[]) {
    const [offset, type] = s.fields[name];
    const v = values[name];
    const bits = BigInt(BITS[type]);
    const signed = type === 'i32' || type === 'i64';
    const [min, max] = signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
    if (v < min || v > max) throw new RangeError(`${name}: ${v} does not fit ${type}`);
    const raw = BigInt.asUintN(BITS[type], v);
    const at = base + offset;
    if (type === 'u8') w.u8(at, Number(raw));
    else if (type === 'u16') w.u16(at, Number(raw));
    else if (type === 'u32' || type === 'i32') w.u32(at, Number(raw));
    else w.u64(at, raw);
  }
}

/** File offset of a field, for `where` strings. */
export function fieldOffset<F extends string>(s: Struct<F>, base: number, field: F): number {
  return base + s.fields[field][0];
}
