/*
 * mimg64.c — an ELF64 (x86_64) kernel without a Multiboot header, linked
 * in the higher half and loaded at 1 MiB physical (mb64.ld.S), booted with
 * mimg's own protocol. Besides the boot information (report.c) it reports
 * where it runs (a virtual address of its own code, so the loader's
 * higher-half mapping is proven), the stack and page tables it was entered
 * with, and touches the last bytes of RAM through the identity map.
 */

#include "kernel.h"

const struct kernel kernel = { .name = "mimg64", .mimg = 1 };

__attribute__((noreturn)) void mimg64_main(uint32_t magic, uint64_t info, uint64_t entry_rsp, uint64_t cr3);

void mimg64_main(uint32_t magic, uint64_t info, uint64_t entry_rsp, uint64_t cr3)
{
    report_begin();
    uint64_t rip = (uint64_t)(uintptr_t)&mimg64_main;
    if (rip < MB64_VIRTUAL_OFFSET || info >> 32 != 0)
        fail("mimg64 does not run in the higher half, or the boot information is above 4 GiB");
    out_start();
    out_word("long");
    out_hex("rip", rip);
    out_hex("rsp", entry_rsp);
    out_hex("cr3", cr3);
    out_end();
    report_handoff(magic, (uint32_t)info);

    /* The last 8 bytes of RAM, read and written back through the identity
     * map: a missing mapping would fault, and with no IDT, reset QEMU. */
    volatile uint64_t *top = (volatile uint64_t *)(uintptr_t)(mimg_ram_top - 8);
    *top = *top;
    out_start();
    out_word("touched");
    out_hex("address", mimg_ram_top - 8);
    out_end();

    report_second();
    report_end();
}
