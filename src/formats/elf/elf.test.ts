// The ELF reader against real files from GNU as/ld, checked field by field
// against readelf; hand-made corruptions of those files; and a seeded
// mutation run that must never throw.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { renderIssue, type Issue } from '../../diagnostics/issue.js';
import { CODES, type Code } from '../../diagnostics/codes.js';
import { findSymbol, parseElf, relocate, type ElfFile } from './index.js';
import { DYN, EHDR, IDENT, NHDR, PHDR, RELOC_NAMES, SHDR, type Struct } from './struct.js';
import {
  buildElf, compile, missingTools, readelf, readelfHeader, readelfNotes, readelfRelocations, readelfSegments, readelfSymbols,
} from '../../../test/support/toolchain.js';

const skip = missingTools('as', 'ld', 'readelf');

// ---------------------------------------------------------------- fixtures

/** i386 kernel linked at 0xc0100000 and loaded at 1 MiB through AT(): three PT_LOADs, the last with .bss. */
const EXEC32 = {
  name: 'exec32',
  bits: 32 as const,
  asm: `
    .text
    .globl _start
    _start:
      movl $stack_top, %esp
      call main
    1: hlt
      jmp 1b
    main: ret
    .section .rodata
    .globl message
    message: .asciz "hello from mimg"
    .data
    .globl table
    table: .long _start, message, table
    .bss
    .balign 16
    stack: .skip 0x4000
    .globl stack_top
    stack_top:
  `,
  linkerScript: `
    ENTRY(_start)
    PHDRS { text PT_LOAD; rodata PT_LOAD; data PT_LOAD; }
    SECTIONS {
      . = 0xC0100000;
      .text : AT(0x100000) { *(.text*) } :text
      . = ALIGN(0x1000);
      .rodata : AT(0x101000) { *(.rodata*) } :rodata
      . = ALIGN(0x1000);
      .data : AT(0x102000) { *(.data*) } :data
      .bss : { *(.bss*) *(COMMON) } :data
      /DISCARD/ : { *(.note.gnu.property) *(.eh_frame) }
    }
  `,
};

/** x86_64 higher-half kernel: vaddr 0xffffffff80100000, paddr 1 MiB. */
const EXEC64 = {
  name: 'exec64',
  bits: 64 as const,
  asm: `
    .text
    .globl _start
    _start:
      lea stack_top(%rip), %rsp
      hlt
    .data
    .globl table
    table: .quad _start, table
    .bss
    .skip 0x3000
    .globl stack_top
    stack_top:
  `,
  linkerScript: `
    ENTRY(_start)
    KERNEL_VMA = 0xffffffff80000000;
    SECTIONS {
      . = KERNEL_VMA + 0x100000;
      .text : AT(ADDR(.text) - KERNEL_VMA) { *(.text*) }
      . = ALIGN(0x1000);
      .data : AT(ADDR(.data) - KERNEL_VMA) { *(.data*) }
      .bss : AT(ADDR(.bss) - KERNEL_VMA) { *(.bss*) *(COMMON) }
      /DISCARD/ : { *(.note.gnu.property) *(.eh_frame) }
    }
  `,
  ldArgs: ['-z', 'max-page-size=0x1000'],
};

/** Notes as GNU ld lays them out with its default script: a build ID, a 4-aligned vendor note, an 8-aligned GNU property note. */
const NOTE_ASM = `
  .section .note.mimg, "a", @note
  .balign 4
  .long 2f - 1f, 4f - 3f, 0x1234
  1: .asciz "mimg"
  2: .balign 4
  3: .quad 0x1122334455667788
  4: .balign 4
  .section .note.eight, "a", @note
  .balign 8
  .long 2f - 1f, 4f - 3f, 5
  1: .asciz "GNU"
  2: .balign 8
  3: .long 0xc0000002, 4, 3, 0
  4: .balign 8
  .text
  .globl _start
  _start: hlt
`;
const NOTES64 = { name: 'notes64', bits: 64 as const, asm: NOTE_ASM, ldArgs: ['--build-id', '-z', 'max-page-size=0x1000'] };
const NOTES32 = { name: 'notes32', bits: 32 as const, asm: NOTE_ASM.replace(/\.section \.note\.eight[^]*?4: \.balign 8\n/, ''), ldArgs: ['--build-id'] };

