/* second.ld.S — the second executable: SECOND_MAGIC at SECOND_ADDRESS, then code. */

#include "layout.h"

ENTRY(second_entry)

PHDRS
{
    text PT_LOAD FLAGS(5);
}

SECTIONS
{
    . = SECOND_ADDRESS;
    .text : {
        KEEP(*(.second_magic))  /* first: the kernels look for it at SECOND_ADDRESS */
        *(.text .text.*)
    } :text
    .rodata : { *(.rodata .rodata.*) } :text

    /DISCARD/ : { *(.comment) *(.note.*) *(.eh_frame*) }
}
