/*
 * mb1-aout.c — a Multiboot1 kernel loaded by its header's address fields
 * (flag 16, the "a.out kludge") at AOUT_ADDRESS, not by ELF headers: it is
 * used as a flat binary, and the program headers of its ELF form claim
 * addresses AOUT_ELF_SKEW higher (aout.ld.S), so only the header is right.
 */

#include "kernel.h"

#define MB1_FLAGS (MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO | MB1_HEADER_ADDRESS)

/* Defined by aout.ld.S and entry.S. */
extern const char __load_start[], __load_end[], __bss_end[], _start[];

/* .multiboot is the first thing in the file, so header_addr == load_addr. */
static const struct mb1_header_address mb1_aout_header
    __attribute__((section(".multiboot"), aligned(MB1_HEADER_ALIGN), used)) = {
        .header = {
            .magic = MB1_HEADER_MAGIC,
            .flags = MB1_FLAGS,
            .checksum = -(MB1_HEADER_MAGIC + MB1_FLAGS),
        },
        .header_addr = (uint32_t)&mb1_aout_header,
        .load_addr = (uint32_t)__load_start,
        .load_end_addr = (uint32_t)__load_end,
        .bss_end_addr = (uint32_t)__bss_end,
        .entry_addr = (uint32_t)_start,
    };

const struct kernel kernel = { .name = "mb1-aout", .mb1 = &mb1_aout_header.header };
