// The layout pipeline: fixed -> relocate -> place -> bootinfo -> check.
// Each phase only adds sections or issues, so a plan always comes out —
// even a failing one — and the map can show both parties of a conflict.

import type { MemoryRegion } from '../config/types.js';
import { hex, hexRange, issue, type Issue, type Result } from '../diagnostics/issue.js';
import { relocate } from '../formats/elf/relocate.js';
import type { ElfFile, ElfSegment } from '../formats/elf/types.js';
import type { SectionFlag } from '../formats/mimg/types.js';
import { AUTO_PLACE_FLOOR, LOADER_WINDOW } from './profile.js';
import { alignUp, isPowerOfTwo, overlaps, subtract, type Range } from './range.js';
import type { ComponentInput, LayoutInput, Plan, PlannedSection } from './types.js';

export const PAGE = 0x1000n;

type Elf = Extract<ComponentInput, { kind: 'elf' }>;

function segmentFlags(seg: ElfSegment, user: SectionFlag[]): SectionFlag[] {
  const flags = new Set<SectionFlag>(user);
  if (!flags.has('ro') && !flags.has('rw')) flags.add(seg.flags & 2 ? 'rw' : 'ro');
  if (seg.flags & 1) flags.add('x');
  return [...flags].sort();
}

function issueAt(c: ComponentInput, code: Parameters<typeof issue>[0], message: string): Issue {
  return issue(code, message, { file: c.origin, where: c.key });
}

/**
 * Sections of an executable; with `virtual` (long64 images), an ELF64
 * segment linked at another virtual than physical address keeps it as vaddr.
 */
function elfSections(c: Elf, index: number, delta: bigint, loads: Uint8Array[], virtual = false): PlannedSection[] {
  return c.elf.loads.map((seg, i) => ({
    ...(virtual && !c.noload && c.elf.class === 64 && seg.vaddr !== seg.paddr && { vaddr: seg.vaddr + delta }),
    type: c.noload ? 'reserved' : 'exec',
    flags: c.noload ? [] : segmentFlags(seg, c.flags),
    dest: seg.paddr + delta,
    memSize: seg.memsz,
    fileSize: c.noload ? 0n : seg.filesz,
    component: index,
    label: `${c.label} segment ${seg.index}`,
    name: c.name,
    cmdline: c.cmdline,
    key: c.key,
    file: c.file,
    origin: c.origin,
    source: c.noload || seg.filesz === 0n ? { kind: 'none' } : { kind: 'bytes', bytes: loads[i] ?? seg.data },
  }));
}

/** A section with no file bytes: zero-filled, boot information (written at boot) or reserved (never touched). */
function emptySection(
  type: 'zero' | 'bootinfo' | 'reserved',
  dest: bigint,
  memSize: bigint,
  component: number,
  meta: Pick<PlannedSection, 'label' | 'name' | 'cmdline' | 'key' | 'file' | 'origin'>,
): PlannedSection {
  const { label, name, cmdline, key, file, origin } = meta;
  return { type, flags: type === 'reserved' ? [] : ['rw'], dest, memSize, fileSize: 0n, component, label, name, cmdline, key, file, origin, source: { kind: 'none' } };
}

function span(sections: readonly PlannedSection[]): Range | undefined {
  if (sections.length === 0) return undefined;
  let start = sections[0]!.dest;
  let end = start;
  for (const s of sections) {
    if (s.dest < start) start = s.dest;
    if (s.dest + s.memSize > end) end = s.dest + s.memSize;
  }
  return { start, end };
}

/** Usable RAM at or above `floor` and below `limit`, minus everything placed so far. */
function freeSpace(input: LayoutInput, placed: readonly PlannedSection[], floor: bigint): Range[] {
  const usable = input.memory
    .filter((r) => r.type === 'usable')
    .map((r) => ({ start: r.start > floor ? r.start : floor, end: r.end < input.limit ? r.end : input.limit }))
    .filter((r) => r.start < r.end);
  return subtract(
    usable,
    placed.map((s) => ({ start: s.dest, end: s.dest + s.memSize })),
  );
}

