// Keeps stages/include/bootvol.inc and bootvol.h in step with struct.ts, and
// checks them with the real tools: NASM places sample bytes at every offset
// bootvol.inc defines and must give what the TypeScript encoders write;
// clang compiles bootvol.h with every offset asserted, for i386 and x86_64.
// Run with MIMG_UPDATE_HEADERS=1 to rewrite the files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeMbr, mbrPartition } from '../mbr/mbr.js';
import { encodeRangeTable, pbrSector, stage1BootCode } from './encode.js';
import { C_HEADER_PATH, NASM_INCLUDE_PATH, NASM_STRUCTURES, cHeader, nasmInclude } from './headers.js';
import { PATCH_AT } from './struct.js';
import type { BootRange } from './types.js';
import { missingTools, tempDir } from '../../../test/support/toolchain.js';

const ROOT = new URL('../../../../', import.meta.url);
const INCLUDE_DIR = fileURLToPath(new URL('stages/include/', ROOT));

for (const [path, generate] of [[NASM_INCLUDE_PATH, nasmInclude], [C_HEADER_PATH, cHeader]] as const) {
  test(`${path} is what headers.ts generates`, () => {
    const file = new URL(path, ROOT);
    if (process.env.MIMG_UPDATE_HEADERS === '1') {
      writeFileSync(file, generate());
      return;
    }
    assert.equal(readFileSync(file, 'utf8'), generate(), `${path} is stale; run MIMG_UPDATE_HEADERS=1 node test/run.mjs bootvol/headers`);
  });
}

/** One sample of each structure, as the TypeScript encoders write it (the sector it lies in). */
function samples(): Record<string, Uint8Array> {
  const ranges: BootRange[] = [
    { name: 'mimgload', type: 'loader', flags: [], lba: 0x10n, size: 0x62f4n, loadAddress: 0x800000n, entry: 0x80000cn },
    { name: 'hello.mimg', type: 'image', flags: ['preload'], lba: 0x48n, size: 0x105000n, loadAddress: 0n, entry: 0n },
  ];
  const patch = { volumeLba: 0x0102030405060708n, stage2Lba: 0x11121314n, stage2Sectors: 0x2122 };
  const header = { version: 1, stage2Lba: 0x31323334n, stage2Sectors: 0x4142, rangesLba: 0x51525354n, rangesSectors: 0x61626364n, volumeLba: 0x7172737475767778n };
  const code = Uint8Array.from({ length: PATCH_AT }, (_, i) => i & 0xff);
  const partitions = [mbrPartition(0xda, 2048n, 4096n, true), mbrPartition(0x83, 6144n, 100n), mbrPartition(0x0c, 8192n, 1n), mbrPartition(0x07, 9000n, 7n)];
  const mbr = encodeMbr({ bootCode: stage1BootCode(code, patch), diskSignature: 0xa1b2c3d4, copyProtect: 0x5a5a, partitions });
  const table = encodeRangeTable(ranges);
  return {
    mbr,
    mimg_stage1_patch: mbr,
    mbr_partition: mbr.subarray(0x1be + 16),
    mimg_volume_header: pbrSector(Uint8Array.from({ length: 512 }, (_, i) => (i * 7) & 0xff), header),
    mimg_range_table: table,
    mimg_range: table.subarray(32 + 80),
  };
}

test(`NASM places bytes at ${NASM_INCLUDE_PATH}'s offsets as the TypeScript encoders do`, { skip: missingTools('nasm') }, () => {
  const dir = tempDir();
  const all = samples();
  for (const s of NASM_STRUCTURES) {
    const sample = all[s.table.name]!;
    const end = s.at + s.table.size;
    // Each field's bytes, placed at the offset bootvol.inc defines for it; the size define closes the structure.
    const source = [
      `%include "bootvol.inc"`,
      ...s.table.fields.flatMap((f) => [
        `times ${s.fields}_${f.name.toUpperCase()} - ($ - $$) db 0`,
        `db ${[...sample.subarray(s.at + f.offset, s.at + f.offset + f.size)].join(',')}`,
      ]),
      `times ${s.placed ? `${s.block}_OFFSET + ` : ''}${s.block}_SIZEOF - ($ - $$) db 0`,
    ].join('\n');
    const src = join(dir, `${s.table.name}.asm`);
    const out = join(dir, `${s.table.name}.bin`);
    writeFileSync(src, source + '\n');
    const r = spawnSync('nasm', ['-f', 'bin', '-Werror', '-I', INCLUDE_DIR, '-o', out, src], { encoding: 'utf8' });
    assert.equal(r.status, 0, `nasm ${s.table.name}: ${r.stderr}`);
    const want = new Uint8Array(end);
    want.set(sample.subarray(s.at, end), s.at);
    assert.deepEqual(new Uint8Array(readFileSync(out)), want, `${s.table.name}: NASM's bytes differ from the encoder's`);
  }
  // The magic values, as NASM stores them.
  const src = join(dir, 'magic.asm');
  const out = join(dir, 'magic.bin');
  writeFileSync(src, '%include "bootvol.inc"\ndw MBR_PATCH_MAGIC_VALUE\ndq VOLHDR_MAGIC_VALUE\ndq RNGTAB_MAGIC_VALUE\ndw MBR_BOOT_SIGNATURE_VALUE\n');
  const r = spawnSync('nasm', ['-f', 'bin', '-Werror', '-I', INCLUDE_DIR, '-o', out, src], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(out, 'latin1'), 'IMMIMGVOL1MIMGRNGS\x55\xaa');
});

test(`${C_HEADER_PATH} compiles, with every offset asserted, for i386 and x86_64`, { skip: missingTools('clang') }, () => {
  for (const arch of ['-m32', '-m64']) {
    const r = spawnSync(
      'clang',
      ['-std=c11', '-ffreestanding', '-Wall', '-Wextra', '-Wpedantic', '-Wpadded', '-Werror', '-fsyntax-only', arch, '-I', INCLUDE_DIR, '-x', 'c', '-'],
      { input: '#include "bootvol.h"\n', encoding: 'utf8' },
    );
    assert.equal(r.status, 0, `clang ${arch}: ${r.stderr}`);
  }
});
