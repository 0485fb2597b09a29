// The Multiboot header readers against real kernels from GNU as/ld (ELF
// files and flat binaries, headers written as .long directives), checked
// against the symbols the linker resolved; hand-made corruptions of them;
// and a seeded mutation run that must never throw.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { fieldOffset, type Struct } from '../../bytes/struct.js';
import { CODES, type Code } from '../../diagnostics/codes.js';
import { renderIssue, type Issue, type Result } from '../../diagnostics/issue.js';
import { missingTools, readelfSegments, readelfSymbols } from '../../../test/support/toolchain.js';
import {
  MB1_ADDRESS_FIELDS, MB2_ADDRESS_TAGS, mb1Header, mb2Header, multibootBinary, multibootElf, type TagSource,
} from '../../../test/support/multiboot.js';
import {
  addressLoadedKernel, encodeMultiboot1, encodeMultiboot2, multibootJson, multibootText, parseMultiboot1, parseMultiboot2, scanMultiboot,
  type Multiboot1Header, type Multiboot2Header,
} from './index.js';
import { MB1_ADDRESS, MB1_HEADER, MB2_ADDRESS_TAG, MB2_HEADER, MB2_RELOCATABLE_TAG, MB2_TAG } from './struct.js';

const skip = missingTools('as', 'ld', 'readelf');

// ---------------------------------------------------------------- fixtures

/** Every tag kind the reader knows, plus one it does not. */
const ALL_TAGS: TagSource[] = [
  { type: 1, body: '.long 1, 6, 14' },
  { type: 1, flags: 1, body: '.long 5' },
  { type: 4, flags: 1, body: '.long 3' },
  { type: 5, flags: 1, body: '.long 1024, 768, 32' },
  { type: 6 },
  { type: 7, flags: 1 },
  { type: 8, flags: 1, body: '.long _start' },
  { type: 9, flags: 1, body: '.long _start' },
  { type: 10, body: '.long 0x100000, 0x10000000, 0x1000, 1' },
  { type: 42, flags: 1, body: '.long 0xdeadbeef' },
];

interface Fixture {
  bytes: Uint8Array;
  /** The same kernel as an ELF file, for its symbols and program headers. */
  elf: string;
}

let built: Map<string, Fixture> | undefined;
function fixture(name: string): Fixture {
  built ??= new Map(
    (
      [
        ['mb1', { headers: mb1Header(0x3) }, 'elf'],
        ['mb1-kludge', { headers: mb1Header(0x10003, MB1_ADDRESS_FIELDS) }, 'bin'],
        ['mb1-video', { headers: mb1Header(0x10007, `${MB1_ADDRESS_FIELDS}\n.long 0, 1024, 768, 32`) }, 'bin'],
        ['mb2', { headers: mb2Header(ALL_TAGS) }, 'elf'],
        ['mb2-address', { headers: mb2Header(MB2_ADDRESS_TAGS) }, 'bin'],
        ['both64', { bits: 64 as const, headers: mb1Header(0) + mb2Header([]) }, 'elf'],
      ] as const
    ).map(([name, opts, kind]) => {
      const elf = multibootElf({ name, ...opts });
      const path = kind === 'elf' ? elf : multibootBinary({ name, ...opts });
      return [name, { bytes: new Uint8Array(readFileSync(path)), elf }];
    }),
  );
  const f = built.get(name);
  assert.ok(f, name);
  return f;
}

/** The committed example kernel: a Multiboot2 header with only the end tag, built by gcc. */
const EXAMPLE = new URL('../../../../examples/hello/kernel.elf', import.meta.url);

// ---------------------------------------------------------------- helpers

function symbol(f: Fixture, name: string): bigint {
  const s = readelfSymbols(f.elf).find((x) => x.name === name);
  assert.ok(s, `symbol ${name}`);
  return s.value;
}

