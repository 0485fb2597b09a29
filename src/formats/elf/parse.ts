// ELF reader: little-endian ELF32/ELF64 ET_EXEC and ET_DYN for i386 and
// x86_64. Pure: bytes in, { value, issues } out, and it never throws on any
// input — a read past the end becomes an ELF_TRUNCATED issue.
//
// The order is header -> program headers -> (notes, symbols, relocations).
// A bad header stops parsing, since nothing after it can be located; past
// that point every problem is collected. A value is returned only when no
// error was found, so a caller cannot load half-checked segments.

import { OutOfBounds, Reader } from '../../bytes/reader.js';
import { hasErrors, hex, hexRange, issue, type Issue, type Result } from '../../diagnostics/issue.js';
import { loadContaining } from './segments.js';
import {
  DT_JMPREL, DT_NULL, DT_PLTREL, DT_PLTRELSZ, DT_REL, DT_RELA, DT_RELAENT, DT_RELASZ, DT_RELENT, DT_RELR, DT_RELSZ, DYN,
  EHDR, ELF_MAGIC, ELFCLASS32, ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB, EM_386, EM_X86_64, ET_CORE, ET_DYN, ET_EXEC, ET_REL,
  EV_CURRENT, IDENT, MACHINE_NAMES, NHDR, PHDR, PN_XNUM, PT_DYNAMIC, PT_LOAD, PT_NOTE, REL, RELA, SHDR, SHT_DYNSYM,
  SHT_STRTAB, SHT_SYMTAB, SYM, fieldOffset, readStruct, splitInfo,
} from './struct.js';
import type { ElfClass, ElfFile, ElfMachine, ElfNote, ElfRelocation, ElfSegment, ElfSymbol, ElfType } from './types.js';

/** Larger than any RAM mimg can target (1 TiB): such a p_memsz is corruption, not a big kernel. */
const MAX_SEGMENT_SIZE = 1n << 40n;

export function parseElf(bytes: Uint8Array): Result<ElfFile> {
  const issues: Issue[] = [];
  const value = guarded(issues, () => parse(new Reader(bytes), issues));
  return value !== undefined && !hasErrors(issues) ? { value, issues } : { issues };
}

/** Runs one parsing step, turning a read past the end of the file into an ELF_TRUNCATED issue. */
function guarded<T>(issues: Issue[], step: () => T): T | undefined {
  try {
    return step();
  } catch (e) {
    if (!(e instanceof OutOfBounds)) throw e;
    issues.push(
      issue('ELF_TRUNCATED', `${e.field} needs ${e.length} bytes at ${hex(e.offset)}, but the file is only ${hex(e.available)} bytes long`, {
        where: `offset ${hex(e.offset)} (${e.field})`,
      }),
    );
    return undefined;
  }
}

interface Header {
  cls: ElfClass;
  machine: ElfMachine;
  type: ElfType;
  entry: bigint;
  phoff: number;
  phnum: number;
  shoff: bigint;
  shnum: number;
  shentsize: number;
}

function parse(r: Reader, issues: Issue[]): ElfFile | undefined {
  const h = readHeader(r, issues);
  if (h === undefined) return undefined;
  const segments = readSegments(r, h, issues);
  const loads = segments.filter((s) => s.type === PT_LOAD && s.memsz > 0n);
  checkOverlaps(loads, issues);
  const notes = segments.filter((s) => s.type === PT_NOTE).flatMap((s) => readNotes(s, issues));
  const symbols = guarded(issues, () => readSymbols(r, h, issues)) ?? [];
  const relocations = h.type === 'dyn' ? (guarded(issues, () => readRelocations(h.cls, segments, loads, issues)) ?? []) : [];
  return { class: h.cls, machine: h.machine, type: h.type, entry: h.entry, segments, loads, notes, symbols, relocations };
}

