/* uefi.h — BOOTX64.EFI's parts and what they share. */
#ifndef STAGES_UEFI_UEFI_H
#define STAGES_UEFI_UEFI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "efi.h"
#include "memmap.h"

#define STAGE "mimg uefi" /* the prefix of every line; also the boot loader name mimgload sees */

#define PAGE_SIZE   0x1000u
#define CPU_MAX     1024 /* local APIC IDs in the hand-off, as on BIOS */
#define MODULES_MAX 17   /* the image and 16 more: mimgload's limit */
#define NAME_MAX    255  /* a FAT long name */
/* Raw firmware descriptors kept for the conversion: OVMF gives ~100. */
#define EFI_MAP_MAX 1024

/* One file of \mimg loaded into the allocation. */
struct loaded {
    char name[NAME_MAX + 1];
    uint64_t size;
    uint64_t addr;
    uint64_t at; /* where the load list says its bytes start in the partition; UINT64_MAX: not said */
};

struct efi_map;

/* What the hand-off needs: filled by main.c, read by handoff.c. */
struct boot {
    struct loaded module[MODULES_MAX]; /* the image first, then each module line */
    uint32_t module_count;
    const uint8_t *rsdp;
    uint32_t rsdp_size;
    uint32_t cpu[CPU_MAX];
    uint32_t cpu_count;
    struct memmap map; /* the E820 form of the firmware's last map */
    struct fb {
        uint64_t addr;
        uint32_t pitch, width, height;
        uint8_t bpp;
        uint8_t position[3], size[3]; /* red, green, blue: lowest bit and width */
    } fb; /* the GOP's current mode; addr 0: none */
    uint64_t system_table;
    const struct efi_map *efi_map; /* as ExitBootServices took it */
};

/* The firmware's memory map as ExitBootServices took it. */
struct efi_map {
    uint64_t size;
    uint64_t key;
    uint64_t descriptor_size;
    uint32_t descriptor_version;
    uint8_t buffer[EFI_MAP_MAX * sizeof(struct efi_memory_descriptor)];
};

static inline const struct efi_memory_descriptor *efi_descriptor(const struct efi_map *m, uint64_t i)
{
    return (const struct efi_memory_descriptor *)(m->buffer + i * m->descriptor_size);
}

static inline uint64_t efi_descriptor_count(const struct efi_map *m)
{
    return m->size / m->descriptor_size;
}

/* The error line on the firmware console (while boot services last) and
 * COM1, then halt. */
noreturn void fail(const char *format, ...);

/* disk.c: the boot disk read by BIOS stage 2's drivers. open returns
 * NONE, having touched nothing, unless the partition's device path is an
 * IDE disk on PCI bus 0 the ATA driver takes (opened now) or a legacy
 * virtio-blk disk there (the driver opened by start, after
 * ExitBootServices; reads go through the firmware's Block I/O until then).
 * read reads whole sectors from a byte offset in the partition (a multiple
 * of 512) into dest below 4 GiB. */
enum boot_driver { BOOT_DRIVER_NONE, BOOT_DRIVER_ATA, BOOT_DRIVER_VIRTIO };
enum boot_driver boot_disk_open(struct efi_boot_services *bs, const struct efi_loaded_image *li);
bool boot_disk_start(void);
bool boot_disk_read(uint64_t offset, uint64_t bytes, void *dest);
void boot_disk_close(void);

/* handoff.c: the E820 type of an EFI memory type (as Linux's EFI stub and
 * the ACPI specification's table 15.6 map them). */
uint32_t e820_type(uint32_t efi_type);
/* The firmware map as E820 entries, sorted by address, adjacent entries
 * of one type merged; false when more than MEMMAP_MAX remain. */
bool convert_map(const struct efi_map *m, struct memmap *out);
/* The Multiboot2 information at `info` (INFO_MAX bytes); returns its size. */
uint32_t build_info(uint8_t *info, const struct boot *b);

/* The largest information the limits allow (each tag padded to 8). */
#define TAG_MAX(bytes) (((bytes) + 7) / 8 * 8)
#define INFO_MAX                                                                            \
    (8 + TAG_MAX(8 + 6 + NAME_MAX + 1) + TAG_MAX(8 + sizeof STAGE) +                         \
     MODULES_MAX * TAG_MAX(16 + NAME_MAX + 1) + TAG_MAX(16) + TAG_MAX(16 + MEMMAP_MAX * 24) + \
     TAG_MAX(8 + 64) + TAG_MAX(8 + 4 + CPU_MAX * 4) + TAG_MAX(38) + TAG_MAX(16) +                   \
     TAG_MAX(16 + EFI_MAP_MAX * sizeof(struct efi_memory_descriptor)) + 8)

/* trampoline.asm: copied into the allocation, below 4 GiB, and called there
 * with the jump description (also below 4 GiB). It leaves long mode,
 * copies the loader's bytes to their place and enters the loader with
 * EAX = the Multiboot2 magic and EBX = the information. */
struct jump {
    uint32_t src;   /* the loader's flattened bytes */
    uint32_t dst;   /* its load address */
    uint32_t size;  /* bytes to copy (.bss zeros included) */
    uint32_t entry;
    uint32_t info;
    uint32_t stack; /* top of a stack for the 32-bit code */
};
extern const uint8_t trampoline[], trampoline_end[];

#endif