/** Position-independent executables whose data holds absolute pointers, so ld emits *_RELATIVE relocations. */
const PIE_LD = ['-pie', '-z', 'notext', '--no-dynamic-linker', '-z', 'max-page-size=0x1000'];
const PIE64 = {
  name: 'pie64',
  bits: 64 as const,
  asm: `
    .text
    .globl _start
    _start:
      lea ptrs(%rip), %rax
      hlt
    .section .rodata
    .globl msg
    msg: .asciz "relocated"
    .data
    .balign 8
    .globl ptrs
    ptrs: .quad _start, msg, ptrs, ptrs + 0x10
    .bss
    .globl scratch
    scratch: .skip 64
  `,
  ldArgs: PIE_LD,
};
/** The i386 one also has a text relocation (movl $ptrs), which -z notext allows. */
const PIE32 = {
  name: 'pie32',
  bits: 32 as const,
  asm: `
    .text
    .globl _start
    _start:
      movl $ptrs, %eax
      hlt
    .section .rodata
    .globl msg
    msg: .asciz "relocated"
    .data
    .globl ptrs
    ptrs: .long _start, msg, ptrs, ptrs + 0x10
  `,
  ldArgs: PIE_LD,
};
/** A shared object referencing an undefined symbol: R_X86_64_64 relocations mimg cannot apply. */
const SHARED64 = {
  name: 'shared64',
  bits: 64 as const,
  asm: `
    .text
    .globl _start
    _start: hlt
    .data
    .quad external_symbol, _start
  `,
  ldArgs: ['-shared', '-z', 'notext'],
};

const ALL = [EXEC32, EXEC64, NOTES64, NOTES32, PIE64, PIE32, SHARED64];

interface Fixture {
  path: string;
  bytes: Uint8Array;
  elf: ElfFile;
}

let built: Map<string, Fixture> | undefined;
function fixture(name: string): Fixture {
  built ??= new Map(
    ALL.map((opts) => {
      const path = buildElf(opts);
      const bytes = new Uint8Array(readFileSync(path));
      const r = parseElf(bytes);
      assert.deepEqual(r.issues, [], `${opts.name}: ${r.issues.map(renderIssue).join('\n')}`);
      assert.ok(r.value);
      return [opts.name, { path, bytes, elf: r.value }];
    }),
  );
  const f = built.get(name);
  assert.ok(f, name);
  return f;
}

// ---------------------------------------------------------------- helpers

const PT_NAMES: Record<string, number> = {
  LOAD: 1, DYNAMIC: 2, INTERP: 3, NOTE: 4, PHDR: 6, TLS: 7,
  GNU_EH_FRAME: 0x6474e550, GNU_STACK: 0x6474e551, GNU_RELRO: 0x6474e552, GNU_PROPERTY: 0x6474e553,
};
const STT: Record<string, number> = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 };
const STB: Record<string, number> = { LOCAL: 0, GLOBAL: 1, WEAK: 2 };
const SHN: Record<string, number> = { UND: 0, ABS: 0xfff1, COM: 0xfff2 };
const MACHINES: Record<string, string> = { 'Intel 80386': 'i386', 'Advanced Micro Devices X86-64': 'x86_64' };

/** A copy of `bytes` with one field of `s` (at `base`) set to `value`; the width comes from the struct table. */
function withField<F extends string>(bytes: Uint8Array, s: Struct<F>, base: number, field: F, value: bigint | number): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  const [offset, type] = s.fields[field];
  const at = base + offset;
  const n = BigInt(value);
  if (type === 'u8') v.setUint8(at, Number(n));
  else if (type === 'u16') v.setUint16(at, Number(n), true);
  else if (type === 'u32' || type === 'i32') v.setUint32(at, Number(BigInt.asUintN(32, n)), true);
  else v.setBigUint64(at, BigInt.asUintN(64, n), true);
  return out;
}