function readHeader(r: Reader, issues: Issue[]): Header | undefined {
  const start = Array.from(r.bytes.subarray(0, ELF_MAGIC.length));
  if (start.length < ELF_MAGIC.length || start.some((b, i) => b !== ELF_MAGIC[i])) {
    const seen = start.map((b) => b.toString(16).padStart(2, '0')).join(' ') || 'nothing';
    issues.push(issue('ELF_MAGIC', `the file starts with ${seen}, not 7f 45 4c 46 ("\\x7fELF")`, { where: 'offset 0x0 (EI_MAG0)' }));
    return undefined;
  }
  const ident = readStruct(r, IDENT, 0);
  const at = (field: keyof typeof IDENT.fields) => `offset ${hex(fieldOffset(IDENT, 0, field))} (${field})`;
  const before = issues.length;

  let cls: ElfClass | undefined;
  if (ident.EI_CLASS === BigInt(ELFCLASS32)) cls = 32;
  else if (ident.EI_CLASS === BigInt(ELFCLASS64)) cls = 64;
  else issues.push(issue('ELF_BAD_FIELD', `EI_CLASS ${hex(ident.EI_CLASS)} is neither ELFCLASS32 (1) nor ELFCLASS64 (2)`, { where: at('EI_CLASS') }));

  if (ident.EI_DATA === BigInt(ELFDATA2MSB)) {
    issues.push(issue('ELF_UNSUPPORTED', 'the file is big-endian (EI_DATA = ELFDATA2MSB); mimg reads little-endian ELF only', { where: at('EI_DATA') }));
  } else if (ident.EI_DATA !== BigInt(ELFDATA2LSB)) {
    issues.push(issue('ELF_BAD_FIELD', `EI_DATA ${hex(ident.EI_DATA)} is neither ELFDATA2LSB (1) nor ELFDATA2MSB (2)`, { where: at('EI_DATA') }));
  }
  if (ident.EI_VERSION !== BigInt(EV_CURRENT)) {
    issues.push(issue('ELF_BAD_FIELD', `EI_VERSION ${hex(ident.EI_VERSION)} is not EV_CURRENT (1)`, { where: at('EI_VERSION') }));
  }
  // Without a class and byte order no other field can be located.
  if (cls === undefined || issues.length > before) return undefined;

  const E = EHDR[cls];
  const e = readStruct(r, E, 0);
  const where = (field: keyof typeof E.fields) => `offset ${hex(fieldOffset(E, 0, field))} (${field})`;

  if (e.e_version !== BigInt(EV_CURRENT)) {
    issues.push(issue('ELF_BAD_FIELD', `e_version ${hex(e.e_version)} is not EV_CURRENT (1)`, { where: where('e_version') }));
  }
  const machine = readMachine(cls, Number(e.e_machine), where('e_machine'), issues);
  const type = readType(Number(e.e_type), where('e_type'), issues);
  // A file mimg does not load (an object file, an ARM kernel) is reported as
  // that alone, not also for the program header table it lacks.
  if (machine === undefined || type === undefined) return undefined;

  const P = PHDR[cls];
  const phentsize = Number(e.e_phentsize);
  const phnum = Number(e.e_phnum);
  if (phentsize !== P.size) {
    issues.push(issue('ELF_BAD_FIELD', `e_phentsize ${hex(phentsize)} is not the ELF${cls} program header size ${hex(P.size)}`, { where: where('e_phentsize') }));
  }
  if (phnum === 0) {
    issues.push(issue('ELF_BAD_FIELD', 'e_phnum is 0: the file has no program headers, so nothing to load', { where: where('e_phnum') }));
  } else if (phnum === PN_XNUM) {
    issues.push(issue('ELF_UNSUPPORTED', `e_phnum ${hex(PN_XNUM)} (PN_XNUM, extended numbering) is not supported`, { where: where('e_phnum') }));
  } else if (!r.has(e.e_phoff, BigInt(phnum * P.size))) {
    const end = e.e_phoff + BigInt(phnum * P.size);
    issues.push(
      issue('ELF_TRUNCATED', `the program header table ${hexRange(e.e_phoff, end)} (${phnum} entries) ends past the end of the file at ${hex(r.length)}`, {
        where: where('e_phoff'),
      }),
    );
  }
  if (issues.length > before) return undefined;
  return {
    cls,
    machine,
    type,
    entry: e.e_entry,
    phoff: Number(e.e_phoff),
    phnum,
    shoff: e.e_shoff,
    shnum: Number(e.e_shnum),
    shentsize: Number(e.e_shentsize),
  };
}

