// Keeps stages/include/mimg_boot.h in step with struct.ts and compiles it,
// every offset asserted, for i386 and x86_64; keeps the generated blocks of
// docs/protocol/mimg.md current. MIMG_UPDATE_HEADERS=1 rewrites the header,
// MIMG_UPDATE_DOCS=1 the document.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Enum } from '../../bytes/table.js';
import { checkGeneratedBlocks, enumTable, structTable } from '../../../test/support/spec-doc.js';
import { C_HEADER_PATH, bootCHeader, bootDeclarations } from './c-header.js';
import { BOOT_FRAMEBUFFER, BOOT_FRAMEBUFFER_TYPE, BOOT_HEADER, BOOT_MEMORY_TYPE, BOOT_MMAP_ENTRY, BOOT_MODULE } from './struct.js';

const ROOT = new URL('../../../../', import.meta.url);
const HEADER_FILE = new URL(C_HEADER_PATH, ROOT);
const noClang = spawnSync('clang', ['--version']).error ? 'clang is not installed' : undefined;

test(`${C_HEADER_PATH} is what c-header.ts generates`, () => {
  if (process.env.MIMG_UPDATE_HEADERS === '1') {
    writeFileSync(HEADER_FILE, bootCHeader());
    return;
  }
  assert.equal(readFileSync(HEADER_FILE, 'utf8'), bootCHeader(), `${C_HEADER_PATH} is stale; run MIMG_UPDATE_HEADERS=1 node test/run.mjs mimgboot`);
});

test(`${C_HEADER_PATH} compiles, every offset asserted, for i386 and x86_64`, { skip: noClang }, () => {
  for (const arch of ['-m32', '-m64']) {
    const r = spawnSync(
      'clang',
      ['-std=c11', '-ffreestanding', '-Wall', '-Wextra', '-Wpedantic', '-Wpadded', '-Werror', '-fsyntax-only', arch, '-I', fileURLToPath(new URL('.', HEADER_FILE)), '-x', 'c', '-'],
      { input: '#include "mimg_boot.h"\n', encoding: 'utf8' },
    );
    assert.equal(r.status, 0, `clang ${arch}: ${r.stderr}`);
  }
});

test('docs/protocol/mimg.md: generated blocks match struct.ts', () => {
  checkGeneratedBlocks(new URL('docs/protocol/mimg.md', ROOT), {
    'boot-header': () => structTable(BOOT_HEADER),
    'boot-mmap': () => structTable(BOOT_MMAP_ENTRY),
    'boot-module': () => structTable(BOOT_MODULE),
    'boot-framebuffer': () => structTable(BOOT_FRAMEBUFFER),
    'boot-enums': () => [BOOT_MEMORY_TYPE, BOOT_FRAMEBUFFER_TYPE].map((e) => enumTable(e as Enum<string>)).join('\n\n'),
    'boot-c': () => '```c\n' + bootDeclarations() + '\n```',
  });
});
