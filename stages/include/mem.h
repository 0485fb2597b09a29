/* mem.h — the memory and string helpers of common/mem.c.
 *
 * The usual names and semantics, because clang may itself emit calls to
 * memcpy and memset for struct copies even in freestanding code. */
#ifndef STAGES_MEM_H
#define STAGES_MEM_H

#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);  /* no overlap */
void *memmove(void *dst, const void *src, size_t n); /* any overlap */
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* Little-endian fields at any alignment, as firmware tables and file
 * formats lay them out: one load each (the builtin, as the stages are built
 * -ffreestanding, where memcpy is a plain call). */
static inline uint16_t get_u16(const void *p) { uint16_t v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline uint32_t get_u32(const void *p) { uint32_t v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline uint64_t get_u64(const void *p) { uint64_t v; __builtin_memcpy(&v, p, sizeof v); return v; }

#endif