function readMachine(cls: ElfClass, m: number, where: string, issues: Issue[]): ElfMachine | undefined {
  if (m === EM_386 && cls === 32) return 'i386';
  if (m === EM_X86_64 && cls === 64) return 'x86_64';
  const name = MACHINE_NAMES[m] ?? 'unknown';
  const message =
    m === EM_386 || m === EM_X86_64
      ? `ELF${cls} with e_machine ${name} is not supported: i386 must be ELF32 and x86_64 ELF64`
      : `e_machine ${hex(m)} (${name}) is neither EM_386 (3) nor EM_X86_64 (62)`;
  issues.push(issue('ELF_UNSUPPORTED', message, { where }));
  return undefined;
}

function readType(t: number, where: string, issues: Issue[]): ElfType | undefined {
  if (t === ET_EXEC) return 'exec';
  if (t === ET_DYN) return 'dyn';
  if (t === ET_REL) {
    issues.push(issue('ELF_UNSUPPORTED', 'e_type is ET_REL: this is an object file, not an executable', { where, hint: 'link it with ld (a linker script or -pie) into an ET_EXEC or ET_DYN executable' }));
  } else if (t === ET_CORE) {
    issues.push(issue('ELF_UNSUPPORTED', 'e_type is ET_CORE: this is a core dump, not an executable', { where, hint: 'pass the executable the core dump came from' }));
  } else {
    issues.push(issue('ELF_UNSUPPORTED', `e_type ${hex(t)} is neither ET_EXEC (2) nor ET_DYN (3)`, { where }));
  }
  return undefined;
}

function readSegments(r: Reader, h: Header, issues: Issue[]): ElfSegment[] {
  const P = PHDR[h.cls];
  const addressSpace = 1n << BigInt(h.cls);
  const segments: ElfSegment[] = [];
  for (let index = 0; index < h.phnum; index++) {
    const p = readStruct(r, P, h.phoff + index * P.size, `program header ${index}`);
    const bad = (field: keyof typeof P.fields, message: string) =>
      issues.push(issue('ELF_SEGMENT', message, { where: `program header ${index} (${field})` }));
    // An empty segment reads no bytes, so where its p_offset points does not matter.
    const inFile = p.p_filesz === 0n || r.has(p.p_offset, p.p_filesz);
    if (!inFile) {
      bad('p_filesz', `file bytes ${hexRange(p.p_offset, p.p_offset + p.p_filesz)} end past the end of the file at ${hex(r.length)}`);
    }
    const type = Number(p.p_type);
    if (type === PT_LOAD) {
      if (p.p_memsz < p.p_filesz) bad('p_memsz', `p_memsz ${hex(p.p_memsz)} is smaller than p_filesz ${hex(p.p_filesz)}`);
      if (p.p_memsz > MAX_SEGMENT_SIZE) {
        bad('p_memsz', `p_memsz ${hex(p.p_memsz)} is larger than ${hex(MAX_SEGMENT_SIZE)}`);
      } else {
        // Both ends are used: paddr by the layout, vaddr by relocation.
        if (p.p_paddr + p.p_memsz > addressSpace) {
          bad('p_paddr', `physical range ${hexRange(p.p_paddr, p.p_paddr + p.p_memsz)} wraps past the ELF${h.cls} address space end ${hex(addressSpace)}`);
        }
        if (p.p_vaddr + p.p_memsz > addressSpace) {
          bad('p_vaddr', `virtual range ${hexRange(p.p_vaddr, p.p_vaddr + p.p_memsz)} wraps past the ELF${h.cls} address space end ${hex(addressSpace)}`);
        }
      }
      if (p.p_align > 1n && (p.p_align & (p.p_align - 1n)) !== 0n) bad('p_align', `p_align ${hex(p.p_align)} is not 0, 1 or a power of two`);
    }
    segments.push({
      index,
      type,
      flags: Number(p.p_flags),
      offset: p.p_offset,
      vaddr: p.p_vaddr,
      paddr: p.p_paddr,
      filesz: p.p_filesz,
      memsz: p.p_memsz,
      align: p.p_align,
      // A bad segment gets no bytes; the issue above keeps the value from being returned.
      data: inFile && p.p_filesz > 0n ? r.slice(Number(p.p_offset), Number(p.p_filesz)) : new Uint8Array(0),
    });
  }
  return segments;
}

