/*
 * mb2-pie.c — a relocatable (ET_DYN, static PIE) Multiboot2 kernel. It is
 * linked at PIE_LINK_ADDRESS, where it can never load, so the loader must
 * move it and apply its relocations, all R_386_RELATIVE. It reports where it
 * runs (`base`, `link`) and proves the relocations were applied (`reloc ok`).
 */

#include "kernel.h"

const struct kernel kernel = { .name = "mb2-pie", .mb2 = &mb2_header.header };

/* The address of reloc_target, stored in data: an R_386_RELATIVE relocation.
 * volatile: the comparison below must read it from memory. */
static int reloc_target;
static int *const volatile reloc_pointer = &reloc_target;

__attribute__((noreturn)) void pie_main(uint32_t magic, uint32_t info, uint32_t base, uint32_t link);

void pie_main(uint32_t magic, uint32_t info, uint32_t base, uint32_t link)
{
    report_begin();
    out_start();
    out_hex("base", base);
    out_hex("link", link);
    out_end();

    /* Code addresses reloc_target PC-relatively, so this side is always right;
     * the pointer is right only if the loader relocated it. Checked before
     * `kernel`, whose pointers are relocated the same way, is used. */
    if (reloc_pointer != &reloc_target) {
        fail_start("R_386_RELATIVE relocation not applied");
        out_hex("pointer", (uintptr_t)reloc_pointer);
        out_hex("expected", (uintptr_t)&reloc_target);
        fail_end();
    }
    out_start();
    out_word("reloc");
    out_word("ok");
    out_end();

    report_handoff(magic, info);
    report_second();
    report_end();
}
