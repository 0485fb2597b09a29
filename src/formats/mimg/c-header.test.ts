// Keeps stages/include/mimg_format.h in step with struct.ts, and checks that C
// lays the structures out at the table's offsets on both targets the stages
// are built for. Run with MIMG_UPDATE_HEADERS=1 to rewrite the header.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { C_HEADER_PATH, cHeader } from './c-header.js';

const ROOT = new URL('../../../../', import.meta.url);
const HEADER_FILE = new URL(C_HEADER_PATH, ROOT);
const INCLUDE_DIR = fileURLToPath(new URL('.', HEADER_FILE));

const noClang = spawnSync('clang', ['--version']).error ? 'clang is not installed' : undefined;

test(`${C_HEADER_PATH} is what c-header.ts generates`, () => {
  const want = cHeader();
  if (process.env.MIMG_UPDATE_HEADERS === '1') {
    writeFileSync(HEADER_FILE, want);
    return;
  }
  assert.equal(readFileSync(HEADER_FILE, 'utf8'), want, `${C_HEADER_PATH} is stale; run MIMG_UPDATE_HEADERS=1 node test/run.mjs c-header`);
});

test(`${C_HEADER_PATH} compiles, with every offset asserted, for i386 and x86_64`, { skip: noClang }, () => {
  // Included, not compiled as the main file, so its unused static inline predicates do not warn.
  const source = '#include "mimg_format.h"\n';
  for (const arch of ['-m32', '-m64']) {
    const r = spawnSync(
      'clang',
      ['-std=c11', '-ffreestanding', '-Wall', '-Wextra', '-Wpedantic', '-Wpadded', '-Werror', '-fsyntax-only', arch, '-I', INCLUDE_DIR, '-x', 'c', '-'],
      { input: source, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, `clang ${arch}: ${r.stderr}`);
  }
});