/** Reports every PT_LOAD whose physical range overlaps an earlier-starting one (a sweep, so O(n log n) for any e_phnum). */
function checkOverlaps(loads: readonly ElfSegment[], issues: Issue[]): void {
  const end = (s: ElfSegment) => s.paddr + s.memsz;
  const byStart = [...loads].sort((a, b) => (a.paddr < b.paddr ? -1 : a.paddr > b.paddr ? 1 : a.index - b.index));
  let reaching: ElfSegment | undefined; // the segment seen so far that ends last
  for (const s of byStart) {
    if (reaching !== undefined && s.paddr < end(reaching)) {
      const [a, b] = reaching.index < s.index ? [reaching, s] : [s, reaching];
      issues.push(
        issue('ELF_OVERLAP', `PT_LOAD ${a.index} ${hexRange(a.paddr, end(a))} and PT_LOAD ${b.index} ${hexRange(b.paddr, end(b))} overlap in physical memory`, {
          where: `program header ${b.index} (p_paddr)`,
        }),
      );
    }
    if (reaching === undefined || end(s) > end(reaching)) reaching = s;
  }
}

/**
 * GNU ld pads note names and descriptors to 4 bytes in both classes; notes in
 * an 8-aligned PT_NOTE (.note.gnu.property on x86_64) are padded to 8.
 */
function readNotes(seg: ElfSegment, issues: Issue[]): ElfNote[] {
  const align = seg.align === 8n ? 8 : 4;
  const pad = (n: number) => Math.ceil(n / align) * align;
  const r = new Reader(seg.data);
  const notes: ElfNote[] = [];
  for (let pos = 0, n = 0; pos < r.length; n++) {
    const bad = (field: string, message: string) =>
      issues.push(issue('ELF_NOTE', message, { where: `program header ${seg.index} (note ${n} ${field})` }));
    if (!r.has(pos, NHDR.size)) {
      bad('n_namesz', `a note header needs ${hex(NHDR.size)} bytes at ${hex(pos)}, but the segment has only ${hex(r.length - pos)} left`);
      break;
    }
    const h = readStruct(r, NHDR, pos);
    const namesz = Number(h.n_namesz);
    const descsz = Number(h.n_descsz);
    const nameAt = pos + NHDR.size;
    const descAt = pad(nameAt + namesz);
    if (descAt + descsz > r.length) {
      bad('n_descsz', `name (${hex(namesz)} bytes) and descriptor (${hex(descsz)} bytes) at ${hex(nameAt)} run past the segment end ${hex(r.length)}`);
      break;
    }
    // n_namesz counts the terminating NUL.
    if (namesz > 0 && seg.data[nameAt + namesz - 1] !== 0) {
      bad('n_namesz', `the name (${hex(namesz)} bytes at ${hex(nameAt)}) is not NUL-terminated`);
      break;
    }
    notes.push({
      name: new TextDecoder().decode(seg.data.subarray(nameAt, nameAt + Math.max(namesz - 1, 0))),
      type: Number(h.n_type),
      desc: seg.data.subarray(descAt, descAt + descsz),
      segment: seg.index,
    });
    pos = pad(descAt + descsz);
  }
  return notes;
}

