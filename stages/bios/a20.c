/* a20.c — the A20 line: the 21st address bit, which PCs may still mask
 * so that addresses wrap at 1 MiB as on an 8086. Everything above 1 MiB
 * needs it; mimgload and the kernel expect it on (both Multiboot specs).
 *
 * The methods, in the order Linux's arch/x86/boot/a20.c tries them: the
 * BIOS, the keyboard controller, then "fast A20" (port 0x92), which on some
 * machines does something else entirely and so comes last. Each is judged
 * by the wraparound test alone: what a method reports proves nothing. */

#include "bios.h"
#include "console.h"
#include "io.h"
#include "range.h"

#define BIOS_A20_ENABLE   0x2401 /* INT 15h AX */

#define KBC_DATA          0x60
#define KBC_STATUS        0x64   /* read */
#define KBC_COMMAND       0x64   /* write */
#define KBC_INPUT_FULL    0x02   /* status: the controller has not taken the last byte */
#define KBC_OUTPUT_FULL   0x01   /* status: a byte waits to be read */
#define KBC_WRITE_OUTPUT  0xD1   /* command: the next data byte goes to the output port */
#define KBC_OUTPUT_A20    0xDF   /* output port: A20 on, no reset, keyboard lines idle */
#define KBC_NULL_COMMAND  0xFF   /* some controllers (UHCI legacy emulation) need one after */
#define KBC_SPIN_MAX      100000 /* a missing controller reads 0xFF: never ready */

#define FAST_A20_PORT     0x92
#define FAST_A20_ENABLE   0x02
#define FAST_A20_RESET    0x01   /* writing 1 here resets the machine */

#define POST_PORT         0x80   /* writing here takes about a microsecond: a delay */
#define A20_SETTLE_TRIES  0x10000 /* the controller may take milliseconds to switch */

/* The wraparound test: a word in our own memory, and its alias 1 MiB up
 * when A20 is masked. Only the low word is written. */
static volatile uint32_t probe;

static bool a20_on(void)
{
    volatile uint32_t *alias = (volatile uint32_t *)((uintptr_t)&probe + MIB);
    uint32_t pattern = 0x5A5AA5A5u ^ *alias; /* differs from the alias's current value */
    probe = pattern;
    if (*alias != pattern)
        return true;
    probe = ~pattern;
    return *alias != ~pattern;
}

static bool a20_settles(void)
{
    for (uint32_t i = 0; i < A20_SETTLE_TRIES; i++) {
        if (a20_on())
            return true;
        outb(POST_PORT, 0);
    }
    return false;
}

static bool kbc_wait_input(void)
{
    for (uint32_t i = 0; i < KBC_SPIN_MAX; i++) {
        uint8_t status = inb(KBC_STATUS);
        if (status & KBC_OUTPUT_FULL)
            (void)inb(KBC_DATA); /* drain a stray keystroke, or the controller stalls */
        else if (!(status & KBC_INPUT_FULL))
            return true;
        outb(POST_PORT, 0);
    }
    return false;
}

static void a20_kbc(void)
{
    if (kbc_wait_input()) {
        outb(KBC_COMMAND, KBC_WRITE_OUTPUT);
        if (kbc_wait_input()) {
            outb(KBC_DATA, KBC_OUTPUT_A20);
            if (kbc_wait_input()) {
                outb(KBC_COMMAND, KBC_NULL_COMMAND);
                kbc_wait_input();
            }
        }
    }
}

static void a20_fast(void)
{
    uint8_t v = inb(FAST_A20_PORT);
    if (!(v & FAST_A20_ENABLE))
        outb(FAST_A20_PORT, (uint8_t)((v | FAST_A20_ENABLE) & ~FAST_A20_RESET));
}

const char *a20_enable(void)
{
    if (a20_on())
        return "already on";

    struct bios_regs r = { .eax = BIOS_A20_ENABLE };
    bios_int(0x15, &r);
    if (a20_settles())
        return "BIOS";

    a20_kbc();
    if (a20_settles())
        return "keyboard controller";

    a20_fast();
    if (a20_settles())
        return "port 0x92";

    die(STAGE, "cannot enable the A20 line: the BIOS (INT 15h AX=2401h), the keyboard controller and port 0x92 "
               "all left addresses wrapping at 1 MiB");
}
