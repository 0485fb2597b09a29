/* mem.h — the memory and string helpers of common/mem.c.
 *
 * The usual names and semantics, because clang may itself emit calls to
 * memcpy and memset for struct copies even in freestanding code. */
#ifndef STAGES_MEM_H
#define STAGES_MEM_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);  /* no overlap */
void *memmove(void *dst, const void *src, size_t n); /* any overlap */
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
