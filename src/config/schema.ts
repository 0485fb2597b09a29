// The config schema, written once in zod: parseConfig validates with it and
// `mimg schema` prints it as JSON Schema. It describes the file as written —
// every object is strict, so a misspelt key is an error, not a silent default.
// Rules that span keys are refinements here too, each reporting at the key to
// fix; parse.ts turns the result into a BuildSpec (paths, file-name defaults).

import { basename } from 'node:path';
import * as z from 'zod';
import type { Code } from '../diagnostics/codes.js';
import { hex } from '../diagnostics/issue.js';
import { rangeNameProblem } from '../formats/bootvol/struct.js';
import type { Protocol } from '../formats/mimg/types.js';
import type { RegionType } from './types.js';

const PROTOCOLS = ['multiboot1', 'multiboot2', 'linux', 'mimg'] as const satisfies readonly Protocol[];
const REGION_TYPES = ['usable', 'reserved', 'acpi', 'nvs', 'bad'] as const satisfies readonly RegionType[];
const MODULE_FLAGS = ['ro', 'rw', 'preload'] as const;
const RANGE_FLAGS = ['preload', 'ro', 'rw'] as const;
const SECTOR = 512n;

/** A custom zod issue that carries our code and hint, so parse.ts maps it one to one. */
function report(ctx: z.RefinementCtx, path: PropertyKey[], code: Code, message: string, hint?: string): void {
  ctx.addIssue({ code: 'custom', path, message, params: { code, hint } });
}

/** A value as the message "got ..." shows it. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v);
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  if (v !== null && typeof v === 'object') return 'a table';
  return String(v);
}

// ---------------------------------------------------------------------------
// Addresses and sizes: 64-bit, so bigint. TOML integers arrive as bigint;
// JSON numbers are exact only below 2^53, so strings are accepted too.

/** Decimal with an optional binary K/M/G suffix, or hex. No flags: it is also the JSON Schema pattern. */
const U64_STRING = /^(?:0[xX][0-9a-fA-F]+|([0-9]+)([KMGkmg]?))$/;
const SUFFIX: Record<string, bigint> = { '': 1n, k: 1n << 10n, m: 1n << 20n, g: 1n << 30n };
const U64_MAX = (1n << 64n) - 1n;

type U64Rule = (n: bigint) => string | undefined;
const positive: U64Rule = (n) => (n > 0n ? undefined : 'must be above 0, got 0');
const sectors: U64Rule = (n) => (n > 0n && n % SECTOR === 0n ? undefined : `must be a positive multiple of 512 (a whole number of sectors), got ${hex(n)}`);
const powerOfTwo: U64Rule = (n) => (n > 0n && (n & (n - 1n)) === 0n ? undefined : `must be a power of two, got ${hex(n)}`);

/** The bigint an address or size means, or why it has none (including `rule`'s objection). */
export function toU64(v: unknown, rule?: U64Rule): bigint | string {
  let n: bigint;
  if (typeof v === 'bigint') {
    n = v;
  } else if (typeof v === 'number') {
    if (!Number.isInteger(v)) return `expected an integer, got ${v}`;
    if (!Number.isSafeInteger(v)) return `${v} is above 2^53, where JSON numbers are not exact; write it as a string such as "0x100000000"`;
    n = BigInt(v);
  } else if (typeof v === 'string') {
    const m = U64_STRING.exec(v);
    if (m === null) return `expected an integer or a string such as "0x800000" or "128M" (suffixes K, M, G), got ${describeValue(v)}`;
    n = m[1] === undefined ? BigInt(v) : BigInt(m[1]) * SUFFIX[m[2]!.toLowerCase()]!;
  } else {
    return `expected an integer or a string such as "128M", got ${describeValue(v)}`;
  }
  if (n < 0n) return `expected a non-negative integer, got ${n}`;
  if (n > U64_MAX) return `${describeValue(v)} does not fit in 64 bits`;
  return rule?.(n) ?? n;
}

function u64(description: string, rule?: U64Rule) {
  return z
    .unknown()
    .transform((v, ctx) => {
      const n = toU64(v, rule);
      if (typeof n === 'bigint') return n;
      report(ctx, [], 'CONFIG_TYPE', n);
      return z.NEVER;
    })
    .meta({ description, type: ['integer', 'string'], minimum: 0, pattern: U64_STRING.source });
}

const nonEmpty = (description: string) => z.string().min(1, 'must not be empty').describe(description);

