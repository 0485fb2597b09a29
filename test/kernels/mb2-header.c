/* mb2-header.c — the Multiboot2 header of mb2, mb64 and mb2-pie. */

#include "kernel.h"

/* .multiboot is the first thing in the file (kernel.ld.S, mb64.ld.S, pie.ld.S). */
const struct kernel_mb2_header mb2_header __attribute__((section(".multiboot"), aligned(MB2_HEADER_ALIGN))) = {
    .header = {
        .magic = MB2_HEADER_MAGIC,
        .architecture = MB2_ARCH_I386,
        .header_length = sizeof mb2_header,
        .checksum = -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (uint32_t)sizeof mb2_header),
    },
    /* Not optional: the loader must provide these or refuse the kernel; report.c
     * checks that they came. They are the tags mimg promises. */
    .request = {
        .type = MB2_HEADER_TAG_INFORMATION_REQUEST,
        .size = sizeof mb2_header.request + sizeof mb2_header.request_types,
    },
    .request_types = { MB2_TAG_CMDLINE, MB2_TAG_LOADER_NAME, MB2_TAG_MODULE, MB2_TAG_BASIC_MEMINFO, MB2_TAG_MMAP },
    .end = { .type = MB2_HEADER_TAG_END, .size = sizeof mb2_header.end },
};
