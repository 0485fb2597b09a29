/* mb1-header.c — the Multiboot1 header of mb1 and mb64. */

#include "kernel.h"

/* Modules on page boundaries, and memory information: what a kernel that
 * maps its modules and sizes its memory asks for. Both are checked (report.c). */
#define MB1_FLAGS (MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO)

/* .multiboot is the first thing in the file (kernel.ld.S, mb64.ld.S). */
const struct mb1_header mb1_header __attribute__((section(".multiboot"), aligned(MB1_HEADER_ALIGN))) = {
    .magic = MB1_HEADER_MAGIC,
    .flags = MB1_FLAGS,
    .checksum = -(MB1_HEADER_MAGIC + MB1_FLAGS),
};
