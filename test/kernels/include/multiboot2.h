/*
 * multiboot2.h — the parts of the Multiboot2 Specification 2.0 that the test
 * kernels use: the header and its tags, and the boot information tags.
 */
#ifndef MULTIBOOT2_H
#define MULTIBOOT2_H

#include <stdint.h>

#define MB2_HEADER_MAGIC     0xe85250d6u /* first word of the kernel's header */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u /* in EAX at entry */
#define MB2_ARCH_I386        0           /* 32-bit protected mode, also for x86_64 kernels */
#define MB2_HEADER_ALIGN     8           /* the header is 64-bit aligned, in the file's first 32 KiB */
#define MB2_TAG_ALIGN        8           /* header and information tags start 8-aligned */

/* Header tags. */
#define MB2_HEADER_TAG_END                 0
#define MB2_HEADER_TAG_INFORMATION_REQUEST 1
#define MB2_HEADER_TAG_FRAMEBUFFER         5
#define MB2_HEADER_TAG_OPTIONAL            1 /* flags: the loader may ignore this tag */

/* Boot information tags. */
#define MB2_TAG_END           0
#define MB2_TAG_CMDLINE       1
#define MB2_TAG_LOADER_NAME   2
#define MB2_TAG_MODULE        3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP          6
#define MB2_TAG_VBE           7
#define MB2_TAG_FRAMEBUFFER   8
#define MB2_TAG_ACPI_OLD      14
#define MB2_TAG_ACPI_NEW      15

struct mb2_header {
    uint32_t magic;
    uint32_t architecture;
    uint32_t header_length; /* including the tags */
    uint32_t checksum;      /* the four fields sum to 0 (mod 2^32) */
};

struct mb2_header_tag {
    uint16_t type;
    uint16_t flags;
    uint32_t size;
};

struct mb2_header_tag_information_request {
    struct mb2_header_tag tag;
    uint32_t types[]; /* boot information tag types the kernel needs */
};

struct mb2_header_tag_framebuffer { /* the mode the kernel asks for; 0: no preference */
    struct mb2_header_tag tag;
    uint32_t width;
    uint32_t height;
    uint32_t depth;
};

struct mb2_info {
    uint32_t total_size; /* including this header and the end tag */
    uint32_t reserved;
};

struct mb2_tag {
    uint32_t type;
    uint32_t size; /* including this header, excluding the padding to MB2_TAG_ALIGN */
};

struct mb2_tag_string { /* MB2_TAG_CMDLINE, MB2_TAG_LOADER_NAME */
    struct mb2_tag tag;
    char string[];
};

struct mb2_tag_module {
    struct mb2_tag tag;
    uint32_t mod_start; /* [mod_start, mod_end) */
    uint32_t mod_end;
    char string[];
};

struct mb2_tag_meminfo {
    struct mb2_tag tag;
    uint32_t mem_lower; /* KiB below 1 MiB */
    uint32_t mem_upper; /* KiB from 1 MiB to the first hole */
};

struct mb2_tag_mmap {
    struct mb2_tag tag;
    uint32_t entry_size;    /* a multiple of 8, at least sizeof(struct mb2_mmap_entry) */
    uint32_t entry_version; /* 0 */
};

struct mb2_mmap_entry {
    uint64_t base_addr;
    uint64_t length;
    uint32_t type;
    uint32_t reserved;
};

struct mb2_tag_acpi { /* MB2_TAG_ACPI_OLD, MB2_TAG_ACPI_NEW: a copy of the RSDP */
    struct mb2_tag tag;
    uint8_t rsdp[];
};

struct mb2_tag_vbe {
    struct mb2_tag tag;
    uint16_t vbe_mode;
    uint16_t vbe_interface_seg;
    uint16_t vbe_interface_off;
    uint16_t vbe_interface_len;
    uint8_t vbe_control_info[512];
    uint8_t vbe_mode_info[256];
};

struct mb2_tag_framebuffer {
    struct mb2_tag tag;
    uint64_t framebuffer_addr;
    uint32_t framebuffer_pitch;
    uint32_t framebuffer_width;
    uint32_t framebuffer_height;
    uint8_t framebuffer_bpp;
    uint8_t framebuffer_type; /* 1: RGB, 2: EGA text */
    uint16_t reserved;
    uint8_t color_info[];     /* RGB: red, green, blue field position and mask size */
};

#endif
