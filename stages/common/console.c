/* console.c — COM1 and the screen (the VGA text screen here, a linear
 * framebuffer in fbcon.c), and the printf both use. */

#include "console.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "fmt.h"
#include "io.h"

/* 16550 UART registers, offsets from the base port. */
#define COM1          0x3F8
#define UART_DATA     0 /* DLAB=0: transmit holding register; DLAB=1: divisor low */
#define UART_IER      1 /* DLAB=0: interrupt enable; DLAB=1: divisor high */
#define UART_FCR      2
#define UART_LCR      3
#define UART_MCR      4
#define UART_LSR      5
#define LCR_DLAB      0x80
#define LCR_8N1       0x03
#define FCR_ENABLE    0x07 /* enable and clear both FIFOs */
#define MCR_DTR_RTS   0x03
#define LSR_THR_EMPTY 0x20
#define BAUD_BASE     115200 /* divisor 1 */
#define BAUD          115200
/* Give up waiting for a UART that never drains (no COM1 on this machine
 * reads 0xFF, which looks ready; a wedged one must not hang the error).
 * Generous: under QEMU the transmitter stays busy while the host side of the
 * serial port is not read, and a short limit silently drops characters. */
#define UART_SPIN_MAX (1 << 24)

/* The colour text screen of every PC BIOS, 80x25 cells of (char, attribute). */
#define VGA_TEXT   ((volatile uint16_t *)0xB8000)
#define VGA_COLS   80
#define VGA_ROWS   25
#define VGA_ATTR   0x0C00 /* light red on black: the screen only ever shows errors */

void console_init(void)
{
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DATA, (BAUD_BASE / BAUD) & 0xFF);
    outb(COM1 + UART_IER, (BAUD_BASE / BAUD) >> 8);
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, FCR_ENABLE);
    outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

static void serial_putc(char c)
{
    for (int spin = 0; spin < UART_SPIN_MAX && !(inb(COM1 + UART_LSR) & LSR_THR_EMPTY); spin++)
        ;
    outb(COM1 + UART_DATA, (uint8_t)c);
}

/* Only an error reaches the screen, and it is the last line a stage writes:
 * no scrolling, the screen holds 25 rows and a line at most 7. */
static unsigned vga_at;   /* the next cell */
static bool vga_cleared;

void con_vga(char c)
{
    if (!vga_cleared) { /* the first line replaces whatever the chain loader left */
        for (unsigned i = 0; i < VGA_COLS * VGA_ROWS; i++)
            VGA_TEXT[i] = VGA_ATTR | ' ';
        vga_cleared = true;
    }
    if (c == '\n')
        vga_at += VGA_COLS - vga_at % VGA_COLS;
    else if (vga_at < VGA_COLS * VGA_ROWS)
        VGA_TEXT[vga_at++] = VGA_ATTR | (uint8_t)c;
}

static con_screen_fn *screen = con_vga;

void console_screen(con_screen_fn *fn)
{
    screen = fn;
}

static void put(unsigned sinks, char c)
{
    if (sinks & CON_SERIAL) {
        if (c == '\n')
            serial_putc('\r'); /* terminals want CR LF */
        serial_putc(c);
    }
    if ((sinks & CON_SCREEN) && screen)
        screen(c);
}

/* Longer lines are cut and end in CUT_MARK: a name in a hostile image can be
 * as long as it likes, the screen cannot. */
#define LINE_MAX 512
#define CUT_MARK "..."

static char line[LINE_MAX];

static void put_line(unsigned sinks, uint32_t len)
{
    for (const char *p = line; *p; p++)
        put(sinks, *p);
    if (len >= sizeof line)
        for (const char *p = CUT_MARK; *p; p++)
            put(sinks, *p);
    put(sinks, '\n');
}

void con_line(unsigned sinks, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    put_line(sinks, vfmt(line, sizeof line, format, ap));
    va_end(ap);
}

noreturn void die(const char *stage, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    uint32_t prefix = fmt(line, sizeof line, "%s: error: ", stage);
    put_line(CON_SERIAL | CON_SCREEN, prefix + vfmt(line + prefix, sizeof line - prefix, format, ap));
    va_end(ap);
    halt();
}

noreturn void halt(void)
{
    __asm__ volatile("cli");
    for (;;)
        __asm__ volatile("hlt");
}
