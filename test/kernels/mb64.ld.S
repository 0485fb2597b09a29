/*
 * mb64.ld.S — mb64: x86_64, linked at MB64_VIRTUAL_OFFSET + KERNEL_ADDRESS,
 * loaded at KERNEL_ADDRESS (each section's AT()). The ELF entry point is
 * _start's virtual address, as for any ELF file: a Multiboot loader finds the
 * segment whose virtual range holds it and jumps, paging off, to the same
 * offset in that segment's physical range (GRUB does; it refuses an entry
 * point outside every segment).
 */

#include "layout.h"

ENTRY(_start)

PHDRS
{
    text PT_LOAD FLAGS(5);   /* R-X: headers, code, read-only data */
    data PT_LOAD FLAGS(6);   /* RW-: data, page tables, stack (.bss) */
}

SECTIONS
{
    . = MB64_VIRTUAL_OFFSET + KERNEL_ADDRESS;

    .text : AT(ADDR(.text) - MB64_VIRTUAL_OFFSET) {
        KEEP(*(.multiboot))  /* first: the loader looks in the file's first 8 KiB */
        *(.text .text.*)
    } :text
    .rodata : AT(ADDR(.rodata) - MB64_VIRTUAL_OFFSET) { *(.rodata .rodata.*) } :text

    . = ALIGN(PAGE_SIZE);
    .data : AT(ADDR(.data) - MB64_VIRTUAL_OFFSET) { *(.data .data.*) } :data
    .bss : AT(ADDR(.bss) - MB64_VIRTUAL_OFFSET) {
        *(.bss .bss.*) *(COMMON)
        __bss_probe = .;     /* last: the bytes a short zero-fill misses first (report.c) */
        . += BSS_PROBE_SIZE;
    } :data

    /DISCARD/ : { *(.comment) *(.note.*) *(.eh_frame*) }
}