/** Symbols from SHT_SYMTAB, or SHT_DYNSYM when there is none; a file without section headers simply has none. */
function readSymbols(r: Reader, h: Header, issues: Issue[]): ElfSymbol[] {
  if (h.shoff === 0n || h.shnum === 0) return [];
  const S = SHDR[h.cls];
  const E = EHDR[h.cls];
  const bad = (where: string, message: string) => {
    issues.push(issue('ELF_SYMBOL', message, { where }));
    return [];
  };
  if (h.shentsize !== S.size) {
    return bad(`offset ${hex(fieldOffset(E, 0, 'e_shentsize'))} (e_shentsize)`, `e_shentsize ${hex(h.shentsize)} is not the ELF${h.cls} section header size ${hex(S.size)}`);
  }
  const tableSize = BigInt(h.shnum * S.size);
  if (!r.has(h.shoff, tableSize)) {
    return bad(
      `offset ${hex(fieldOffset(E, 0, 'e_shoff'))} (e_shoff)`,
      `the section header table ${hexRange(h.shoff, h.shoff + tableSize)} ends past the end of the file at ${hex(r.length)}`,
    );
  }
  const sections = Array.from({ length: h.shnum }, (_, i) => readStruct(r, S, Number(h.shoff) + i * S.size, `section header ${i}`));
  let index = sections.findIndex((s) => s.sh_type === BigInt(SHT_SYMTAB));
  if (index < 0) index = sections.findIndex((s) => s.sh_type === BigInt(SHT_DYNSYM));
  const symtab = sections[index];
  if (symtab === undefined) return [];

  const Y = SYM[h.cls];
  const at = (field: string) => `section header ${index} (${field})`;
  if (symtab.sh_entsize !== BigInt(Y.size)) {
    return bad(at('sh_entsize'), `sh_entsize ${hex(symtab.sh_entsize)} is not the ELF${h.cls} symbol size ${hex(Y.size)}`);
  }
  if (symtab.sh_size % BigInt(Y.size) !== 0n) {
    return bad(at('sh_size'), `sh_size ${hex(symtab.sh_size)} is not a multiple of the symbol size ${hex(Y.size)}`);
  }
  if (!r.has(symtab.sh_offset, symtab.sh_size)) {
    return bad(at('sh_offset'), `the symbol table ${hexRange(symtab.sh_offset, symtab.sh_offset + symtab.sh_size)} ends past the end of the file at ${hex(r.length)}`);
  }
  const link = Number(symtab.sh_link);
  const strtab = sections[link];
  if (strtab === undefined || strtab.sh_type !== BigInt(SHT_STRTAB)) {
    return bad(at('sh_link'), `sh_link ${hex(symtab.sh_link)} does not name a string table (SHT_STRTAB) section`);
  }
  if (!r.has(strtab.sh_offset, strtab.sh_size)) {
    return bad(
      `section header ${link} (sh_offset)`,
      `the string table ${hexRange(strtab.sh_offset, strtab.sh_offset + strtab.sh_size)} ends past the end of the file at ${hex(r.length)}`,
    );
  }
  const strings = new Reader(r.slice(Number(strtab.sh_offset), Number(strtab.sh_size)));
  const base = Number(symtab.sh_offset);
  const symbols: ElfSymbol[] = [];
  // Entry 0 is the reserved undefined symbol (STN_UNDEF), not a symbol.
  for (let i = 1; i < Number(symtab.sh_size) / Y.size; i++) {
    const s = readStruct(r, Y, base + i * Y.size, `symbol ${i}`);
    const name = readName(strings, Number(s.st_name));
    if (name === undefined) {
      bad(at(`symbol ${i} st_name`), `st_name ${hex(s.st_name)} is not the start of a NUL-terminated string inside the string table (${hex(strings.length)} bytes)`);
      continue;
    }
    const info = Number(s.st_info);
    symbols.push({ name, value: s.st_value, size: s.st_size, type: info & 0xf, bind: info >> 4, section: Number(s.st_shndx) });
  }
  return symbols;
}

function readName(strings: Reader, offset: number): string | undefined {
  try {
    return strings.cstring(offset, 'st_name', strings.length);
  } catch (e) {
    if (e instanceof OutOfBounds) return undefined;
    throw e;
  }
}

