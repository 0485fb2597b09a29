// One validator spec, two implementations, one corpus (STYLE.md habit 11):
// the C verifier of stages/common/, compiled for the host, and the TypeScript
// verifier judge the same images — valid ones of several shapes, one
// corruption per rule, and seeded random mutations — and must agree on
// valid/invalid, with the C verdict's code among those TypeScript reports.
// The C digests are checked against node:crypto, xxhash-wasm and the TS CRC-32,
// the formatter against its header, and the C sources must build freestanding
// for i386 without libgcc helpers or relocated data. Without a C compiler the
// tests are skipped, visibly.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import xxhash from 'xxhash-wasm';
import type { Issue } from '../../src/diagnostics/issue.js';
import { crc32 } from '../../src/formats/checksum/crc32.js';
import { initDigests, verifyImage } from '../../src/formats/mimg/index.js';
import { corruptions, encodeBase, filler, mutations, rng, validImages, type Sample } from '../support/mimg-corpus.js';
import { missingTools, run, tempDir } from '../support/toolchain.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const INCLUDE = join(ROOT, 'stages/include');
/** The C verifier and everything it calls. */
const SOURCES = ['verify', 'sha256', 'xxh64', 'crc32', 'fmt'].map((name) => join(ROOT, `stages/common/${name}.c`));
const CFLAGS = ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-I', INCLUDE];
/** Out-of-bounds reads on a corrupt image are the bugs a verifier is most likely to have. */
const SANITIZE = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all'];
/** verify_main exits with the number of the first failing rule, 1 to 19. */
const MIMG_RULES = 19;
/** Distinct from every rule number. */
const SANITIZER_EXIT = 99;
/** Random mutations compared; a third each of byte changes, truncations/extensions and resealed field values. */
const MUTATIONS = 600;
const SEED = 0x6d696d67;

const noCc = missingTools('cc');
const noFreestanding = missingTools('clang', 'nm', 'readelf');

let sanitized = false;
let verifyBin = '';
let digestBin = '';
let fmtBin = '';

/** Builds a host program from test/stages/<main>.c and SOURCES. */
function build(main: string): string {
  const out = join(tempDir(), main);
  const args = [...CFLAGS, '-o', out, join(ROOT, `test/stages/${main}.c`), ...SOURCES];
  run('cc', sanitized ? [...SANITIZE, ...args] : args);
  return out;
}

before(async () => {
  await initDigests();
  if (noCc !== undefined) return;
  // Sanitizers when this cc has them (Debian's gcc and clang do); the comparison holds either way.
  const probe = join(tempDir(), 'probe.c');
  writeFileSync(probe, 'int main(void) { return 0; }\n');
  sanitized = spawnSync('cc', [...SANITIZE, '-o', join(tempDir(), 'probe'), probe]).status === 0;
  verifyBin = build('verify_main');
  digestBin = build('digest_main');
  fmtBin = build('fmt_main');
});

interface CVerdict {
  /** The first failing rule, 0 when valid. */
  rule: number;
  /** `CODE where`, '' when valid. */
  key: string;
  code: string;
  line: string;
}

function cVerify(sample: Sample): CVerdict {
  const file = join(tempDir(), 'case.mimg');
  writeFileSync(file, sample.bytes);
  const r = spawnSync(verifyBin, [file], {
    encoding: 'utf8',
    env: { ...process.env, ASAN_OPTIONS: `exitcode=${SANITIZER_EXIT}`, UBSAN_OPTIONS: `exitcode=${SANITIZER_EXIT}:print_stacktrace=1` },
  });
  assert.equal(r.stderr, '', `${sample.name}: verify_main exited with ${r.status ?? r.signal} and wrote to stderr:\n${r.stderr}`);
  assert.ok(r.status !== null && r.status <= MIMG_RULES, `${sample.name}: verify_main exited with ${r.status ?? r.signal}`);
  const line = r.stdout.trimEnd();
  if (r.status === 0) {
    assert.equal(line, 'OK', sample.name);
    return { rule: 0, key: '', code: '', line };
  }
  // "CODE where: what"; no `where` holds a colon.
  const m = /^(MIMG_[A-Z]+) ([^:]+): ./.exec(line);
  assert.ok(m, `${sample.name}: verify_main printed ${JSON.stringify(line)}, not "CODE where: what"`);
  return { rule: r.status, key: `${m[1]} ${m[2]}`, code: m[1]!, line };
}

const keys = (issues: readonly Issue[]): string[] => issues.map((i) => `${i.code} ${i.where}`);

/** Both verifiers on one image: same validity, and the C code among the TS codes. Returns both verdicts. */
function compare(sample: Sample): { ts: string[]; c: CVerdict } {
  const ts = keys(verifyImage(sample.bytes).issues);
  const c = cVerify(sample);
  if (ts.length === 0) assert.equal(c.rule, 0, `${sample.name}: TypeScript finds it valid, C says: ${c.line}`);
  else {
    assert.notEqual(c.rule, 0, `${sample.name}: C finds it valid, TypeScript says: ${ts.join('; ')}`);
    assert.ok(ts.some((k) => k.startsWith(`${c.code} `)), `${sample.name}: C says ${c.line}; TypeScript says ${ts.join('; ')}`);
  }
  return { ts, c };
}

