/* SHA-256, written from FIPS 180-4 (section numbers below refer to it).
 *
 * mimgload hashes payloads of up to 64 MiB under QEMU's TCG, where every
 * guest instruction counts, and must fit in 16 KiB: whole blocks are
 * compressed straight from the input (never copied through the context),
 * words are loaded with shifts that compilers turn into one load and a byte
 * swap, and the rounds run one per loop iteration over arrays of working
 * variables that are appended to rather than shuffled (see compress): nine
 * tenths the speed of rounds unrolled eight at a time, a third the size. */

#include "sha256.h"

/* Section 4.2.2: the first 32 bits of the fractional parts of the cube roots
 * of the first 64 primes. */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Section 5.3.3: the first 32 bits of the fractional parts of the square
 * roots of the first 8 primes. */
static const uint32_t H0[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* Section 5.1.1: the message length is appended as a 64-bit big-endian bit
 * count, after a 0x80 byte, ending the last block. */
#define LENGTH_FIELD_SIZE 8
#define PAD_END           (SHA256_BLOCK_SIZE - LENGTH_FIELD_SIZE)

/* Sections 3.2 and 4.1.2. */
#define ROTR(x, n)  (((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z)  ((z) ^ ((x) & ((y) ^ (z))))            /* = (x & y) ^ (~x & z) */
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))    /* = (x & y) ^ (x & z) ^ (y & z) */
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Section 6.2.2 for `blocks` consecutive 64-byte blocks at p. Each round
 * makes a new a and a new e; the other six working variables are earlier
 * ones (b is the previous a, ...). So round i appends to two arrays rather
 * than moving seven variables: a..d are A[i+3]..A[i], e..h E[i+3]..E[i].
 * One round per loop iteration keeps the code small. */
static void compress(uint32_t state[8], const uint8_t *p, uint32_t blocks)
{
    uint32_t w[64], A[68], E[68];

    while (blocks-- > 0) {
        int i;

        for (i = 0; i < 16; i++)
            w[i] = load_be32(p + 4 * i);
        for (; i < 64; i++)
            w[i] = SSIG1(w[i - 2]) + w[i - 7] + SSIG0(w[i - 15]) + w[i - 16];
        for (i = 0; i < 4; i++) {
            A[3 - i] = state[i];
            E[3 - i] = state[4 + i];
        }
        for (i = 0; i < 64; i++) {
            uint32_t a = A[i + 3], e = E[i + 3];
            uint32_t t1 = E[i] + BSIG1(e) + CH(e, E[i + 2], E[i + 1]) + K[i] + w[i];

            E[i + 4] = A[i] + t1;
            A[i + 4] = t1 + BSIG0(a) + MAJ(a, A[i + 2], A[i + 1]);
        }
        for (i = 0; i < 4; i++) {
            state[i] += A[67 - i];
            state[4 + i] += E[67 - i];
        }
        p += SHA256_BLOCK_SIZE;
    }
}

void sha256_init(struct sha256_ctx *ctx)
{
    for (int i = 0; i < 8; i++)
        ctx->state[i] = H0[i];
    ctx->length = 0;
}

void sha256_update(struct sha256_ctx *ctx, const void *data, uint32_t len)
{
    const uint8_t *p = data;
    uint32_t used = (uint32_t)ctx->length & (SHA256_BLOCK_SIZE - 1);

    ctx->length += len;
    if (used > 0) {
        /* Top up the pending partial block first. */
        while (used < SHA256_BLOCK_SIZE && len > 0) {
            ctx->block[used++] = *p++;
            len--;
        }
        if (used < SHA256_BLOCK_SIZE)
            return;
        compress(ctx->state, ctx->block, 1);
    }
    compress(ctx->state, p, len / SHA256_BLOCK_SIZE);
    p += len & ~(uint32_t)(SHA256_BLOCK_SIZE - 1);
    len &= SHA256_BLOCK_SIZE - 1;
    for (uint32_t i = 0; i < len; i++)
        ctx->block[i] = p[i];
}

void sha256_final(struct sha256_ctx *ctx, uint8_t out[SHA256_DIGEST_SIZE])
{
    uint64_t bits = ctx->length << 3;
    uint32_t used = (uint32_t)ctx->length & (SHA256_BLOCK_SIZE - 1);

    /* Section 5.1.1: a 1 bit, zeros, then the length in the last 8 bytes,
     * spilling into one more block when the length does not fit. */
    ctx->block[used++] = 0x80;
    if (used > PAD_END) {
        while (used < SHA256_BLOCK_SIZE)
            ctx->block[used++] = 0;
        compress(ctx->state, ctx->block, 1);
        used = 0;
    }
    while (used < PAD_END)
        ctx->block[used++] = 0;
    store_be32(ctx->block + PAD_END, (uint32_t)(bits >> 32));
    store_be32(ctx->block + PAD_END + 4, (uint32_t)bits);
    compress(ctx->state, ctx->block, 1);

    for (int i = 0; i < 8; i++)
        store_be32(out + 4 * i, ctx->state[i]);
}

void sha256(const void *data, uint32_t len, uint8_t out[SHA256_DIGEST_SIZE])
{
    struct sha256_ctx ctx;
    const uint8_t *p = data;
    uint32_t rest = len & (SHA256_BLOCK_SIZE - 1);

    /* sha256_update's work, without its pending block: the whole blocks
     * straight from the input, the rest into ctx.block. */
    sha256_init(&ctx);
    compress(ctx.state, p, len / SHA256_BLOCK_SIZE);
    ctx.length = len;
    for (uint32_t i = 0; i < rest; i++)
        ctx.block[i] = p[len - rest + i];
    sha256_final(&ctx, out);
}
