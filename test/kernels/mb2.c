/* mb2.c — a 32-bit ELF Multiboot2 kernel at 1 MiB. */

#include "kernel.h"

const struct kernel kernel = { .name = "mb2", .mb2 = &mb2_header.header };