/** The file offset of a symbol in the ELF file, through the segment that holds it. */
function fileOffsetOf(f: Fixture, name: string): number {
  const v = symbol(f, name);
  const seg = readelfSegments(f.elf).find((s) => s.type === 'LOAD' && s.vaddr <= v && v < s.vaddr + s.filesz);
  assert.ok(seg, `segment of ${name}`);
  return Number(v - seg.vaddr + seg.offset);
}

function value<T>(r: Result<T>): T {
  assert.deepEqual(r.issues.map(renderIssue), []);
  assert.ok(r.value);
  return r.value;
}

/** A copy of `bytes` with one field of `s` (at `base`) set to `v`; every Multiboot field is a u16 or a u32. */
function withField<F extends string>(bytes: Uint8Array, s: Struct<F>, base: number, field: F, v: bigint | number): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const at = fieldOffset(s, base, field);
  if (s.fields[field][1] === 'u16') view.setUint16(at, Number(BigInt.asUintN(16, BigInt(v))), true);
  else view.setUint32(at, Number(BigInt.asUintN(32, BigInt(v))), true);
  return out;
}

/** A copy with one Multiboot2 header field changed and the checksum fixed up, so that the change is all that is wrong. */
function withHeaderField(bytes: Uint8Array, base: number, field: 'architecture' | 'header_length', v: number): Uint8Array {
  const out = withField(bytes, MB2_HEADER, base, field, v);
  const view = new DataView(out.buffer);
  const word = (f: keyof typeof MB2_HEADER.fields) => BigInt(view.getUint32(fieldOffset(MB2_HEADER, base, f), true));
  view.setUint32(fieldOffset(MB2_HEADER, base, 'checksum'), Number(BigInt.asUintN(32, -(word('magic') + word('architecture') + word('header_length')))), true);
  return out;
}

function expectIssue(issues: readonly Issue[], code: Code, where: RegExp, message: RegExp): void {
  const found = issues.find((i) => i.code === code && where.test(i.where ?? '') && message.test(i.message));
  assert.ok(found, `expected ${code} ${where} ${message}, got:\n${issues.map(renderIssue).join('\n')}`);
}

/** Parses input that must be rejected with `code`: never a value. */
function rejects<T>(r: Result<T>, code: Code, where: RegExp, message: RegExp): void {
  assert.equal(r.value, undefined, 'a value was returned for bad input');
  expectIssue(r.issues, code, where, message);
}

function hexOf(n: number): string {
  return `0x${n.toString(16)}`;
}

// ---------------------------------------------------------------- real files

test('Multiboot1 in an ELF file: found at the symbol, flags read, no address fields', { skip }, () => {
  const f = fixture('mb1');
  const h = value(parseMultiboot1(f.bytes));
  assert.deepEqual(h, { offset: fileOffsetOf(f, 'mb1_header'), flags: 3 });
  assert.equal(parseMultiboot2(f.bytes).value, undefined);
});

test('Multiboot1 address fields in a flat binary: every field is the linker symbol, the load is the whole file plus .bss', { skip }, () => {
  const f = fixture('mb1-kludge');
  const h = value(parseMultiboot1(f.bytes));
  const load = { fileOffset: 0, fileSize: f.bytes.length, address: 0x100000n, memSize: symbol(f, 'bss_end') - 0x100000n };
  assert.deepEqual(h, {
    offset: 0,
    flags: 0x10003,
    address: { headerAddr: symbol(f, 'mb1_header'), loadAddr: 0x100000n, loadEndAddr: symbol(f, 'load_end'), bssEndAddr: symbol(f, 'bss_end'), entryAddr: symbol(f, '_start'), load },
  });
  assert.equal(symbol(f, 'load_end') - 0x100000n, BigInt(f.bytes.length), 'ld wrote exactly [image_start, load_end)');

  const elf = addressLoadedKernel(f.bytes, load, h.address!.entryAddr);
  assert.equal(elf.loads.length, 1);
  assert.deepEqual(elf.loads[0]!.data, f.bytes);
  assert.equal(elf.loads[0]!.paddr, 0x100000n);
  assert.equal(elf.loads[0]!.memsz, load.memSize);
  assert.equal(elf.entry, symbol(f, '_start'));
});

