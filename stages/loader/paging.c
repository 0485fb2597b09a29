/* paging.c — whether the CPU has the long mode mimgload steps into for its
 * loops over every byte of an image (installer.asm: lm_call, and
 * paging_build for its page tables): under QEMU's TCG, which emulates each
 * instruction and each memory access, XXH64 with 64-bit registers runs
 * three times as fast, and a copy 8 bytes a load twice. */

#include "console.h"
#include "loader.h"
#include "mem.h"
#include "range.h"

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

/* ---- The page tables a long64 kernel is entered with ------------------
 * (docs/protocol/mimg.md section 2): an identity map of [0, top) in 2 MiB
 * pages, top the end of the highest map entry that is not `reserved`
 * (firmware reserves ranges far above RAM: QEMU at 1 TiB) rounded up to
 * 1 GiB and at least 4 GiB, and each exec section's vaddr alias in 4 KiB
 * pages. */

#define PAGE_SIZE 0x1000u
#define PTE_PW 0x3ull     /* present, writable */
#define PTE_LARGE 0x80ull /* in a page directory: a 2 MiB page */
#define ENTRIES 512u
#define GIB_SHIFT 30
#define TOP_MAX_GIB 512u  /* one PDPT */
#define MEM_RESERVED 2

/* Gigabytes the identity map covers. */
static uint32_t identity_gib(const struct memmap *map)
{
    uint64_t top = GIB4;
    for (uint32_t i = 0; i < map->count; i++) {
        uint64_t end = end_of(map->entry[i].base, map->entry[i].len);
        if (map->entry[i].type != MEM_RESERVED && end > top)
            top = end;
    }
    if (top > (uint64_t)TOP_MAX_GIB << GIB_SHIFT)
        die(STAGE, "the memory map reaches 0x%lx, past the 512 GiB the page tables map", top);
    return (uint32_t)((top + (1u << GIB_SHIFT) - 1) >> GIB_SHIFT);
}


uint32_t kernel_tables_size(const struct image *im, const struct memmap *map)
{
    uint32_t pages = 2 + identity_gib(map); /* PML4, PDPT, a directory per GiB */
    for (uint32_t i = 0; i < im->header->section_count; i++) {
        const struct mimg_section *s = &im->section[i];
        /* A table per 2 MiB, a directory per GiB, plus a partial one of
         * each and of a PDPT at both ends. Sections with a vaddr are exec
         * sections, so below 4 GiB (target_check): mem_size fits 32 bits. */
        if (s->vaddr)
            pages += ((uint32_t)s->mem_size >> 21) + ((uint32_t)s->mem_size >> 30) + 6;
    }
    return pages * PAGE_SIZE;
}

/* The next-level table an entry points to, taken from *next (zeroed) if
 * the entry is empty. */
static uint64_t *table_of(uint64_t *entry, uint64_t **next)
{
    if (!(*entry & PTE_PW)) {
        memset(*next, 0, PAGE_SIZE);
        *entry = (uint32_t)(uintptr_t)*next | PTE_PW;
        *next += ENTRIES;
    }
    return (uint64_t *)(uintptr_t)(uint32_t)(*entry & ~(uint64_t)(PAGE_SIZE - 1));
}

void kernel_tables_build(uint64_t *pml4, const struct image *im, const struct memmap *map)
{
    uint64_t *next = pml4 + ENTRIES;
    memset(pml4, 0, PAGE_SIZE);
    uint64_t *pdpt = table_of(&pml4[0], &next);
    uint32_t gib = identity_gib(map);
    for (uint32_t g = 0; g < gib; g++) {
        uint64_t *pd = table_of(&pdpt[g], &next);
        for (uint32_t i = 0; i < ENTRIES; i++)
            pd[i] = ((uint64_t)g << GIB_SHIFT | (uint64_t)i << 21) | PTE_LARGE | PTE_PW;
    }
    for (uint32_t k = 0; k < im->header->section_count; k++) {
        const struct mimg_section *s = &im->section[k];
        if (!s->vaddr)
            continue;
        /* The pages [dest, dest + mem_size) touches, which lie below 4 GiB
         * (target_check), and at the same offsets their aliases (rule 12). */
        uint32_t p = (uint32_t)s->dest & ~(PAGE_SIZE - 1), last = (uint32_t)(s->dest + s->mem_size - 1);
        uint64_t v = s->vaddr & ~(uint64_t)(PAGE_SIZE - 1);
        for (uint32_t n = (last >> 12) - (p >> 12) + 1; n; n--, v += PAGE_SIZE, p += PAGE_SIZE) {
            /* The four 9-bit indexes, bits 47-39, 38-30, 29-21, 20-12 of v
             * (constant shifts: a variable 64-bit one needs libgcc on i386). */
            uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v;
            uint32_t index[4] = { hi >> 7, hi << 2 | lo >> 30, lo >> 21, lo >> 12 };
            uint64_t *t = pml4;
            for (uint32_t level = 0; level < 3; level++)
                t = table_of(&t[index[level] & (ENTRIES - 1)], &next);
            t[index[3] & (ENTRIES - 1)] = p | PTE_PW;
        }
    }
}
