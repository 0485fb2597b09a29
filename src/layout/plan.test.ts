import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { MemoryRegion } from '../config/types.js';
import type { ElfFile, ElfSegment } from '../formats/elf/types.js';
import { parseElf } from '../formats/elf/index.js';
import { PREBUILT, STAGE_FILES } from '../host/stages.js';
import { planLayout } from './plan.js';
import { LOADER_WINDOW, pcProfile } from './profile.js';
import { overlaps } from './range.js';
import type { ComponentInput, LayoutInput } from './types.js';

const MiB = 1n << 20n;
const MIMGLOAD = join(PREBUILT, STAGE_FILES.loader);

/** An ET_EXEC/ET_DYN value with the given loadable ranges (layout needs no bytes beyond filesz). */
function elf(type: 'exec' | 'dyn', segs: { paddr: bigint; memsz: bigint; align?: bigint }[]): ElfFile {
  const loads: ElfSegment[] = segs.map((s, index) => ({
    index,
    type: 1,
    flags: 5,
    offset: 0n,
    vaddr: s.paddr,
    paddr: s.paddr,
    filesz: 0n,
    memsz: s.memsz,
    align: s.align ?? 0x1000n,
    data: new Uint8Array(0),
  }));
  return { class: 32, machine: 'i386', type, entry: segs[0]?.paddr ?? 0n, segments: loads, loads, notes: [], symbols: [], relocations: [] };
}

function kernel(segs: { paddr: bigint; memsz: bigint }[]): ComponentInput {
  return { kind: 'elf', elf: elf('exec', segs), name: 'kernel', label: 'kernel', key: 'kernel', flags: [], cmdline: '' };
}

function data(name: string, size: bigint, placement: Extract<ComponentInput, { kind: 'data' }>['placement']): ComponentInput {
  return { kind: 'data', name, label: `module '${name}'`, key: `module[${name}]`, size, placement, flags: [], cmdline: '' };
}

function input(components: ComponentInput[], memory: MemoryRegion[] = pcProfile(64n * MiB)): LayoutInput {
  return { memory, ram: 64n * MiB, components, bootInfo: { size: 0x1000n }, limit: 1n << 32n };
}

const arbComponents = fc
  .record({
    kernelSize: fc.bigInt({ min: 1n, max: 0x40000n }),
    modules: fc.array(
      fc.record({
        size: fc.bigInt({ min: 1n, max: 0x300000n }),
        align: fc.constantFrom(1n, 16n, 0x1000n, 0x200000n),
        fixed: fc.option(fc.bigInt({ min: 2n * MiB, max: 48n * MiB }), { nil: undefined }),
      }),
      { maxLength: 6 },
    ),
    dyn: fc.option(fc.record({ size: fc.bigInt({ min: 1n, max: 0x80000n }), align: fc.constantFrom(0x1000n, 0x200000n) }), { nil: undefined }),
  })
  .map(({ kernelSize, modules, dyn }) => {
    const comps: ComponentInput[] = [kernel([{ paddr: MiB, memsz: kernelSize }])];
    if (dyn) comps.push({ kind: 'elf', elf: elf('dyn', [{ paddr: 0n, memsz: dyn.size, align: dyn.align }]), name: 'dyn', label: "module 'dyn'", key: 'module[dyn]', flags: [], cmdline: '' });
    modules.forEach((m, i) => comps.push(data(`m${i}`, m.size, m.fixed !== undefined ? { kind: 'fixed', address: m.fixed } : { kind: 'auto', align: m.align })));
    return comps;
  });

test('a successful layout never overlaps, stays in usable RAM, respects alignment, and is deterministic', () => {
  fc.assert(
    fc.property(arbComponents, (comps) => {
      const inp = input(comps);
      const r = planLayout(inp);
      if (r.issues.length > 0) {
        // Failures must be real: only overlaps of fixed modules or lack of space.
        return r.issues.every((i) => ['LAYOUT_OVERLAP', 'LAYOUT_NO_FIT', 'LAYOUT_NO_RAM'].includes(i.code));
      }
      const secs = r.value!.sections;
      for (let i = 0; i < secs.length; i++) {
        const a = { start: secs[i]!.dest, end: secs[i]!.dest + secs[i]!.memSize };
        assert.ok(inp.memory.some((m) => m.type === 'usable' && m.start <= a.start && a.end <= m.end), `section ${i} in usable RAM`);
        for (let j = i + 1; j < secs.length; j++) assert.ok(!overlaps(a, { start: secs[j]!.dest, end: secs[j]!.dest + secs[j]!.memSize }), `sections ${i} and ${j} disjoint`);
      }
      comps.forEach((c, i) => {
        if (c.kind === 'data' && c.placement.kind === 'auto') {
          const s = secs.find((x) => x.component === i)!;
          assert.equal(s.dest % c.placement.align, 0n, 'auto placement aligned');
          assert.ok(s.dest >= MiB, 'auto placement above 1 MiB');
        }
        if (c.kind === 'elf' && c.elf.type === 'dyn') {
          const delta = r.value!.deltas.get(i)!;
          assert.equal(delta % c.elf.loads[0]!.align, 0n, 'relocation keeps segment alignment');
        }
      });
      assert.deepEqual(planLayout(input(comps)).value!.sections.map((s) => s.dest), secs.map((s) => s.dest), 'same input, same addresses');
      return true;
    }),
    { numRuns: 300, seed: 42 },
  );
});

