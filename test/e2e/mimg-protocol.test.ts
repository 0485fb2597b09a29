// mimg's own protocol end to end (docs/protocol/mimg.md): the higher-half
// ELF64 kernel mimg64 and the ELF32 kernel mimg32 booted through mimgload
// chained by QEMU -kernel, by a real GRUB and from a BIOS disk. Every fact
// the guest reports is compared with `mimg inspect --json` and with what
// the firmware gives QEMU's own Multiboot loader: the memory map must be
// the firmware's with exactly the image's sections, the handed-on modules
// and the loader's leftovers retyped.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sealHead } from '../../src/formats/mimg/encode.js';
import { HEADER, SECTION, flagBits } from '../../src/formats/mimg/struct.js';
import type { SectionFlag } from '../../src/formats/mimg/types.js';
import { BOOT_MEMORY_TYPE, BOOT_NONE } from '../../src/formats/mimgboot/struct.js';
import type { CapturedBoot } from '../../src/host/qemu.js';
import { machineArgs, mimgloadPath, qemuArgs, runCaptured, QEMU } from '../../src/host/qemu.js';
import { assertMatches, image, kernels, MEMORY, report, TIMEOUT_MS, type ExtraModule, type Inspected } from '../support/bootcheck.js';
import { grubIso } from '../support/grub.js';
import { KERNEL_TOOLS } from '../support/kernels.js';
import type { MemoryMapEntry, Report } from '../support/transcript.js';
import { missingTools } from '../support/toolchain.js';

const skip = missingTools(QEMU, 'grub-mkrescue', 'xorriso', ...KERNEL_TOOLS) ?? (existsSync(mimgloadPath()) ? undefined : 'stages/prebuilt/mimgload.elf is not built');

/** docs/protocol/mimg.md's memory types. */
const USABLE = BOOT_MEMORY_TYPE.code('usable');
const MEM_SECTION = BOOT_MEMORY_TYPE.code('section');
const MEM_MODULE = BOOT_MEMORY_TYPE.code('module');
const MEM_LOADER = BOOT_MEMORY_TYPE.code('loader');
const RETYPED = new Set([MEM_SECTION, MEM_MODULE, MEM_LOADER]);
const NONE = BigInt(BOOT_NONE);
/** QEMU numbers the local APICs of -smp N from 0. */
const SMP = 2;
const SMP_ARGS = ['-smp', String(SMP)];

interface Range {
  start: bigint;
  end: bigint;
}

/** Sorted, adjacent and overlapping ranges joined. */
function union(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const r of [...ranges].filter((x) => x.end > x.start).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = r.end > last.end ? r.end : last.end;
    else out.push({ ...r });
  }
  return out;
}

const rangesOf = (map: MemoryMapEntry[], type: number): Range[] => union(map.filter((e) => e.type === type).map((e) => ({ start: e.base, end: e.base + e.length })));

/** The map with mimg's types back to usable and neighbours of one type joined: what the firmware said. */
function firmwareView(map: MemoryMapEntry[]): MemoryMapEntry[] {
  const out: MemoryMapEntry[] = [];
  for (const e of map) {
    const type = RETYPED.has(e.type) ? USABLE : e.type;
    const last = out[out.length - 1];
    if (last && last.type === type && last.base + last.length === e.base) last.length += e.length;
    else out.push({ base: e.base, length: e.length, type });
  }
  return out;
}

/** [a, b) clipped to the usable RAM of `map`. */
function clipToUsable(r: Range, usable: Range[]): Range[] {
  return usable.flatMap((u) => {
    const start = r.start > u.start ? r.start : u.start;
    const end = r.end < u.end ? r.end : u.end;
    return end > start ? [{ start, end }] : [];
  });
}

/**
 * The memory map the firmware gives QEMU's own Multiboot loader on the same
 * machine (SeaBIOS reserves a little more RAM per CPU and per device it
 * drives, so `machine` must be the boot's own devices and CPUs).
 */
async function firmwareMap(machine: readonly string[]): Promise<MemoryMapEntry[]> {
  return report(await runCaptured(['-kernel', kernels().mb1, ...machineArgs(MEMORY), ...machine], TIMEOUT_MS)).mmap;
}

interface Expect {
  /** QEMU arguments besides -kernel/-initrd/-cdrom and machineArgs: the devices and CPUs. */
  machine: readonly string[];
  extra?: ExtraModule[];
  bootDevice: { drive: bigint; partition: bigint; sub: bigint };
  long: boolean;
}