/** Flags and firmware lists: a repeated item is a typo more often than intent. */
function noRepeats(items: readonly string[], ctx: z.RefinementCtx): void {
  items.forEach((item, i) => {
    if (items.indexOf(item) < i) report(ctx, [i], 'CONFIG_TYPE', `${describeValue(item)} is listed twice`, 'list each item once');
  });
}

// ---------------------------------------------------------------------------

/** `[image] framebuffer`: "WIDTHxHEIGHTxDEPTH", "WIDTHxHEIGHT" (any depth) or "text". Also the JSON Schema pattern. */
const FRAMEBUFFER_STRING = /^(?:([1-9][0-9]{0,4})x([1-9][0-9]{0,4})(?:x(8|15|16|24|32))?|text)$/;

const framebufferKey = z
  .string()
  .transform((v, ctx) => {
    const m = FRAMEBUFFER_STRING.exec(v);
    if (m === null) {
      report(ctx, [], 'CONFIG_TYPE', `expected a video mode such as "1024x768x32", "800x600" (any depth) or "text", got ${describeValue(v)}`, 'depths are 8, 15, 16, 24 or 32 bits per pixel');
      return z.NEVER;
    }
    return m[1] === undefined ? { width: 0, height: 0, depth: 0, text: true } : { width: Number(m[1]), height: Number(m[2]), depth: Number(m[3] ?? 0), text: false };
  })
  .meta({ description: 'Video mode the loader sets before entry: "WIDTHxHEIGHTxDEPTH", "WIDTHxHEIGHT" (any depth) or "text"; overrides the kernel header\'s request', type: 'string', pattern: FRAMEBUFFER_STRING.source });

const imageTable = z.strictObject({
  protocol: z.enum(PROTOCOLS).describe('How the kernel is entered and what it is handed'),
  cmdline: z.string().default('').describe('Kernel command line'),
  memory: z
    .enum(['pc', 'custom'])
    .optional()
    .describe('Target memory map: "pc", or "custom" given by [[memory]] entries (default: "custom" when there are entries, else "pc")'),
  ram: u64('RAM the target must have, in bytes (default "128M")', positive).prefault('128M'),
  integrity: z.enum(['sha256', 'fast']).default('sha256').describe('Payload digest the loader checks: sha256, or fast (xxh64)'),
  bootinfo: u64('Address of the boot information block (default: chosen by layout)').optional(),
  bootinfo_size: u64('Size of the boot information block (default: depends on the protocol)', positive).optional(),
  output: nonEmpty('The .mimg to write, relative to this file (default: this file name with .mimg)').optional(),
  framebuffer: framebufferKey.optional(),
  framebuffer_required: z.boolean().optional().describe('true: exactly the framebuffer mode, or the loader stops with an error; false (default): the closest mode, else text mode'),
});

const kernelTable = z.strictObject({
  path: nonEmpty('Kernel executable, relative to this file; .gz/.xz/.zst accepted'),
  initrd: nonEmpty('Initial ramdisk, passed as it is; protocol "linux" only').optional(),
  linux_entry: z
    .enum(['32', '16', '64'])
    .optional()
    .describe('How mimgload enters a bzImage, protocol "linux" only: "32" (32-bit boot protocol, the default), "16" (the real-mode setup code) or "64" (64-bit entry)'),
});

/** Why a key means nothing for an ELF module, which goes where its program headers say. */
const DATA_ONLY = {
  address: "an ELF module is installed at its segments' own addresses",
  align: "an ELF module is installed at its segments' own addresses",
  decompress: 'ELF modules are always decompressed',
} as const;

const moduleEntry = z
  .strictObject({
    name: nonEmpty('Module name, unique (default: the file name of path)').optional(),
    path: nonEmpty('Module file, relative to this file'),
    load: z.enum(['elf', 'data']).default('data').describe('"elf": install its segments at their addresses; "data": its bytes as one module'),
    address: u64('Fixed physical address, data modules only (default: placed by the layout rule)').optional(),
    align: u64('Alignment when placed by the layout rule, data modules only (default 0x1000)', powerOfTwo).optional(),
    flags: z.array(z.enum(MODULE_FLAGS)).superRefine(checkFlags).default([]).describe('Subset of ro, rw, preload'),
    decompress: z.boolean().optional().describe('Decompress gzip/xz/zstd before placing, data modules only (default false)'),
    cmdline: z.string().default('').describe('Module command line'),
  })
  .superRefine((m, ctx) => {
    if (m.load !== 'elf') return;
    for (const key of Object.keys(DATA_ONLY) as (keyof typeof DATA_ONLY)[]) {
      const value = m[key];
      if (value === undefined) continue;
      const shown = typeof value === 'bigint' ? hex(value) : String(value);
      report(ctx, [key], 'CONFIG_TYPE', `${key} = ${shown} is given for a module with load = "elf"; ${DATA_ONLY[key]}`, `remove ${key}, or set load = "data"`);
    }
  });

