/* mb2-video.c — mb2 with a required Multiboot2 framebuffer tag (800x600,
 * 32 bits per pixel) that also asks for the framebuffer information tag. */

#include "kernel.h"

#define VIDEO_REQUESTED_TAGS (MB2_REQUESTED_TAGS + 1)

struct video_mb2_header {
    struct mb2_header header;
    struct mb2_header_tag request;
    uint32_t request_types[VIDEO_REQUESTED_TAGS];
    struct mb2_header_tag_framebuffer framebuffer __attribute__((aligned(MB2_TAG_ALIGN)));
    struct mb2_header_tag end __attribute__((aligned(MB2_TAG_ALIGN)));
};

/* .multiboot is the first thing in the file (kernel.ld.S). */
const struct video_mb2_header mb2_video_header __attribute__((section(".multiboot"), aligned(MB2_HEADER_ALIGN))) = {
    .header = {
        .magic = MB2_HEADER_MAGIC,
        .architecture = MB2_ARCH_I386,
        .header_length = sizeof mb2_video_header,
        .checksum = -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (uint32_t)sizeof mb2_video_header),
    },
    .request = {
        .type = MB2_HEADER_TAG_INFORMATION_REQUEST,
        .size = sizeof mb2_video_header.request + sizeof mb2_video_header.request_types,
    },
    .request_types = { MB2_TAG_CMDLINE, MB2_TAG_LOADER_NAME, MB2_TAG_MODULE, MB2_TAG_BASIC_MEMINFO, MB2_TAG_MMAP,
                       MB2_TAG_FRAMEBUFFER },
    /* Not optional: exactly this mode, or mimg refuses (docs/config.md). */
    .framebuffer = { .tag = { .type = MB2_HEADER_TAG_FRAMEBUFFER, .size = sizeof mb2_video_header.framebuffer },
                     .width = 800, .height = 600, .depth = 32 },
    .end = { .type = MB2_HEADER_TAG_END, .size = sizeof mb2_video_header.end },
};

const struct kernel kernel = { .name = "mb2-video", .mb2 = &mb2_video_header.header };
