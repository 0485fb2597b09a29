// Moves a relocatable ET_DYN executable: copies each PT_LOAD's file bytes and
// applies the dynamic relocations for a load `delta` bytes above (or below)
// its link addresses. Only *_RELATIVE relocations are applied: they need no
// symbol lookup, and they are all a kernel linked with -pie and no shared
// libraries has. Pure, and never touches the ElfFile or its bytes.

import { Reader } from '../../bytes/reader.js';
import { Writer } from '../../bytes/writer.js';
import { hex, hexRange, issue, type Issue, type Result } from '../../diagnostics/issue.js';
import { loadContaining } from './segments.js';
import { RELOC_NAMES, R_NONE, R_RELATIVE } from './struct.js';
import type { ElfFile } from './types.js';

export interface Relocated {
  /** New copies of the file bytes of each elf.loads[i], relocated. */
  loads: Uint8Array[];
  /** e_entry + delta. */
  entry: bigint;
}

export function relocate(elf: ElfFile, delta: bigint): Result<Relocated> {
  const issues: Issue[] = [];
  if (elf.type === 'exec' && delta !== 0n) {
    issues.push(issue('ELF_RELOC', `an ET_EXEC has fixed addresses and cannot be moved by ${hex(delta)}`, { hint: 'link with -pie to get a relocatable ET_DYN, or load it at its own addresses' }));
    return { issues };
  }
  const addressSpace = 1n << BigInt(elf.class);
  for (const s of elf.loads) {
    for (const [what, start] of [['virtual', s.vaddr], ['physical', s.paddr]] as const) {
      if (start + delta < 0n || start + delta + s.memsz > addressSpace) {
        issues.push(
          issue('ELF_RELOC', `moved by ${hex(delta)}, PT_LOAD ${s.index} would occupy ${what} ${hexRange(start + delta, start + delta + s.memsz)}, outside the ELF${elf.class} address space [0x0,${hex(addressSpace)})`, {
            where: `program header ${s.index} (${what === 'virtual' ? 'p_vaddr' : 'p_paddr'})`,
          }),
        );
      }
    }
  }
  if (issues.length > 0) return { issues };

  const out = elf.loads.map((s) => {
    const w = new Writer(s.data.length);
    w.bytesAt(0, s.data);
    return w;
  });
  // A RELATIVE place holds one address: 8 bytes on x86_64, 4 on i386.
  const width = elf.machine === 'x86_64' ? 8 : 4;
  const mask = (1n << BigInt(8 * width)) - 1n;
  const names = RELOC_NAMES[elf.machine];
  const relative = names[R_RELATIVE];
  elf.relocations.forEach((rel, i) => {
    if (rel.type === R_NONE) return;
    if (rel.type !== R_RELATIVE) {
      issues.push(
        issue('ELF_RELOC', `${names[rel.type] ?? 'unknown relocation'} (type ${rel.type}) at ${hex(rel.offset)} is not supported; only ${relative} is applied`, {
          where: `relocation ${i} (r_info)`,
        }),
      );
      return;
    }
    const place = loadContaining(elf.loads, rel.offset, BigInt(width));
    const w = place && out[place.load];
    if (place === undefined || w === undefined) {
      issues.push(
        issue('ELF_RELOC', `${relative} place ${hexRange(rel.offset, rel.offset + BigInt(width))} is not inside the file bytes of a PT_LOAD segment`, {
          where: `relocation ${i} (r_offset)`,
        }),
      );
      return;
    }
    // REL keeps the addend in the place itself; RELA carries it explicitly.
    const r = new Reader(w.bytes);
    const addend = rel.addend ?? (width === 8 ? r.u64(place.at) : BigInt(r.u32(place.at)));
    const value = (delta + addend) & mask; // wraps modulo the address size, as the CPU would
    if (width === 8) w.u64(place.at, value);
    else w.u32(place.at, Number(value));
  });
  if (issues.length > 0) return { issues };
  return { value: { loads: out.map((w) => w.bytes), entry: elf.entry + delta }, issues };
}