test('Multiboot1 video mode fields (flags bit 2)', { skip }, () => {
  const h = value(parseMultiboot1(fixture('mb1-video').bytes));
  assert.deepEqual(h.video, { modeType: 0, width: 1024, height: 768, depth: 32 });
});

test('Multiboot2: every tag kind, in file order, with its fields', { skip }, () => {
  const f = fixture('mb2');
  const h = value(parseMultiboot2(f.bytes));
  assert.equal(h.offset, fileOffsetOf(f, 'mb2_header'));
  assert.equal(h.offset % 8, 0);
  assert.equal(h.architecture, 0);
  assert.equal(BigInt(h.headerLength), symbol(f, 'mb2_header_end') - symbol(f, 'mb2_header'));
  const start = symbol(f, '_start');
  assert.deepEqual(
    h.tags.map(({ offset, ...t }) => {
      assert.equal((offset - h.offset) % 8, 0, 'tags are 8-byte aligned');
      return t;
    }),
    [
      { type: 1, flags: 0, size: 20, kind: 'information-request', requests: [1, 6, 14] },
      { type: 1, flags: 1, size: 12, kind: 'information-request', requests: [5] },
      { type: 4, flags: 1, size: 12, kind: 'console-flags', consoleFlags: 3 },
      { type: 5, flags: 1, size: 20, kind: 'framebuffer', width: 1024, height: 768, depth: 32 },
      { type: 6, flags: 0, size: 8, kind: 'module-align' },
      { type: 7, flags: 1, size: 8, kind: 'efi-boot-services' },
      { type: 8, flags: 1, size: 12, kind: 'entry-address-efi32', entryAddr: start },
      { type: 9, flags: 1, size: 12, kind: 'entry-address-efi64', entryAddr: start },
      { type: 10, flags: 0, size: 24, kind: 'relocatable', minAddr: 0x100000n, maxAddr: 0x10000000n, align: 0x1000n, preference: 1 },
      { type: 42, flags: 1, size: 12, kind: 'unknown', body: new Uint8Array([0xef, 0xbe, 0xad, 0xde]) },
    ],
  );
});

test('Multiboot2 address and entry address tags in a flat binary', { skip }, () => {
  const f = fixture('mb2-address');
  const h = value(parseMultiboot2(f.bytes));
  const [address, entry] = h.tags;
  assert.ok(address?.kind === 'address' && entry?.kind === 'entry-address');
  assert.deepEqual(
    { headerAddr: address.headerAddr, loadAddr: address.loadAddr, loadEndAddr: address.loadEndAddr, bssEndAddr: address.bssEndAddr, load: address.load },
    {
      headerAddr: symbol(f, 'mb2_header'),
      loadAddr: 0x100000n,
      loadEndAddr: symbol(f, 'load_end'),
      bssEndAddr: symbol(f, 'bss_end'),
      load: { fileOffset: 0, fileSize: f.bytes.length, address: 0x100000n, memSize: symbol(f, 'bss_end') - 0x100000n },
    },
  );
  assert.equal(entry.entryAddr, symbol(f, '_start'));
});

test('an ELF64 file with both headers, and the example kernel built by gcc', { skip }, () => {
  const f = fixture('both64');
  assert.deepEqual(value(parseMultiboot1(f.bytes)), { offset: fileOffsetOf(f, 'mb1_header'), flags: 0 });
  assert.deepEqual(value(parseMultiboot2(f.bytes)).tags, []);
  const example = new Uint8Array(readFileSync(EXAMPLE));
  assert.deepEqual(value(parseMultiboot2(example)).tags, []);
  assert.deepEqual(parseMultiboot1(example), { issues: [] }, 'no Multiboot1 header, and nothing wrong');
});