const skipNoCc = { skip: noCc };

test('valid images of every shape pass both verifiers', skipNoCc, () => {
  for (const sample of validImages()) compare(sample);
});

test('one corruption per rule: C stops at that rule, with a code and place TypeScript reports', skipNoCc, () => {
  const bases = [encodeBase('sha256'), encodeBase('xxh64')];
  for (const [rule, what, mutate] of corruptions) {
    for (const [i, base] of bases.entries()) {
      const name = `rule ${rule}: ${what} (${i === 0 ? 'sha256' : 'xxh64'})`;
      const { ts, c } = compare({ name, bytes: mutate(base) });
      assert.equal(c.rule, rule, `${name}: C stopped at rule ${c.rule}: ${c.line}`);
      assert.ok(ts.includes(c.key), `${name}: C says ${c.key}; TypeScript says ${ts.join('; ')}`);
    }
  }
});

test(`${MUTATIONS} seeded random mutations: both verifiers agree`, skipNoCc, (t) => {
  const pool = validImages().filter((s) => s.bytes.length < 0x40000);
  const rules = new Map<number, number>();
  let samePlace = 0;
  for (const sample of mutations(pool, MUTATIONS, SEED)) {
    const { ts, c } = compare(sample);
    rules.set(c.rule, (rules.get(c.rule) ?? 0) + 1);
    if (c.rule === 0 || ts.includes(c.key)) samePlace++;
  }
  // Only the code must match. The place may differ: where three sections overlap one
  // another, TypeScript's sweep names each overlap at the later section of the pair it
  // compares, which need not be the neighbour C compares first.
  const spread = [...rules].sort(([a], [b]) => a - b).map(([rule, n]) => `${rule === 0 ? 'valid' : `rule ${rule}`}: ${n}`);
  t.diagnostic(`C verdicts: ${spread.join(', ')}; same code and place as TypeScript: ${samePlace}/${MUTATIONS}${sanitized ? '' : '; without sanitizers (cc has none)'}`);
});

test('C SHA-256, XXH64 and CRC-32 match node:crypto, xxhash-wasm and the TS CRC-32, in one call and streamed', skipNoCc, async () => {
  const { h64Raw } = await xxhash();
  const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
  const next = rng(SEED);
  const inputs = [
    ascii('abc'),
    ascii('123456789'),
    ...Array.from({ length: 201 }, (_, n) => filler(n, n + 1)),
    ...Array.from({ length: 200 }, (_, i) => filler(next() % 10001, i + 1000)),
    filler(1 << 20, 7),
  ];
  const file = join(tempDir(), 'digest-inputs.bin');
  writeFileSync(file, Buffer.concat(inputs));
  const lines = run(digestBin, [file, ...inputs.map((b) => String(b.length))]).trimEnd().split('\n');
  assert.equal(lines.length, inputs.length);
  inputs.forEach((bytes, i) => {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const xxh = h64Raw(bytes, 0n).toString(16).padStart(16, '0');
    const crc = crc32(bytes).toString(16).padStart(8, '0');
    assert.equal(lines[i], [sha, sha, xxh, xxh, crc, crc].join(' '), `input ${i} (${bytes.length} bytes)`);
  });
  // The check values of docs/format/mimg.md section 7.
  assert.match(lines[0]!, /^ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad /);
  assert.match(lines[1]!, / 8cb841db40e6ae83 8cb841db40e6ae83 cbf43926 cbf43926$/);
});

test('fmt formats as stages/include/fmt.h documents', skipNoCc, () => {
  const r = spawnSync(fmtBin, [], { encoding: 'utf8' });
  assert.equal(r.status, 0, `fmt_main:\n${r.stdout}${r.stderr}`);
});

test('the verifier sources build freestanding for i386: no libgcc helpers, no relocated data', { skip: noFreestanding }, () => {
  const flags = ['-std=c99', '-m32', '-ffreestanding', '-fno-pic', '-mgeneral-regs-only', '-Wall', '-Wextra', '-Werror', '-I', INCLUDE, '-c'];
  const defined = new Set<string>();
  const undefinedSymbols = new Set<string>();
  for (const [source, opt] of SOURCES.flatMap((s) => ['-Os', '-O2'].map((o) => [s, o] as const))) {
    const object = join(tempDir(), `${source.split('/').pop()}${opt}.i386.o`);
    run('clang', [...flags, opt, '-o', object, source]);
    // Relocation sections for data mean pointers stored in data, which break when the loader moves itself.
    const relocated = [...run('readelf', ['-SW', object]).matchAll(/\s(\.rela?\.\S*(?:data|rodata)\S*)/g)].map((m) => m[1]);
    assert.deepEqual(relocated, [], `${source} ${opt}: data needing relocation`);
    for (const line of run('nm', [object]).split('\n')) {
      const m = /^\s*(?:[0-9a-f]+\s+)?([A-Za-z])\s+(\S+)$/.exec(line);
      if (m?.[1] === 'U') undefinedSymbols.add(m[2]!);
      else if (m?.[1] === 'T') defined.add(m[2]!);
    }
  }
  // Everything the sources call is defined among them: no __udivdi3, __umoddi3, memcpy or the like.
  assert.deepEqual([...undefinedSymbols].filter((s) => !defined.has(s)), []);
});
