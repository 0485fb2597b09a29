/*
 * second.c — the second executable of a test image (`load = "elf"`): an
 * ELF32 whose first bytes, at SECOND_ADDRESS, are SECOND_MAGIC. A kernel
 * that finds them there knows the loader installed it (report_second()).
 */

#include "kernel.h"

/* .second_magic is the first thing in the file (second.ld.S). */
static const char second_magic[] __attribute__((section(".second_magic"), used)) = SECOND_MAGIC;

/* Never run (the kernels only look for the magic), but an executable needs an entry. */
__attribute__((noreturn)) void second_entry(void);

void second_entry(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}
