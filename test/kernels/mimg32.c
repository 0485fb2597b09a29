/*
 * mimg32.c — an ELF32 kernel without a Multiboot header, at 1 MiB, booted
 * with mimg's own protocol: entered in 32-bit protected mode with EAX = the
 * magic and EBX = the boot information, like the Multiboot kernels
 * (entry.S, main.c); report.c checks and reports the information.
 */

#include "kernel.h"

const struct kernel kernel = { .name = "mimg32", .mimg = 1 };
