/* console.h — the boot stages' output: COM1 and the VGA text screen.
 *
 * Progress goes to the serial port only (tests read it, and the screen may
 * belong to a `reserved` section); errors go to both, then the stage halts.
 * Every line starts with the stage's name: "mimgload: ...". */
#ifndef STAGES_CONSOLE_H
#define STAGES_CONSOLE_H

#include <stdnoreturn.h>

#define CON_SERIAL 0x1u
#define CON_VGA    0x2u

/* COM1 at 115200 baud, 8N1, no interrupts. */
void console_init(void);

/* One line, formatted by fmt (fmt.h: %s %c %u %x, %lx for uint64_t),
 * then a newline. */
void con_line(unsigned sinks, const char *format, ...);

/* "<stage>: error: <message>" as one line on both sinks, then halt. */
noreturn void die(const char *stage, const char *format, ...);

/* Interrupts off, then hlt forever: the machine stays as the error left it. */
noreturn void halt(void);

#endif
