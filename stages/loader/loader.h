/* loader.h — the parts of mimgload, in the order main.c calls them. */
#ifndef LOADER_H
#define LOADER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "acpi.h"
#include "memmap.h"
#include "mimg_boot.h"
#include "mimg_format.h"

#define STAGE "mimgload" /* the prefix of every line; also the boot loader name the kernel sees */

#define NAME_MAX_SHOWN 64 /* bytes of a module name kept for messages */

#define EXTRA_MAX 16        /* chain loader modules kept besides the image */
#define EFI_MMAP_MAX 0x4000 /* bytes of EFI memory map tag kept (MAX_EFI_MEMORY_MAP in src/layout/bootinfo.ts) */
#define EXTRA_STRING_MAX 64 /* bytes of such a module's string, its NUL included */

/* A chain loader module other than the image (on a BIOS disk: a preloaded
 * range), handed on to the kernel after the image's own modules. install()
 * sets start and end to where it finally lies. */
struct extra {
    uint32_t start, end;
    char string[EXTRA_STRING_MAX];
};

/* The framebuffer the kernel is told about, in the terms of the Multiboot
 * framebuffer information (MB1 flags bit 12, MB2 tag 8), which the mimg
 * protocol's boot information can be filled from too. Up to the colour
 * fields it is laid out as Multiboot1's framebuffer_* fields (FB_MB_SIZE
 * bytes from framebuffer_addr), and up to type as Multiboot2's tag body
 * (FB_MB2_SIZE bytes), so the hand-offs copy it. */
#define FB_NONE 0 /* no framebuffer to report */
#define FB_RGB  1 /* linear direct colour: Multiboot framebuffer_type 1 */
#define FB_TEXT 2 /* EGA text, width x height characters: framebuffer_type 2 */
struct framebuffer {
    uint64_t addr;
    uint32_t pitch;          /* bytes per line */
    uint32_t width, height;  /* pixels, or characters in text mode */
    uint8_t bpp;
    uint8_t type;            /* FB_NONE, FB_RGB, FB_TEXT */
    uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size; /* FB_RGB */
    uint16_t vbe_mode;       /* the VBE mode mimgload set (vbe_control, vbe_mode_info filled), or 0 */
};
#define FB_MB_SIZE  28 /* addr to blue_size */
#define FB_MB2_SIZE 22 /* addr to type; then Multiboot2 has 2 reserved bytes before the colour fields */

#define VBE_CONTROL_SIZE 512 /* VBE 2.0+ controller information (VbeInfoBlock) */
#define VBE_MODE_INFO_SIZE 256 /* mode information (ModeInfoBlock) */

/* What the chain loader handed over, copied into .bss before anything
 * moves: its own structures lie in RAM that staging or sections may reuse. */
struct chain {
    uint32_t magic;                 /* MB1_ or MB2_BOOTLOADER_MAGIC: which handoff we got */
    struct memmap map;
    uint32_t mem_lower, mem_upper;  /* KiB, as Multiboot's basic memory information */
    uint32_t image_start, image_end; /* the module holding the .mimg */
    uint32_t image_index;           /* its position among the modules, from 0 */
    char image_name[NAME_MAX_SHOWN]; /* the first word of its string */
    uint32_t rsdp_old_size, rsdp_new_size; /* 0: not given */
    uint8_t rsdp_old[RSDP_V1_SIZE];
    uint8_t rsdp_new[RSDP_MAX_SIZE];
    uint32_t extra_count;
    struct extra extra[EXTRA_MAX];
    /* The BIOS drive and partitions booted from (MIMG_BOOT_NONE: unknown). */
    uint32_t boot_drive, boot_partition, boot_sub_partition;
    /* The enabled CPUs' local APIC IDs: the BIOS stage 2's tag, else (for
     * the mimg protocol) the ACPI MADT's, chain_cpus(). */
    bool cpus_given;
    uint32_t cpu_count;
    uint32_t cpu[MIMG_BOOT_CPUS_MAX];
    /* What install() leaves in use for the kernel (staging), for the mimg
     * protocol's memory map; empty until then. */
    uint64_t loader_start, loader_end;
    bool efi;                       /* the chain loader passed an EFI system table: no BIOS to call */
    /* The chain loader's EFI tags, passed on to Multiboot2 kernels as they
     * came (boot services are always gone by then: no tag 18). */
    uint32_t efi_table_type, efi_table_size; /* MB2_TAG_EFI32 or _EFI64, 0: none */
    uint8_t efi_table[8];
    uint32_t efi_mmap_size;                  /* the EFI memory map tag's body, 0: none */
    uint8_t efi_mmap[EFI_MMAP_MAX];
    /* The chain loader's framebuffer (GRUB with gfxpayload), if it gave
     * one; then video_setup's result: what the kernel is told. */
    struct framebuffer fb;
    uint8_t vbe_control[VBE_CONTROL_SIZE];
    uint8_t vbe_mode_info[VBE_MODE_INFO_SIZE];
};

