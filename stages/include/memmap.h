/* memmap.h — the firmware memory map, as a boot stage keeps it.
 *
 * Entries are copied from the chain loader (Multiboot) or the firmware
 * (E820) into a fixed table, in their original order and unmerged, so the
 * kernel later gets the map it would have got from its own loader. */
#ifndef STAGES_MEMMAP_H
#define STAGES_MEMMAP_H

#include <stdbool.h>
#include <stdint.h>

/* Entries kept. The image's boot information block is sized for this many
 * (MAX_MEMORY_MAP_ENTRIES in src/layout/bootinfo.ts); a map with more is an
 * error rather than a silently shortened map. */
#define MEMMAP_MAX 128

/* E820 / Multiboot memory types. Only MEM_USABLE may hold sections. */
#define MEM_USABLE 1

/* The Multiboot2 memory map entry layout (24 bytes, naturally aligned). */
struct mem_entry {
    uint64_t base;
    uint64_t len;
    uint32_t type;
    uint32_t reserved;
};

struct memmap {
    uint32_t count;
    struct mem_entry entry[MEMMAP_MAX];
};

/* Appends an entry; false when the table is full. Empty entries are dropped. */
bool memmap_add(struct memmap *m, uint64_t base, uint64_t len, uint32_t type);

/* The end of the highest usable entry (0 if none). */
uint64_t memmap_ram_end(const struct memmap *m);

/* Whether every byte of [start, end) is in a usable entry and in no other
 * entry (firmware maps may overlap; any other type wins, as in Linux's
 * sanitizer). When not, *bad is the lowest address that fails. */
bool memmap_usable(const struct memmap *m, uint64_t start, uint64_t end, uint64_t *bad);

/* The entry of another type than usable that holds addr, or 0. */
const struct mem_entry *memmap_find_unusable(const struct memmap *m, uint64_t addr);

/* Usable areas that must also avoid ranges known only to the caller: given
 * [start, end), return the start of any range it must avoid that overlaps
 * it, or MEMMAP_NO_CONFLICT. */
#define MEMMAP_NO_CONFLICT UINT64_MAX
typedef uint64_t (*memmap_conflict_fn)(const void *ctx, uint64_t start, uint64_t end);

/* The highest [a, a + size) with a aligned to `align`, inside one usable
 * entry and inside [lo, hi), overlapping no other entry and no range that
 * `conflict` reports. Returns false when there is none. Top-down, because
 * kernels and images crowd the bottom of memory. */
bool memmap_find_free(const struct memmap *m, uint64_t size, uint64_t align, uint64_t lo, uint64_t hi,
                      memmap_conflict_fn conflict, const void *ctx, uint64_t *found);

#endif
