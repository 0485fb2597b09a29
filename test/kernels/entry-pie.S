/*
 * entry-pie.S — the first instructions of mb2-pie, position-independent.
 *
 * The loader put the image anywhere and applied its R_386_RELATIVE
 * relocations; this code runs before we know where, so it finds out with
 * call/pop and addresses the stack relative to that. It passes pie_main the
 * run-time address of the image's first byte (__image_start) and its
 * link-time address (__image_link, an absolute symbol the linker does not
 * relocate), so the host can check the delta the loader chose.
 */

#define STACK_SIZE 16384

        .text
        .globl _start
        .type _start, @function
_start:
        cli
        cld                                     /* the C ABI assumes DF = 0 */
        call 1f
1:      popl %ecx                               /* ECX = where 1b runs */
        leal (stack_top - 1b)(%ecx), %esp       /* 16-byte aligned, and 4 pushes keep it so */
        leal (__image_start - 1b)(%ecx), %edx
        pushl $__image_link                     /* pie_main(magic, info, base, link) */
        pushl %edx
        pushl %ebx
        pushl %eax
        call pie_main
        .size _start, . - _start

        .bss
        .balign 16
stack:  .skip STACK_SIZE
stack_top:

        .section .note.GNU-stack, "", @progbits /* no executable stack */
