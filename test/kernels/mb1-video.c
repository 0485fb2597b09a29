/* mb1-video.c — mb1 with a Multiboot1 video request (flags bit 2): a
 * linear 1024x768 mode, 32 bits per pixel. */

#include "kernel.h"

#define MB1_VIDEO_FLAGS (MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO | MB1_HEADER_VIDEO_MODE)

/* .multiboot is the first thing in the file (kernel.ld.S). */
const struct mb1_header_video mb1_video_header __attribute__((section(".multiboot"), aligned(MB1_HEADER_ALIGN))) = {
    .header = { .magic = MB1_HEADER_MAGIC, .flags = MB1_VIDEO_FLAGS, .checksum = -(MB1_HEADER_MAGIC + MB1_VIDEO_FLAGS) },
    .mode_type = 0,
    .width = 1024,
    .height = 768,
    .depth = 32,
};

const struct kernel kernel = { .name = "mb1-video", .mb1 = &mb1_video_header.header };
