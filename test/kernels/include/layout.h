/*
 * layout.h — the test kernels' fixed addresses, shared by the C code, the
 * assembly and the linker scripts (which are run through the C preprocessor),
 * and test/support/kernels.ts (which reads this file), so that no address is
 * written twice. Numbers are plain: linker scripts take no C suffixes.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#define PAGE_SIZE 0x1000

/* Every kernel's .bss ends with this many bytes that report.c checks are zero. */
#define BSS_PROBE_SIZE 0x1000

/* mb1, mb2 and mb64 (physically) load here: the conventional 1 MiB. */
#define KERNEL_ADDRESS 0x100000

/* mb1-aout loads here, by its Multiboot1 header's address fields ... */
#define AOUT_ADDRESS 0x200000
/* ... while the program headers of mb1-aout.elf claim this much higher, so
 * that a loader which follows them instead of the header gets it wrong. */
#define AOUT_ELF_SKEW 0x100000

/* mb64 runs at this virtual offset from its physical address (the usual
 * x86_64 "higher half": the top 2 GiB), as 64-bit kernels are linked. */
#define MB64_VIRTUAL_OFFSET 0xffffffff80000000

/* mb2-pie is linked here, where the real-mode IVT and BIOS data are: no
 * loader can put it there, so it is always moved and relocated. */
#define PIE_LINK_ADDRESS 0

/* The second executable starts with SECOND_MAGIC, NUL included, here. */
#define SECOND_ADDRESS 0x600000
#define SECOND_MAGIC   "MIMGTEST-SECOND"

#endif