/**
 * `fit` over the free space above `floor` without mimgload's window, else with it: a section
 * there makes the loader step aside at boot, and keeps a chain loader from putting the image
 * where its largest payload already lies in place.
 */
function placeClearOfLoader(input: LayoutInput, placed: readonly PlannedSection[], floor: bigint, fit: (holes: Range[]) => bigint | undefined): bigint | undefined {
  const holes = freeSpace(input, placed, floor);
  return fit(subtract(holes, [LOADER_WINDOW])) ?? fit(holes);
}

/** The lowest start >= each hole's start with start % align == phase that fits `size` bytes. */
function lowestFit(holes: readonly Range[], size: bigint, align: bigint, phase = 0n): bigint | undefined {
  for (const h of holes) {
    const base = h.start > phase ? alignUp(h.start - phase, align) + phase : phase;
    if (base + size <= h.end) return base;
  }
  return undefined;
}

/** The highest start <= `ceiling` - size with start % align == 0 that fits `size` bytes in a hole. */
function highestFit(holes: readonly Range[], size: bigint, align: bigint, ceiling: bigint): bigint | undefined {
  for (const h of [...holes].reverse()) {
    const end = h.end < ceiling ? h.end : ceiling;
    if (end < size) continue;
    const base = ((end - size) / align) * align;
    if (base >= h.start) return base;
  }
  return undefined;
}

/** End of the highest usable region: the RAM the target has. */
function ramEnd(memory: readonly MemoryRegion[]): bigint {
  return memory.filter((r) => r.type === 'usable').reduce((m, r) => (r.end > m ? r.end : m), 0n);
}

function describeShortage(input: LayoutInput, size: bigint, align: bigint): string {
  const top = ramEnd(input.memory);
  return `no free hole of ${hex(size)} bytes aligned to ${hex(align)} in usable RAM below ${hex(top < input.limit ? top : input.limit)}`;
}

