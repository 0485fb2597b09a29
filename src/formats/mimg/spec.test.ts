// Keeps docs/format/mimg.md in step with the code: its structure tables and
// worked example are generated here from struct.ts and the writer, its C
// declarations by c-header.ts (test/support/spec-doc.ts checks the blocks;
// MIMG_UPDATE_DOCS=1 rewrites them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader } from '../../bytes/reader.js';
import { readTable } from '../../bytes/table.js';
import { cDeclarations } from './c-header.js';
import { encodeImage } from './encode.js';
import {
  CPU_MODE, DIGEST_ALG, FB_FLAG, HEADER, PROTOCOL, SECTION, SECTION_FLAG, SECTION_TYPE,
  type Enum,
} from './struct.js';
import type { MimgImage, MimgSection } from './types.js';
import { verifyImage } from './verify.js';
import { checkGeneratedBlocks, enumTable, flagTable, hex, structTable } from '../../../test/support/spec-doc.js';

const DOC = new URL('../../../../docs/format/mimg.md', import.meta.url);

function enumTables(): string {
  return [
    ...[PROTOCOL, CPU_MODE, DIGEST_ALG, SECTION_TYPE].map((e) => enumTable(e as Enum<string>)),
    flagTable('`flags` (section entry; every other bit must be 0, and `ro` and `rw` must not both be set):', SECTION_FLAG),
    flagTable('`fb_flags` (header, version 1.1; every other bit must be 0, and `required` and `text` need `requested`):', FB_FLAG),
  ].join('\n\n');
}

/** The worked example: a kernel that halts, a boot information block and a one-line module. */
function exampleImage(): Uint8Array {
  const section = (s: Partial<MimgSection> & Pick<MimgSection, 'type' | 'dest' | 'memSize' | 'fileSize' | 'name'>): MimgSection => ({
    flags: [], fileOffset: 0n, digest: new Uint8Array(32), component: 0, cmdline: '', ...s,
  });
  const image: MimgImage = {
    header: {
      versionMajor: 1, versionMinor: 0, protocol: 'multiboot1', cpuMode: 'protected32', digest: 'sha256', entry: 0x100000n,
      bootInfoAddr: 0x10000n, bootInfoSize: 0x1000n, ramRequired: 0x2000000n, cmdline: 'console=ttyS0', fileSize: 0n,
    },
    sections: [
      section({ type: 'bootinfo', dest: 0x10000n, memSize: 0x1000n, fileSize: 0n, name: 'bootinfo' }),
      section({ type: 'exec', dest: 0x100000n, memSize: 0x1000n, fileSize: 4n, name: 'kernel', flags: ['ro', 'x'] }),
      section({ type: 'module', dest: 0x200000n, memSize: 0x1000n, fileSize: 6n, name: 'greeting', cmdline: 'lang=en', flags: ['ro'], component: 1 }),
    ],
  };
  // cli; hlt; jmp back to the hlt
  const code = Uint8Array.of(0xfa, 0xf4, 0xeb, 0xfd);
  return encodeImage(image, [new Uint8Array(0), code, new TextEncoder().encode('hello\n')]);
}

/** `hexdump -C` output, repeated lines folded into `*`. */
function hexdump(bytes: Uint8Array): string {
  const out: string[] = [];
  let previous = '';
  let folded = false;
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hexes = [...row].map((b) => b.toString(16).padStart(2, '0'));
    const body = `${hexes.slice(0, 8).join(' ')}  ${hexes.slice(8).join(' ')}`;
    if (body === previous && row.length === 16) {
      if (!folded) out.push('*');
      folded = true;
      continue;
    }
    previous = body;
    folded = false;
    const text = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    out.push(`${at.toString(16).padStart(8, '0')}  ${body.padEnd(49)} |${text}|`);
  }
  out.push(bytes.length.toString(16).padStart(8, '0'));
  return out.join('\n');
}

function fieldValue(v: number | bigint | Uint8Array): string {
  if (!(v instanceof Uint8Array)) return hex(v);
  return v.every((b) => b === 0) ? `${v.length} × 00` : [...v].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function example(): string {
  const bytes = exampleImage();
  assert.deepEqual(verifyImage(bytes).issues, [], 'the worked example must be a valid image');
  const r = new Reader(bytes);
  const h = readTable(r, 0, HEADER) as Record<string, number | bigint | Uint8Array>;
  const count = Number(h.section_count);
  const entries = Array.from({ length: count }, (_, i) => readTable(r, HEADER.size + SECTION.size * i, SECTION) as Record<string, number | bigint | Uint8Array>);
  const headerRows = HEADER.fields.map((f) => `| ${hex(f.offset, 2)} | \`${f.name}\` | ${fieldValue(h[f.name]!)} |`);
  const sectionRows = SECTION.fields.map((f) => `| ${hex(f.offset, 2)} | \`${f.name}\` | ${entries.map((e) => fieldValue(e[f.name]!)).join(' | ')} |`);
  const sectionHead = `| Offset | Field | ${entries.map((_, i) => `section ${i} (at ${hex(HEADER.size + SECTION.size * i)})`).join(' | ')} |`;
  return [
    '```',
    hexdump(bytes),
    '```',
    '',
    'Header fields:',
    '',
    '| Offset | Field | Value |',
    '|---|---|---|',
    ...headerRows,
    '',
    'Section entries:',
    '',
    sectionHead,
    `|---|---|${'---|'.repeat(count)}`,
    ...sectionRows,
  ].join('\n');
}

test('docs/format/mimg.md: generated blocks match struct.ts and the writer', () => {
  checkGeneratedBlocks(DOC, {
    'header-table': () => structTable(HEADER),
    'section-table': () => structTable(SECTION),
    enums: enumTables,
    'c-declarations': () => ['```c', cDeclarations(), '```'].join('\n'),
    example,
  });
});
