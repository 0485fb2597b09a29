// Physical address ranges. Addresses are bigint, ranges are half-open
// [start, end), and there is exactly one overlap predicate.

export interface Range {
  start: bigint;
  end: bigint;
}

export function range(start: bigint, end: bigint): Range {
  return { start, end };
}

export function size(r: Range): bigint {
  return r.end - r.start;
}

/** The one overlap predicate. Empty ranges overlap nothing. */
export function overlaps(a: Range, b: Range): boolean {
  return a.start < a.end && b.start < b.end && a.start < b.end && b.start < a.end;
}

/** True when `inner` lies wholly inside `outer` (an empty range lies inside anything that contains its start). */
export function contains(outer: Range, inner: Range): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

export function alignUp(v: bigint, align: bigint): bigint {
  if (align <= 1n) return v;
  return ((v + align - 1n) / align) * align;
}

export function alignDown(v: bigint, align: bigint): bigint {
  if (align <= 1n) return v;
  return (v / align) * align;
}

export function isPowerOfTwo(v: bigint): boolean {
  return v > 0n && (v & (v - 1n)) === 0n;
}

/** `ranges` minus the union of `holes`, sorted by start; used to find free space. */
export function subtract(ranges: readonly Range[], holes: readonly Range[]): Range[] {
  let out: Range[] = ranges.filter((r) => r.start < r.end).map((r) => ({ ...r }));
  for (const h of holes) {
    if (h.start >= h.end) continue;
    const next: Range[] = [];
    for (const r of out) {
      if (!overlaps(r, h)) {
        next.push(r);
        continue;
      }
      if (r.start < h.start) next.push({ start: r.start, end: h.start });
      if (h.end < r.end) next.push({ start: h.end, end: r.end });
    }
    out = next;
  }
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}
