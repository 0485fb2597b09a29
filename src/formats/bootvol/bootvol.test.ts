// The boot volume's codecs and rules: what the encoders write decodes to the
// same values; every gate and every rule of docs/format/boot-volume.md
// section 5 is reached by a corruption that names its field.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from '../checksum/crc32.js';
import { decodePatch, decodeRangeTable, decodeVolumeHeader } from './decode.js';
import { encodeRangeTable, pbrSector, rangeTableSectors, stage1BootCode } from './encode.js';
import { RANGE, RANGE_TABLE, VOLUME_HEADER, VOLUME_HEADER_AT, rangeNameProblem } from './struct.js';
import type { BootRange, VolumeHeader } from './types.js';
import { verifyPatch, verifyVolume } from './verify.js';

const header: VolumeHeader = { version: 1, stage2Lba: 1n, stage2Sectors: 20, rangesLba: 21n, rangesSectors: 1n, volumeLba: 2048n };
const range = (r: Partial<BootRange> & Pick<BootRange, 'name' | 'type' | 'lba' | 'size'>): BootRange => ({ flags: [], loadAddress: 0n, entry: 0n, ...r });
const ranges: BootRange[] = [
  range({ name: 'mimgload', type: 'loader', lba: 24n, size: 0xf670n, loadAddress: 0x800000n, entry: 0x800030n }),
  range({ name: 'hello.mimg', type: 'image', flags: ['preload'], lba: 152n, size: 0x309en }),
  range({ name: 'rootfs', type: 'data', flags: ['preload', 'ro'], lba: 184n, size: 0x4000000n }),
];
const place = { lba: 2048n, sectors: 0x40000n };

const where = (issues: readonly { code: string; where?: string }[]): string[] => issues.map((i) => `${i.code} ${i.where}`);

/** The range table with `edit` applied to its bytes and both CRCs made right again, to reach the rules behind them. */
function resealed(edit: (b: Uint8Array, view: DataView) => void, list = ranges): Uint8Array {
  const b = encodeRangeTable(list);
  const view = new DataView(b.buffer);
  edit(b, view);
  const count = view.getUint32(RANGE_TABLE.f.count.offset, true);
  const end = Math.min(b.length, RANGE_TABLE.size + RANGE.size * count);
  view.setUint32(RANGE_TABLE.f.entries_crc32.offset, crc32(b.subarray(RANGE_TABLE.size, end)), true);
  view.setUint32(RANGE_TABLE.f.header_crc32.offset, crc32(b.subarray(0, RANGE_TABLE.f.header_crc32.offset)), true);
  return b;
}
const entry = (i: number, field: keyof typeof RANGE.f): number => RANGE_TABLE.size + RANGE.size * i + RANGE.f[field].offset;

test('patch block, volume header and range table decode to what was encoded', () => {
  const patch = { volumeLba: 0x123456789n, stage2Lba: 1n, stage2Sectors: 20 };
  const code = stage1BootCode(Uint8Array.of(0xeb, 0xfe), patch);
  assert.equal(code.length, 0x1b8);
  assert.deepEqual(decodePatch(code), { value: patch, issues: [] });
  const pbr = pbrSector(new Uint8Array(512), header);
  assert.deepEqual(decodeVolumeHeader(pbr), { value: header, issues: [] });
  const table = encodeRangeTable(ranges);
  assert.equal(BigInt(table.length), rangeTableSectors(ranges.length) * 512n);
  assert.deepEqual(decodeRangeTable(table), { value: ranges, issues: [] });
  assert.deepEqual(verifyVolume(header, ranges, place), []);
  assert.deepEqual(verifyPatch(patch, { ...header, volumeLba: patch.volumeLba }), []);
});

test('no patch magic: no patch block, and no issue', () => {
  assert.deepEqual(decodePatch(new Uint8Array(512)), { issues: [] });
});

test('the volume header gates: magic, version, CRC', () => {
  const pbr = pbrSector(new Uint8Array(512), header);
  const at = (f: keyof typeof VOLUME_HEADER.f): number => VOLUME_HEADER_AT + VOLUME_HEADER.f[f].offset;
  const cases: [string, number, string][] = [
    ['magic', at('magic'), 'BOOTVOL_FIELD volume header (magic)'],
    ['version', at('version'), 'BOOTVOL_FIELD volume header (version)'],
    ['stage2_lba', at('stage2_lba'), 'BOOTVOL_CHECKSUM volume header (header_crc32)'],
  ];
  for (const [what, offset, want] of cases) {
    const bad = pbr.slice();
    bad[offset]! ^= 0x40;
    assert.deepEqual(where(decodeVolumeHeader(bad).issues), [want], what);
  }
});

