/* XXH64 with seed 0 (the seed .mimg uses), one-shot and streaming: the
 * XXH64() of xxHash, what `xxhsum -H64` prints. Freestanding C99; uses 64-bit
 * multiplies and shifts but no 64-bit division, so it needs no libgcc on
 * i386. No alignment requirement on the input. */
#ifndef MIMG_XXH64_H
#define MIMG_XXH64_H

#include <stdint.h>

#define XXH64_STRIPE_SIZE 32

struct xxh64_ctx {
    uint64_t acc[4];                    /* the four lane accumulators */
    uint64_t length;                    /* bytes hashed so far */
    uint8_t stripe[XXH64_STRIPE_SIZE];  /* the first length % 32 bytes of the next stripe */
};

/* The loop over whole 32-byte stripes, replaceable: a stage may point
 * xxh64_stripes_hook at a faster implementation (mimgload's runs in long
 * mode). It folds the whole stripes of [p, p + len) into the four
 * accumulators and returns the bytes it consumed, len rounded down to a
 * multiple of 32. 0 (the default) selects the portable C loop. */
typedef uint32_t xxh64_stripes_fn(uint64_t acc[4], const uint8_t *p, uint32_t len);
extern xxh64_stripes_fn *xxh64_stripes_hook;

void xxh64_init(struct xxh64_ctx *ctx);
void xxh64_update(struct xxh64_ctx *ctx, const void *data, uint32_t len);
uint64_t xxh64_final(const struct xxh64_ctx *ctx);

/* The hash of len bytes at data: xxh64("", 0) = 0xEF46DB3751D8E999,
 * xxh64("abc", 3) = 0x44BC2CF5AD770999. */
uint64_t xxh64(const void *data, uint32_t len);

#endif
