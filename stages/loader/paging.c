/* paging.c — the long mode mimgload steps into for its loops over every
 * byte of an image (installer.asm, lm_call): under QEMU's TCG, which
 * emulates each instruction and each memory access, XXH64 with 64-bit
 * registers runs three times as fast, and a copy 8 bytes a load twice. */

#include "loader.h"

#define ENTRIES 512u
#define PDS 4u            /* page directories: 4 x 512 x 2 MiB = 4 GiB */
#define PTE_PRESENT 0x1u
#define PTE_WRITE 0x2u
#define PTE_LARGE 0x80u   /* in a page directory: a 2 MiB page */
#define CPUID_EXT 0x80000000u
#define CPUID_EXT_FEATURES 0x80000001u
#define EXT_EDX_LM (1u << 29)

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *d)
{
    uint32_t b, c;
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(b), "=c"(c), "=d"(*d) : "a"(leaf), "c"(0));
}

bool long_mode_available(void)
{
    uint32_t a, d;
    cpuid(CPUID_EXT, &a, &d); /* every i686 has CPUID */
    if (a < CPUID_EXT_FEATURES)
        return false;
    cpuid(CPUID_EXT_FEATURES, &a, &d);
    return d & EXT_EDX_LM;
}

void paging_build(uint64_t *tables)
{
    /* In 32-bit halves: t[0..1023] PML4, t[1024..2047] PDPT, then the page
     * directories, 2 MiB pages from 0. */
    uint32_t *t = (uint32_t *)tables;
    for (uint32_t i = 0; i < ENTRIES * 4; i++)
        t[i] = 0;
    t[0] = (uintptr_t)(t + ENTRIES * 2) | PTE_PRESENT | PTE_WRITE;
    for (uint32_t i = 0; i < PDS; i++)
        t[ENTRIES * 2 + 2 * i] = (uintptr_t)(t + ENTRIES * 2 * (2 + i)) | PTE_PRESENT | PTE_WRITE;
    for (uint32_t i = 0; i < ENTRIES * PDS; i++) {
        t[ENTRIES * 4 + 2 * i] = i << 21 | PTE_LARGE | PTE_PRESENT | PTE_WRITE;
        t[ENTRIES * 4 + 2 * i + 1] = i >> 11;
    }
}
