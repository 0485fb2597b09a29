/*
 * entry.S — the first instructions of the 32-bit kernels (mb1, mb2, mb1-aout).
 *
 * A Multiboot loader enters in 32-bit protected mode, paging off, with the
 * magic in EAX and the boot information's physical address in EBX; it
 * promises no stack and says nothing of EFLAGS.DF. Set up both, then call
 * kernel_main(magic, info), which never returns.
 */

#define STACK_SIZE 16384

        .text
        .globl _start
        .type _start, @function
_start:
        cli
        cld                                     /* the C ABI assumes DF = 0 */
        movl $stack_top, %esp
        subl $8, %esp                           /* ESP 16-byte aligned at the call (i386 ABI) */
        pushl %ebx                              /* info */
        pushl %eax                              /* magic */
        call kernel_main
        .size _start, . - _start

        .bss
        .balign 16
stack:  .skip STACK_SIZE
stack_top:

        .section .note.GNU-stack, "", @progbits /* no executable stack */