/* chain.c: fills *c from the Multiboot1 or Multiboot2 information at
 * `info` and picks the image module; dies on anything it cannot use. */
void chain_read(uint32_t magic, uint32_t info, struct chain *c);

/* chain.c: the CPU list from the ACPI MADT, unless the chain loader gave
 * one; dies on more than MIMG_BOOT_CPUS_MAX. */
void chain_cpus(struct chain *c);

/* The image, validated by mimg_verify, wherever it currently is. */
struct image {
    const uint8_t *base;
    const struct mimg_header *header;
    const struct mimg_section *section;
    const char *strtab;
};
struct image image_at(const uint8_t *base);

const char *protocol_name(uint8_t protocol);

/* target.c: dies unless this mimgload can install the image on this
 * machine: a protocol and CPU mode it implements, every section in usable
 * RAM, ram_required met. */
void target_check(const struct image *im, const struct chain *c);

/* video.c: sets the video mode the image's header asks for (fb_flags),
 * or keeps the chain loader's framebuffer when it is that mode, and leaves
 * in c->fb what the kernel is to be told (FB_NONE without a request); dies
 * when a required mode cannot be set. Runs before anything is installed:
 * it writes the real-mode area of bios_int, which it checks is free. */
void video_setup(const struct image *im, struct chain *c);

/* video.c: error lines from now on on the screen c->fb describes: a
 * direct-colour framebuffer, else the VGA text screen — or none after a
 * UEFI chain loader, whose machine may have no VGA memory at 0xB8000. */
void video_console(const struct chain *c);

/* bootinfo.c: writes the boot information for the image's protocol into
 * buf as it must look at `addr`, and returns its size; with buf = 0 it
 * only measures, an upper bound (the mimg protocol's memory map depends on
 * where staging goes). */
uint64_t bootinfo_build(const struct image *im, const struct chain *c, uint8_t *buf, uint32_t addr);

/* linux.c: the bzImage's parts, found by name (docs/protocol/linux.md);
 * dies when the setup code holds no usable setup header. `header` points
 * at the setup code in the image, where the setup header sits at 0x1F1. */
struct linux_parts {
    const struct mimg_section *setup, *kernel, *initrd; /* initrd: 0 when there is none */
    uint8_t *header;
};
struct linux_parts linux_parts(const struct image *im);
void linux_check(const struct image *im); /* target_check's part for protocol linux */
/* Fills the setup header fields a boot loader owns at base + 0x1F1: the
 * loader type, loadflags, code32_start, the command line and the initrd;
 * with heap_end (16-bit entry) also CAN_USE_HEAP and heap_end_ptr. */
void linux_header(uint8_t *base, const struct linux_parts *p, uint32_t cmdline, uint32_t heap_end);
/* realmode.asm: the 16-bit entry's trampoline, copied into the boot
 * information below 1 MiB; its parameter block is filled by bootinfo.c. */
extern const uint8_t real16_start[], real16_params[], real16_end[];
#define LINUX_TRAMPOLINE_OFFSET 0x1000u /* in the 16-bit entry's boot information, after the command line */

/* paging.c: whether this CPU has long mode, and the page tables lm_call
 * (installer.asm) needs: an identity map of the first 4 GiB in 2 MiB pages,
 * PAGING_SIZE bytes, 4 KiB-aligned. */
#define PAGING_SIZE 0x6000u
#define PAGING_ALIGN 0x1000u
bool long_mode_available(void);                                                       /* paging.c */

/* paging.c: the page tables a long64 kernel is entered with (docs/protocol/
 * mimg.md section 2): kernel_tables_size() bytes at most, 4 KiB-aligned;
 * they also serve lm_call. Dies when the memory map reaches past 512 GiB. */
uint32_t kernel_tables_size(const struct image *im, const struct memmap *map);
void kernel_tables_build(uint64_t *tables, const struct image *im, const struct memmap *map);
void paging_build(uint64_t *tables);                                                  /* installer.asm */
uint32_t lm_call(uint32_t tables, uint32_t fn, uint32_t a, uint32_t b, uint32_t c); /* installer.asm */

/* install.c: lays out a staging area outside every section, the image
 * module, mimgload and every extra module, moves there each extra module
 * that overlaps a section, builds the boot information, the page tables and the
 * ordered move list there, and hands over to the installer, which copies
 * every section and enters the kernel. */
noreturn void install(struct image im, struct chain *c, bool long_mode);

#endif
