/* multiboot1.h — the Multiboot 0.6.96 boot information, as a loader reads
 * it from its own chain loader and writes it for a kernel.
 * (GNU Multiboot Specification, section 3.3.) */
#ifndef STAGES_MULTIBOOT1_H
#define STAGES_MULTIBOOT1_H

#include <stdint.h>

#define MB1_BOOTLOADER_MAGIC 0x2BADB002u /* in EAX at the kernel's entry */

/* mb1_info.flags: which fields are valid. */
#define MB1_INFO_MEMORY      (1u << 0)  /* mem_lower, mem_upper */
#define MB1_INFO_BOOTDEV     (1u << 1)  /* boot_device */
#define MB1_INFO_CMDLINE     (1u << 2)
#define MB1_INFO_MODS        (1u << 3)
#define MB1_INFO_MEM_MAP     (1u << 6)
#define MB1_INFO_LOADER_NAME (1u << 9)
#define MB1_INFO_VBE         (1u << 11) /* vbe_* */
#define MB1_INFO_FRAMEBUFFER (1u << 12) /* framebuffer_*, color_info */

struct mb1_info {
    uint32_t flags;
    uint32_t mem_lower;   /* KiB of RAM from 0 */
    uint32_t mem_upper;   /* KiB of RAM from 1 MiB to the first hole */
    uint32_t boot_device;
    uint32_t cmdline;     /* physical address of a C string */
    uint32_t mods_count;
    uint32_t mods_addr;   /* physical address of mods_count struct mb1_module */
    uint32_t syms[4];
    uint32_t mmap_length; /* bytes */
    uint32_t mmap_addr;
    uint32_t drives_length;
    uint32_t drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
    uint32_t vbe_control_info;
    uint32_t vbe_mode_info;
    uint16_t vbe_mode;
    uint16_t vbe_interface_seg;
    uint16_t vbe_interface_off;
    uint16_t vbe_interface_len;
    uint64_t framebuffer_addr;
    uint32_t framebuffer_pitch;
    uint32_t framebuffer_width;
    uint32_t framebuffer_height;
    uint8_t framebuffer_bpp;
    uint8_t framebuffer_type;
    uint8_t color_info[6]; /* type 1 (RGB): red, green, blue field position and mask size, in that order */
};
_Static_assert(sizeof(struct mb1_info) == 116, "mb1_info: the spec's 116 bytes (i386 aligns uint64_t to 4)");

struct mb1_module {
    uint32_t mod_start; /* [mod_start, mod_end) */
    uint32_t mod_end;
    uint32_t string;    /* physical address of a C string */
    uint32_t reserved;
};

/* A memory map entry. `size` counts the bytes after itself and the next
 * entry starts at &size + 4 + size; base and len are only 4-aligned, so
 * they are kept as halves. */
struct mb1_mmap_entry {
    uint32_t size;
    uint32_t base_lo, base_hi;
    uint32_t len_lo, len_hi;
    uint32_t type;
};
#define MB1_MMAP_ENTRY_SIZE 20u /* the value of `size` for the entries a loader writes */

#endif