test('every real header round-trips byte-exactly through the writer', { skip }, () => {
  const samples = [...['mb1', 'mb1-kludge', 'mb1-video', 'mb2', 'mb2-address', 'both64'].map((n) => fixture(n).bytes), new Uint8Array(readFileSync(EXAMPLE))];
  let headers = 0;
  for (const bytes of samples) {
    const h1 = parseMultiboot1(bytes).value;
    if (h1) {
      const out = encodeMultiboot1(h1);
      assert.deepEqual(out, bytes.subarray(h1.offset, h1.offset + out.length));
      headers++;
    }
    const h2 = parseMultiboot2(bytes).value;
    if (h2) {
      assert.deepEqual(encodeMultiboot2(h2), bytes.subarray(h2.offset, h2.offset + h2.headerLength));
      headers++;
    }
  }
  assert.equal(headers, 8);
});

test('inspect text and JSON name every header, field and tag', { skip }, () => {
  const text = multibootText(scanMultiboot(fixture('mb2').bytes)).join('\n');
  assert.match(text, /^Multiboot2 header at 0x[0-9a-f]+: i386, 0xc0 bytes, 10 tags$/m);
  assert.match(text, /^ {2}tag 0 information request: 1 boot command line, 6 memory map, 14 ACPI old RSDP$/m);
  assert.match(text, /^ {2}tag 8 relocatable header: \[0x100000,0x10000000\), align 0x1000, preference lowest$/m);
  assert.match(text, /^ {2}tag 9 type 42 \(optional\): 4 bytes$/m);
  assert.match(text, /^no Multiboot1 header$/m);
  const kludge = multibootText(scanMultiboot(fixture('mb1-kludge').bytes)).join('\n');
  assert.match(kludge, /^Multiboot1 header at 0x0: flags 0x10003 \(page-aligned modules, memory information, address fields\)$/m);
  assert.match(kludge, /file \[0x0,0x[0-9a-f]+\) -> \[0x100000,0x[0-9a-f]+\), entry_addr 0x[0-9a-f]+$/m);
  assert.match(kludge, /^no Multiboot2 header$/m);
  const json = JSON.parse(JSON.stringify(multibootJson(scanMultiboot(fixture('mb1-kludge').bytes))));
  assert.equal(json.multiboot1.address.loadAddr, '0x100000');
  assert.equal(json.multiboot2, null);
});

// ---------------------------------------------------------------- corruptions

test('Multiboot1: a bad checksum is reported only when no good header follows', { skip }, () => {
  const f = fixture('mb1');
  const at = fileOffsetOf(f, 'mb1_header');
  const bad = withField(f.bytes, MB1_HEADER, at, 'checksum', 0x12345678);
  rejects(parseMultiboot1(bad), 'MULTIBOOT_HEADER', new RegExp(`^offset ${hexOf(at + 8)} \\(checksum\\)$`), /magic \+ flags \+ checksum is 0x[0-9a-f]+, not 0 .*checksum should be 0xe4524ffb/);
  // The same bad header before a good one: skipped, as GRUB does.
  const twice = new Uint8Array(f.bytes.length + 16);
  twice.set(bad.subarray(at, at + 12), 0);
  twice.set(f.bytes, 16);
  assert.equal(value(parseMultiboot1(twice)).offset, at + 16);
  // No magic at all, or a magic at an unaligned offset: no header and nothing to report.
  assert.deepEqual(parseMultiboot1(new Uint8Array(9000)), { issues: [] });
  const unaligned = new Uint8Array(64);
  unaligned.set(f.bytes.subarray(at, at + 12), 2);
  assert.deepEqual(parseMultiboot1(unaligned), { issues: [] });
});

