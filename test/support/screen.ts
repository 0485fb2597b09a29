// Test support: what a boot stage's error line looks like on a linear
// framebuffer. The font is read from the stages' own C source
// (stages/common/font.c), the line is the one the guest printed on serial,
// and the layout is stages/common/fbcon.c's rule, rendered here on the host
// and compared pixel by pixel with a QEMU screendump (PPM).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FONT_SOURCE = fileURLToPath(new URL('../../../stages/common/font.c', import.meta.url));
const FIRST = 0x20;
const LAST = 0x7e;
const WIDTH = 5;
const HEIGHT = 9;
/** A cell: the glyph and one blank column and row. */
const CELL_W = WIDTH + 1;
const CELL_H = HEIGHT + 1;
/** The VGA text screen's colour 12, light red, as 8-bit red, green, blue. */
export const LIGHT_RED = [0xff, 0x55, 0x55] as const;

/** The glyphs of font.c by character code: HEIGHT rows of WIDTH booleans, true for ink. */
export function readFont(): Map<number, boolean[][]> {
  const src = readFileSync(FONT_SOURCE, 'utf8');
  const font = new Map<number, boolean[][]>();
  const glyph = /\/\* 0x([0-9A-F]{2}) '.' \*\/\s*G\(((?:\s*"[.#]+",?)+)\s*\)/g;
  for (const m of src.matchAll(glyph)) {
    const rows = [...m[2]!.matchAll(/"([.#]+)"/g)].map((r) => [...r[1]!].map((c) => c === '#'));
    assert.equal(rows.length, HEIGHT, `font.c glyph 0x${m[1]}: ${HEIGHT} rows`);
    for (const r of rows) assert.equal(r.length, WIDTH, `font.c glyph 0x${m[1]}: rows of ${WIDTH}`);
    font.set(parseInt(m[1]!, 16), rows);
  }
  assert.deepEqual([...font.keys()], Array.from({ length: LAST - FIRST + 1 }, (_, i) => FIRST + i), 'font.c holds 0x20 to 0x7E in order');
  return font;
}

export interface Ppm {
  width: number;
  height: number;
  /** RGB, 3 bytes a pixel, row by row. */
  rgb: Buffer;
}

/** A binary PPM (P6, maxval 255), as QEMU's screendump writes it. */
export function readPpm(path: string): Ppm {
  const b = readFileSync(path);
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(b.subarray(0, 64).toString('latin1'));
  assert.ok(header, `${path}: not a P6 PPM with maxval 255`);
  const width = Number(header[1]);
  const height = Number(header[2]);
  const rgb = b.subarray(header[0].length);
  assert.equal(rgb.length, width * height * 3, `${path}: ${width}x${height} pixels`);
  return { width, height, rgb };
}

/**
 * Checks that the screen shows exactly `line`, from the top left corner on
 * a black screen, as fbcon.c draws it: cells scaled by the largest whole
 * factor that fits 80x25 of them (at least 1), wrapping at the right edge,
 * characters outside 0x20-0x7E as '?', the ink light red. `bits` are the
 * framebuffer's red, green and blue field sizes: the screendump widens them
 * to 8 bits, so only their top `bits` are compared.
 */
export function assertScreenShows(screen: Ppm, line: string, bits: readonly [number, number, number] = [8, 8, 8]): void {
  const font = readFont();
  const scale = Math.max(1, Math.min(Math.floor(screen.width / (80 * CELL_W)), Math.floor(screen.height / (25 * CELL_H))));
  const cols = Math.floor(screen.width / (CELL_W * scale));
  const cells = cols * Math.floor(screen.height / (CELL_H * scale));
  assert.ok(line.length <= cells, `the line fits the screen's ${cells} cells`);
  const ink = (x: number, y: number): boolean => {
    const cx = Math.floor(x / (CELL_W * scale));
    const cy = Math.floor(y / (CELL_H * scale));
    const at = cy * cols + cx;
    if (cx >= cols || at >= line.length) return false;
    const code = line.charCodeAt(at);
    const rows = font.get(code >= FIRST && code <= LAST ? code : '?'.charCodeAt(0))!;
    const gx = Math.floor((x % (CELL_W * scale)) / scale);
    const gy = Math.floor((y % (CELL_H * scale)) / scale);
    return gx < WIDTH && gy < HEIGHT && rows[gy]![gx]!;
  };
  const want = LIGHT_RED.map((v, k) => v >> (8 - bits[k]!));
  let inked = 0;
  const wrong: string[] = [];
  for (let y = 0; y < screen.height; y++) {
    for (let x = 0; x < screen.width; x++) {
      const on = ink(x, y);
      const px = [0, 1, 2].map((k) => screen.rgb[(y * screen.width + x) * 3 + k]! >> (8 - bits[k]!));
      const ok = on ? px.every((v, k) => v === want[k]) : px.every((v) => v === 0);
      inked += on ? 1 : 0;
      if (!ok && wrong.length < 5) {
        const at = Math.floor(y / (CELL_H * scale)) * cols + Math.floor(x / (CELL_W * scale));
        wrong.push(`(${x},${y}) in cell ${at} '${line[at] ?? ' '}': rgb ${px.join(',')}, want ${on ? 'ink' : 'black'}`);
      }
    }
  }
  assert.deepEqual(wrong, [], `the ${screen.width}x${screen.height} screen shows "${line}" at scale ${scale}`);
  assert.ok(inked > 0, 'the line has ink');
}

/** The error line a stage printed on serial (`prefix: error: ...`), without its CR. */
export function errorLine(serial: string, prefix: string): string {
  const m = new RegExp(`^${prefix}: error: .*?(?=\\r?$)`, 'm').exec(serial);
  assert.ok(m, `a ${prefix} error line:\n${serial}`);
  return m[0];
}
