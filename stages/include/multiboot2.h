/* multiboot2.h — the Multiboot2 boot information (Multiboot2
 * Specification version 2.0, section 3.6): a fixed part, then tags, each
 * starting 8-aligned, ending with an end tag. */
#ifndef STAGES_MULTIBOOT2_H
#define STAGES_MULTIBOOT2_H

#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36D76289u /* in EAX at the kernel's entry */
#define MB2_INFO_ALIGN       8u /* the start of the information structure */
#define MB2_TAG_ALIGN        8u /* the start of every tag */

#define MB2_TAG_END         0
#define MB2_TAG_CMDLINE     1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE      3
#define MB2_TAG_MEMINFO     4
#define MB2_TAG_BOOTDEV     5
#define MB2_TAG_MMAP        6
#define MB2_TAG_VBE         7
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_EFI32       11 /* EFI system table pointers: the firmware is UEFI */
#define MB2_TAG_EFI64       12
#define MB2_TAG_ACPI_OLD    14 /* a copy of the ACPI 1.0 RSDP */
#define MB2_TAG_ACPI_NEW    15 /* a copy of the ACPI 2.0+ RSDP */
#define MB2_TAG_EFI_MMAP    17 /* u32 descriptor size, u32 descriptor version, the EFI memory map */
/* mimg's own: u32 count, then the local APIC ID of each enabled processor
 * (docs/format/boot-volume.md section 4). */
#define MB2_TAG_MIMG_CPUS   0x6D696D01u

#define MB2_MMAP_ENTRY_VERSION 0

struct mb2_info {
    uint32_t total_size; /* including this header and the end tag */
    uint32_t reserved;
};

struct mb2_tag {
    uint32_t type;
    uint32_t size; /* including this header, excluding the padding after it */
};

struct mb2_tag_module {
    struct mb2_tag tag;
    uint32_t mod_start; /* [mod_start, mod_end) */
    uint32_t mod_end;
    /* then the module's C string */
};

struct mb2_tag_meminfo {
    struct mb2_tag tag;
    uint32_t mem_lower; /* KiB */
    uint32_t mem_upper;
};

struct mb2_tag_bootdev {
    struct mb2_tag tag;
    uint32_t biosdev;       /* the BIOS drive number */
    uint32_t partition;     /* 0xFFFFFFFF: none */
    uint32_t sub_partition;
};

struct mb2_tag_mmap {
    struct mb2_tag tag;
    uint32_t entry_size;
    uint32_t entry_version;
    /* then entries of entry_size bytes; struct mem_entry (memmap.h) is version 0 */
};

struct mb2_tag_framebuffer {
    struct mb2_tag tag;
    uint64_t framebuffer_addr;
    uint32_t framebuffer_pitch;
    uint32_t framebuffer_width;
    uint32_t framebuffer_height;
    uint8_t framebuffer_bpp;
    uint8_t framebuffer_type;
    uint16_t reserved;
    uint8_t color_info[6]; /* type 1 (RGB) only: as Multiboot1's; the tag is 32 bytes without it */
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

#endif