test('Multiboot1: inconsistent address fields are each named with their offset', { skip }, () => {
  const f = fixture('mb1-kludge');
  const h = value(parseMultiboot1(f.bytes)).address!;
  const where = (field: keyof typeof MB1_ADDRESS.fields) => new RegExp(`^offset ${hexOf(fieldOffset(MB1_ADDRESS, 0, field))} \\(${field}\\)$`);
  const set = (field: keyof typeof MB1_ADDRESS.fields, v: bigint) => parseMultiboot1(withField(f.bytes, MB1_ADDRESS, 0, field, v));
  rejects(set('load_end_addr', h.loadAddr - 4n), 'MULTIBOOT_HEADER', where('load_end_addr'), /load_end_addr 0xffffc is below load_addr 0x100000/);
  rejects(set('load_addr', h.headerAddr + 4n), 'MULTIBOOT_HEADER', where('load_addr'), /is above header_addr .* the header would lie before the loaded range/);
  rejects(set('header_addr', h.loadAddr + 0x40n), 'MULTIBOOT_HEADER', where('header_addr'), /header_addr - load_addr is 0x40, but the header is at file offset 0x0: loading would start before the file/);
  rejects(set('load_end_addr', h.loadAddr + 0x10n), 'MULTIBOOT_HEADER', where('load_end_addr'), /the header \[0x100000,0x100020\) is not inside the loaded range \[0x100000,0x100010\)/);
  rejects(set('bss_end_addr', h.loadEndAddr - 1n), 'MULTIBOOT_HEADER', where('bss_end_addr'), /bss_end_addr .* is below the end of the loaded file bytes/);
  const short = f.bytes.subarray(0, f.bytes.length - 4);
  rejects(parseMultiboot1(short), 'MULTIBOOT_HEADER', where('load_end_addr'), new RegExp(`takes file bytes \\[0x0,${hexOf(f.bytes.length)}\\), but the file is only ${hexOf(short.length)} bytes long`));
  rejects(parseMultiboot1(f.bytes.subarray(0, 20)), 'MULTIBOOT_HEADER', /\(flags\)$/, /make the header 32 bytes long: \[0x0,0x20\) runs past the end of the file at 0x14/);
  // load_end_addr 0 loads to the end of the file; bss_end_addr 0 means no .bss.
  const whole = value(parseMultiboot1(withField(withField(f.bytes, MB1_ADDRESS, 0, 'load_end_addr', 0), MB1_ADDRESS, 0, 'bss_end_addr', 0)));
  assert.deepEqual(whole.address!.load, { fileOffset: 0, fileSize: f.bytes.length, address: 0x100000n, memSize: BigInt(f.bytes.length) });
});

test('Multiboot1: a header must lie wholly in the first 8 KiB', () => {
  const bytes = new Uint8Array(0x3000);
  const view = new DataView(bytes.buffer);
  const put = (at: number, flags: number) => {
    view.setUint32(at, 0x1badb002, true);
    view.setUint32(at + 4, flags, true);
    view.setUint32(at + 8, Number(BigInt.asUintN(32, -(0x1badb002n + BigInt(flags)))), true);
  };
  put(0x2000 - 12, 0);
  assert.equal(value(parseMultiboot1(bytes)).offset, 0x2000 - 12);
  bytes.fill(0);
  put(0x2000 - 8, 0);
  assert.deepEqual(parseMultiboot1(bytes), { issues: [] }, 'a magic whose header crosses 8 KiB is not a header');
  bytes.fill(0);
  put(0x2000 - 16, 0x10000);
  rejects(parseMultiboot1(bytes), 'MULTIBOOT_HEADER', /\(flags\)$/, /runs past the first 8 KiB, where the header must lie/);
});

