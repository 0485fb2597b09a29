import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOT_FLAG, HEADER_MAGIC, LOADED_HIGH, SECTOR, SETUP_HEADER, parseBzImage, type SetupField } from '../formats/bzimage/index.js';
import type { LinuxEntry } from '../config/types.js';
import { bootInfoSize } from './bootinfo.js';
import { linuxLayout, SETUP_BASE, SETUP_HEAP_END } from './linux.js';
import { planLayout } from './plan.js';
import { pcProfile } from './profile.js';
import type { ComponentInput } from './types.js';

const MiB = 1n << 20n;

function bzImage(fields: Partial<Record<SetupField, number | bigint>>, kernel = 0x10000) {
  const sects = 8;
  const b = new Uint8Array((sects + 1) * SECTOR + kernel);
  const v = new DataView(b.buffer);
  const all = { setup_sects: sects, boot_flag: BOOT_FLAG, header: HEADER_MAGIC, version: 0x20f, jump: 0x6aeb, loadflags: LOADED_HIGH, syssize: kernel / 16, code32_start: 0x100000, cmdline_size: 2047, initrd_addr_max: 0x7fffffff, ...fields };
  for (const [name, value] of Object.entries(all)) {
    const [offset, type] = SETUP_HEADER.fields[name as SetupField];
    if (type === 'u8') v.setUint8(offset, Number(value));
    else if (type === 'u16') v.setUint16(offset, Number(value), true);
    else if (type === 'u32') v.setUint32(offset, Number(value), true);
    else v.setBigUint64(offset, BigInt(value), true);
  }
  return { bytes: b, kernel: parseBzImage(b).value! };
}

const RELOCATABLE = { xloadflags: 1, relocatable_kernel: 1, kernel_alignment: 0x200000, pref_address: 0x1000000n, init_size: 0x800000 };

function plan(k: ReturnType<typeof bzImage>, entry: LinuxEntry, extra: ComponentInput[] = [], initrd = 0x100000n, ram = 128n * MiB) {
  const l = linuxLayout({ ...k, entry, cmdline: 'console=ttyS0', initrd: { size: initrd, file: 'initrd' }, ramEnd: ram, origin: 'mimg.toml', file: 'bzImage' });
  assert.deepEqual(l.issues, []);
  const { components, entry: e, bootInfo } = l.value!;
  const r = planLayout({
    memory: pcProfile(ram),
    ram,
    components: [...components, ...extra],
    bootInfo: bootInfo ?? { size: bootInfoSize('linux', { cmdline: 'console=ttyS0', modules: [] }) },
    entry: e,
    limit: 1n << 32n,
  });
  const at = (name: string) => r.value!.sections.find((s) => s.name === name);
  return { r, l: l.value!, at };
}

test('32-bit entry: kernel at pref_address with init_size, initrd 4 MiB below the top of RAM, entry at the kernel', () => {
  const { r, l, at } = plan(bzImage(RELOCATABLE), '32');
  assert.deepEqual(r.issues, []);
  assert.equal(l.cpuMode, 'protected32');
  assert.equal(at('setup')!.dest, SETUP_BASE);
  assert.equal(at('setup')!.type, 'exec');
  assert.equal(at('kernel')!.dest, 0x1000000n);
  assert.equal(at('kernel')!.memSize, 0x800000n);
  assert.equal(at('kernel')!.fileSize, 0x10000n);
  assert.equal(at('initrd')!.dest + at('initrd')!.memSize, 124n * MiB);
  assert.equal(r.value!.entry, 0x1000000n);
});

test('pref_address taken: a relocatable kernel moves to the next hole aligned to kernel_alignment, and the entry with it', () => {
  const blocker: ComponentInput = { kind: 'data', name: 'b', label: "module 'b'", key: 'module[0]', flags: [], cmdline: '', size: 0x1000n, placement: { kind: 'fixed', address: 0x1400000n } };
  const { r, at } = plan(bzImage(RELOCATABLE), '64', [blocker]);
  assert.deepEqual(r.issues, []);
  assert.equal(at('kernel')!.dest, 0x1600000n);
  assert.equal(r.value!.entry, 0x1600200n, '64-bit entry: load address + 0x200');
});

test('not relocatable: a conflict at code32_start names both parties', () => {
  const blocker: ComponentInput = { kind: 'data', name: 'b', label: "module 'b'", key: 'module[0]', flags: [], cmdline: '', size: 0x1000n, placement: { kind: 'fixed', address: 0x104000n } };
  const { r } = plan(bzImage({}), '32', [blocker]);
  assert.equal(r.issues.length, 1);
  assert.equal(r.issues[0]!.code, 'LAYOUT_OVERLAP');
  assert.match(r.issues[0]!.message, /module 'b'.*overlaps kernel \[0x100000,/);
});

test('16-bit entry: setup heap up to X + 0xE000, the command line there, entry at setup + 0x200', () => {
  const { r, l, at } = plan(bzImage(RELOCATABLE), '16');
  assert.deepEqual(r.issues, []);
  assert.equal(l.cpuMode, 'real16');
  assert.equal(r.value!.entry, SETUP_BASE + 0x200n);
  assert.equal(r.value!.bootInfo!.start, SETUP_BASE + SETUP_HEAP_END);
  assert.equal(at('setup heap')!.dest, SETUP_BASE + BigInt(9 * SECTOR));
  assert.equal(at('setup heap')!.dest + at('setup heap')!.memSize, SETUP_BASE + SETUP_HEAP_END);
});

test('an initrd larger than the room below RAM: LAYOUT_NO_FIT naming it', () => {
  const { r } = plan(bzImage(RELOCATABLE), '32', [], 0x6000000n, 64n * MiB);
  assert.equal(r.issues.length, 1);
  assert.equal(r.issues[0]!.code, 'LAYOUT_NO_FIT');
  assert.match(r.issues[0]!.message, /^initrd \(0x6000000 bytes\)/);
});

test('a command line longer than cmdline_size, and a 64-bit entry the kernel lacks, are errors at their keys', () => {
  const k = bzImage({ cmdline_size: 4, xloadflags: 0 });
  const l = linuxLayout({ ...k, entry: '64', cmdline: 'console=ttyS0', ramEnd: 128n * MiB, origin: 'mimg.toml', file: 'bzImage' });
  assert.deepEqual(l.issues.map((i) => [i.code, i.where]), [['CONFIG_TYPE', 'image.cmdline'], ['CONFIG_TYPE', 'kernel.linux_entry']]);
});
