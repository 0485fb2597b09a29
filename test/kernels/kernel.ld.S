/* kernel.ld.S — mb1 and mb2: 32-bit, loaded at KERNEL_ADDRESS (virtual = physical). */

#include "layout.h"

ENTRY(_start)

PHDRS
{
    text PT_LOAD FLAGS(5);   /* R-X: headers, code, read-only data */
    data PT_LOAD FLAGS(6);   /* RW-: data, stack (.bss: zero-filled by the loader) */
}

SECTIONS
{
    . = KERNEL_ADDRESS;

    .text : {
        KEEP(*(.multiboot))  /* first: the loader looks in the file's first 8 KiB (32 KiB for MB2) */
        *(.text .text.*)
    } :text
    .rodata : { *(.rodata .rodata.*) } :text

    . = ALIGN(PAGE_SIZE);
    .data : { *(.data .data.*) } :data
    .bss : {
        *(.bss .bss.*) *(COMMON)
        __bss_probe = .;     /* last: the bytes a short zero-fill misses first (report.c) */
        . += BSS_PROBE_SIZE;
    } :data

    /DISCARD/ : { *(.comment) *(.note.*) *(.eh_frame*) }
}
