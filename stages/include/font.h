/* font.h — the boot stages' bitmap font (common/font.c). */
#ifndef STAGES_FONT_H
#define STAGES_FONT_H

#include <stdint.h>

#define FONT_FIRST  0x20 /* ' ': the printable ASCII characters; others are drawn as FONT_OTHER */
#define FONT_LAST   0x7E /* '~' */
#define FONT_OTHER  '?'
#define FONT_WIDTH  5    /* pixels: row bit 4 is the leftmost */
#define FONT_HEIGHT 9    /* rows, the baseline under the seventh */

extern const uint8_t font_glyphs[FONT_LAST - FONT_FIRST + 1][FONT_HEIGHT];

#endif
