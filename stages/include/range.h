/* range.h — half-open physical ranges [start, end) and the one overlap test.
 *
 * The same predicate as src/layout/range.ts: two ranges overlap when each
 * starts before the other ends. It covers containment both ways, and an
 * empty range overlaps nothing. */
#ifndef STAGES_RANGE_H
#define STAGES_RANGE_H

#include <stdbool.h>
#include <stdint.h>

#define KIB 0x400u
#define MIB 0x100000u
#define GIB4 0x100000000ull /* the end of what 32-bit code can address */

static inline bool overlaps(uint64_t a_start, uint64_t a_end, uint64_t b_start, uint64_t b_end)
{
    return a_start < b_end && b_start < a_end;
}

/* base + len, saturated: a firmware map entry may claim to reach past 2^64. */
static inline uint64_t end_of(uint64_t base, uint64_t len)
{
    return len > UINT64_MAX - base ? UINT64_MAX : base + len;
}

static inline uint64_t align_down(uint64_t x, uint64_t align) /* align: a power of 2 */
{
    return x & ~(align - 1);
}

static inline uint64_t align_up(uint64_t x, uint64_t align) /* x <= UINT64_MAX - align + 1 */
{
    return (x + align - 1) & ~(align - 1);
}

#endif
