/* XXH64, written from the xxHash specification (doc/xxhash_spec.md of
 * https://github.com/Cyan4973/xxHash, "XXH64 algorithm description"), with
 * seed 0. Inputs of 32 bytes or more run through four accumulators, one
 * 8-byte lane of each 32-byte stripe apiece; the rest of the input is mixed in
 * 8, 4 and 1 bytes at a time; an avalanche spreads every bit. */

#include "xxh64.h"

#define PRIME64_1 UINT64_C(0x9E3779B185EBCA87)
#define PRIME64_2 UINT64_C(0xC2B2AE3D27D4EB4F)
#define PRIME64_3 UINT64_C(0x165667B19E3779F9)
#define PRIME64_4 UINT64_C(0x85EBCA77C2B2AE63)
#define PRIME64_5 UINT64_C(0x27D4EB2F165667C5)

#define LANE_SIZE 8

/* Size over speed: where the CPU has long mode, mimgload hashes the
 * stripes in 64-bit code (xxh64_stripes_hook); this C is for the others,
 * and for the few steps per input around the stripes. So every 64-bit
 * multiply and rotation is one out-of-line function. */
__attribute__((noinline)) static uint64_t mul64(uint64_t a, uint64_t b)
{
    return a * b;
}

/* A rotation by 0 < n < 32, on 32-bit halves: no 64-bit shift by a
 * variable count, which 32-bit code would call a libgcc helper for. */
__attribute__((noinline)) static uint64_t rotl64(uint64_t x, unsigned n)
{
    uint32_t lo = (uint32_t)x, hi = (uint32_t)(x >> 32);

    return (uint64_t)(hi << n | lo >> (32 - n)) << 32 | (lo << n | hi >> (32 - n));
}

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t load_le64(const uint8_t *p)
{
    return (uint64_t)load_le32(p) | (uint64_t)load_le32(p + 4) << 32;
}

/* One lane into one accumulator ("round" in the specification). */
__attribute__((noinline)) static uint64_t round64(uint64_t acc, uint64_t lane)
{
    return mul64(rotl64(acc + mul64(lane, PRIME64_2), 31), PRIME64_1);
}

xxh64_stripes_fn *xxh64_stripes_hook;

/* Whole stripes at p into acc; returns how many bytes it consumed. */
static uint32_t stripes(uint64_t acc[4], const uint8_t *p, uint32_t len)
{
    if (xxh64_stripes_hook)
        return xxh64_stripes_hook(acc, p, len);

    uint32_t done = 0;

    for (; len - done >= XXH64_STRIPE_SIZE; done += XXH64_STRIPE_SIZE)
        for (int i = 0; i < 4; i++)
            acc[i] = round64(acc[i], load_le64(p + done + LANE_SIZE * i));
    return done;
}

/* Convergence, the remaining len (< 32) bytes at p, and the avalanche. */
static uint64_t finish(const uint64_t acc[4], uint64_t total, const uint8_t *p, uint32_t len)
{
    uint64_t h = PRIME64_5;  /* seed + PRIME64_5 */

    if (total >= XXH64_STRIPE_SIZE) {
        h = 0;
        for (int i = 0; i < 4; i++)
            h += rotl64(acc[i], (unsigned)"\1\7\14\22"[i]);  /* 1, 7, 12, 18 */
        for (int i = 0; i < 4; i++)
            h = mul64(h ^ round64(0, acc[i]), PRIME64_1) + PRIME64_4;
    }
    h += total;

    for (; len >= LANE_SIZE; p += LANE_SIZE, len -= LANE_SIZE)
        h = mul64(rotl64(h ^ round64(0, load_le64(p)), 27), PRIME64_1) + PRIME64_4;
    if (len >= 4) {
        h = mul64(rotl64(h ^ mul64(load_le32(p), PRIME64_1), 23), PRIME64_2) + PRIME64_3;
        p += 4;
        len -= 4;
    }
    for (; len > 0; p++, len--)
        h = mul64(rotl64(h ^ mul64(*p, PRIME64_5), 11), PRIME64_1);

    h = mul64(h ^ h >> 33, PRIME64_2);
    h = mul64(h ^ h >> 29, PRIME64_3);
    return h ^ h >> 32;
}

void xxh64_init(struct xxh64_ctx *ctx)
{
    /* seed + PRIME64_1 + PRIME64_2, seed + PRIME64_2, seed, seed - PRIME64_1, all modulo 2^64. */
    ctx->acc[0] = PRIME64_1 + PRIME64_2;
    ctx->acc[1] = PRIME64_2;
    ctx->acc[2] = 0;
    ctx->acc[3] = 0 - PRIME64_1;
    ctx->length = 0;
}

void xxh64_update(struct xxh64_ctx *ctx, const void *data, uint32_t len)
{
    const uint8_t *p = data;
    uint32_t used = (uint32_t)ctx->length & (XXH64_STRIPE_SIZE - 1);
    uint32_t done;

    ctx->length += len;
    if (used > 0) {
        /* Top up the pending partial stripe first. */
        while (used < XXH64_STRIPE_SIZE && len > 0) {
            ctx->stripe[used++] = *p++;
            len--;
        }
        if (used < XXH64_STRIPE_SIZE)
            return;
        stripes(ctx->acc, ctx->stripe, XXH64_STRIPE_SIZE);
    }
    done = stripes(ctx->acc, p, len);
    for (uint32_t i = done; i < len; i++)
        ctx->stripe[i - done] = p[i];
}

uint64_t xxh64_final(const struct xxh64_ctx *ctx)
{
    return finish(ctx->acc, ctx->length, ctx->stripe, (uint32_t)ctx->length & (XXH64_STRIPE_SIZE - 1));
}

uint64_t xxh64(const void *data, uint32_t len)
{
    struct xxh64_ctx ctx;
    uint32_t done;

    xxh64_init(&ctx);
    done = stripes(ctx.acc, data, len);
    return finish(ctx.acc, len, (const uint8_t *)data + done, len - done);
}