function checkFlags(flags: readonly string[], ctx: z.RefinementCtx): void {
  noRepeats(flags, ctx);
  if (flags.includes('ro') && flags.includes('rw')) {
    report(ctx, [], 'CONFIG_TYPE', 'flags "ro" and "rw" contradict each other', 'keep one of them');
  }
}

/** The name a module is known by: its own, or its file's. */
export function moduleName(m: { name?: string | undefined; path: string }): string {
  return m.name ?? basename(m.path);
}

/** Names are unique among the entries of `[[kind]]`. */
function uniqueNames(kind: 'module' | 'range') {
  return (entries: readonly { name?: string | undefined; path: string }[], ctx: z.RefinementCtx): void => {
    const first = new Map<string, number>();
    entries.forEach((m, i) => {
      const name = moduleName(m);
      const j = first.get(name);
      if (j === undefined) {
        first.set(name, i);
        return;
      }
      const named = m.name !== undefined;
      const hint = named ? `give each ${kind} a distinct name` : `add a name: a ${kind} without one is named after its file`;
      report(ctx, [i, 'name'], 'CONFIG_TYPE', `${kind} name "${name}"${named ? '' : ' (from path)'} is already used by ${kind}[${j}]`, hint);
    });
  };
}

const memoryEntry = z
  .strictObject({
    start: u64('First address of the region'),
    end: u64('End of the region, exclusive; give end or size').optional(),
    size: u64('Size of the region; give end or size', positive).optional(),
    type: z.enum(REGION_TYPES).default('usable'),
    name: nonEmpty('Region name (default: "<type> <index>")').optional(),
  })
  // Exactly one of end/size, so this is where the entry becomes a half-open [start, end).
  .transform((e, ctx) => {
    const { start, end, size, type, name } = e;
    if (end !== undefined && size !== undefined) {
      report(ctx, ['size'], 'CONFIG_TYPE', `give end or size, not both (end = ${hex(end)}, size = ${hex(size)})`, 'remove one of them');
      return z.NEVER;
    }
    const stop = size === undefined ? end : start + size;
    if (stop === undefined) {
      report(ctx, ['end'], 'CONFIG_MISSING', 'required key is missing: give end (exclusive) or size');
    } else if (stop <= start) {
      report(ctx, ['end'], 'CONFIG_TYPE', `end ${hex(stop)} is not above start ${hex(start)}`);
    } else if (stop > U64_MAX + 1n) {
      report(ctx, ['size'], 'CONFIG_TYPE', `start ${hex(start)} + size ${hex(stop - start)} is past the 64-bit address space`);
    } else {
      return { start, end: stop, type, name };
    }
    return z.NEVER;
  });

const mediaTable = z.strictObject({
  type: z.enum(['disk', 'none']).default('disk').describe('Boot media to write besides the .mimg'),
  firmware: z
    .array(z.enum(['bios', 'uefi']))
    .min(1, 'must list at least one of bios, uefi, got []')
    .superRefine(noRepeats)
    .default(['bios'])
    .describe('Firmware the media boots on'),
  partitioning: z.enum(['mbr', 'gpt']).default('gpt'),
  output: nonEmpty('The disk image to write, relative to this file (default: this file name with .img)').optional(),
  size: u64('Size of the BIOS boot partition in bytes, a multiple of 512 (default: sized for its content, rounded up to 1 MiB)', sectors).optional(),
}).superRefine((m, ctx) => {
  if (!m.firmware.includes('uefi')) return;
  if (m.partitioning !== 'gpt') report(ctx, ['partitioning'], 'CONFIG_TYPE', 'firmware "uefi" boots from a GPT disk with an EFI system partition, and partitioning is "mbr"', 'set partitioning = "gpt"');
  if (m.size !== undefined && !m.firmware.includes('bios')) {
    report(ctx, ['size'], 'CONFIG_TYPE', 'size sets the BIOS boot partition, and firmware is ["uefi"]: the EFI system partition is sized for its content', 'remove size');
  }
});

const rangeEntry = z
  .strictObject({
    name: nonEmpty('Range name: unique, at most 31 bytes, no spaces (default: the file name of path)').optional(),
    path: nonEmpty('The file stored as the range, relative to this file'),
    flags: z.array(z.enum(RANGE_FLAGS)).superRefine(checkFlags).default([]).describe('Subset of preload, ro, rw'),
  })
  .superRefine((r, ctx) => {
    const problem = rangeNameProblem(moduleName(r));
    if (problem !== undefined) report(ctx, [r.name === undefined ? 'path' : 'name'], 'CONFIG_TYPE', problem + (r.name === undefined ? ' (the name comes from path)' : ''), r.name === undefined ? 'give the range a name' : undefined);
  });

