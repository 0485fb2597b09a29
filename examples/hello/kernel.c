/*
 * kernel.c — a tiny Multiboot2 kernel that reports what it was handed.
 *
 * entry.S calls main(magic, info). main prints, on the serial port COM1:
 * the magic, the command line, each module and the basic memory sizes from
 * the boot information; then it calls the second executable, init, which
 * mimg installed at 0x400000; then it exits QEMU through isa-debug-exit.
 *
 * Freestanding: no libc, only gcc's own <stdint.h>.
 */

#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289u /* in EAX at entry */

/* Boot information tags (Multiboot2 spec, section 3.6). */
#define MB2_TAG_END          0
#define MB2_TAG_CMDLINE      1
#define MB2_TAG_MODULE       3
#define MB2_TAG_BASIC_MEMINFO 4

#define INIT_ENTRY 0x400000u /* where init.ld puts init_main */

/* The isa-debug-exit device (-device isa-debug-exit,iobase=0xf4) makes
 * QEMU exit with status (value << 1) | 1: 0x10 -> 33 means success. */
#define DEBUG_EXIT_PORT 0xf4
#define EXIT_SUCCESS    0x10
#define EXIT_FAILURE    0x11

#define COM1 0x3f8

struct mb2_tag {
    uint32_t type;
    uint32_t size; /* including this header; the next tag starts 8-aligned */
};

struct mb2_tag_string { /* MB2_TAG_CMDLINE */
    struct mb2_tag tag;
    char string[];
};

struct mb2_tag_module { /* MB2_TAG_MODULE */
    struct mb2_tag tag;
    uint32_t mod_start; /* physical, [mod_start, mod_end) */
    uint32_t mod_end;
    char string[];
};

struct mb2_tag_meminfo { /* MB2_TAG_BASIC_MEMINFO, in KiB */
    struct mb2_tag tag;
    uint32_t mem_lower; /* below 1 MiB */
    uint32_t mem_upper; /* from 1 MiB to the first hole */
};

/* ---- port I/O and the serial port ------------------------------------ */

static inline void outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB on: next two writes set the divisor */
    outb(COM1 + 0, 0x01); /* divisor 1 = 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* DLAB off; 8 data bits, no parity, 1 stop bit */
    outb(COM1 + 2, 0xc7); /* FIFOs on and cleared */
    outb(COM1 + 4, 0x03); /* DTR, RTS */
}

static void putc(char c)
{
    while ((inb(COM1 + 5) & 0x20) == 0) /* wait until the transmitter is empty */
        ;
    outb(COM1, (uint8_t)c);
}

static void puts(const char *s) /* writes s; no newline added */
{
    for (; *s != '\0'; s++) {
        if (*s == '\n')
            putc('\r');
        putc(*s);
    }
}

static void puthex(uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    char buf[11] = "0x";
    int n = 2, shift = 28;
    while (shift > 0 && (v >> shift) == 0) /* no leading zeros */
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        buf[n++] = digits[(v >> shift) & 0xf];
    buf[n] = '\0';
    puts(buf);
}

static void putdec(uint32_t v)
{
    char buf[11];
    int n = sizeof buf - 1;
    buf[n] = '\0';
    do {
        buf[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    puts(&buf[n]);
}

/* Prints the first line of a text module, at most 60 characters. */
static void put_first_line(const char *p, const char *end)
{
    puts("hello:   first line: \"");
    for (int n = 0; p < end && *p != '\n' && n < 60; p++, n++)
        putc(*p >= ' ' && *p < 0x7f ? *p : '?');
    puts("\"\n");
}

/* ---- leaving -------------------------------------------------------- */

static __attribute__((noreturn)) void exit_qemu(uint8_t code)
{
    outb(DEBUG_EXIT_PORT, code);
    for (;;) /* no isa-debug-exit device: stop here */
        __asm__ volatile("cli; hlt");
}

/* ---- main ------------------------------------------------------------ */

typedef int (*init_fn)(void (*puts)(const char *));

__attribute__((noreturn)) void main(uint32_t magic, uintptr_t info)
{
    serial_init();
    puts("hello: magic=");
    puthex(magic);
    puts("\n");
    if (magic != MB2_BOOTLOADER_MAGIC) {
        puts("hello: error: not started by a Multiboot2 loader\n");
        exit_qemu(EXIT_FAILURE);
    }

    /* The boot information: u32 total_size, u32 reserved, then 8-aligned tags. */
    const struct mb2_tag *tag = (const struct mb2_tag *)(info + 8);
    while (tag->type != MB2_TAG_END) {
        switch (tag->type) {
        case MB2_TAG_CMDLINE:
            puts("hello: cmdline=\"");
            puts(((const struct mb2_tag_string *)tag)->string);
            puts("\"\n");
            break;
        case MB2_TAG_MODULE: {
            const struct mb2_tag_module *m = (const void *)tag;
            puts("hello: module [");
            puthex(m->mod_start);
            puts(",");
            puthex(m->mod_end);
            puts(") \"");
            puts(m->string);
            puts("\"\n");
            put_first_line((const char *)m->mod_start, (const char *)m->mod_end);
            break;
        }
        case MB2_TAG_BASIC_MEMINFO: {
            const struct mb2_tag_meminfo *mi = (const void *)tag;
            puts("hello: mem_lower=");
            putdec(mi->mem_lower);
            puts("K mem_upper=");
            putdec(mi->mem_upper);
            puts("K\n");
            break;
        }
        default: /* other tags (memory map, loader name, ...) are not shown */
            break;
        }
        tag = (const struct mb2_tag *)((uintptr_t)tag + ((tag->size + 7) & ~7u));
    }

    /* init is a separate ELF that mimg installed at its own address. */
    int status = ((init_fn)INIT_ENTRY)(puts);
    puts("hello: init returned ");
    putdec((uint32_t)status);
    puts("\n");

    puts("hello: done\n");
    exit_qemu(EXIT_SUCCESS);
}
