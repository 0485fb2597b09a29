/* bioscall.h — BIOS interrupt calls from 32-bit protected mode
 * (common/bioscall.asm), for stage 2 and mimgload. */
#ifndef STAGES_BIOSCALL_H
#define STAGES_BIOSCALL_H

#include <stdint.h>

/* Registers into and out of a BIOS call. DS and ES are real-mode segments. */
struct bios_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp;
    uint32_t eflags; /* out only: the flags the BIOS returned */
    uint16_t ds, es;
};
_Static_assert(sizeof(struct bios_regs) == 9 * 4, "bioscall.asm's REGS_SIZE");

#define EFLAGS_CF 0x1u /* set by most BIOS services on failure */

/* INT vector in real mode with *r; *r is updated with the BIOS's results.
 * bioscall.asm's sections must lie where its linker script says (below
 * 64 KiB), and the GDT must be STAGES_GDT's (x86.inc). */
void bios_int(uint32_t vector, struct bios_regs *r);

/* A buffer below 1 MiB as real mode sees it. */
static inline uint16_t rm_segment(const void *p)
{
    return (uint16_t)((uintptr_t)p >> 4);
}
static inline uint16_t rm_offset(const void *p)
{
    return (uint16_t)((uintptr_t)p & 0xF);
}

#endif
