/*
 * pie.ld.S — mb2-pie: a static PIE (ET_DYN) linked at PIE_LINK_ADDRESS.
 * The first segment holds the ELF headers, so __image_start, the image's
 * first byte, is also where the loader put the file's start.
 */

#include "layout.h"

ENTRY(_start)

PHDRS
{
    text PT_LOAD FILEHDR PHDRS FLAGS(5); /* R-X: ELF headers, Multiboot2 header, code, read-only data, relocations */
    data PT_LOAD FLAGS(6);               /* RW-: relocated pointers, data, stack (.bss) */
    dynamic PT_DYNAMIC FLAGS(6);         /* where a loader finds DT_REL, DT_RELSZ */
}

SECTIONS
{
    . = PIE_LINK_ADDRESS;
    __image_start = .;
    __image_link = ABSOLUTE(__image_start); /* not relocated: entry-pie.S reads the link-time address from it */
    . += SIZEOF_HEADERS;

    .multiboot : { KEEP(*(.multiboot)) } :text  /* within the file's first 32 KiB */
    .text : { *(.text .text.*) } :text
    .rodata : { *(.rodata .rodata.*) } :text
    .dynsym : { *(.dynsym) } :text
    .dynstr : { *(.dynstr) } :text
    .hash : { *(.hash) } :text
    .gnu.hash : { *(.gnu.hash) } :text
    .rel.dyn : { *(.rel.dyn) } :text

    . = ALIGN(PAGE_SIZE);
    .data.rel.ro : { *(.data.rel.ro .data.rel.ro.*) } :data
    .dynamic : { *(.dynamic) } :data :dynamic
    .got : { *(.got) *(.got.plt) } :data
    .data : { *(.data .data.*) } :data
    .bss : {
        *(.bss .bss.*) *(COMMON)
        __bss_probe = .;     /* last: the bytes a short zero-fill misses first (report.c) */
        . += BSS_PROBE_SIZE;
    } :data

    /DISCARD/ : { *(.comment) *(.note.*) *(.eh_frame*) *(.interp) }
}
