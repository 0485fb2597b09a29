/* mb1.c — a 32-bit ELF Multiboot1 kernel at 1 MiB. */

#include "kernel.h"

const struct kernel kernel = { .name = "mb1", .mb1 = &mb1_header };