function phdrBase(f: Fixture, index: number): number {
  const e = readHeaderField(f, 'e_phoff');
  return Number(e) + index * PHDR[f.elf.class].size;
}
function readHeaderField(f: Fixture, field: keyof (typeof EHDR)[32]['fields']): bigint {
  const [offset, type] = EHDR[f.elf.class].fields[field];
  const v = new DataView(f.bytes.buffer, f.bytes.byteOffset);
  return type === 'u64' ? v.getBigUint64(offset, true) : BigInt(type === 'u32' ? v.getUint32(offset, true) : v.getUint16(offset, true));
}

/** The value of the `width`-byte word at virtual address `vaddr`, read from per-load byte arrays. */
function wordAt(elf: ElfFile, loads: readonly Uint8Array[], vaddr: bigint, width: 4 | 8): bigint {
  const i = elf.loads.findIndex((s) => s.vaddr <= vaddr && vaddr + BigInt(width) <= s.vaddr + s.filesz);
  const bytes = loads[i];
  const seg = elf.loads[i];
  assert.ok(bytes && seg, `no load holds ${vaddr.toString(16)}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = Number(vaddr - seg.vaddr);
  return width === 8 ? v.getBigUint64(at, true) : BigInt(v.getUint32(at, true));
}

function symbolValue(elf: ElfFile, name: string): bigint {
  const s = findSymbol(elf, name);
  assert.ok(s, `symbol ${name}`);
  return s.value;
}

function assertIssue(issues: readonly Issue[], code: Code, where?: RegExp, message?: RegExp): Issue {
  const found = issues.find((i) => i.code === code && (where === undefined || where.test(i.where ?? '')) && (message === undefined || message.test(i.message)));
  assert.ok(found, `expected ${code} ${where ?? ''} ${message ?? ''}, got:\n${issues.map(renderIssue).join('\n')}`);
  return found;
}

/** Parses input that must be rejected with `code`; never throws, never returns a value. */
function rejects(bytes: Uint8Array, code: Code, where?: RegExp, message?: RegExp): Issue[] {
  const r = parseElf(bytes);
  assert.equal(r.value, undefined, 'a value was returned for bad input');
  assertIssue(r.issues, code, where, message);
  return r.issues;
}

// ---------------------------------------------------------------- agreement with readelf

test('every field agrees with readelf on real files', { skip }, () => {
  for (const { name } of ALL) {
    const f = fixture(name);
    const { elf, path } = f;
    const msg = (what: string) => `${name}: ${what}`;

    const h = readelfHeader(path);
    assert.equal(elf.class, h.class === 'ELF32' ? 32 : 64, msg('class'));
    assert.equal(elf.machine, MACHINES[h.machine], msg('machine'));
    assert.equal(elf.type, h.type === 'EXEC' ? 'exec' : h.type === 'DYN' ? 'dyn' : h.type, msg('type'));
    assert.equal(elf.entry, h.entry, msg('entry'));

    const phdrs = readelfSegments(path);
    assert.equal(elf.segments.length, phdrs.length, msg('program header count'));
    phdrs.forEach((p, i) => {
      const s = elf.segments[i];
      assert.ok(s);
      assert.deepEqual(
        { index: s.index, type: s.type, offset: s.offset, vaddr: s.vaddr, paddr: s.paddr, filesz: s.filesz, memsz: s.memsz, flags: s.flags, align: s.align },
        { index: i, type: PT_NAMES[p.type], offset: p.offset, vaddr: p.vaddr, paddr: p.paddr, filesz: p.filesz, memsz: p.memsz, flags: p.flags, align: p.align },
        msg(`program header ${i}`),
      );
      assert.deepEqual(s.data, f.bytes.subarray(Number(p.offset), Number(p.offset + p.filesz)), msg(`program header ${i} data`));
    });
    assert.deepEqual(
      elf.loads.map((s) => s.index),
      phdrs.flatMap((p, i) => (p.type === 'LOAD' && p.memsz > 0n ? [i] : [])),
      msg('loads'),
    );

    const syms = readelfSymbols(path).slice(1);
    assert.equal(elf.symbols.length, syms.length, msg('symbol count'));
    syms.forEach((y, i) => {
      const s = elf.symbols[i];
      assert.ok(s);
      assert.deepEqual(
        { name: s.name, value: s.value, size: s.size, type: s.type, bind: s.bind, section: s.section },
        { name: y.name, value: y.value, size: y.size, type: STT[y.type], bind: STB[y.bind], section: SHN[y.ndx] ?? Number(y.ndx) },
        msg(`symbol ${y.name}`),
      );
    });

    const rels = readelfRelocations(path);
    assert.deepEqual(
      elf.relocations.map((r) => ({ offset: r.offset, type: RELOC_NAMES[elf.machine][r.type] })),
      rels.map((r) => ({ offset: r.offset, type: r.type })),
      msg('relocations'),
    );

    const describe = (n: { name: string; type: number }) =>
      n.name === 'GNU' && n.type === 3 ? 'NT_GNU_BUILD_ID (unique build ID bitstring)'
      : n.name === 'GNU' && n.type === 5 ? 'NT_GNU_PROPERTY_TYPE_0'
      : `Unknown note type: (0x${n.type.toString(16).padStart(8, '0')})`;
    const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    assert.deepEqual(
      elf.notes.map((n) => `${n.name} ${n.desc.length} ${describe(n)}`).sort(order),
      readelfNotes(path).map((n) => `${n.owner} ${n.descsz} ${n.description}`).sort(order),
      msg('notes'),
    );
  }
});

test('i386 kernel: AT() physical addresses, .bss, three PT_LOADs', { skip }, () => {
  const { elf } = fixture('exec32');
  assert.equal(elf.loads.length, 3);
  assert.deepEqual(elf.loads.map((s) => s.paddr), [0x100000n, 0x101000n, 0x102000n]);
  assert.ok(elf.loads.every((s) => s.vaddr === s.paddr + 0xc0000000n));
  const data = elf.loads[2];
  assert.ok(data && data.memsz > data.filesz && data.memsz >= 0x4000n, 'the .bss makes memsz > filesz');
  assert.equal(elf.relocations.length, 0);
  assert.equal(symbolValue(elf, 'stack_top'), data.vaddr + data.memsz, 'stack_top ends the .bss');
  assert.equal(wordAt(elf, elf.loads.map((s) => s.data), symbolValue(elf, 'table') + 4n, 4), symbolValue(elf, 'message'));
});

test('x86_64 higher-half kernel keeps full 64-bit addresses', { skip }, () => {
  const { elf } = fixture('exec64');
  assert.equal(elf.entry, 0xffffffff80100000n);
  assert.equal(elf.loads[0]?.paddr, 0x100000n);
  assert.ok(elf.loads.some((s) => s.memsz > s.filesz));
  assert.equal(symbolValue(elf, '_start'), 0xffffffff80100000n);
});

test('notes: build ID, 4- and 8-aligned notes with their descriptors', { skip }, () => {
  for (const name of ['notes64', 'notes32']) {
    const { elf, path } = fixture(name);
    const id = /Build ID: ([0-9a-f]+)/.exec(readelf(path, ['-n']))?.[1];
    const build = elf.notes.find((n) => n.name === 'GNU' && n.type === 3);
    assert.ok(build && id, name);
    assert.equal(Buffer.from(build.desc).toString('hex'), id);
    const mimg = elf.notes.find((n) => n.name === 'mimg');
    assert.ok(mimg);
    assert.equal(mimg.type, 0x1234);
    assert.equal(Buffer.from(mimg.desc).toString('hex'), '8877665544332211');
    assert.equal(elf.segments[mimg.segment]?.type, 4);
  }
  const property = fixture('notes64').elf.notes.find((n) => n.type === 5);
  assert.ok(property, 'the 8-aligned note is read');
  assert.equal(fixture('notes64').elf.segments[property.segment]?.align, 8n);
  assert.equal(property.desc.length, 16);
});

// ---------------------------------------------------------------- relocate

test('relocate: every pointer in a PIE moves by delta, the input is untouched', { skip }, () => {
  for (const [name, width] of [['pie64', 8], ['pie32', 4]] as const) {
    const { elf, bytes } = fixture(name);
    assert.equal(elf.type, 'dyn');
    assert.ok(elf.relocations.length >= 4 && elf.relocations.every((r) => r.type === 8), `${name}: RELATIVE relocations`);
    const before = bytes.slice();
    const ptrs = symbolValue(elf, 'ptrs');
    const targets = [symbolValue(elf, '_start'), symbolValue(elf, 'msg'), ptrs, ptrs + 0x10n];
    for (const delta of [0n, 0x200000n, 0x40000000n, 0x7ff000n]) {
      const r = relocate(elf, delta);
      assert.deepEqual(r.issues, [], `${name} +${delta.toString(16)}`);
      assert.ok(r.value);
      assert.equal(r.value.entry, elf.entry + delta);
      assert.equal(r.value.loads.length, elf.loads.length);
      r.value.loads.forEach((l, i) => {
        assert.equal(l.length, elf.loads[i]?.data.length);
        assert.notEqual(l.buffer, bytes.buffer, 'a new copy');
      });
      targets.forEach((t, i) => assert.equal(wordAt(elf, r.value!.loads, ptrs + BigInt(i * width), width), t + delta, `${name} ptrs[${i}]`));
      if (name === 'pie32') {
        // movl $ptrs, %eax: the immediate after the one-byte opcode.
        assert.equal(wordAt(elf, r.value.loads, symbolValue(elf, '_start') + 1n, 4), ptrs + delta, 'text relocation');
      }
    }
    assert.deepEqual(bytes, before, `${name}: file bytes unchanged`);
  }
});

test('relocate: i386 RELA uses its addend, and the sum wraps modulo 2^32', { skip }, () => {
  const { elf } = fixture('pie32');
  const ptrs = symbolValue(elf, 'ptrs');
  const withAddend = (addend: bigint): ElfFile => ({ ...elf, relocations: [{ offset: ptrs, type: 8, symbol: 0, addend }] });
  const r = relocate(withAddend(0x1234n), 0x1000n);
  assert.ok(r.value);
  assert.equal(wordAt(elf, r.value.loads, ptrs, 4), 0x2234n);
  const wrap = relocate(withAddend(0xfffffff0n), 0x100n);
  assert.ok(wrap.value);
  assert.equal(wordAt(elf, wrap.value.loads, ptrs, 4), 0xf0n);
});

test('relocate: unsupported types, places outside file bytes, impossible moves', { skip }, () => {
  const shared = fixture('shared64').elf;
  const r = relocate(shared, 0x100000n);
  assert.equal(r.value, undefined);
  assertIssue(r.issues, 'ELF_RELOC', /^relocation \d+ \(r_info\)$/, /R_X86_64_64 \(type 1\) at 0x[0-9a-f]+ is not supported/);

  const pie = fixture('pie64').elf;
  const scratch = symbolValue(pie, 'scratch'); // in .bss: no file bytes to patch
  const bss = relocate({ ...pie, relocations: [{ offset: scratch, type: 8, symbol: 0, addend: 0n }] }, 0x1000n);
  assertIssue(bss.issues, 'ELF_RELOC', /^relocation 0 \(r_offset\)$/, /not inside the file bytes/);
  const glob = relocate({ ...pie, relocations: [{ offset: 0n, type: 6, symbol: 1, addend: 0n }, { offset: 0n, type: 200, symbol: 0 }] }, 0n);
  assertIssue(glob.issues, 'ELF_RELOC', /relocation 0/, /R_X86_64_GLOB_DAT \(type 6\)/);
  assertIssue(glob.issues, 'ELF_RELOC', /relocation 1/, /unknown relocation \(type 200\)/);
  assert.deepEqual(relocate({ ...pie, relocations: [{ offset: 0n, type: 0, symbol: 0, addend: 0n }] }, 0x1000n).issues, [], 'R_X86_64_NONE is ignored');

  assertIssue(relocate(fixture('pie32').elf, 0xfffff000n).issues, 'ELF_RELOC', /program header \d+ \(p_vaddr\)/, /outside the ELF32 address space/);
  assertIssue(relocate(pie, -0x1000n).issues, 'ELF_RELOC', /program header 0/);

  const exec = fixture('exec32').elf;
  assertIssue(relocate(exec, 0x1000n).issues, 'ELF_RELOC', undefined, /ET_EXEC/);
  const same = relocate(exec, 0n);
  assert.deepEqual(same.value?.loads, exec.loads.map((s) => s.data));
  assert.equal(same.value?.entry, exec.entry);
});

test('findSymbol prefers a defined global symbol and ignores undefined ones', { skip }, () => {
  const elf = fixture('exec32').elf;
  assert.equal(findSymbol(elf, 'no_such_symbol'), undefined);
  const local = { name: 'dup', value: 1n, size: 0n, type: 0, bind: 0, section: 1 };
  const global = { ...local, value: 2n, bind: 1 };
  const undef = { ...local, value: 3n, bind: 1, section: 0 };
  assert.equal(findSymbol({ ...elf, symbols: [undef, local, global] }, 'dup')?.value, 2n);
  assert.equal(findSymbol({ ...elf, symbols: [undef, local] }, 'dup')?.value, 1n);
  assert.equal(findSymbol({ ...elf, symbols: [undef] }, 'dup'), undefined);
});

// ---------------------------------------------------------------- bad input

test('not ELF, truncated, or a header mimg does not load', { skip }, () => {
  const f = fixture('exec64');
  const E = EHDR[64];
  rejects(new Uint8Array(0), 'ELF_MAGIC', /^offset 0x0 \(EI_MAG0\)$/, /starts with nothing/);
  rejects(new TextEncoder().encode('#!/bin/sh\n'), 'ELF_MAGIC', undefined, /23 21 2f 62/);
  rejects(f.bytes.subarray(0, 5), 'ELF_TRUNCATED', /^offset 0x5 \(EI_DATA\)$/);
  rejects(f.bytes.subarray(0, 0x1e), 'ELF_TRUNCATED', /^offset 0x18 \(e_entry\)$/, /0x1e bytes long/);
  rejects(withField(f.bytes, IDENT, 0, 'EI_DATA', 2), 'ELF_UNSUPPORTED', /EI_DATA/, /big-endian/);
  rejects(withField(f.bytes, IDENT, 0, 'EI_CLASS', 3), 'ELF_BAD_FIELD', /EI_CLASS/);
  rejects(withField(f.bytes, IDENT, 0, 'EI_VERSION', 0), 'ELF_BAD_FIELD', /EI_VERSION/);
  rejects(withField(f.bytes, E, 0, 'e_machine', 40), 'ELF_UNSUPPORTED', /^offset 0x12 \(e_machine\)$/, /0x28 \(EM_ARM\)/);
  rejects(withField(f.bytes, E, 0, 'e_machine', 3), 'ELF_UNSUPPORTED', /e_machine/, /ELF64 with e_machine EM_386/);
  rejects(withField(f.bytes, E, 0, 'e_type', 4), 'ELF_UNSUPPORTED', /e_type/, /core dump/);
  rejects(withField(f.bytes, E, 0, 'e_phentsize', 32), 'ELF_BAD_FIELD', /e_phentsize/, /0x20 is not the ELF64 program header size 0x38/);
  rejects(withField(f.bytes, E, 0, 'e_phnum', 0), 'ELF_BAD_FIELD', /e_phnum/);
  rejects(withField(f.bytes, E, 0, 'e_phoff', f.bytes.length + 0x100), 'ELF_TRUNCATED', /^offset 0x20 \(e_phoff\)$/, /program header table/);
  rejects(withField(f.bytes, E, 0, 'e_phoff', 0xffffffffffffff00n), 'ELF_TRUNCATED', /e_phoff/);

  const object = new Uint8Array(readFileSync(compile({ name: 'object', bits: 64, asm: EXEC64.asm })[0]!));
  const issues = rejects(object, 'ELF_UNSUPPORTED', /e_type/, /ET_REL/);
  assert.equal(issues.length, 1, 'an object file is reported once, not also for its missing program headers');
  assert.match(issues[0]?.hint ?? '', /link it with ld/);
});

test('bad program headers: past EOF, memsz < filesz, overflow, alignment, overlap — all reported', { skip }, () => {
  const f = fixture('exec32');
  const P = PHDR[32];
  const [text, rodata, data] = f.elf.loads;
  assert.ok(text && rodata && data);
  rejects(withField(f.bytes, P, phdrBase(f, rodata.index), 'p_offset', f.bytes.length - 4), 'ELF_SEGMENT', new RegExp(`^program header ${rodata.index} \\(p_filesz\\)$`), /end past the end of the file/);
  rejects(withField(f.bytes, P, phdrBase(f, data.index), 'p_memsz', data.filesz - 1n), 'ELF_SEGMENT', /\(p_memsz\)/, /smaller than p_filesz/);
  rejects(withField(f.bytes, P, phdrBase(f, data.index), 'p_paddr', 0xffffe000n), 'ELF_SEGMENT', /\(p_paddr\)/, /wraps past the ELF32 address space end 0x100000000/);
  rejects(withField(f.bytes, P, phdrBase(f, text.index), 'p_align', 3), 'ELF_SEGMENT', /\(p_align\)/, /0x3/);

  const overlap = withField(f.bytes, P, phdrBase(f, data.index), 'p_paddr', text.paddr + 4n);
  const o = assertIssue(rejects(overlap, 'ELF_OVERLAP'), 'ELF_OVERLAP');
  assert.match(o.message, new RegExp(`PT_LOAD ${text.index} \\[0x100000,0x10000e\\) and PT_LOAD ${data.index} \\[0x100004,0x104014\\)`));

  // Two bad segments give two issues, not just the first.
  let two = withField(f.bytes, P, phdrBase(f, text.index), 'p_memsz', 0);
  two = withField(two, P, phdrBase(f, rodata.index), 'p_filesz', 0x100000);
  const issues = rejects(two, 'ELF_SEGMENT', new RegExp(`program header ${text.index}`));
  assertIssue(issues, 'ELF_SEGMENT', new RegExp(`program header ${rodata.index}`));

  const big = fixture('exec64');
  const at = phdrBase(big, big.elf.loads[0]!.index);
  rejects(withField(big.bytes, PHDR[64], at, 'p_memsz', 1n << 41n), 'ELF_SEGMENT', /\(p_memsz\)/, /larger than 0x10000000000/);
  rejects(withField(big.bytes, PHDR[64], at, 'p_vaddr', 0xfffffffffffffffcn), 'ELF_SEGMENT', /\(p_vaddr\)/, /wraps past the ELF64 address space/);
});

test('bad notes, section headers, symbol tables and dynamic tables', { skip }, () => {
  const n = fixture('notes32');
  const note = n.elf.segments.find((s) => s.type === 4);
  assert.ok(note);
  rejects(withField(n.bytes, NHDR, Number(note.offset), 'n_namesz', 0x7fffffff), 'ELF_NOTE', new RegExp(`^program header ${note.index} \\(note 0 n_descsz\\)$`));
  rejects(withField(n.bytes, PHDR[32], phdrBase(n, note.index), 'p_filesz', note.filesz - 2n), 'ELF_NOTE', /note \d n_/);
  // Overwrite the first note name's terminating NUL.
  const unterminated = n.bytes.slice();
  const namesz = new DataView(n.bytes.buffer).getUint32(Number(note.offset) + NHDR.fields.n_namesz[0], true);
  unterminated[Number(note.offset) + NHDR.size + namesz - 1] = 0x58;
  rejects(unterminated, 'ELF_NOTE', /note 0 n_namesz/, /not NUL-terminated/);

  const f = fixture('exec64');
  const E = EHDR[64];
  const shoff = Number(readHeaderField(f, 'e_shoff'));
  const shnum = Number(readHeaderField(f, 'e_shnum'));
  rejects(withField(f.bytes, E, 0, 'e_shentsize', 40), 'ELF_SYMBOL', /e_shentsize/);
  rejects(withField(f.bytes, E, 0, 'e_shoff', f.bytes.length - 8), 'ELF_SYMBOL', /e_shoff/, /section header table/);
  const stripped = parseElf(withField(withField(f.bytes, E, 0, 'e_shoff', 0), E, 0, 'e_shnum', 0));
  assert.deepEqual(stripped.issues, []);
  assert.deepEqual(stripped.value?.symbols, []);

  const S = SHDR[64];
  const symtab = Array.from({ length: shnum }, (_, i) => i).find((i) => new DataView(f.bytes.buffer).getUint32(shoff + i * S.size + S.fields.sh_type[0], true) === 2);
  assert.ok(symtab !== undefined);
  const symBase = shoff + symtab * S.size;
  rejects(withField(f.bytes, S, symBase, 'sh_link', 0), 'ELF_SYMBOL', new RegExp(`section header ${symtab} \\(sh_link\\)`), /SHT_STRTAB/);
  rejects(withField(f.bytes, S, symBase, 'sh_entsize', 16), 'ELF_SYMBOL', /sh_entsize/);
  rejects(withField(f.bytes, S, symBase, 'sh_size', 25), 'ELF_SYMBOL', /sh_size/);
  rejects(withField(f.bytes, S, symBase, 'sh_offset', f.bytes.length), 'ELF_SYMBOL', /sh_offset/);

  // Dynamic table: turn DT_RELACOUNT into DT_RELR, then drop DT_RELASZ.
  const p = fixture('pie64');
  const dyn = p.elf.segments.find((s) => s.type === 2);
  assert.ok(dyn);
  const D = DYN[64];
  const entries = Array.from({ length: dyn.data.length / D.size }, (_, i) => Number(dyn.offset) + i * D.size);
  const tagAt = (at: number) => new DataView(p.bytes.buffer).getBigInt64(at + D.fields.d_tag[0], true);
  const relacount = entries.find((at) => tagAt(at) === 0x6ffffff9n);
  const relasz = entries.find((at) => tagAt(at) === 8n);
  assert.ok(relacount !== undefined && relasz !== undefined);
  const relr = rejects(withField(p.bytes, D, relacount, 'd_tag', 36), 'ELF_RELOC', new RegExp(`program header ${dyn.index} \\(DT_RELR\\)`));
  assert.match(relr[0]?.hint ?? '', /pack-relative-relocs/);
  rejects(withField(p.bytes, D, relasz, 'd_tag', 0x6fffff00), 'ELF_RELOC', /DT_RELA/, /size tag is missing/);
  rejects(withField(p.bytes, D, relasz, 'd_val', 25), 'ELF_RELOC', /DT_RELA/, /not a multiple/);
  const rela = entries.find((at) => tagAt(at) === 7n)!;
  rejects(withField(p.bytes, D, rela, 'd_val', 0x7fff0000), 'ELF_RELOC', /DT_RELA/, /not inside the file bytes/);
});

// ---------------------------------------------------------------- mutations

test('3000 seeded mutations: never throws, always answers quickly, issues are well-formed', { skip }, () => {
  const sources = ALL.map((o) => fixture(o.name).bytes);
  const flip = fc.record({ region: fc.nat(2), at: fc.nat(), value: fc.nat(255) });
  let slowest = 0;
  fc.assert(
    fc.property(fc.nat(sources.length - 1), fc.array(flip, { minLength: 0, maxLength: 8 }), fc.option(fc.nat(), { freq: 4 }), (which, flips, cut) => {
      const src = sources[which]!;
      const bytes = src.slice();
      for (const { region, at, value } of flips) {
        // Bias flips towards the structures: the headers at the front, the section table at the end.
        const pos = region === 0 ? at % Math.min(0x300, bytes.length) : region === 1 ? bytes.length - 1 - (at % Math.min(0x400, bytes.length)) : at % bytes.length;
        bytes[pos] = value;
      }
      const input = cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
      const start = performance.now();
      const r = parseElf(input);
      if (r.value) {
        const moved = relocate(r.value, r.value.type === 'dyn' ? 0x100000n : 0n);
        for (const i of moved.issues) assert.ok(i.code in CODES);
      }
      slowest = Math.max(slowest, performance.now() - start);
      assert.ok(r.value !== undefined || r.issues.length > 0, 'no value and no issue');
      for (const i of r.issues) {
        assert.ok(i.code in CODES && i.message.length > 0);
        assert.ok(!renderIssue(i).includes('\n'));
      }
    }),
    { seed: 0x6d696d67, numRuns: 3000 },
  );
  assert.ok(slowest < 250, `slowest case took ${slowest.toFixed(1)} ms`);
});
