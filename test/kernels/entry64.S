/*
 * entry64.S — the first instructions of mb64, an x86_64 kernel linked at
 * MB64_VIRTUAL_OFFSET + its physical address.
 *
 * A Multiboot loader enters _start in 32-bit protected mode, paging off, at
 * its physical address (the ELF entry point translated; see mb64.ld.S).
 * Until paging is on, every address is written PHYS(symbol). The code maps
 * the low 4 GiB twice with 2 MiB pages — identity (boot information and
 * modules are anywhere there) and at MB64_VIRTUAL_OFFSET (the kernel) —
 * enters long mode, jumps to the higher half and calls
 * kernel_main(magic, info), which never returns.
 */

#include "layout.h"

#define PHYS(symbol) ((symbol) - MB64_VIRTUAL_OFFSET)

#define STACK_SIZE 16384

#define CR0_PG        (1 << 31)
#define CR4_PAE       (1 << 5)
#define MSR_EFER      0xc0000080
#define EFER_LME      (1 << 8)

#define PTE_PRESENT   (1 << 0)
#define PTE_WRITE     (1 << 1)
#define PTE_LARGE     (1 << 7)   /* in a page directory: a 2 MiB page */
#define PTE_SIZE      8
#define TABLE_ENTRIES 512
#define LARGE_PAGE_SHIFT 21      /* 2 MiB */
#define IDENTITY_GIB  4          /* one page directory maps 1 GiB */
#define PML4_KERNEL   511        /* MB64_VIRTUAL_OFFSET: the last 512 GiB ... */
#define PDPT_KERNEL   510        /* ... and in them the last 2 GiB but one */

#define CODE64_SELECTOR 0x08
#define DATA_SELECTOR   0x10

        .section .text.entry, "ax"
        .code32
        .globl _start
        .type _start, @function
_start:
        cli
        cld                                     /* rep stos below, and the C ABI, need DF = 0 */
        movl %eax, %ebp                         /* magic; EBX (info) stays untouched until the call */

        /* .bss holds the tables and the loader must zero it, but a loader
         * that does not should get a report that says so (report.c), not a
         * triple fault: clear them. */
        movl $PHYS(page_tables), %edi
        movl $((page_tables_end - page_tables) / 4), %ecx
        xorl %eax, %eax
        rep stosl

        movl $(PHYS(pdpt_identity) + PTE_PRESENT + PTE_WRITE), PHYS(pml4)
        movl $(PHYS(pdpt_kernel) + PTE_PRESENT + PTE_WRITE), PHYS(pml4) + PML4_KERNEL * PTE_SIZE
        /* The kernel's 2 GiB window starts with the first identity GiB. */
        movl $(PHYS(page_directories) + PTE_PRESENT + PTE_WRITE), PHYS(pdpt_kernel) + PDPT_KERNEL * PTE_SIZE

        xorl %ecx, %ecx                         /* identity PDPT entry i -> page directory i */
1:      movl %ecx, %eax
        shll $12, %eax
        addl $(PHYS(page_directories) + PTE_PRESENT + PTE_WRITE), %eax
        movl %eax, PHYS(pdpt_identity)(, %ecx, PTE_SIZE)
        incl %ecx
        cmpl $IDENTITY_GIB, %ecx
        jb 1b

        xorl %ecx, %ecx                         /* page directory entry i -> 2 MiB page i */
1:      movl %ecx, %eax
        shll $LARGE_PAGE_SHIFT, %eax
        orl $(PTE_PRESENT + PTE_WRITE + PTE_LARGE), %eax
        movl %eax, PHYS(page_directories)(, %ecx, PTE_SIZE)
        incl %ecx
        cmpl $(IDENTITY_GIB * TABLE_ENTRIES), %ecx
        jb 1b

        movl $PHYS(pml4), %eax
        movl %eax, %cr3
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $MSR_EFER, %ecx
        rdmsr
        orl $EFER_LME, %eax
        wrmsr
        movl %cr0, %eax
        orl $CR0_PG, %eax
        movl %eax, %cr0                         /* long mode, 32-bit compatibility submode */
        lgdt PHYS(gdt_pointer)
        ljmp $CODE64_SELECTOR, $PHYS(long_mode)

        .code64
long_mode:
        movl $DATA_SELECTOR, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        movabsq $higher_half, %rax
        jmpq *%rax
higher_half:
        leaq stack_top(%rip), %rsp              /* 16-byte aligned at the call (SysV ABI) */
        movl %ebp, %edi                         /* magic */
        movl %ebx, %esi                         /* info */
        call kernel_main
        .size _start, . - _start

        .section .rodata
        .balign 8
gdt:    .quad 0                                 /* null descriptor */
        .quad 0x00af9a000000ffff                /* CODE64_SELECTOR: present, ring 0, code, L = 1 */
        .quad 0x00cf92000000ffff                /* DATA_SELECTOR: present, ring 0, data, writable */
gdt_end:
gdt_pointer:                                    /* lgdt in 32-bit mode reads a 32-bit base */
        .word gdt_end - gdt - 1
        .long PHYS(gdt)

        .bss
        .balign PAGE_SIZE
page_tables:
pml4:            .skip PAGE_SIZE
pdpt_identity:   .skip PAGE_SIZE
pdpt_kernel:     .skip PAGE_SIZE
page_directories: .skip IDENTITY_GIB * PAGE_SIZE
page_tables_end:
        .balign 16
stack:  .skip STACK_SIZE
stack_top:

        .section .note.GNU-stack, "", @progbits /* no executable stack */
