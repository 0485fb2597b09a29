/* console.h — the boot stages' output: COM1 and the screen, which is the
 * VGA text screen unless the stage knows it is a linear framebuffer.
 *
 * Progress goes to the serial port only (tests read it, and the screen may
 * belong to a `reserved` section); errors go to both, then the stage halts.
 * Every line starts with the stage's name: "mimgload: ...". */
#ifndef STAGES_CONSOLE_H
#define STAGES_CONSOLE_H

#include <stdint.h>
#include <stdnoreturn.h>

#define CON_SERIAL 0x1u
#define CON_SCREEN 0x2u

/* COM1 at 115200 baud, 8N1, no interrupts. */
void console_init(void);

/* The screen sink: draws one character of an error line, the first one
 * clearing the screen; no scrolling (an error is the last line a stage
 * writes). */
typedef void con_screen_fn(char c);
/* The VGA text screen at 0xB8000, 80x25, light red on black: the default. */
void con_vga(char c);
/* Where CON_SCREEN goes from now on: con_vga, or 0 for nowhere. */
void console_screen(con_screen_fn *fn);
/* fbcon.c: CON_SCREEN draws on the linear framebuffer at addr (pitch bytes
 * a line, width x height pixels, bpp bits a pixel, color = the red, green
 * and blue fields' lowest bit and size, Multiboot's order) in the font of
 * font.h, light red on black; 0xB8000 is no longer touched. A framebuffer
 * it cannot draw on (addr 0, not 15 to 32 bits per pixel, not all of it
 * addressable by this stage) means no screen at all: a graphics screen
 * shows nothing of the VGA text screen. */
void console_use_framebuffer(uint64_t addr, uint32_t pitch, uint32_t width, uint32_t height, uint32_t bpp,
                             const uint8_t color[6]);

/* One line, formatted by fmt (fmt.h: %s %c %u %x, %lx for uint64_t),
 * then a newline. */
void con_line(unsigned sinks, const char *format, ...);

/* "<stage>: error: <message>" as one line on both sinks, then halt. */
noreturn void die(const char *stage, const char *format, ...);

/* Interrupts off, then hlt forever: the machine stays as the error left it. */
noreturn void halt(void);

#endif
