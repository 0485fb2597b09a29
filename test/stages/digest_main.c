/* Host driver for test/stages/verifier.test.ts: hashes consecutive slices of
 * a file, one slice per LENGTH argument, with the C SHA-256, XXH64 and CRC-32,
 * each both in one call and streamed in pieces of 1, 2, ... 130 bytes (so
 * partial blocks, whole blocks and runs of blocks all occur). Prints one line
 * per slice:
 *
 *     SHA256 SHA256-STREAMED XXH64 XXH64-STREAMED CRC32 CRC32-STREAMED
 */

#include <stdio.h>
#include <stdlib.h>

#include "crc32.h"
#include "sha256.h"
#include "xxh64.h"

#define EXIT_USAGE 100
#define EXIT_IO    101
#define MAX_PIECE  130

static void print_hex(const uint8_t *b, int n)
{
    for (int i = 0; i < n; i++)
        printf("%02x", b[i]);
}

static void hash_slice(const uint8_t *p, uint32_t len)
{
    uint8_t one[SHA256_DIGEST_SIZE], streamed[SHA256_DIGEST_SIZE];
    struct sha256_ctx sha;
    struct xxh64_ctx xxh;
    uint32_t crc = 0;

    sha256_init(&sha);
    xxh64_init(&xxh);
    for (uint32_t at = 0, k = 0; at < len; k++) {
        uint32_t piece = k % MAX_PIECE + 1;

        if (piece > len - at)
            piece = len - at;
        sha256_update(&sha, p + at, piece);
        xxh64_update(&xxh, p + at, piece);
        crc = crc32(crc, p + at, piece);
        at += piece;
    }
    sha256(p, len, one);
    sha256_final(&sha, streamed);

    print_hex(one, SHA256_DIGEST_SIZE);
    putchar(' ');
    print_hex(streamed, SHA256_DIGEST_SIZE);
    printf(" %016llx %016llx %08x %08x\n", (unsigned long long)xxh64(p, len), (unsigned long long)xxh64_final(&xxh),
           (unsigned)crc32(0, p, len), (unsigned)crc);
}

int main(int argc, char **argv)
{
    FILE *f;
    uint8_t *data;
    size_t have = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE LENGTH...\n", argv[0]);
        return EXIT_USAGE;
    }
    f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return EXIT_IO;
    }
    for (int i = 2; i < argc; i++) {
        uint32_t len = (uint32_t)strtoul(argv[i], NULL, 10);

        /* Each slice in its own allocation of exactly its size, so a
         * sanitizer catches any read past its end. */
        data = malloc(len > 0 ? len : 1);
        if (data == NULL || fread(data, 1, len, f) != len) {
            fprintf(stderr, "%s: short read at byte %zu\n", argv[1], have);
            return EXIT_IO;
        }
        hash_slice(data, len);
        free(data);
        have += len;
    }
    fclose(f);
    return 0;
}
