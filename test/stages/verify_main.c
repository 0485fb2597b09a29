/* Host driver for test/stages/verifier.test.ts: runs mimg_verify over one
 * file and prints its message, or OK. The exit status is the number of the
 * first failing rule (0 when valid); 100 and up are errors of this driver. */

#include <stdio.h>
#include <stdlib.h>

#include "verify.h"

#define EXIT_USAGE 100
#define EXIT_IO    101
#define MESSAGE_SIZE 512

int main(int argc, char **argv)
{
    FILE *f;
    long size;
    uint8_t *image;
    char msg[MESSAGE_SIZE];
    int rule;

    if (argc != 2) {
        fprintf(stderr, "usage: %s IMAGE\n", argv[0]);
        return EXIT_USAGE;
    }
    f = fopen(argv[1], "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        perror(argv[1]);
        return EXIT_IO;
    }
    /* Exactly size bytes (malloc aligns to at least 8), so a sanitizer
     * catches any read past the end of the image. */
    image = malloc(size > 0 ? (size_t)size : 1);
    if (image == NULL || fread(image, 1, (size_t)size, f) != (size_t)size) {
        perror(argv[1]);
        return EXIT_IO;
    }
    fclose(f);

    rule = mimg_verify(image, (uint32_t)size, msg, sizeof msg);
    puts(rule == 0 ? "OK" : msg);
    free(image);
    return rule;
}