export function planLayout(input: LayoutInput): Result<Plan> {
  const issues: Issue[] = [];
  const sections: PlannedSection[] = [];
  const deltas = new Map<number, bigint>();
  const comps = input.components;

  // Phase 1, fixed: executables at their own addresses, fixed ranges and modules.
  comps.forEach((c, i) => {
    if (c.kind === 'elf' && c.elf.type === 'exec') sections.push(...elfSections(c, i, 0n, [], input.virtual));
    else if (c.kind === 'zero' || c.kind === 'bootinfo' || c.kind === 'reserved') {
      if (c.range.start >= c.range.end) {
        issues.push(issueAt(c, 'LAYOUT_ADDRESS', `${c.label}: empty or inverted range ${hexRange(c.range.start, c.range.end)}`));
        return;
      }
      sections.push(emptySection(c.kind, c.range.start, c.range.end - c.range.start, i, c));
    } else if (c.kind === 'data' && c.placement.kind === 'fixed') {
      sections.push(dataSection(c, i, c.placement.address));
    }
  });

  // Phase 2, relocate: each ET_DYN executable moves into the lowest hole that fits its span and alignment.
  comps.forEach((c, i) => {
    if (c.kind !== 'elf' || c.elf.type !== 'dyn' || c.elf.loads.length === 0) return;
    const loads = c.elf.loads;
    const start = loads.reduce((m, s) => (s.paddr < m ? s.paddr : m), loads[0]!.paddr);
    const end = loads.reduce((m, s) => (s.paddr + s.memsz > m ? s.paddr + s.memsz : m), 0n);
    const align = loads.reduce((m, s) => (s.align > m ? s.align : m), PAGE);
    const at = placeClearOfLoader(input, sections, AUTO_PLACE_FLOOR, (h) => lowestFit(h, end - start, align, start % align));
    if (at === undefined) {
      issues.push(issueAt(c, 'LAYOUT_NO_FIT', `${c.label} (relocatable, ${hex(end - start)} bytes): ${describeShortage(input, end - start, align)}`));
      return;
    }
    const delta = at - start;
    const moved = relocate(c.elf, delta);
    issues.push(...moved.issues.map((x: Issue) => ({ ...x, file: x.file ?? c.file })));
    if (!moved.value) return;
    deltas.set(i, delta);
    sections.push(...elfSections(c, i, delta, moved.value.loads, input.virtual));
  });

  // Phase 2 also places the executables that prefer an address but may move (a relocatable bzImage kernel).
  comps.forEach((c, i) => {
    if (c.kind !== 'data' || c.placement.kind !== 'preferred') return;
    const { address, align } = c.placement;
    const size = c.memSize ?? c.size;
    const holes = freeSpace(input, sections, address);
    const at = holes.some((h) => h.start <= address && address + size <= h.end) ? address : align > 0n ? lowestFit(holes, size, align) : undefined;
    if (at === undefined) {
      const why = align > 0n ? describeShortage(input, size, align) + ` at or above ${hex(address)}` : `[${hex(address)},${hex(address + size)}) is not free, and the kernel is not relocatable`;
      issues.push({ ...issueAt(c, 'LAYOUT_NO_FIT', `${c.label} (${hex(size)} bytes): ${why}`), hint: 'raise [image] ram' });
      return;
    }
    sections.push(dataSection(c, i, at));
  });

  // Phase 3, place: data modules without a fixed address, in order.
  const execEnd = sections.filter((s) => s.type === 'exec').reduce((m, s) => (s.dest + s.memSize > m ? s.dest + s.memSize : m), 0n);
  const autoFloor = execEnd > AUTO_PLACE_FLOOR ? execEnd : AUTO_PLACE_FLOOR;
  let previousEnd: bigint | undefined;
  comps.forEach((c, i) => {
    if (c.kind === 'data' && c.placement.kind !== 'fixed') {
      let at: bigint | undefined;
      if (c.placement.kind === 'preferred') return;
      if (c.placement.kind === 'high') {
        const { align, ceiling } = c.placement;
        at = placeClearOfLoader(input, sections, AUTO_PLACE_FLOOR, (h) => highestFit(h, c.size, align, ceiling));
        if (at === undefined) {
          const message = `${c.label} (${hex(c.size)} bytes): no free hole of ${hex(c.size)} bytes aligned to ${hex(align)} in usable RAM ending at or below ${hex(ceiling)}`;
          issues.push({ ...issueAt(c, 'LAYOUT_NO_FIT', message), hint: 'raise [image] ram, or make it smaller' });
        }
      } else if (c.placement.kind === 'auto') {
        const { align } = c.placement;
        if (!isPowerOfTwo(align)) {
          issues.push(issueAt(c, 'LAYOUT_ALIGN', `${c.label}: alignment ${hex(c.placement.align)} is not a power of two`));
          return;
        }
        at = placeClearOfLoader(input, sections, autoFloor, (h) => lowestFit(h, c.size, align));
        if (at === undefined) issues.push(issueAt(c, 'LAYOUT_NO_FIT', `${c.label} (${hex(c.size)} bytes): ${describeShortage(input, c.size, c.placement.align)}`));
      } else if (previousEnd === undefined) {
        issues.push(issueAt(c, 'LAYOUT_ADDRESS', `${c.label}: @${c.placement.kind} needs a section before it`));
      } else {
        at = c.placement.kind === 'page' ? alignUp(previousEnd, PAGE) : previousEnd;
      }
      if (at !== undefined) sections.push(dataSection(c, i, at));
    }
    const own = span(sections.filter((s) => s.component === i));
    if (own) previousEnd = own.end;
  });

  // Phase 4, bootinfo: one contiguous block at the given address, else placed like an auto module after everything.
  let bootInfo = span(sections.filter((s) => s.type === 'bootinfo'));
  if (!bootInfo && input.bootInfo && input.bootInfo.size > 0n) {
    const { size } = input.bootInfo;
    const at = input.bootInfo.address ?? placeClearOfLoader(input, sections, autoFloor, (h) => lowestFit(h, size, PAGE));
    if (at === undefined) {
      issues.push(issue('LAYOUT_NO_FIT', `boot information block (${hex(size)} bytes): ${describeShortage(input, size, PAGE)}`, { where: 'image.bootinfo' }));
    } else {
      bootInfo = { start: at, end: at + size };
      sections.push(emptySection('bootinfo', at, size, comps.length, { label: 'boot information', name: 'bootinfo', cmdline: '', key: 'image.bootinfo' }));
    }
  }

  sections.sort((a, b) => (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : a.component - b.component));

  // Phase 5, check: address space, memory profile, RAM, overlaps, entry.
  issues.push(...checkSections(input, sections), ...checkVirtual(sections));
  const entry = entryPoint(input, sections, deltas);
  if (entry === undefined) {
    // An entry inside a component that could not be placed: its placement error says why.
    if (typeof input.entry !== 'object') issues.push(issue('LAYOUT_ENTRY', 'no entry point: the image has no executable and no entry@ADDR', { where: 'kernel' }));
  } else if (!sections.some((s) => s.type === 'exec' && s.dest <= entry && entry < s.dest + s.memSize)) {
    issues.push(issue('LAYOUT_ENTRY', `entry point ${hex(entry)} is not inside any executable section`, { where: typeof input.entry === 'bigint' ? 'entry' : 'kernel' }));
  }

  return { value: { sections, entry, bootInfo, deltas, memory: input.memory, ram: input.ram }, issues };

  function dataSection(c: Extract<ComponentInput, { kind: 'data' }>, i: number, dest: bigint): PlannedSection {
    return {
      type: c.exec ? 'exec' : 'module',
      flags: [...c.flags].sort(),
      dest,
      memSize: c.memSize ?? c.size,
      fileSize: c.size,
      component: i,
      label: c.label,
      name: c.name,
      cmdline: c.cmdline,
      key: c.key,
      file: c.file,
      origin: c.origin,
      source: c.size === 0n ? { kind: 'none' } : c.bytes ? { kind: 'bytes', bytes: c.bytes } : { kind: 'component', component: i },
    };
  }
}

