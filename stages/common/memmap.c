/* memmap.c — queries on the firmware memory map. */

#include "memmap.h"

#include "range.h"

bool memmap_add(struct memmap *m, uint64_t base, uint64_t len, uint32_t type)
{
    if (len == 0)
        return true;
    if (m->count == MEMMAP_MAX)
        return false;
    m->entry[m->count++] = (struct mem_entry){ .base = base, .len = len, .type = type };
    return true;
}

uint64_t memmap_ram_end(const struct memmap *m)
{
    uint64_t end = 0;
    for (uint32_t i = 0; i < m->count; i++)
        if (m->entry[i].type == MEM_USABLE && end_of(m->entry[i].base, m->entry[i].len) > end)
            end = end_of(m->entry[i].base, m->entry[i].len);
    return end;
}

const struct mem_entry *memmap_find_unusable(const struct memmap *m, uint64_t addr)
{
    for (uint32_t i = 0; i < m->count; i++) {
        const struct mem_entry *e = &m->entry[i];
        if (e->type != MEM_USABLE && e->base <= addr && addr < end_of(e->base, e->len))
            return e;
    }
    return 0;
}

bool memmap_usable(const struct memmap *m, uint64_t start, uint64_t end, uint64_t *bad)
{
    /* Covered: walk from start, each step to the furthest end of a usable
     * entry holding the current address (entries may be adjacent or overlap). */
    uint64_t at = start;
    while (at < end) {
        uint64_t next = at;
        for (uint32_t i = 0; i < m->count; i++) {
            const struct mem_entry *e = &m->entry[i];
            uint64_t e_end = end_of(e->base, e->len);
            if (e->type == MEM_USABLE && e->base <= at && at < e_end && e_end > next)
                next = e_end;
        }
        if (next == at)
            break;
        at = next;
    }
    /* Not claimed by any other entry: the lowest such clash counts. */
    uint64_t first_bad = at < end ? at : end;
    for (uint32_t i = 0; i < m->count; i++) {
        const struct mem_entry *e = &m->entry[i];
        uint64_t e_end = end_of(e->base, e->len);
        if (e->type != MEM_USABLE && overlaps(start, end, e->base, e_end)) {
            uint64_t clash = e->base > start ? e->base : start;
            if (clash < first_bad)
                first_bad = clash;
        }
    }
    *bad = first_bad;
    return first_bad == end;
}

bool memmap_find_free(const struct memmap *m, uint64_t size, uint64_t align, uint64_t lo, uint64_t hi,
                      memmap_conflict_fn conflict, const void *ctx, uint64_t *found)
{
    bool any = false;
    for (uint32_t i = 0; i < m->count; i++) {
        const struct mem_entry *e = &m->entry[i];
        if (e->type != MEM_USABLE)
            continue;
        uint64_t floor = e->base > lo ? e->base : lo;
        uint64_t top = end_of(e->base, e->len) < hi ? end_of(e->base, e->len) : hi;
        /* Try the highest fit under `top`; every clash lowers `top` below
         * the start of what it hit, so each range is hit at most once. */
        while (top >= floor && top - floor >= size) {
            uint64_t a = align_down(top - size, align);
            if (a < floor)
                break;
            uint64_t clash = MEMMAP_NO_CONFLICT;
            for (uint32_t j = 0; j < m->count; j++) {
                const struct mem_entry *o = &m->entry[j];
                if (o->type != MEM_USABLE && overlaps(a, a + size, o->base, end_of(o->base, o->len)) && o->base < clash)
                    clash = o->base;
            }
            if (clash == MEMMAP_NO_CONFLICT)
                clash = conflict(ctx, a, a + size);
            if (clash == MEMMAP_NO_CONFLICT) {
                if (!any || a > *found)
                    *found = a;
                any = true;
                break;
            }
            top = clash;
        }
    }
    return any;
}