test('an overlap names both parties and their ranges', () => {
  fc.assert(
    fc.property(arbComponents, fc.bigInt({ min: 0n, max: 0x3ffffn }), (comps, off) => {
      const r0 = planLayout(input(comps));
      fc.pre(r0.issues.length === 0);
      const victim = r0.value!.sections.find((s) => s.type === 'exec')!;
      const at = victim.dest + (off % victim.memSize);
      const r = planLayout(input([...comps, data('intruder', 0x10n, { kind: 'fixed', address: at })]));
      const overlap = r.issues.filter((i) => i.code === 'LAYOUT_OVERLAP');
      assert.ok(overlap.length >= 1);
      assert.ok(overlap.some((i) => i.message.includes("module 'intruder'") && i.message.includes(victim.label) && i.message.includes(`0x${victim.dest.toString(16)}`)), overlap.map((i) => i.message).join('\n'));
      return true;
    }),
    { numRuns: 200, seed: 7 },
  );
});

test('containment and adjacency: a module inside another overlaps, one right after does not', () => {
  const base = [kernel([{ paddr: MiB, memsz: 0x10000n }])];
  const inside = planLayout(input([...base, data('big', 0x100000n, { kind: 'fixed', address: 4n * MiB }), data('small', 0x10n, { kind: 'fixed', address: 4n * MiB + 0x800n })]));
  assert.deepEqual(inside.issues.map((i) => i.code), ['LAYOUT_OVERLAP']);
  assert.match(inside.issues[0]!.message, /module 'small' \[0x400800,0x400810\) overlaps module 'big' \[0x400000,0x500000\)/);
  const adjacent = planLayout(input([...base, data('a', 0x1000n, { kind: 'fixed', address: 4n * MiB }), data('b', 0x10n, { kind: 'fixed', address: 4n * MiB + 0x1000n })]));
  assert.deepEqual(adjacent.issues, []);
});

