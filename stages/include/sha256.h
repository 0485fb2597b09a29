/* SHA-256 (FIPS 180-4), one-shot and streaming. Freestanding C99; no
 * alignment requirement on the input. */
#ifndef MIMG_SHA256_H
#define MIMG_SHA256_H

#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE  64

struct sha256_ctx {
    uint32_t state[8];                  /* H(i), the intermediate hash value */
    uint64_t length;                    /* bytes hashed so far */
    uint8_t block[SHA256_BLOCK_SIZE];   /* the first length % 64 bytes of the next block */
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, uint32_t len);
/* Writes the digest; ctx must be initialised again before further use. */
void sha256_final(struct sha256_ctx *ctx, uint8_t out[SHA256_DIGEST_SIZE]);

/* The digest of len bytes at data. sha256("abc", 3, out) gives
 * ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad. */
void sha256(const void *data, uint32_t len, uint8_t out[SHA256_DIGEST_SIZE]);

#endif
