// bzImage bytes -> the setup header and where the kernel's parts lie. Pure.
// Loads what a boot loader must to run the kernel: protocol 2.02 and later,
// loaded high (a bzImage, not a zImage).

import { fieldOffset } from '../../bytes/struct.js';
import { hex, issue, type Issue, type Result } from '../../diagnostics/issue.js';
import {
  BOOT_FLAG, DEFAULT_CMDLINE_SIZE, DEFAULT_INITRD_ADDR_MAX, DEFAULT_SETUP_SECTS, FIELD_SINCE, HEADER_MAGIC, LOADED_HIGH,
  MIN_VERSION, SECTOR, SETUP_HEADER, XLF_KERNEL_64, type SetupField,
} from './struct.js';
import type { BzImage } from './types.js';

const at = (field: SetupField) => `offset ${hex(fieldOffset(SETUP_HEADER, 0, field))} (${field})`;

export function versionString(v: number): string {
  return `${v >> 8}.${(v & 0xff).toString().padStart(2, '0')}`;
}

function read(b: Uint8Array, field: SetupField): bigint {
  const [offset, type] = SETUP_HEADER.fields[field];
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (type) {
    case 'u8': return BigInt(v.getUint8(offset));
    case 'u16': return BigInt(v.getUint16(offset, true));
    case 'u32': return BigInt(v.getUint32(offset, true));
    default: return v.getBigUint64(offset, true);
  }
}

/** True when the bytes carry a Linux setup header (boot flag and "HdrS"); says nothing about the version. */
export function isBzImage(b: Uint8Array): boolean {
  return b.length >= 0x206 && read(b, 'boot_flag') === BigInt(BOOT_FLAG) && read(b, 'header') === BigInt(HEADER_MAGIC);
}

export function parseBzImage(b: Uint8Array): Result<BzImage> {
  const issues: Issue[] = [];
  const fail = (code: 'BZIMAGE_MAGIC' | 'BZIMAGE_TRUNCATED' | 'BZIMAGE_UNSUPPORTED', message: string, where: string, hint?: string): Result<BzImage> => ({
    issues: [...issues, issue(code, message, { where, ...(hint !== undefined && { hint }) })],
  });
  if (b.length < 0x206) return fail('BZIMAGE_TRUNCATED', `the file is ${hex(b.length)} bytes long, too short for a setup header (it ends at 0x206 or later)`, at('header'));
  if (read(b, 'boot_flag') !== BigInt(BOOT_FLAG)) {
    return fail('BZIMAGE_MAGIC', `boot_flag is ${hex(read(b, 'boot_flag'))}, not 0xaa55: not a Linux kernel image`, at('boot_flag'));
  }
  if (read(b, 'header') !== BigInt(HEADER_MAGIC)) {
    return fail('BZIMAGE_MAGIC', `no "HdrS" signature (found ${hex(read(b, 'header'))}): a boot sector, or a kernel older than boot protocol 2.00`, at('header'));
  }
  const version = b.length >= 0x208 ? Number(read(b, 'version')) : 0;
  if (version < MIN_VERSION) {
    return fail('BZIMAGE_UNSUPPORTED', `boot protocol ${versionString(version)} is older than 2.02, the oldest mimg loads`, at('version'), 'use a kernel from Linux 2.4 or later');
  }
  // The header is as long as its jump instruction says; a field past that end is not there.
  const headerEnd = 0x202 + Number(b[0x201]);
  if (b.length < headerEnd) return fail('BZIMAGE_TRUNCATED', `the setup header ends at ${hex(headerEnd)}, past the end of the file at ${hex(b.length)}`, at('jump'));
  const fields: Partial<Record<SetupField, bigint>> = {};
  for (const name of Object.keys(SETUP_HEADER.fields) as SetupField[]) {
    const [offset, type] = SETUP_HEADER.fields[name];
    const size = type === 'u8' ? 1 : type === 'u16' ? 2 : type === 'u32' ? 4 : 8;
    if ((FIELD_SINCE[name] ?? 0) > version || offset + size > headerEnd) continue;
    fields[name] = read(b, name);
  }
  const loadflags = fields.loadflags ?? 0n;
  if ((loadflags & BigInt(LOADED_HIGH)) === 0n) {
    return fail('BZIMAGE_UNSUPPORTED', 'loadflags has no LOADED_HIGH: a zImage, whose kernel loads at 0x10000 below the setup code', at('loadflags'), 'build a bzImage (make bzImage)');
  }
  const sects = Number(fields.setup_sects ?? 0n) || DEFAULT_SETUP_SECTS;
  const setupSize = (sects + 1) * SECTOR;
  if (b.length <= setupSize) {
    return fail('BZIMAGE_TRUNCATED', `setup_sects ${sects} puts the protected-mode kernel at ${hex(setupSize)}, past the end of the file at ${hex(b.length)}`, at('setup_sects'));
  }
  const kernelSize = b.length - setupSize;
  // syssize counts 16-byte paragraphs of the protected-mode kernel; a signature may follow it.
  const declared = (fields.syssize ?? 0n) * 16n;
  if (BigInt(kernelSize) < declared) {
    return fail('BZIMAGE_TRUNCATED', `syssize declares ${hex(declared)} bytes of protected-mode kernel, the file holds ${hex(kernelSize)} after the setup code`, at('syssize'));
  }
  const relocatable = version >= 0x205 && (fields.relocatable_kernel ?? 0n) !== 0n;
  const code32 = fields.code32_start ?? 0x100000n;
  const pref = fields.pref_address;
  return {
    value: {
      fields,
      version,
      setupSize,
      kernelSize,
      loadAddress: relocatable && pref !== undefined ? pref : code32,
      relocatable,
      alignment: relocatable ? (fields.kernel_alignment ?? 0n) : 0n,
      initSize: fields.init_size !== undefined && fields.init_size > BigInt(kernelSize) ? fields.init_size : BigInt(kernelSize),
      initrdAddrMax: fields.initrd_addr_max ?? BigInt(DEFAULT_INITRD_ADDR_MAX),
      cmdlineSize: fields.cmdline_size ?? BigInt(DEFAULT_CMDLINE_SIZE),
      entry64: version >= 0x20c && ((fields.xloadflags ?? 0n) & BigInt(XLF_KERNEL_64)) !== 0n,
    },
    issues,
  };
}