test('Multiboot2: header and tag corruptions are each named with their offset', { skip }, () => {
  const f = fixture('mb2');
  const h = value(parseMultiboot2(f.bytes));
  const at = h.offset;
  const headerWhere = (field: keyof typeof MB2_HEADER.fields) => new RegExp(`^offset ${hexOf(fieldOffset(MB2_HEADER, at, field))} \\(${field}\\)$`);
  rejects(parseMultiboot2(withField(f.bytes, MB2_HEADER, at, 'checksum', 0)), 'MULTIBOOT_HEADER', headerWhere('checksum'), /magic \+ architecture \+ header_length \+ checksum is/);
  rejects(parseMultiboot2(withHeaderField(f.bytes, at, 'architecture', 4)), 'MULTIBOOT_UNSUPPORTED', headerWhere('architecture'), /architecture 4 \(MIPS32\) is not i386 \(0\)/);
  rejects(parseMultiboot2(withHeaderField(f.bytes, at, 'header_length', 16)), 'MULTIBOOT_HEADER', headerWhere('header_length'), /header_length 0x10 is below 0x18/);
  rejects(parseMultiboot2(withHeaderField(f.bytes, at, 'header_length', 0x8000)), 'MULTIBOOT_HEADER', headerWhere('header_length'), new RegExp(`runs past the end of the file at ${hexOf(f.bytes.length)}`));
  // Shortened to end just before the end tag: the tags run out.
  rejects(parseMultiboot2(withHeaderField(f.bytes, at, 'header_length', h.headerLength - 8)), 'MULTIBOOT_HEADER', headerWhere('header_length'), /without an end tag/);

  const tag = (i: number) => h.tags[i]!;
  const tagWhere = (i: number, s: Struct<string>, field: string) => new RegExp(`^offset ${hexOf(fieldOffset(s, tag(i).offset, field))} \\(tag ${i} ${field}\\)$`);
  rejects(parseMultiboot2(withField(f.bytes, MB2_TAG, tag(0).offset, 'size', 4)), 'MULTIBOOT_HEADER', tagWhere(0, MB2_TAG, 'size'), /size 0x4 is below 8/);
  rejects(parseMultiboot2(withField(f.bytes, MB2_TAG, tag(0).offset, 'size', 0x1000)), 'MULTIBOOT_HEADER', tagWhere(0, MB2_TAG, 'size'), /run past the end of the header/);
  rejects(parseMultiboot2(withField(f.bytes, MB2_TAG, tag(0).offset, 'size', 19)), 'MULTIBOOT_HEADER', tagWhere(0, MB2_TAG, 'size'), /is not 8 plus a multiple of 4/);
  rejects(parseMultiboot2(withField(f.bytes, MB2_TAG, tag(2).offset, 'size', 8)), 'MULTIBOOT_HEADER', tagWhere(2, MB2_TAG, 'size'), /tag 2 \(console flags\): size 0x8 is below 0xc/);
  const reloc = tag(8).offset;
  rejects(parseMultiboot2(withField(f.bytes, MB2_RELOCATABLE_TAG, reloc, 'max_addr', 0x1000)), 'MULTIBOOT_HEADER', tagWhere(8, MB2_RELOCATABLE_TAG, 'max_addr'), /max_addr 0x1000 is below min_addr 0x100000/);
  rejects(parseMultiboot2(withField(f.bytes, MB2_RELOCATABLE_TAG, reloc, 'align', 0x1800)), 'MULTIBOOT_HEADER', tagWhere(8, MB2_RELOCATABLE_TAG, 'align'), /not 0, 1 or a power of two/);
  rejects(parseMultiboot2(withField(f.bytes, MB2_RELOCATABLE_TAG, reloc, 'preference', 7)), 'MULTIBOOT_HEADER', tagWhere(8, MB2_RELOCATABLE_TAG, 'preference'), /preference 7 is not 0 \(none\), 1 \(lowest\) or 2 \(highest\)/);
  // The EFI amd64 entry tag retyped as a second EFI i386 one.
  rejects(parseMultiboot2(withField(f.bytes, MB2_TAG, tag(7).offset, 'type', 8)), 'MULTIBOOT_HEADER', /\(tag 7 type\)$/, /tag 7 \(EFI i386 entry address\) repeats the one at/);
});