/** Every fact of a mimg-protocol report against the image and the firmware's map. */
async function assertMimg(r: Report, img: { inspect: Inspected; dir: string }, b: CapturedBoot, expect: Expect): Promise<void> {
  assertMatches(r, img, b, expect.extra ?? []);
  const sections = img.inspect.sections;
  assert.equal(r.handoff?.info, BigInt(img.inspect.bootInfo.start), 'RDI/EBX is the image\'s bootinfo_addr');
  assert.ok(r.handoff?.protocol === 'mimg' && r.handoff.size <= BigInt(img.inspect.bootInfo.size), 'the information fits the block mimg build sized');

  // Modules: the image's in component order, each with its section's flags and index; then the chain loader's.
  const modules = sections.map((s, index) => ({ s, index })).filter(({ s }) => s.type === 'module').sort((a, b) => a.s.component - b.s.component);
  assert.equal(r.moduleInfo.length, r.modules.length, 'a modinfo line per module');
  modules.forEach(({ s, index }, i) => {
    assert.equal(r.moduleInfo[i]!.flags, flagBits(s.flags as SectionFlag[]), `module ${i} flags`);
    assert.equal(r.moduleInfo[i]!.section, BigInt(index), `module ${i} section index`);
  });
  for (const info of r.moduleInfo.slice(modules.length)) assert.deepEqual([info.flags, info.section], [0, NONE], 'a chain loader module has no flags and no section');

  // The memory map: the firmware's, with exactly mimg's ranges retyped inside its usable RAM.
  const firmware = await firmwareMap(expect.machine);
  assert.deepEqual(firmwareView(r.mmap), firmwareView(firmware), 'the map is the firmware map once mimg types are usable again');
  const usable = rangesOf(firmware, USABLE);
  const sectionRanges = union(sections.flatMap((s) => clipToUsable({ start: BigInt(s.start), end: BigInt(s.end) }, usable)));
  assert.deepEqual(rangesOf(r.mmap, MEM_SECTION), sectionRanges, 'exactly the sections are typed section');
  const extraRanges = union(r.modules.slice(modules.length).map((m) => ({ start: m.start, end: m.end })));
  assert.deepEqual(rangesOf(r.mmap, MEM_MODULE), extraRanges, 'exactly the chain loader modules are typed module');
  const loader = rangesOf(r.mmap, MEM_LOADER);
  assert.equal(loader.length, 1, 'the loader leaves one range in use');
  const left = loader[0]!;
  assert.ok(left.start >= 0x100000n && left.end <= 1n << 32n, 'the leftovers lie between 1 MiB and 4 GiB');

  assert.deepEqual(r.cpus, Array.from({ length: SMP }, (_, i) => BigInt(i)), 'the CPU list has -smp CPUs');
  assert.equal(r.rsdp.length, 1, 'one RSDP copy');
  const rsdt = r.rsdp[0]!.address;
  assert.ok(firmware.some((e) => e.type !== USABLE && e.base <= rsdt && rsdt < e.base + e.length), 'the RSDT/XSDT the RSDP names lies in firmware memory');
  assert.deepEqual(r.bootDevice, expect.bootDevice);
  assert.equal(r.framebuffer, undefined, 'no video mode set, no framebuffer');

  if (expect.long) {
    assert.ok(r.long, 'mimg64 reported its long-mode state');
    const text = sections.find((s) => s.component === 0 && s.flags.includes('x'))!;
    assert.ok(text.vaddr, 'the kernel text has a vaddr in the image');
    const [vaddr, size] = [BigInt(text.vaddr), BigInt(text.end) - BigInt(text.start)];
    assert.ok(r.long.rip >= vaddr && r.long.rip < vaddr + size, `runs at its virtual address: rip ${r.long.rip.toString(16)}`);
    assert.ok(r.long.cr3 >= left.start && r.long.cr3 < left.end, 'the page tables lie in the loader range');
    assert.ok(r.long.rsp > left.start && r.long.rsp <= left.end && r.long.rsp % 16n === 0n, 'the entry stack is 16-aligned in the loader range');
    const ram = r.mmap.filter((e) => e.type === USABLE || RETYPED.has(e.type)).reduce((m, e) => (e.base + e.length > m ? e.base + e.length : m), 0n);
    assert.equal(r.touched, ram - 8n, 'the last bytes of RAM are reachable through the identity map');
  } else {
    assert.equal(r.long, undefined);
  }
}

/** QEMU's Multiboot loader passes boot_device 0x8000ffff: drive 0x80, part1 0, no part2. */
const QEMU_BOOT_DEVICE = { drive: 0x80n, partition: 0n, sub: NONE };

