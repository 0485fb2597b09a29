// The generated parts of the format specifications (docs/format/*.md): the
// Markdown tables made from src/bytes/table.ts declarations, and the check
// that keeps each `<!-- BEGIN generated:NAME -->` block equal to what its
// generator makes now. MIMG_UPDATE_DOCS=1 rewrites the blocks instead.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Enum, Field, Table } from '../../src/bytes/table.js';

export const hex = (n: number | bigint, width = 0): string => '0x' + n.toString(16).toUpperCase().padStart(width, '0');
const typeName = (f: Field): string => (f.type === 'bytes' ? `u8[${f.size}]` : f.type);

/** A structure's fields as a Markdown table; `at` is where the structure starts in its sector, added to every offset. */
export function structTable(t: Pick<Table, 'fields'>, at = 0): string {
  const rows = t.fields.map((f) => `| ${hex(at + f.offset, 2)} | ${f.size} | ${typeName(f)} | \`${f.name}\` | ${f.doc} |`);
  return ['| Offset | Size | Type | Field | Meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

export function enumTable(e: Enum<string>): string {
  const rows = e.entries.map(([name, code, doc]) => `| ${code} | \`${name}\` | ${doc} |`);
  return [`\`${e.field}\`:`, '', '| Value | Name | Meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Flag bits as a Markdown table, after a one-line `title`. */
export function flagTable(title: string, flags: readonly (readonly [string, number, string])[]): string {
  const rows = flags.map(([name, bit, doc]) => `| ${hex(bit, 4)} | \`${name}\` | ${doc} |`);
  return [title, '', '| Bit | Name | Meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Asserts that every generated block of `doc` (a file URL) is current; with MIMG_UPDATE_DOCS=1, rewrites them. */
export function checkGeneratedBlocks(doc: URL, blocks: Readonly<Record<string, () => string>>): void {
  const name = doc.pathname.replace(/^.*\/docs\//, 'docs/');
  let text = readFileSync(doc, 'utf8');
  const update = process.env.MIMG_UPDATE_DOCS === '1';
  for (const [block, generate] of Object.entries(blocks)) {
    const re = new RegExp(`(<!-- BEGIN generated:${block} -->\\n)([\\s\\S]*?)(<!-- END generated:${block} -->)`);
    const m = re.exec(text);
    assert.ok(m, `${name} has no generated:${block} block`);
    const want = generate() + '\n';
    if (update) text = text.replace(re, (_, begin: string, _old: string, end: string) => begin + want + end);
    else assert.equal(m[2], want, `${name}: generated:${block} is stale; run MIMG_UPDATE_DOCS=1 node test/run.mjs spec`);
  }
  if (update) writeFileSync(doc, text);
}
