// Documented on-disk structures, declared once as an ordered list of fields.
// Offsets follow from field order, each field naturally aligned (checked when
// the table is built); readTable() and writeTable() derive every access from
// the table, and the specifications' tables and the C and NASM headers the
// boot stages compile against are generated from the same declarations.
// Used by the .mimg, MBR, GPT and boot-volume codecs.

import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export type FieldType = 'u8' | 'u16' | 'u32' | 'u64' | 'bytes';

export interface FieldDecl {
  readonly name: string;
  readonly type: FieldType;
  /** Length of a 'bytes' field; integer fields have their natural width. */
  readonly size?: number;
  /** Reserved fields must be zero when written and are checked to be zero when read. */
  readonly reserved?: boolean;
  readonly doc: string;
}

export interface Field<T extends FieldType = FieldType> {
  readonly name: string;
  readonly type: T;
  readonly offset: number;
  readonly size: number;
  readonly reserved: boolean;
  readonly doc: string;
}

type FieldValue<T extends FieldType> = T extends 'u64' ? bigint : T extends 'bytes' ? Uint8Array : number;

type FieldMap<D extends readonly FieldDecl[]> = { readonly [F in D[number] as F['name']]: Field<F['type']> };
type Values<D extends readonly FieldDecl[]> = { [F in D[number] as F['name']]: FieldValue<F['type']> };

export interface Table<D extends readonly FieldDecl[] = readonly FieldDecl[]> {
  readonly name: string;
  readonly size: number;
  /** In offset order. */
  readonly fields: readonly Field[];
  /** By name. */
  readonly f: FieldMap<D>;
}

/** The field values of a table, as readTable returns and writeTable takes them. */
export type TableValues<T> = T extends Table<infer D> ? Values<D> : never;

const WIDTH = { u8: 1, u16: 2, u32: 4, u64: 8 } as const;

/** `packed`: fields need not be naturally aligned (on-disk structures of the 1980s, like FAT's BPB). */
export function table<const D extends readonly FieldDecl[]>(name: string, size: number, decls: D, opts: { packed?: boolean } = {}): Table<D> {
  const fields: Field[] = [];
  let offset = 0;
  for (const d of decls) {
    const width = d.type === 'bytes' ? (d.size ?? 0) : WIDTH[d.type];
    if (width <= 0 || offset % (d.type === 'bytes' || opts.packed ? 1 : width) !== 0) {
      throw new Error(`${name}.${d.name}: bad size or unaligned offset ${offset}`);
    }
    fields.push({ name: d.name, type: d.type, offset, size: width, reserved: d.reserved ?? false, doc: d.doc });
    offset += width;
  }
  if (offset !== size) throw new Error(`${name}: fields cover ${offset} bytes, declared ${size}`);
  return { name, size, fields, f: Object.fromEntries(fields.map((x) => [x.name, x])) as FieldMap<D> };
}

/** A one-byte or one-word enumeration: names <-> codes, in code order. */
export interface Enum<N extends string> {
  readonly field: string;
  readonly entries: readonly (readonly [N, number, string])[];
  code(name: N): number;
  name(code: number): N | undefined;
}

export function enumeration<N extends string>(field: string, entries: readonly (readonly [N, number, string])[]): Enum<N> {
  return {
    field,
    entries,
    code: (name) => entries.find((e) => e[0] === name)![1],
    name: (code) => entries.find((e) => e[1] === code)?.[0],
  };
}

const UINT_MAX = { u8: 0xffn, u16: 0xffffn, u32: 0xffffffffn, u64: (1n << 64n) - 1n } as const;

export function readTable<D extends readonly FieldDecl[]>(r: Reader, base: number, t: Table<D>): Values<D> {
  const out: Record<string, number | bigint | Uint8Array> = {};
  for (const f of t.fields) {
    const at = base + f.offset;
    out[f.name] =
      f.type === 'u8' ? r.u8(at, f.name)
      : f.type === 'u16' ? r.u16(at, f.name)
      : f.type === 'u32' ? r.u32(at, f.name)
      : f.type === 'u64' ? r.u64(at, f.name)
      : r.slice(at, f.size, f.name).slice();
  }
  return out as Values<D>;
}

/** Writes every field; a value that does not fit its field is a programming error and throws. */
export function writeTable<D extends readonly FieldDecl[]>(w: Writer, base: number, t: Table<D>, v: Values<D>): void {
  const values = v as Record<string, number | bigint | Uint8Array>;
  for (const f of t.fields) {
    const x = values[f.name]!;
    const at = base + f.offset;
    if (f.type === 'bytes') {
      if (!(x instanceof Uint8Array) || x.length !== f.size) throw new RangeError(`${t.name}.${f.name}: needs ${f.size} bytes`);
      w.bytesAt(at, x);
      continue;
    }
    if (x instanceof Uint8Array || (typeof x === 'number' && !Number.isInteger(x)) || BigInt(x) < 0n || BigInt(x) > UINT_MAX[f.type]) {
      throw new RangeError(`${t.name}.${f.name}: ${String(x)} does not fit ${f.type}`);
    }
    if (f.type === 'u8') w.u8(at, Number(x));
    else if (f.type === 'u16') w.u16(at, Number(x));
    else if (f.type === 'u32') w.u32(at, Number(x));
    else w.u64(at, BigInt(x));
  }
}

/** The reserved fields of `values` that are not zero. */
export function nonZeroReserved<D extends readonly FieldDecl[]>(t: Table<D>, values: Values<D>): Field[] {
  const v = values as Record<string, number | bigint | Uint8Array>;
  return t.fields.filter((f) => {
    const x = v[f.name];
    return f.reserved && (x instanceof Uint8Array ? x.some((b) => b !== 0) : x !== 0 && x !== 0n);
  });
}
