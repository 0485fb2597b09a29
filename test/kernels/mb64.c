/*
 * mb64.c — an ELF64 (x86_64) kernel with both Multiboot headers, linked in
 * the higher half and loaded at 1 MiB physical. A Multiboot loader must
 * install it by its program headers' physical addresses and enter it in
 * 32-bit protected mode; entry64.S then switches to long mode.
 */

#include "kernel.h"

const struct kernel kernel = { .name = "mb64", .mb1 = &mb1_header, .mb2 = &mb2_header.header };