describe('the mimg protocol through mimgload', { skip, concurrency: 2 }, () => {
  test('ELF64 higher-half kernel, QEMU -kernel: long mode, virtual addresses, every fact', async () => {
    const img = image('mimg64', 'mimg', kernels().mimg64);
    assert.ok(img.inspect.sections.some((s) => s.vaddr !== undefined), 'mimg build kept the higher-half addresses');
    const b = await runCaptured([...qemuArgs({ image: img.path, memory: MEMORY }), ...SMP_ARGS], TIMEOUT_MS);
    await assertMimg(report(b), img, b, { machine: SMP_ARGS, bootDevice: QEMU_BOOT_DEVICE, long: true });
    assert.match(b.serial, /mimgload: entering 0xffffffff8/);
  });

  test('ELF32 kernel, QEMU -kernel: protected mode, EAX magic, EBX information', async () => {
    const img = image('mimg32', 'mimg', kernels().mimg32);
    const b = await runCaptured([...qemuArgs({ image: img.path, memory: MEMORY }), ...SMP_ARGS], TIMEOUT_MS);
    await assertMimg(report(b), img, b, { machine: SMP_ARGS, bootDevice: QEMU_BOOT_DEVICE, long: false });
  });

  for (const grub of ['multiboot', 'multiboot2'] as const) {
    test(`ELF64 kernel chained by GRUB (${grub})`, async () => {
      const img = image(`mimg64-grub-${grub}`, 'mimg', kernels().mimg64);
      const iso = grubIso({ name: `grub-mimg64-${grub}`, loader: mimgloadPath(), image: img.path, protocol: grub });
      const machine = ['-cdrom', iso, ...SMP_ARGS];
      const b = await runCaptured([...machine, ...machineArgs(MEMORY)], TIMEOUT_MS);
      // GRUB names the El Torito CD it booted from (BIOS drive 0xe0), no partition: Multiboot1 boot_device or Multiboot2 tag 5.
      await assertMimg(report(b), img, b, { machine, bootDevice: { drive: 0xe0n, partition: NONE, sub: NONE }, long: true });
    });
  }

  test('ELF64 kernel from a BIOS disk: stage 2 passes the CPU list and the boot drive; a preloaded range is a module', async () => {
    const range = `[[range]]\nname = "ramdisk"\npath = "ramdisk.bin"\nflags = ["preload", "ro"]\n`;
    const img = image('mimg64-disk', 'mimg', kernels().mimg64, `${range}[media]\ntype = "disk"\npartitioning = "gpt"\n`, (dir) => {
      writeFileSync(join(dir, 'ramdisk.bin'), Buffer.alloc(0x180000, 0x3c));
    });
    const machine = ['-drive', `file=${join(img.dir, 'mimg.img')},format=raw,if=virtio`, ...SMP_ARGS];
    const b = await runCaptured([...machine, ...machineArgs(MEMORY)], TIMEOUT_MS);
    await assertMimg(report(b), img, b, { machine, extra: [{ string: 'ramdisk', file: 'ramdisk.bin' }], bootDevice: { drive: 0x80n, partition: NONE, sub: NONE }, long: true });
    assert.match(b.serial, new RegExp(`mimg bios: .*enabled CPUs in the MADT: ${SMP}`));
  });

  test('a section with a vaddr below the upper half: mimgload\'s validator refuses it, no jump', async () => {
    const img = image('mimg64-bad-vaddr', 'mimg', kernels().mimg64);
    const bytes = readFileSync(img.path);
    const at = HEADER.size + SECTION.size * 0 + SECTION.f.vaddr.offset;
    bytes.writeBigUInt64LE(0x40100000n, at); // the kernel text's alias, in the lower half
    sealHead(bytes);
    writeFileSync(img.path, bytes);
    const b = await runCaptured([...qemuArgs({ image: img.path, memory: MEMORY })], TIMEOUT_MS, /mimgload: error/);
    assert.match(b.serial, /mimgload: error: .*MIMG_FIELD section 0 \(vaddr\)/, b.serial);
    assert.doesNotMatch(b.serial, /MIMGTEST begin/);
  });

  test('a long64 image on a CPU without long mode: a clear error, no jump', async () => {
    const img = image('mimg64-no-lm', 'mimg', kernels().mimg64);
    const b = await runCaptured([...qemuArgs({ image: img.path, memory: MEMORY }), '-cpu', 'qemu32'], TIMEOUT_MS, /mimgload: error/);
    assert.match(b.serial, /mimgload: error: cpu mode long64: this CPU has no long mode/, b.serial);
    assert.doesNotMatch(b.serial, /MIMGTEST begin/);
  });
});
