/* font.h — the boot stages' bitmap font (common/font.c). */
#ifndef STAGES_FONT_H
#define STAGES_FONT_H

#include <stdint.h>

#define FONT_FIRST  0x20 /* ' ': the printable ASCII characters; others are drawn as FONT_OTHER */
#define FONT_LAST   0x7E /* '~' */
#define FONT_OTHER  '?'
#define FONT_WIDTH  5    /* pixels: row bit 4 is the leftmost */
#define FONT_HEIGHT 9    /* rows, the baseline under the seventh */

#define FONT_GLYPHS (FONT_LAST - FONT_FIRST + 1)
#define FONT_GLYPH_BYTES 6 /* a glyph: FONT_HEIGHT rows of FONT_WIDTH bits, row 0 in the lowest, little-endian */

/* The glyphs in code order, packed (45 bits each: 855 bytes as a byte a row, 571 so). */
extern const uint8_t font_glyphs[FONT_GLYPHS * FONT_GLYPH_BYTES + 1];

/* Row r of the glyph at g (font_glyphs + FONT_GLYPH_BYTES * index). */
static inline uint32_t font_row(const uint8_t *g, uint32_t r)
{
    uint32_t bit = r * FONT_WIDTH;
    return (uint32_t)(g[bit / 8] | g[bit / 8 + 1] << 8) >> bit % 8 & 0x1F;
}

#endif
