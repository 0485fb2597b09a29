/*
 * entry-mimg64.S — the first instructions of mimg64, an x86_64 kernel
 * linked at MB64_VIRTUAL_OFFSET + its physical address and booted with
 * mimg's own protocol (docs/protocol/mimg.md section 2): the loader enters
 * _start at its virtual address, in long mode, with its own page tables,
 * RAX = the magic and RDI = the boot information.
 *
 * Keeps what the loader left in RSP and CR3 for the report, sets up its own
 * stack and calls mimg64_main(magic, info, entry_rsp, cr3), which never
 * returns.
 */

#define STACK_SIZE 16384

        .text
        .globl _start
        .type _start, @function
_start:
        cld
        movq %rsp, %rdx                         /* the loader's stack */
        movq %cr3, %rcx                         /* the loader's page tables */
        leaq stack_top(%rip), %rsp              /* 16-byte aligned at the call (SysV ABI) */
        movq %rdi, %rsi                         /* info */
        movl %eax, %edi                         /* magic */
        call mimg64_main
        .size _start, . - _start

        .bss
        .balign 16
stack:  .skip STACK_SIZE
stack_top:

        .section .note.GNU-stack, "", @progbits /* no executable stack */