test('Multiboot2: address tag fields against the file', { skip }, () => {
  const f = fixture('mb2-address');
  const h = value(parseMultiboot2(f.bytes));
  const t = h.tags[0]!;
  const where = (field: keyof typeof MB2_ADDRESS_TAG.fields) => new RegExp(`^offset ${hexOf(fieldOffset(MB2_ADDRESS_TAG, t.offset, field))} \\(tag 0 ${field}\\)$`);
  const set = (field: keyof typeof MB2_ADDRESS_TAG.fields, v: bigint | number) => parseMultiboot2(withField(f.bytes, MB2_ADDRESS_TAG, t.offset, field, v));
  rejects(set('load_end_addr', 0xff000), 'MULTIBOOT_HEADER', where('load_end_addr'), /tag 0 \(address\): load_end_addr 0xff000 is below load_addr 0x100000/);
  rejects(set('bss_end_addr', 0x100004), 'MULTIBOOT_HEADER', where('bss_end_addr'), /bss_end_addr 0x100004 is below the end/);
  // load_addr -1: from the first byte of the file, wherever that puts load_addr.
  const fromStart = value(set('load_addr', 0xffffffff)).tags[0]!;
  assert.ok(fromStart.kind === 'address');
  assert.deepEqual(fromStart.load, { fileOffset: 0, fileSize: f.bytes.length, address: 0x100000n, memSize: fromStart.bssEndAddr - 0x100000n });
  assert.equal(fromStart.loadAddr, 0xffffffffn, 'the field keeps its value; the load has the address');
  const fields = { load_addr: 0xffffffff, header_addr: 0, load_end_addr: 0, bss_end_addr: 0 } as const;
  const moved = Object.entries(fields).reduce((b, [k, v]) => withField(b, MB2_ADDRESS_TAG, t.offset, k as keyof typeof fields, v), f.bytes);
  const low = value(parseMultiboot2(moved)).tags[0]!;
  assert.ok(low.kind === 'address');
  assert.deepEqual(low.load, { fileOffset: 0, fileSize: f.bytes.length, address: 0n, memSize: BigInt(f.bytes.length) }, 'header_addr 0 at file offset 0: the file loads at 0');
});

// ---------------------------------------------------------------- mutations

test('600 seeded mutations: never throws, issues are well-formed, what parses re-encodes', { skip }, () => {
  const sources = ['mb1', 'mb1-kludge', 'mb1-video', 'mb2', 'mb2-address', 'both64'].map((n) => fixture(n));
  const flip = fc.record({ at: fc.nat(), value: fc.nat(255) });
  fc.assert(
    fc.property(fc.nat(sources.length - 1), fc.array(flip, { minLength: 1, maxLength: 6 }), fc.option(fc.nat(), { freq: 4 }), (which, flips, cut) => {
      const src = sources[which]!.bytes;
      const h1 = parseMultiboot1(src).value;
      const h2 = parseMultiboot2(src).value;
      const bytes = src.slice();
      // Flip bytes inside the headers, where the checks are.
      const spans = [h1 && [h1.offset, 48], h2 && [h2.offset, h2.headerLength]].filter((x): x is [number, number] => x !== undefined);
      for (const { at, value: v } of flips) {
        const [start, length] = spans[at % spans.length]!;
        bytes[Math.min(start + (at % length), bytes.length - 1)] = v;
      }
      const input = cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
      const results: Result<Multiboot1Header | Multiboot2Header>[] = [parseMultiboot1(input), parseMultiboot2(input)];
      for (const r of results) {
        for (const i of r.issues) {
          assert.ok(i.code in CODES && i.message.length > 0 && /^offset 0x[0-9a-f]+ \(/.test(i.where ?? ''), renderIssue(i));
          assert.ok(!renderIssue(i).includes('\n'));
        }
        assert.ok(r.value === undefined || !r.issues.some((i) => i.severity === 'error'), 'a value despite an error');
      }
      const [m1, m2] = results as [Result<Multiboot1Header>, Result<Multiboot2Header>];
      if (m1.value) {
        const out = encodeMultiboot1(m1.value);
        assert.deepEqual(out, input.subarray(m1.value.offset, m1.value.offset + out.length));
        const load = m1.value.address?.load;
        if (load) assert.equal(addressLoadedKernel(input, load, 0n).loads[0]!.data.length, load.fileSize);
      }
      if (m2.value) assert.equal(encodeMultiboot2(m2.value).length, m2.value.headerLength);
      multibootText(scanMultiboot(input));
    }),
    { seed: 0x6d623132, numRuns: 600 },
  );
});
