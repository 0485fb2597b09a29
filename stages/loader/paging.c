/* paging.c — whether the CPU has the long mode mimgload steps into for its
 * loops over every byte of an image (installer.asm: lm_call, and
 * paging_build for its page tables): under QEMU's TCG, which emulates each
 * instruction and each memory access, XXH64 with 64-bit registers runs
 * three times as fast, and a copy 8 bytes a load twice. */

#include "loader.h"

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
