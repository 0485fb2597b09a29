/*
 * entry.S — the Multiboot2 header and the first instructions of the kernel.
 *
 * A Multiboot2 loader finds the header in the first 32 KiB of the file,
 * installs the ELF segments at their physical addresses and jumps to
 * _start in 32-bit protected mode with paging off, EAX = 0x36d76289 and
 * EBX = the physical address of the boot information. There is no stack
 * yet: we set one up, then call main(magic, info) in kernel.c.
 */

#define MB2_MAGIC 0xE85250D6 /* header magic */
#define MB2_ARCH  0          /* i386, 32-bit protected mode */

        .section .multiboot2, "a"
        .balign 8                               /* the header is 64-bit aligned */
mb2_header:
        .long MB2_MAGIC
        .long MB2_ARCH
        .long mb2_header_end - mb2_header       /* header length */
        .long -(MB2_MAGIC + MB2_ARCH + (mb2_header_end - mb2_header)) /* checksum: the four fields sum to 0 */
        /* no optional tags: the loader uses the ELF program headers and entry */
        .short 0, 0                             /* end tag: type 0, flags 0 */
        .long 8                                 /*          size 8 */
mb2_header_end:

        .text
        .globl _start
        .type _start, @function
_start:
        cli
        movl $stack_top, %esp                   /* 16-byte aligned */
        subl $8, %esp                           /* so that ESP is 16-byte aligned at the call (i386 ABI) */
        pushl %ebx                              /* main's 2nd argument: boot information */
        pushl %eax                              /* main's 1st argument: magic */
        call main                               /* main does not return; halt if it does */
1:      cli
        hlt
        jmp 1b
        .size _start, . - _start

        .bss
        .balign 16
stack:  .skip 16384
stack_top:

        .section .note.GNU-stack, "", @progbits /* no executable stack */
