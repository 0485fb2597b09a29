import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { overlaps, contains, subtract, alignUp, type Range } from './range.js';

const arbRange = fc
  .tuple(fc.bigInt({ min: 0n, max: 1n << 20n }), fc.bigInt({ min: 0n, max: 1n << 12n }))
  .map(([s, l]): Range => ({ start: s, end: s + l }));

function overlapsByPoints(a: Range, b: Range): boolean {
  // Reference: some address lies in both.
  const lo = a.start > b.start ? a.start : b.start;
  const hi = a.end < b.end ? a.end : b.end;
  return lo < hi;
}

test('overlaps agrees with a point-wise definition (containment, adjacency, empty)', () => {
  fc.assert(fc.property(arbRange, arbRange, (a, b) => overlaps(a, b) === overlapsByPoints(a, b) && overlaps(a, b) === overlaps(b, a)));
  assert.equal(overlaps({ start: 0n, end: 10n }, { start: 10n, end: 20n }), false, 'adjacent');
  assert.equal(overlaps({ start: 0n, end: 100n }, { start: 10n, end: 20n }), true, 'containment');
  assert.equal(overlaps({ start: 10n, end: 20n }, { start: 0n, end: 100n }), true, 'contained');
  assert.equal(overlaps({ start: 5n, end: 5n }, { start: 0n, end: 10n }), false, 'empty');
});

test('contains', () => {
  assert.ok(contains({ start: 0n, end: 10n }, { start: 0n, end: 10n }));
  assert.ok(!contains({ start: 0n, end: 10n }, { start: 5n, end: 11n }));
});

test('subtract leaves exactly the points not in any hole', () => {
  fc.assert(
    fc.property(fc.array(arbRange, { maxLength: 4 }), fc.array(arbRange, { maxLength: 4 }), fc.bigInt({ min: 0n, max: (1n << 20n) + 4096n }), (rs, hs, p) => {
      const inRanges = rs.some((r) => r.start <= p && p < r.end);
      const inHoles = hs.some((h) => h.start <= p && p < h.end);
      const inOut = subtract(rs, hs).some((r) => r.start <= p && p < r.end);
      return inOut === (inRanges && !inHoles);
    }),
  );
});

test('alignUp', () => {
  assert.equal(alignUp(0x1001n, 0x1000n), 0x2000n);
  assert.equal(alignUp(0x1000n, 0x1000n), 0x1000n);
  assert.equal(alignUp(7n, 1n), 7n);
});
