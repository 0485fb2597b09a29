// A picture of the physical memory map. Address spaces span 2^32 bytes or
// more while sections can be a few bytes, so the scale is by band, not by
// address: every interval between two boundaries is one band whose height
// grows with the logarithm of its size. Labels carry the exact addresses.

import type { MemoryRegion } from '../config/types.js';
import { hex, hexRange } from '../diagnostics/issue.js';

export interface MapItem {
  start: bigint;
  end: bigint;
  label: string;
  kind: 'exec' | 'module' | 'bootinfo' | 'zero' | 'reserved';
}

const FILL: Record<MapItem['kind'], string> = {
  exec: '#4e79a7',
  module: '#59a14f',
  bootinfo: '#f28e2b',
  zero: '#bab0ac',
  reserved: '#9c755f',
};

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function humanSize(n: bigint): string {
  for (const [unit, v] of [['GiB', 1n << 30n], ['MiB', 1n << 20n], ['KiB', 1n << 10n]] as const) {
    if (n >= v) return `${(Number(n) / Number(v)).toFixed(n % v === 0n ? 0 : 2)} ${unit}`;
  }
  return `${n} B`;
}

function bandHeight(size: bigint): number {
  const log = size > 0n ? size.toString(2).length : 0;
  return Math.max(18, Math.min(90, 6 * (log - 8)));
}

/** An SVG document showing `items` over the memory profile, lowest address at the bottom. */
export function memoryMapSvg(items: readonly MapItem[], memory: readonly MemoryRegion[], title: string): string {
  const points = new Set<bigint>();
  for (const r of [...memory, ...items]) {
    points.add(r.start);
    points.add(r.end);
  }
  const sorted = [...points].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const bands: { start: bigint; end: bigint; region?: MemoryRegion; items: MapItem[] }[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const start = sorted[i]!;
    const end = sorted[i + 1]!;
    const region = memory.find((r) => r.start <= start && end <= r.end);
    const here = items.filter((it) => it.start <= start && end <= it.end);
    if (!region && here.length === 0) continue;
    bands.push({ start, end, region, items: here });
  }
  const width = 760;
  const barX = 110;
  const barW = 180;
  const heights = bands.map((b) => bandHeight(b.end - b.start));
  const height = heights.reduce((a, b) => a + b, 0) + 60;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="11">`,
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e8e8e8"/><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>',
    `<text x="10" y="18" font-size="13" font-weight="bold">${escape(title)}</text>`,
  ];
  let y = height - 20;
  bands.forEach((b, i) => {
    const h = heights[i]!;
    y -= h;
    const conflict = b.items.length > 1;
    const item = b.items[0];
    const fill = item ? FILL[item.kind] : b.region?.type === 'usable' ? '#ffffff' : 'url(#hatch)';
    out.push(`<rect x="${barX}" y="${y}" width="${barW}" height="${h}" fill="${fill}" stroke="${conflict ? '#e15759' : '#555'}" stroke-width="${conflict ? 3 : 1}"/>`);
    out.push(`<text x="${barX - 6}" y="${y + h - 3}" text-anchor="end">${hex(b.start)}</text>`);
    const what = b.items.length ? b.items.map((it) => it.label).join(' ⚠ overlaps ') : b.region?.type === 'usable' ? `free: ${b.region.name}` : b.region ? `${b.region.name} (${b.region.type})` : '';
    out.push(`<text x="${barX + barW + 8}" y="${y + h / 2 + 4}"${conflict ? ' fill="#e15759"' : ''}>${escape(`${what}  ${hexRange(b.start, b.end)} ${humanSize(b.end - b.start)}`)}</text>`);
  });
  const top = bands[bands.length - 1];
  if (top) out.push(`<text x="${barX - 6}" y="${y + 10}" text-anchor="end">${hex(top.end)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
