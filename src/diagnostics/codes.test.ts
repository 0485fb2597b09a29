import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CODES } from './codes.js';

test('docs/errors.md documents exactly the codes in CODES', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^### ([A-Z0-9_]+)$/gm)].map((m) => m[1]).sort();
  assert.deepEqual(documented, Object.keys(CODES).sort());
});