/** Run a rule that reads several sections only once those sections parsed (an unknown key in them does not matter). */
function sectionsParsed(...sections: string[]) {
  return (payload: z.core.ParsePayload): boolean =>
    !payload.issues.some((i) => i.code !== 'unrecognized_keys' && (i.path === undefined || i.path.length === 0 || sections.includes(String(i.path[0]))));
}

export const configSchema = z
  .strictObject({
    image: imageTable,
    kernel: kernelTable,
    module: z.array(moduleEntry).superRefine(uniqueNames('module')).default([]).describe('Modules, in the order the kernel is handed them'),
    range: z.array(rangeEntry).superRefine(uniqueNames('range')).default([]).describe('Ranges stored on the boot disk, in this order (media of type disk)'),
    memory: z.array(memoryEntry).optional().describe('Custom memory map (with image.memory = "custom")'),
    media: mediaTable.optional(),
  })
  .superRefine(
    (c, ctx) => {
      if (c.kernel.initrd !== undefined && c.image.protocol !== 'linux') {
        report(ctx, ['kernel', 'initrd'], 'CONFIG_TYPE', `an initrd is passed by protocol "linux" only, and protocol is "${c.image.protocol}"`, 'remove initrd, or pass the file as a [[module]]');
      }
      if (c.kernel.linux_entry !== undefined && c.image.protocol !== 'linux') {
        report(ctx, ['kernel', 'linux_entry'], 'CONFIG_TYPE', `linux_entry applies to protocol "linux" only, and protocol is "${c.image.protocol}"`, 'remove linux_entry');
      }
    },
    { when: sectionsParsed('image', 'kernel') },
  )
  .superRefine(
    (c, ctx) => {
      if (c.image.framebuffer_required !== undefined && c.image.framebuffer === undefined) {
        report(ctx, ['image', 'framebuffer_required'], 'CONFIG_TYPE', 'framebuffer_required is given without framebuffer', 'add framebuffer = "WIDTHxHEIGHTxDEPTH", or remove framebuffer_required');
      }
      if (c.image.framebuffer !== undefined && c.image.protocol === 'linux') {
        report(ctx, ['image', 'framebuffer'], 'CONFIG_TYPE', 'protocol "linux" takes its video mode from its own command line', 'remove framebuffer, and give Linux video= or vga= in cmdline');
      }
    },
    { when: sectionsParsed('image') },
  )
  .superRefine(
    (c, ctx) => {
      if (c.range.length > 0 && c.media?.type !== 'disk') {
        const why = c.media === undefined ? 'there is no [media]' : `[media] type is "${c.media.type}"`;
        report(ctx, ['range'], 'CONFIG_TYPE', `[[range]] entries are stored on the boot disk, but ${why}`, 'add [media] with type = "disk", or remove the [[range]] entries');
      }
    },
    { when: sectionsParsed('range', 'media') },
  )
  .superRefine(
    (c, ctx) => {
      const entries = c.memory?.length ?? 0;
      if (c.image.memory === 'custom' && entries === 0) {
        report(ctx, ['memory'], 'CONFIG_MISSING', 'image.memory is "custom" but there are no [[memory]] entries', 'add [[memory]] entries, or set memory = "pc"');
      } else if (c.image.memory === 'pc' && entries > 0) {
        report(ctx, ['image', 'memory'], 'CONFIG_TYPE', `memory is "pc" but ${entries} [[memory]] ${entries === 1 ? 'entry is' : 'entries are'} given`, 'set memory = "custom" to use them, or remove them');
      }
    },
    { when: sectionsParsed('image', 'memory') },
  )
  .describe('mimg build configuration (mimg.toml / mimg.json)');

export type Config = z.output<typeof configSchema>;

/** The keys each table allows, for "did you mean" on an unknown key; indexed by the first key of its path. */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(configSchema.shape),
  image: Object.keys(imageTable.shape),
  kernel: Object.keys(kernelTable.shape),
  module: Object.keys(moduleEntry.shape),
  memory: Object.keys(memoryEntry.in.shape),
  media: Object.keys(mediaTable.shape),
  range: Object.keys(rangeEntry.shape),
};

export function knownKeys(tablePath: readonly PropertyKey[]): readonly string[] {
  return KNOWN_KEYS[tablePath.length === 0 ? '' : String(tablePath[0])] ?? [];
}
