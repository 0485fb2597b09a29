/* fbcon.c — error lines on a linear framebuffer (UEFI's graphics output, a
 * VBE mode), in the font of font.c: console.c's screen sink for stages that
 * know the screen is graphics. Cells are the glyph plus one blank column
 * and row, scaled by the largest whole factor that still fits 80x25 cells
 * (at least 1), from the top left corner, wrapping at the right edge. */

#include <stdbool.h>

#include "console.h"
#include "font.h"

#define CELL_W (FONT_WIDTH + 1)
#define CELL_H (FONT_HEIGHT + 1)
#define COLS_WANTED 80 /* as the VGA text screen */
#define ROWS_WANTED 25
/* Light red, the VGA text screen's colour 12, as 8-bit red, green, blue. */
static const uint8_t FG_RGB[3] = { 0xFF, 0x55, 0x55 };

static struct {
    uint8_t *base;
    uint32_t pitch, width, height, bytes; /* bytes: per pixel */
    uint32_t fg;                          /* the foreground pixel; the background is 0, black */
    uint32_t scale, cols, cells;          /* cells: on the screen */
    uint32_t at;                          /* the next cell */
    bool cleared;
} fb;

/* n pixels of value v from p on; returns the end. Volatile: the stage halts right after. */
static volatile uint8_t *fill(volatile uint8_t *p, uint32_t n, uint32_t v)
{
    for (; n; n--)
        for (uint32_t k = 0; k < fb.bytes; k++) /* little-endian */
            *p++ = (uint8_t)(v >> 8 * k);
    return p;
}

static void fb_putc(char c)
{
    if (!fb.cleared) { /* the first line replaces whatever was on the screen */
        for (uint32_t y = 0; y < fb.height; y++)
            fill(fb.base + y * fb.pitch, fb.width, 0);
        fb.cleared = true;
    }
    if (c == '\n') {
        fb.at += fb.cols - fb.at % fb.cols;
        return;
    }
    if (fb.at >= fb.cells)
        return;
    uint8_t ch = (uint8_t)c;
    const uint8_t *glyph = font_glyphs + ((ch >= FONT_FIRST && ch <= FONT_LAST ? ch : FONT_OTHER) - FONT_FIRST) * FONT_GLYPH_BYTES;
    uint32_t s = fb.scale;
    uint8_t *p = fb.base + fb.at / fb.cols * CELL_H * s * fb.pitch + fb.at % fb.cols * CELL_W * s * fb.bytes;
    for (uint32_t y = 0; y < CELL_H * s; y++, p += fb.pitch) {
        uint32_t bits = (y / s < FONT_HEIGHT ? font_row(glyph, y / s) : 0) << 1; /* bit 0: the blank column */
        volatile uint8_t *q = p;
        for (uint32_t bit = 1u << FONT_WIDTH; bit; bit >>= 1) /* the glyph's bit 4 leftmost */
            q = fill(q, s, bits & bit ? fb.fg : 0);
    }
    fb.at++;
}

void console_use_framebuffer(uint64_t addr, uint32_t pitch, uint32_t width, uint32_t height, uint32_t bpp,
                             const uint8_t color[6])
{
    uint32_t bytes = (bpp + 7) / 8;
    console_screen(0);
    if (!addr || bpp < 15 || bpp > 32 || pitch / bytes < width || width < CELL_W || height < CELL_H ||
        addr + (uint64_t)pitch * height - 1 > UINTPTR_MAX)
        return;
    fb.base = (uint8_t *)(uintptr_t)addr;
    fb.pitch = pitch;
    fb.width = width;
    fb.height = height;
    fb.bytes = bytes;
    for (int k = 0; k < 3; k++) { /* the top bits of each 8-bit value */
        uint32_t pos = color[2 * k], size = color[2 * k + 1];
        if (size && size <= 8 && pos + size <= bpp)
            fb.fg |= (uint32_t)(FG_RGB[k] >> (8 - size)) << pos;
    }
    uint32_t scale_w = width / (COLS_WANTED * CELL_W), scale_h = height / (ROWS_WANTED * CELL_H);
    fb.scale = scale_w < scale_h ? scale_w : scale_h;
    fb.scale += !fb.scale;
    fb.cols = width / (CELL_W * fb.scale);
    fb.cells = fb.cols * (height / (CELL_H * fb.scale));
    console_screen(fb_putc);
}
