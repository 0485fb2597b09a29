/*
 * aout.ld.S — mb1-aout: runs at AOUT_ADDRESS, as its Multiboot1 header says.
 *
 * One contiguous image, header first, so that the flat binary (objcopy -O
 * binary) is exactly [__load_start, __load_end) and the header's fields
 * describe it. The program headers' physical addresses are AOUT_ELF_SKEW
 * higher than where the code must run: a loader that follows them rather
 * than the header fails visibly.
 */

#include "layout.h"

ENTRY(_start)

PHDRS
{
    image PT_LOAD FLAGS(7);  /* RWX: one contiguous range, as the header describes it */
}

SECTIONS
{
    . = AOUT_ADDRESS;
    __load_start = .;

    .text : AT(ADDR(.text) + AOUT_ELF_SKEW) {
        KEEP(*(.multiboot))  /* first: header_addr == load_addr */
        *(.text .text.*)
    } :image
    .rodata : AT(ADDR(.rodata) + AOUT_ELF_SKEW) { *(.rodata .rodata.*) } :image
    .data : AT(ADDR(.data) + AOUT_ELF_SKEW) { *(.data .data.*) } :image
    __load_end = .;

    .bss : AT(ADDR(.bss) + AOUT_ELF_SKEW) {
        *(.bss .bss.*) *(COMMON)
        __bss_probe = .;     /* last: the bytes a short zero-fill misses first (report.c) */
        . += BSS_PROBE_SIZE;
    } :image
    __bss_end = .;

    /DISCARD/ : { *(.comment) *(.note.*) *(.eh_frame*) }
}