test('the range table: gates, then every bad entry', () => {
  const flip = (offset: number): Uint8Array => {
    const b = encodeRangeTable(ranges);
    b[offset]! ^= 1;
    return b;
  };
  assert.deepEqual(where(decodeRangeTable(flip(RANGE_TABLE.f.magic.offset)).issues), ['BOOTVOL_FIELD range table (magic)']);
  assert.deepEqual(where(decodeRangeTable(flip(RANGE_TABLE.f.count.offset)).issues), ['BOOTVOL_CHECKSUM range table (header_crc32)']);
  assert.deepEqual(where(decodeRangeTable(flip(entry(1, 'size'))).issues), ['BOOTVOL_CHECKSUM range table (entries_crc32)']);
  assert.deepEqual(where(decodeRangeTable(resealed((_, v) => v.setUint32(RANGE_TABLE.f.count.offset, 100, true))).issues), ['BOOTVOL_FIELD range table (count)']);
  assert.deepEqual(where(decodeRangeTable(resealed((_, v) => v.setUint32(RANGE_TABLE.f.entry_size.offset, 64, true))).issues), ['BOOTVOL_FIELD range table (entry_size)']);

  const r = decodeRangeTable(
    resealed((b, v) => {
      v.setUint32(entry(0, 'flags'), 0x6, true); // ro and rw
      v.setUint32(entry(1, 'flags'), 0x81, true); // an unknown bit
      b[entry(1, 'reserved') + 3] = 1;
      b[entry(2, 'name') + 10] = 0x41; // a byte after the NUL
      v.setUint32(RANGE_TABLE.f.reserved.offset, 5, true);
    }),
  );
  assert.deepEqual(where(r.issues), [
    'BOOTVOL_FIELD range table (reserved)',
    'BOOTVOL_FIELD range 0 (flags)',
    'BOOTVOL_FIELD range 1 (reserved)',
    'BOOTVOL_FIELD range 1 (flags)',
    'BOOTVOL_FIELD range 2 (name)',
  ]);
  assert.ok(r.value, 'still representable');
  const unreadable = decodeRangeTable(resealed((b, v) => {
    v.setUint32(entry(1, 'type'), 9, true);
    b.fill(0x41, entry(2, 'name'), entry(2, 'name') + 32); // no NUL
  }));
  assert.deepEqual(where(unreadable.issues), ['BOOTVOL_FIELD range 1 (type)', 'BOOTVOL_FIELD range 2 (name)']);
  assert.equal(unreadable.value, undefined, 'an unknown type or an unterminated name leaves no value');
});

test('verifyVolume: every rule, every violation', () => {
  const bad: BootRange[] = [
    range({ name: 'mimgload', type: 'loader', lba: 20n, size: 0x1000n, loadAddress: 0xfffff800n, entry: 0x10n }),
    range({ name: 'a', type: 'data', lba: 25n, size: 0x100n, loadAddress: 1n }),
    range({ name: 'a', type: 'data', lba: 24n, size: 0n, entry: 2n }),
    range({ name: 'b', type: 'loader', lba: 32n, size: 0x1000n, loadAddress: 0x100000n, entry: 0x100000n + 32n * 512n }),
    range({ name: 'big', type: 'data', lba: 40n, size: 0x100000000n }),
  ];
  const h: VolumeHeader = { ...header, volumeLba: 4096n, rangesSectors: 0n };
  assert.deepEqual(
    verifyVolume(h, bad, { lba: 2048n, sectors: 0x4000n }).map((i) => `${i.where}: ${i.message}`),
    [
      'volume header (volume_lba): volume_lba is 0x1000, but the volume starts at LBA 0x800',
      'volume header (ranges_sectors): ranges_sectors is 0; 5 entries need 1',
      "range 0 (lba): range 0 'mimgload' starts at sector 0x14, not a multiple of 8",
      "range 0 (lba): range 0 'mimgload' sectors [0x14,0x1c) starts before the end of the range table (0x15)",
      "range 0 (load_address): range 0 'mimgload' at [0xfffff800,0x100000800) is not inside [1 MiB, 4 GiB)",
      "range 0 (entry): range 0 'mimgload': entry 0x10 is outside its bytes [0xfffff800,0x100000800)",
      "range 1 (lba): range 1 'a' starts at sector 0x19, not a multiple of 8",
      "range 1 (lba): range 1 'a' sectors [0x19,0x1a) overlaps range 0 'mimgload' sectors [0x14,0x1c)",
      "range 1 (load_address): range 1 'a' is of type data, so load_address must be 0, not 0x1",
      "range 2 (size): range 2 'a' is empty",
      "range 2 (lba): range 2 'a' comes after range 1 'a' but starts before it; ranges must be sorted by lba",
      "range 2 (name): range 2 'a' has the name of range 1",
      "range 2 (entry): range 2 'a' is of type data, so entry must be 0, not 0x2",
      "range 3 (entry): range 3 'b': entry 0x104000 is outside its bytes [0x100000,0x101000)",
      "range 4 (size): range 4 'big' is 0x100000000 bytes; stage 2 loads ranges of less than 4 GiB",
      "range 4 (size): range 4 'big' sectors [0x28,0x800028) runs past the end of the volume (0x4000 sectors)",
      'volume header (ranges_lba): the range table holds 2 ranges of type loader; it must hold exactly one',
      'volume header (ranges_lba): the range table holds 0 ranges of type image; it must hold exactly one',
    ],
  );
  assert.deepEqual(where(verifyPatch({ volumeLba: 2048n, stage2Lba: 2n, stage2Sectors: 20 }, header)), ['BOOTVOL_FIELD MBR offset 0x1a8 (stage2_lba)']);
});

test('range names: 1 to 31 bytes of UTF-8, no white space or NUL', () => {
  assert.equal(rangeNameProblem('rootfs.img'), undefined);
  assert.equal(rangeNameProblem('é'.repeat(15)), undefined, '30 bytes');
  assert.match(rangeNameProblem('é'.repeat(16))!, /32 bytes of UTF-8; the most is 31/);
  assert.match(rangeNameProblem('')!, /must not be empty/);
  assert.match(rangeNameProblem('a b')!, /white space/);
  assert.match(rangeNameProblem('a\0')!, /NUL/);
});
