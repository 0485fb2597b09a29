/*
 * multiboot1.h — the parts of the Multiboot Specification 0.6.96 that the
 * test kernels use: the header a kernel carries and the information a loader
 * hands over. Structures are packed: their layout is the spec's, not the ABI's.
 */
#ifndef MULTIBOOT1_H
#define MULTIBOOT1_H

#include <stdint.h>

#define MB1_HEADER_MAGIC     0x1badb002u /* first word of the kernel's header */
#define MB1_BOOTLOADER_MAGIC 0x2badb002u /* in EAX at entry */
#define MB1_HEADER_ALIGN     4           /* the header is 32-bit aligned, in the file's first 8 KiB */

/* Header flags: what the kernel asks of the loader. */
#define MB1_HEADER_PAGE_ALIGN  (1u << 0)  /* modules start on 4 KiB boundaries */
#define MB1_HEADER_MEMORY_INFO (1u << 1)  /* mem_lower/mem_upper (and a map) required */
#define MB1_HEADER_VIDEO_MODE  (1u << 2)  /* the video fields say which mode the kernel prefers */
#define MB1_HEADER_ADDRESS     (1u << 16) /* load by the header's address fields (the "a.out kludge") */

#define MB1_MODULE_ALIGN 0x1000u /* what MB1_HEADER_PAGE_ALIGN promises */

/* Information flags: which fields of struct mb1_info are valid. */
#define MB1_INFO_MEMORY      (1u << 0)
#define MB1_INFO_CMDLINE     (1u << 2)
#define MB1_INFO_MODULES     (1u << 3)
#define MB1_INFO_AOUT_SYMS   (1u << 4)
#define MB1_INFO_ELF_SHDR    (1u << 5) /* excludes MB1_INFO_AOUT_SYMS: the two share fields */
#define MB1_INFO_MEMORY_MAP  (1u << 6)
#define MB1_INFO_LOADER_NAME (1u << 9)
#define MB1_INFO_VBE         (1u << 11) /* vbe_* */
#define MB1_INFO_FRAMEBUFFER (1u << 12) /* framebuffer_* */

struct mb1_header {
    uint32_t magic;
    uint32_t flags;
    uint32_t checksum; /* magic + flags + checksum == 0 (mod 2^32) */
} __attribute__((packed));

/* With MB1_HEADER_ADDRESS: where the file goes, instead of its ELF headers. */
struct mb1_header_address {
    struct mb1_header header;
    uint32_t header_addr;   /* physical address of this header ... */
    uint32_t load_addr;     /* ... and of the file byte at offset (header offset - (header_addr - load_addr)) */
    uint32_t load_end_addr; /* end of the bytes to load; 0: to the end of the file */
    uint32_t bss_end_addr;  /* zero-fill [load_end_addr, bss_end_addr); 0: none */
    uint32_t entry_addr;
} __attribute__((packed));

/* With MB1_HEADER_VIDEO_MODE: the address fields' place is kept (they are
 * read only with MB1_HEADER_ADDRESS), then the preferred mode. */
struct mb1_header_video {
    struct mb1_header header;
    uint32_t address[5];
    uint32_t mode_type; /* 0: linear graphics, 1: EGA text */
    uint32_t width;     /* pixels, or characters; 0: no preference */
    uint32_t height;
    uint32_t depth;     /* bits per pixel; 0 in text mode or no preference */
} __attribute__((packed));

struct mb1_info {
    uint32_t flags;
    uint32_t mem_lower; /* KiB below 1 MiB */
    uint32_t mem_upper; /* KiB from 1 MiB to the first hole */
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count;
    uint32_t mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length; /* bytes */
    uint32_t mmap_addr;
    uint32_t drives_length;
    uint32_t drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
    uint32_t vbe_control_info; /* MB1_INFO_VBE: VBE controller information (512 bytes) */
    uint32_t vbe_mode_info;    /* and mode information (256 bytes) */
    uint16_t vbe_mode;
    uint16_t vbe_interface_seg;
    uint16_t vbe_interface_off;
    uint16_t vbe_interface_len;
    uint64_t framebuffer_addr; /* MB1_INFO_FRAMEBUFFER */
    uint32_t framebuffer_pitch;
    uint32_t framebuffer_width;
    uint32_t framebuffer_height;
    uint8_t framebuffer_bpp;
    uint8_t framebuffer_type;  /* 1: RGB, 2: EGA text */
    uint8_t color_info[6];     /* RGB: red, green, blue field position and mask size */
} __attribute__((packed));

struct mb1_module {
    uint32_t mod_start; /* [mod_start, mod_end) */
    uint32_t mod_end;
    uint32_t string;
    uint32_t reserved;
} __attribute__((packed));

struct mb1_mmap_entry {
    uint32_t size; /* of the rest of this entry: the next starts size + 4 bytes on */
    uint64_t base_addr;
    uint64_t length;
    uint32_t type;
} __attribute__((packed));

#define MB1_MMAP_ENTRY_MIN_SIZE (sizeof(struct mb1_mmap_entry) - sizeof(uint32_t))

#endif
