import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isBzImage, parseBzImage } from './parse.js';
import {
  BOOT_FLAG, BOOT_PARAMS, CAN_USE_HEAP, DEFAULT_CMDLINE_SIZE, DEFAULT_INITRD_ADDR_MAX, E820_ENTRY, E820_MAX_ENTRIES, HEADER_MAGIC, KEEP_SEGMENTS,
  LOADED_HIGH, LOADER_TYPE_UNDEFINED, SECTOR, SETUP_ENTRY_OFFSET, SETUP_HEADER, type SetupField,
} from './struct.js';

type Fields = Partial<Record<SetupField, bigint | number>>;

/** A bzImage with these header fields, `sects` setup sectors and `kernel` bytes of protected-mode kernel. */
function fake(fields: Fields, sects = 4, kernel = 0x3000): Uint8Array {
  const b = new Uint8Array((sects + 1) * SECTOR + kernel);
  const v = new DataView(b.buffer);
  const all: Fields = { setup_sects: sects, boot_flag: BOOT_FLAG, header: HEADER_MAGIC, version: 0x20f, loadflags: LOADED_HIGH, jump: 0x6aeb, syssize: kernel / 16, ...fields };
  for (const [name, value] of Object.entries(all) as [SetupField, bigint | number][]) {
    const [offset, type] = SETUP_HEADER.fields[name];
    if (type === 'u8') v.setUint8(offset, Number(value));
    else if (type === 'u16') v.setUint16(offset, Number(value), true);
    else if (type === 'u32') v.setUint32(offset, Number(value), true);
    else v.setBigUint64(offset, BigInt(value), true);
  }
  return b;
}

test('a relocatable 2.15 kernel: load at pref_address, init_size reserved', () => {
  const b = fake({ relocatable_kernel: 1, kernel_alignment: 0x200000, pref_address: 0x1000000n, init_size: 0x40000, code32_start: 0x100000, cmdline_size: 2047, initrd_addr_max: 0x7fffffff, xloadflags: 1 }, 27);
  const r = parseBzImage(b);
  assert.deepEqual(r.issues, []);
  const k = r.value!;
  assert.equal(k.setupSize, 28 * SECTOR);
  assert.equal(k.kernelSize, b.length - 28 * SECTOR);
  assert.equal(k.loadAddress, 0x1000000n);
  assert.equal(k.relocatable, true);
  assert.equal(k.alignment, 0x200000n);
  assert.equal(k.initSize, 0x40000n);
  assert.equal(k.cmdlineSize, 2047n);
  assert.equal(k.entry64, true);
  assert.equal(k.fields.code32_start, 0x100000n);
  assert.ok(isBzImage(b));
});

test('setup_sects 0 means 4; a 2.02 kernel lacks the later fields and gets the protocol defaults', () => {
  const b = fake({ version: 0x202, setup_sects: 0, jump: 0x26eb, code32_start: 0x100000, relocatable_kernel: 1, pref_address: 0x2000000n, init_size: 0x999999 });
  const k = parseBzImage(b).value!;
  assert.equal(k.setupSize, 5 * SECTOR);
  assert.equal(k.fields.init_size, undefined, '2.10 field not read from a 2.02 header');
  assert.equal(k.fields.relocatable_kernel, undefined);
  assert.equal(k.loadAddress, 0x100000n, 'not relocatable before 2.05: code32_start');
  assert.equal(k.initSize, BigInt(k.kernelSize));
  assert.equal(k.cmdlineSize, BigInt(DEFAULT_CMDLINE_SIZE));
  assert.equal(k.initrdAddrMax, BigInt(DEFAULT_INITRD_ADDR_MAX));
  assert.equal(k.entry64, false);
});

test('bad input: one issue each, with its code and field', () => {
  const cases: [string, Uint8Array, string, string][] = [
    ['too short', fake({}).subarray(0, 0x200), 'BZIMAGE_TRUNCATED', 'header'],
    ['no boot flag', fake({ boot_flag: 0 }), 'BZIMAGE_MAGIC', 'boot_flag'],
    ['no HdrS', fake({ header: 0x12345678 }), 'BZIMAGE_MAGIC', 'header'],
    ['protocol 2.01', fake({ version: 0x201 }), 'BZIMAGE_UNSUPPORTED', 'version'],
    ['zImage', fake({ loadflags: 0 }), 'BZIMAGE_UNSUPPORTED', 'loadflags'],
    ['setup past the end', fake({ setup_sects: 40 }, 4, 0x100), 'BZIMAGE_TRUNCATED', 'setup_sects'],
    ['kernel cut short', fake({ syssize: 0x400 }, 4, 0x1000), 'BZIMAGE_TRUNCATED', 'syssize'],
  ];
  for (const [name, bytes, code, field] of cases) {
    const r = parseBzImage(bytes);
    assert.equal(r.value, undefined, name);
    assert.equal(r.issues.length, 1, name);
    assert.equal(r.issues[0]!.code, code, name);
    assert.match(r.issues[0]!.where!, new RegExp(`\\(${field}\\)`), name);
  }
});

const kernels = existsSync('/boot') ? readdirSync('/boot').filter((n) => n.startsWith('vmlinuz-')) : [];
test("Debian's kernels parse: setup plus kernel is the file, syssize inside it", { skip: kernels.length ? undefined : 'no /boot/vmlinuz-* (linux-image-amd64)' }, () => {
  for (const name of kernels) {
    const b = readFileSync(`/boot/${name}`);
    const r = parseBzImage(b);
    assert.deepEqual(r.issues, [], name);
    const k = r.value!;
    assert.equal(k.setupSize + k.kernelSize, b.length);
    assert.equal(k.setupSize, (b[0x1f1]! + 1) * SECTOR);
    assert.ok(k.fields.syssize! * 16n <= BigInt(k.kernelSize));
    assert.equal(k.loadAddress, k.relocatable ? k.fields.pref_address : k.fields.code32_start);
  }
});

test('stages/include/linux_boot.h has the offsets and values of these tables', () => {
  const h = readFileSync(new URL('../../../../stages/include/linux_boot.h', import.meta.url), 'utf8');
  const defines = [...h.matchAll(/^#define (LX_\w+)\s+(0x[0-9A-Fa-f]+|\d+)/gm)].map((m) => [m[1]!, Number(m[2])] as const);
  const offsets = new Map<string, number>();
  for (const [name, [offset]] of Object.entries({ ...SETUP_HEADER.fields, ...BOOT_PARAMS.fields })) offsets.set(`LX_${name.toUpperCase()}`, offset);
  const values: Record<string, number> = {
    LX_BOOT_FLAG_VALUE: BOOT_FLAG, LX_HEADER_MAGIC: HEADER_MAGIC, LX_LOADED_HIGH: LOADED_HIGH, LX_KEEP_SEGMENTS: KEEP_SEGMENTS, LX_CAN_USE_HEAP: CAN_USE_HEAP,
    LX_E820_MAX: E820_MAX_ENTRIES, LX_E820_ENTRY_SIZE: E820_ENTRY.size, LX_BOOT_PARAMS_SIZE: BOOT_PARAMS.size,
    LX_LOADER_UNDEFINED: LOADER_TYPE_UNDEFINED, LX_SETUP_ENTRY: SETUP_ENTRY_OFFSET,
  };
  assert.ok(defines.length > 20);
  for (const [name, value] of defines) {
    const expected = offsets.get(name) ?? values[name];
    assert.notEqual(expected, undefined, `${name} is in no table`);
    assert.equal(value, expected, name);
  }
});
