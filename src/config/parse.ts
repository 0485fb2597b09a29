// mimg.toml / mimg.json text -> BuildSpec. Pure: the host reads the file and
// passes its text and path. Every problem comes back, all at once, as an Issue
// whose `where` is the key path the user would write: `module[1].address`.

import { basename, dirname, extname, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type * as z from 'zod';
import type { Code } from '../diagnostics/codes.js';
import { inFile, issue, type Issue, type Result } from '../diagnostics/issue.js';
import { configSchema, describeValue, knownKeys, moduleName, type Config } from './schema.js';
import type { BuildSpec, MemoryRegion, ModuleSpec } from './types.js';

export type ConfigFormat = 'toml' | 'json';

const DEFAULT_ALIGN = 0x1000n;

export function formatOf(path: string): ConfigFormat {
  return extname(path).toLowerCase() === '.json' ? 'json' : 'toml';
}

/**
 * Validate a config and normalize it. Relative paths in it are resolved
 * against the directory of `opts.path`, which issues name as given.
 */
export function parseConfig(text: string, opts: { path: string; format: ConfigFormat }): Result<BuildSpec> {
  // A byte-order mark belongs to the editor, not to the document.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const doc = opts.format === 'json' ? readJson(body) : readToml(body);
  if (doc.issues.length > 0) return { issues: inFile(opts.path, doc.issues) };
  const parsed = configSchema.safeParse(doc.value, { reportInput: true });
  if (!parsed.success) return { issues: inFile(opts.path, parsed.error.issues.flatMap(fromZod)) };
  return { value: toBuildSpec(parsed.data, opts.path), issues: [] };
}

// ---------------------------------------------------------------------------
// Syntax

function readToml(text: string): Result<unknown> {
  try {
    // Integers as bigint, so that addresses above 2^53 stay exact.
    return { value: parseToml(text, { integersAsBigInt: true }), issues: [] };
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    // The first line says what is wrong; the rest is a code excerpt a one-line report has no room for.
    const what = e.message.split('\n', 1)[0]!.replace(/^Invalid TOML document: /, '');
    return { issues: [issue('CONFIG_SYNTAX', what, { where: `${e.line}:${e.column}` })] };
  }
}

function readJson(text: string): Result<unknown> {
  try {
    return { value: JSON.parse(text) as unknown, issues: [] };
  } catch (e) {
    // V8 appends a position or a snippet of the text (or neither); the place goes in `where` instead.
    const what = (e as SyntaxError).message.replace(/ in JSON at position \d+.*$|, ".*" is not valid JSON$/s, '');
    return { issues: [issue('CONFIG_SYNTAX', what, { where: lineColumn(text, jsonErrorOffset(text)) })] };
  }
}

const JSON_SPACE = /[ \t\n\r]*/y;
const JSON_STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const JSON_SCALAR = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null/y;

/** Where invalid JSON goes wrong. Node 20's JSON.parse does not always say, so rescan with the grammar. */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const eat = (re: RegExp): boolean => {
    re.lastIndex = i;
    if (!re.test(text)) return false;
    i = re.lastIndex;
    return true;
  };
  const punct = (c: string): boolean => {
    eat(JSON_SPACE);
    if (text[i] !== c) return false;
    i++;
    return true;
  };
  const list = (close: string, item: () => boolean): boolean => {
    if (punct(close)) return true;
    do if (!item()) return false;
    while (punct(','));
    return punct(close);
  };
  const value = (): boolean => {
    if (punct('{')) return list('}', () => eat(JSON_SPACE) && eat(JSON_STRING) && punct(':') && value());
    if (punct('[')) return list(']', value);
    eat(JSON_SPACE);
    return eat(JSON_STRING) || eat(JSON_SCALAR);
  };
  if (value()) eat(JSON_SPACE); // valid so far: what follows is the error
  return i;
}

/** 1-based `line:column` of a string offset. */
function lineColumn(text: string, offset: number): string {
  const lines = text.slice(0, offset).split('\n');
  return `${lines.length}:${lines[lines.length - 1]!.length + 1}`;
}

// ---------------------------------------------------------------------------
// Schema issues -> our issues

const NOUN: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  object: 'a table',
  array: 'an array',
};