test('every problem is reported, with the reserved area named', () => {
  const r = planLayout(
    input([
      kernel([{ paddr: 0xb8000n, memsz: 0x1000n }, { paddr: MiB, memsz: 0x1000n }]),
      data('overlap', 0x100n, { kind: 'fixed', address: MiB }),
      data('too-high', 0x1000n, { kind: 'fixed', address: 64n * MiB }),
    ]),
  );
  const codes = r.issues.map((i) => i.code).sort();
  assert.deepEqual(codes, ['LAYOUT_NO_RAM', 'LAYOUT_OVERLAP', 'LAYOUT_RESERVED']);
  assert.match(r.issues.find((i) => i.code === 'LAYOUT_RESERVED')!.message, /kernel segment 0 \[0xb8000,0xb9000\) overlaps reserved area 'VGA memory' \[0xa0000,0xc0000\)/);
  assert.match(r.issues.find((i) => i.code === 'LAYOUT_NO_RAM')!.message, /needs RAM up to 0x4001000, but the target's RAM ends at 0x4000000/);
  assert.ok(r.value, 'a failing layout still produces a plan for the map');
});

test('auto placement goes above the highest executable and is page aligned; next and page follow the previous', () => {
  const r = planLayout(
    input([
      kernel([{ paddr: MiB, memsz: 0x1234n }]),
      { kind: 'elf', elf: elf('exec', [{ paddr: 4n * MiB, memsz: 0x2000n }]), name: 'init', label: "module 'init'", key: 'module[0]', flags: [], cmdline: '' },
      data('a', 0x10n, { kind: 'auto', align: 0x1000n }),
      data('b', 0x10n, { kind: 'next' }),
      data('c', 0x10n, { kind: 'page' }),
    ]),
  );
  assert.deepEqual(r.issues, []);
  const at = (name: string) => r.value!.sections.find((s) => s.name === name)!.dest;
  assert.equal(at('a'), 4n * MiB + 0x2000n);
  assert.equal(at('b'), 4n * MiB + 0x2010n);
  assert.equal(at('c'), 4n * MiB + 0x3000n);
  assert.equal(r.value!.bootInfo!.start, 4n * MiB + 0x4000n, 'boot info after everything, page aligned');
});

test('a relocatable executable goes to the lowest hole that fits its span and alignment', () => {
  const r = planLayout(
    input([
      kernel([{ paddr: MiB, memsz: 0x1000n }]),
      data('low', 0x1000n, { kind: 'fixed', address: 2n * MiB }),
      { kind: 'elf', elf: elf('dyn', [{ paddr: 0n, memsz: 0x3000n, align: 0x200000n }]), name: 'dyn', label: "module 'dyn'", key: 'module[1]', flags: [], cmdline: '' },
    ]),
  );
  assert.deepEqual(r.issues, []);
  assert.equal(r.value!.deltas.get(2), 4n * MiB, '2 MiB-aligned hole above the module at 2 MiB');
});

test('no room: a clear error naming the size and the RAM', () => {
  const r = planLayout(input([kernel([{ paddr: MiB, memsz: 0x1000n }]), data('huge', 128n * MiB, { kind: 'auto', align: 0x1000n })]));
  assert.equal(r.issues[0]!.code, 'LAYOUT_NO_FIT');
  assert.match(r.issues[0]!.message, /module 'huge' \(0x8000000 bytes\): no free hole/);
});

test('media that boot on UEFI: the pc profile leaves out what the firmware keeps, and placement goes around it', () => {
  const uefi = pcProfile(256n * MiB, true);
  const reserved = uefi.filter((r) => r.type === 'reserved' && r.name.startsWith('UEFI'));
  assert.deepEqual(
    reserved.map((r) => [r.start, r.end]),
    [
      [8n * MiB, 9n * MiB],
      [232n * MiB, 256n * MiB],
    ],
  );
  for (const r of uefi) for (const o of uefi) if (r !== o) assert.ok(!overlaps(r, o), `${r.name} and ${o.name} do not overlap`);
  const comps = [kernel([{ paddr: MiB, memsz: 0x1000n }]), data('big', 16n * MiB, { kind: 'auto', align: 0x1000n })];
  const bios = planLayout({ ...input(comps), memory: pcProfile(256n * MiB), ram: 256n * MiB });
  const efi = planLayout({ ...input(comps), memory: uefi, ram: 256n * MiB });
  const big = (r: typeof bios) => r.value!.sections.find((x) => x.name === 'big')!.dest;
  assert.equal(big(bios), LOADER_WINDOW.end, 'not across mimgload at 9 MiB: above it, the first hole that fits');
  assert.equal(big(efi), LOADER_WINDOW.end, 'above the firmware early memory and mimgload, not across them');
  const small = planLayout({ ...input([comps[0]!, data('small', 4n * MiB, { kind: 'auto', align: 0x1000n })]), memory: uefi });
  assert.equal(small.value!.sections.find((x) => x.name === 'small')!.dest, MiB + 0x1000n, 'what fits below 8 MiB stays there');
  const tight = planLayout({ ...input([comps[0]!, data('tight', 60n * MiB, { kind: 'auto', align: 0x1000n })]), memory: pcProfile(64n * MiB) });
  assert.equal(tight.value!.sections.find((x) => x.name === 'tight')!.dest, MiB + 0x1000n, 'over mimgload when nothing else fits');
  const fixed = planLayout({ ...input([kernel([{ paddr: MiB, memsz: 0x1000n }]), data('at8', 0x1000n, { kind: 'fixed', address: 8n * MiB })]), memory: uefi });
  assert.match(fixed.issues[0]!.message, /overlaps reserved area 'UEFI firmware early memory and S3 ACPI NVS' \[0x800000,0x900000\)/);
});

test('a custom memory map: gaps are not RAM, and reserved regions are named', () => {
  const memory: MemoryRegion[] = [
    { start: 0n, end: 0x9f000n, type: 'usable', name: 'low' },
    { start: MiB, end: 8n * MiB, type: 'usable', name: 'main' },
    { start: 8n * MiB, end: 9n * MiB, type: 'acpi', name: 'tables' },
    { start: 16n * MiB, end: 32n * MiB, type: 'usable', name: 'high' },
  ];
  const r = planLayout(
    input(
      [
        kernel([{ paddr: MiB, memsz: 0x1000n }]),
        data('in-gap', 0x100n, { kind: 'fixed', address: 10n * MiB }),
        data('in-acpi', 0x100n, { kind: 'fixed', address: 8n * MiB }),
        data('big', 8n * MiB, { kind: 'auto', align: 0x1000n }),
      ],
      memory,
    ),
  );
  assert.deepEqual(r.issues.map((i) => i.code).sort(), ['LAYOUT_RESERVED', 'LAYOUT_RESERVED']);
  assert.match(r.issues.map((i) => i.message).join('\n'), /module 'in-gap' \[0xa00000,0xa00100\) covers \[0xa00000,0xa00100\), which is not in the memory map/);
  assert.match(r.issues.map((i) => i.message).join('\n'), /module 'in-acpi' .* overlaps acpi area 'tables'/);
  assert.equal(r.value!.sections.find((s) => s.name === 'big')!.dest, 16n * MiB, 'auto placement skips holes too small');
});

/** An ELF64 kernel whose segments are linked at vaddr and loaded at paddr. */
function kernel64(segs: { paddr: bigint; vaddr: bigint; memsz: bigint }[]): ComponentInput {
  const base = elf('exec', segs);
  const loads = base.loads.map((l, i) => ({ ...l, vaddr: segs[i]!.vaddr }));
  return { kind: 'elf', elf: { ...base, class: 64, machine: 'x86_64', entry: segs[0]!.vaddr, segments: loads, loads }, name: 'kernel', label: 'kernel', key: 'kernel', flags: [], cmdline: '' };
}

test('long64 images keep a higher-half kernel\'s virtual addresses and refuse ones no page table can map', () => {
  const high = 0xffffffff80000000n;
  const long = (c: ComponentInput[]): LayoutInput => ({ ...input(c), limit: 1n << 64n, virtual: true });
  const ok = planLayout(long([kernel64([{ paddr: MiB, vaddr: high + MiB, memsz: 0x1800n }, { paddr: MiB + 0x1800n, vaddr: high + MiB + 0x1800n, memsz: 0x1000n }])]));
  assert.deepEqual(ok.issues, []);
  assert.deepEqual(ok.value!.sections.filter((s) => s.type === 'exec').map((s) => s.vaddr), [high + MiB, high + MiB + 0x1800n]);
  assert.equal(ok.value!.entry, MiB, 'the header entry stays physical');
  // Without `virtual` (a protected32 image), the same kernel has no vaddr.
  assert.ok(planLayout({ ...input([kernel64([{ paddr: MiB, vaddr: high + MiB, memsz: 0x1000n }])]), limit: 1n << 64n }).value!.sections.every((s) => s.vaddr === undefined));

  const messages = (c: ComponentInput[]): string[] => planLayout(long(c)).issues.map((i) => `${i.code}: ${i.message}`);
  assert.match(messages([kernel64([{ paddr: MiB, vaddr: 0x40000000n, memsz: 0x1000n }])]).join('\n'), /LAYOUT_ADDRESS: kernel segment 0 is linked at virtual \[0x40000000,0x40001000\), physical 0x100000: .* only in the upper half/);
  assert.match(messages([kernel64([{ paddr: MiB, vaddr: high + MiB + 0x800n, memsz: 0x1000n }])]).join('\n'), /LAYOUT_ADDRESS: .* differ in their offset within a 4 KiB page/);
  assert.match(
    messages([kernel64([{ paddr: MiB, vaddr: high, memsz: 0x800n }, { paddr: 2n * MiB + 0x800n, vaddr: high + 0x800n, memsz: 0x800n }])]).join('\n'),
    /LAYOUT_ADDRESS: kernel segment 1 virtual \[0xffffffff80000800,0xffffffff80001000\) shares a 4 KiB page with kernel segment 0/,
  );
});

test("LOADER_WINDOW is where the committed mimgload lies, with room for its .bss", { skip: existsSync(MIMGLOAD) ? undefined : 'stages/prebuilt/ has no mimgload.elf' }, () => {
  const elf = parseElf(new Uint8Array(readFileSync(MIMGLOAD))).value!;
  const start = elf.loads.reduce((m, s) => (s.paddr < m ? s.paddr : m), elf.loads[0]!.paddr);
  const end = elf.loads.reduce((m, s) => (s.paddr + s.memsz > m ? s.paddr + s.memsz : m), 0n);
  assert.equal(start, LOADER_WINDOW.start);
  assert.ok(end <= LOADER_WINDOW.end, `mimgload ends at ${end.toString(16)}, inside the window`);
});
