/* mb2build.h — a Multiboot2 information block written tag by tag
 * (bios/mb2build.c): stage 2's hand-off to mimgload, and BOOTX64.EFI's,
 * which links the same file. One block at a time. */
#ifndef MB2BUILD_H
#define MB2BUILD_H

#include <stdint.h>

/* Starts the block at `base` (8-aligned), after its fixed header. */
void mb2_begin(uint8_t *base);
/* A zeroed tag of `size` bytes, header included, at the next 8-aligned offset. */
void *mb2_tag(uint32_t type, uint32_t size);
/* A string tag holding `prefix` then `s`, NUL-terminated. */
void mb2_string_tag(uint32_t type, const char *prefix, const char *s);
/* mimg's CPU list tag (MB2_TAG_MIMG_CPUS): the count, then the APIC IDs. */
void mb2_cpus_tag(const uint32_t *cpu, uint32_t count);
/* The end tag and the header; returns the block's size. */
uint32_t mb2_finish(void);

#endif