function entryPoint(input: LayoutInput, sections: readonly PlannedSection[], deltas: Map<number, bigint>): bigint | undefined {
  const e = input.entry;
  if (typeof e === 'bigint') return e;
  if (e !== undefined) {
    const own = span(sections.filter((s) => s.component === e.component));
    return own && own.start + e.offset;
  }
  const i = input.components.findIndex((c) => c.kind === 'elf' && !c.noload);
  const c = input.components[i];
  if (!c || c.kind !== 'elf') return undefined;
  const entry = c.elf.entry + (deltas.get(i) ?? 0n);
  // The ELF entry is virtual; translate it to physical through the segment that holds it (higher-half kernels).
  const seg = c.elf.loads.find((s) => s.vaddr <= c.elf.entry && c.elf.entry < s.vaddr + s.memsz);
  return seg ? entry - seg.vaddr + seg.paddr : entry;
}

function regionAt(memory: readonly MemoryRegion[], a: bigint): MemoryRegion | undefined {
  return memory.find((r) => r.start <= a && a < r.end);
}

const UPPER_HALF = 0xffff800000000000n;
const MAP_PAGE = 0x1000n;

/**
 * The virtual addresses of higher-half segments (docs/format/mimg.md rule
 * 12): in the upper half, at their physical address's offset in a page, and
 * no virtual page mapped to two physical ones.
 */