/** One relocation table named by the dynamic section: its address, size and entry-size tags. */
interface RelTable {
  name: string;
  addr: bigint;
  size: bigint;
  ent?: bigint;
  rela: boolean;
}

/** Dynamic relocations of an ET_DYN: DT_RELA, DT_REL and the PLT table DT_JMPREL, all addressed by vaddr. */
function readRelocations(cls: ElfClass, segments: readonly ElfSegment[], loads: readonly ElfSegment[], issues: Issue[]): ElfRelocation[] {
  const dyn = segments.find((s) => s.type === PT_DYNAMIC);
  if (dyn === undefined) return [];
  const bad = (tag: string, message: string, hint?: string) =>
    issues.push(issue('ELF_RELOC', message, { where: `program header ${dyn.index} (${tag})`, ...(hint === undefined ? {} : { hint }) }));

  const D = DYN[cls];
  const dr = new Reader(dyn.data);
  const tags = new Map<bigint, bigint>();
  for (let at = 0; dr.has(at, D.size); at += D.size) {
    const d = readStruct(dr, D, at, `dynamic entry ${at / D.size}`);
    if (d.d_tag === DT_NULL) break;
    if (!tags.has(d.d_tag)) tags.set(d.d_tag, d.d_val);
  }
  if (tags.has(DT_RELR)) {
    bad('DT_RELR', 'packed relative relocations (DT_RELR) are not supported', 'link without -z pack-relative-relocs');
  }

  const tables: RelTable[] = [];
  const table = (name: string, addrTag: bigint, sizeTag: bigint, rela: boolean, entTag?: bigint) => {
    const addr = tags.get(addrTag);
    if (addr === undefined) return;
    const size = tags.get(sizeTag);
    if (size === undefined) {
      bad(name, `${name} is present but its size tag is missing`);
      return;
    }
    const ent = entTag === undefined ? undefined : tags.get(entTag);
    tables.push({ name, addr, size, rela, ...(ent === undefined ? {} : { ent }) });
  };
  table('DT_RELA', DT_RELA, DT_RELASZ, true, DT_RELAENT);
  table('DT_REL', DT_REL, DT_RELSZ, false, DT_RELENT);
  // DT_PLTREL says whether the PLT relocations are REL or RELA entries.
  table('DT_JMPREL', DT_JMPREL, DT_PLTRELSZ, tags.get(DT_PLTREL) === DT_RELA);

  const relocations: ElfRelocation[] = [];
  for (const t of tables) {
    const entSize = t.rela ? RELA[cls].size : REL[cls].size;
    if (t.ent !== undefined && t.ent !== BigInt(entSize)) {
      bad(t.name, `the entry size ${hex(t.ent)} of ${t.name} is not the ELF${cls} ${t.rela ? 'Rela' : 'Rel'} size ${hex(entSize)}`);
      continue;
    }
    if (t.size % BigInt(entSize) !== 0n) {
      bad(t.name, `the size ${hex(t.size)} of ${t.name} is not a multiple of the entry size ${hex(entSize)}`);
      continue;
    }
    if (t.size === 0n) continue;
    const place = loadContaining(loads, t.addr, t.size);
    const seg = place && loads[place.load];
    if (place === undefined || seg === undefined) {
      bad(t.name, `${t.name} ${hexRange(t.addr, t.addr + t.size)} is not inside the file bytes of a PT_LOAD segment`);
      continue;
    }
    const rr = new Reader(seg.data.subarray(place.at, place.at + Number(t.size)));
    for (let at = 0; at < rr.length; at += entSize) {
      const label = `${t.name} entry ${at / entSize}`;
      if (t.rela) {
        const e = readStruct(rr, RELA[cls], at, label);
        relocations.push({ offset: e.r_offset, ...splitInfo(cls, e.r_info), addend: e.r_addend });
      } else {
        const e = readStruct(rr, REL[cls], at, label);
        relocations.push({ offset: e.r_offset, ...splitInfo(cls, e.r_info) });
      }
    }
  }
  return relocations;
}
