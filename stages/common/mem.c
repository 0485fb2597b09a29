/* mem.c — memory and string helpers.
 *
 * The copies use `rep movsd`: mimgload may move a module of hundreds of
 * MiB, and string instructions are the fastest simple copy on real CPUs
 * and under QEMU's TCG alike. The direction flag is clear on entry to C
 * (entry.asm) and every function leaves it clear. */

#include "mem.h"

#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    const void *s = src;
    size_t dwords = n >> 2;
    __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(dwords) : : "memory");
    size_t bytes = n & 3;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(bytes) : : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n); /* a forward copy reads every byte before writing it */

    /* dst is inside [src, src + n): copy backward, the odd tail bytes first. */
    uintptr_t de = d + n - 1, se = s + n - 1;
    size_t bytes = n & 3;
    __asm__ volatile("std\n\trep movsb" : "+D"(de), "+S"(se), "+c"(bytes) : : "memory");
    de -= 3;
    se -= 3;
    size_t dwords = n >> 2;
    __asm__ volatile("rep movsl\n\tcld" : "+D"(de), "+S"(se), "+c"(dwords) : : "memory");
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    uint32_t fill = (uint8_t)c * 0x01010101u;
    size_t dwords = n >> 2;
    __asm__ volatile("rep stosl" : "+D"(d), "+c"(dwords) : "a"(fill) : "memory");
    size_t bytes = n & 3;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(bytes) : "a"(fill) : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}