function checkVirtual(sections: readonly PlannedSection[]): Issue[] {
  const issues: Issue[] = [];
  const mapped = sections.filter((s) => s.vaddr !== undefined);
  mapped.forEach((s, i) => {
    const v = s.vaddr!;
    const where = { file: s.origin, where: s.key };
    const virt = hexRange(v, v + s.memSize);
    if (v < UPPER_HALF || v + s.memSize > 1n << 64n) {
      issues.push(issue('LAYOUT_ADDRESS', `${s.label} is linked at virtual ${virt}, physical ${hex(s.dest)}: mimg maps a long64 kernel's segments at their virtual addresses only in the upper half (${hex(UPPER_HALF)} and up), beside the identity map of RAM`, {
        ...where, hint: 'link the segment at p_vaddr = p_paddr, or in the higher half',
      }));
    } else if (v % MAP_PAGE !== s.dest % MAP_PAGE) {
      issues.push(issue('LAYOUT_ADDRESS', `${s.label} virtual ${virt} and physical ${hex(s.dest)} differ in their offset within a 4 KiB page, so no page table can map one to the other`, where));
    } else {
      const o = mapped.slice(0, i).find((o) => {
        const page = (a: bigint) => a - (a % MAP_PAGE);
        return page(o.vaddr!) <= page(v + s.memSize - 1n) && page(v) <= page(o.vaddr! + o.memSize - 1n) && o.vaddr! - o.dest !== v - s.dest;
      });
      if (o) issues.push(issue('LAYOUT_ADDRESS', `${s.label} virtual ${virt} shares a 4 KiB page with ${o.label} virtual ${hexRange(o.vaddr!, o.vaddr! + o.memSize)}, but their physical addresses differ by another amount`, where));
    }
  });
  return issues;
}

/** Every section against the profile and each other; reports all problems. */
function checkSections(input: LayoutInput, sections: readonly PlannedSection[]): Issue[] {
  const issues: Issue[] = [];
  const top = ramEnd(input.memory);
  for (const s of sections) {
    const r = { start: s.dest, end: s.dest + s.memSize };
    const where = { file: s.origin, where: s.key };
    if (r.end > input.limit) {
      issues.push(issue('LAYOUT_ADDRESS', `${s.label} ${hexRange(r.start, r.end)} ends above ${hex(input.limit)}, beyond what a 32-bit entry can reach`, where));
      continue;
    }
    if (s.type === 'reserved') continue; // reserving firmware areas is allowed
    if (r.end > top) {
      issues.push(issue('LAYOUT_NO_RAM', `${s.label} ${hexRange(r.start, r.end)} needs RAM up to ${hex(r.end)}, but the target's RAM ends at ${hex(top)}`, where));
      continue;
    }
    // Walk the profile across the section: every byte must be usable.
    let a = r.start;
    while (a < r.end) {
      const m = regionAt(input.memory, a);
      if (!m) {
        const next = input.memory.filter((x) => x.start > a).reduce<bigint | undefined>((n, x) => (n === undefined || x.start < n ? x.start : n), undefined);
        issues.push(issue('LAYOUT_RESERVED', `${s.label} ${hexRange(r.start, r.end)} covers ${hexRange(a, next !== undefined && next < r.end ? next : r.end)}, which is not in the memory map`, where));
        break;
      }
      if (m.type !== 'usable') {
        issues.push(issue('LAYOUT_RESERVED', `${s.label} ${hexRange(r.start, r.end)} overlaps ${m.type} area '${m.name}' ${hexRange(m.start, m.end)}`, where));
        break;
      }
      a = m.end;
    }
  }
  // Sorted by start: each section can only overlap the ones after it that start before it ends.
  const sorted = [...sections].sort((a, b) => (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0));
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    const ra = { start: a.dest, end: a.dest + a.memSize };
    for (let j = i + 1; j < sorted.length && sorted[j]!.dest < ra.end; j++) {
      const b = sorted[j]!;
      const rb = { start: b.dest, end: b.dest + b.memSize };
      if (!overlaps(ra, rb)) continue;
      // Name the later-declared party first: that is the one the user most likely just added.
      const [x, y, rx, ry] = b.component >= a.component ? [b, a, rb, ra] : [a, b, ra, rb];
      issues.push(issue('LAYOUT_OVERLAP', `${x.label} ${hexRange(rx.start, rx.end)} overlaps ${y.label} ${hexRange(ry.start, ry.end)}`, { file: x.origin, where: x.key }));
    }
  }
  return issues;
}