function fromZod(zi: z.core.$ZodIssue): Issue[] {
  const where = keyPath(zi.path);
  switch (zi.code) {
    case 'unrecognized_keys':
      return zi.keys.map((key) => issue('CONFIG_KEY', unknownKey(key, knownKeys(zi.path)), { where: keyPath([...zi.path, key]) }));
    case 'invalid_type':
      if (zi.input === undefined) return [issue('CONFIG_MISSING', `required ${zi.expected === 'object' ? 'table' : 'key'} is missing`, { where })];
      return [issue('CONFIG_TYPE', `expected ${NOUN[zi.expected] ?? zi.expected}, got ${describeValue(zi.input)}`, { where })];
    case 'invalid_value':
      return [oneOf(zi.values.map(String), zi.input, where)];
    case 'custom': {
      // Our own rules (schema.ts `report`) carry their code and hint.
      const { code = 'CONFIG_TYPE', hint } = (zi.params ?? {}) as { code?: Code; hint?: string };
      return [issue(code, zi.message, { where, ...(hint !== undefined && { hint }) })];
    }
    default:
      return [issue('CONFIG_TYPE', zi.message, { where })];
  }
}

function oneOf(values: readonly string[], input: unknown, where: string): Issue {
  const list = values.join(', ');
  if (input === undefined) return issue('CONFIG_MISSING', `required key is missing; expected one of ${list}`, { where });
  const guess = typeof input === 'string' ? closest(input, values) : undefined;
  const suggestion = guess === undefined ? '' : `; did you mean "${guess}"?`;
  return issue('CONFIG_TYPE', `expected one of ${list}, got ${describeValue(input)}${suggestion}`, { where });
}

function unknownKey(key: string, known: readonly string[]): string {
  const guess = closest(key, known);
  return `unknown key "${key}"${guess === undefined ? '' : `; did you mean "${guess}"?`}`;
}

/** `module[1].address`: a path as the user would write it; odd keys are quoted. */
export function keyPath(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => {
      if (typeof k === 'number') return `[${k}]`;
      const name = /^[\w-]+$/.test(String(k)) ? String(k) : JSON.stringify(String(k));
      return i === 0 ? name : `.${name}`;
    })
    .join('');
}

/** The known word nearest to `word`, if it is within 2 edits (a typo, not a different word). */
function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(word.toLowerCase(), k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

// ---------------------------------------------------------------------------
// Validated config -> BuildSpec

function toBuildSpec(c: Config, configPath: string): BuildSpec {
  const dir = dirname(configPath);
  const at = (p: string): string => resolve(dir, p);
  const stem = basename(configPath, extname(configPath));
  const { image, kernel, media } = c;
  return {
    configPath: resolve(configPath),
    image: {
      protocol: image.protocol,
      cmdline: image.cmdline,
      memory: c.memory?.length ? { profile: 'custom', regions: c.memory.map(toRegion) } : { profile: 'pc' },
      ram: image.ram,
      integrity: image.integrity === 'fast' ? 'xxh64' : 'sha256',
      ...(image.bootinfo !== undefined && { bootInfoAddress: image.bootinfo }),
      ...(image.bootinfo_size !== undefined && { bootInfoSize: image.bootinfo_size }),
      output: at(image.output ?? `${stem}.mimg`),
      ...(image.framebuffer !== undefined && { framebuffer: { ...image.framebuffer, required: image.framebuffer_required ?? false } }),
    },
    kernel: {
      path: at(kernel.path),
      ...(kernel.initrd !== undefined && { initrd: at(kernel.initrd) }),
      ...(kernel.linux_entry !== undefined && { linuxEntry: kernel.linux_entry }),
      key: 'kernel.path',
    },
    modules: c.module.map((m, i) => toModule(m, i, at)),
    ranges: c.range.map((r, i) => ({ name: moduleName(r), path: at(r.path), flags: r.flags, key: `range[${i}]` })),
    ...(media !== undefined && {
      media: {
        type: media.type,
        firmware: media.firmware,
        partitioning: media.partitioning,
        output: at(media.output ?? `${stem}.img`),
        ...(media.size !== undefined && { size: media.size }),
      },
    }),
  };
}

function toRegion(e: NonNullable<Config['memory']>[number], index: number): MemoryRegion {
  return { start: e.start, end: e.end, type: e.type, name: e.name ?? `${e.type} ${index}` };
}

function toModule(m: Config['module'][number], index: number, at: (p: string) => string): ModuleSpec {
  return {
    name: moduleName(m),
    path: at(m.path),
    load: m.load,
    ...(m.address !== undefined && { address: m.address }),
    align: m.align ?? DEFAULT_ALIGN,
    flags: m.flags,
    decompress: m.decompress ?? false,
    cmdline: m.cmdline,
    key: `module[${index}]`,
  };
}
