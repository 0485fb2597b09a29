/* handoff.c — the firmware-independent description BOOTX64.EFI hands
 * mimgload: the same Multiboot2 information as the BIOS bootstrapper's
 * (docs/format/boot-volume.md sections 4 and 8), with the memory map
 * converted from UEFI's to E820's types. */

#include "acpi.h"
#include "mb2build.h"
#include "mem.h"
#include "multiboot2.h"
#include "range.h"
#include "uefi.h"

#define IMAGE_OPTION   "image="
#define LOW_MEMORY_END (640 * KIB) /* mem_lower counts at most this */

/* The Multiboot2 framebuffer information (specification 2.0, 3.6.12), direct RGB colour. */
#define MB2_FRAMEBUFFER_RGB 1
struct fb_tag {
    struct mb2_tag tag;
    uint64_t addr;
    uint32_t pitch, width, height;
    uint8_t bpp, type;
    uint16_t reserved;
    uint8_t red_position, red_size, green_position, green_size, blue_position, blue_size;
} __attribute__((packed));
_Static_assert(sizeof(struct fb_tag) == 38, "the framebuffer tag with RGB colour information is 38 bytes");

/* E820 / ACPI address range types. */
#define E820_USABLE     1
#define E820_RESERVED   2
#define E820_ACPI       3
#define E820_NVS        4
#define E820_UNUSABLE   5
#define E820_PERSISTENT 7

uint32_t e820_type(uint32_t efi_type)
{
    switch (efi_type) {
    case EFI_LOADER_CODE:
    case EFI_LOADER_DATA:
    case EFI_BOOT_SERVICES_CODE:
    case EFI_BOOT_SERVICES_DATA:
    case EFI_CONVENTIONAL_MEMORY:
        return E820_USABLE; /* free once boot services are gone */
    case EFI_ACPI_RECLAIM_MEMORY:
        return E820_ACPI;
    case EFI_ACPI_MEMORY_NVS:
        return E820_NVS;
    case EFI_UNUSABLE_MEMORY:
        return E820_UNUSABLE;
    case EFI_PERSISTENT_MEMORY:
        return E820_PERSISTENT;
    default: /* reserved, runtime services, MMIO, PAL code, unaccepted, OEM and OS types */
        return E820_RESERVED;
    }
}

static struct mem_entry sorted[EFI_MAP_MAX];

bool convert_map(const struct efi_map *m, struct memmap *out)
{
    uint64_t n = efi_descriptor_count(m);
    if (n > EFI_MAP_MAX)
        n = EFI_MAP_MAX; /* the buffer holds no more */
    /* Insertion sort by address: firmware maps are nearly sorted already. */
    for (uint64_t i = 0; i < n; i++) {
        const struct efi_memory_descriptor *d = efi_descriptor(m, i);
        struct mem_entry e = { .base = d->physical_start, .len = d->pages * EFI_PAGE_SIZE,
                               .type = e820_type(d->type) };
        uint64_t k = i;
        for (; k > 0 && sorted[k - 1].base > e.base; k--)
            sorted[k] = sorted[k - 1];
        sorted[k] = e;
    }
    out->count = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct mem_entry *last = out->count ? &out->entry[out->count - 1] : 0;
        if (last && last->type == sorted[i].type && last->base + last->len == sorted[i].base) {
            last->len += sorted[i].len;
            continue;
        }
        if (sorted[i].len && !memmap_add(out, sorted[i].base, sorted[i].len, sorted[i].type))
            return false;
    }
    return true;
}

uint32_t build_info(uint8_t *info, const struct boot *b)
{
    mb2_begin(info);
    mb2_string_tag(MB2_TAG_CMDLINE, IMAGE_OPTION, b->module[0].name);
    mb2_string_tag(MB2_TAG_LOADER_NAME, "", STAGE);

    for (uint32_t i = 0; i < b->module_count; i++) {
        const struct loaded *l = &b->module[i];
        uint32_t n = (uint32_t)strlen(l->name);
        struct mb2_tag_module *m = mb2_tag(MB2_TAG_MODULE, sizeof *m + n + 1);
        m->mod_start = (uint32_t)l->addr;
        m->mod_end = (uint32_t)(l->addr + l->size);
        memcpy(m + 1, l->name, n);
    }

    /* Basic memory, as the BIOS bootstrapper computes it from its map. */
    uint64_t lower_end, upper_end;
    memmap_usable(&b->map, 0, LOW_MEMORY_END, &lower_end);
    memmap_usable(&b->map, MIB, GIB4, &upper_end);
    struct mb2_tag_meminfo *mi = mb2_tag(MB2_TAG_MEMINFO, sizeof *mi);
    mi->mem_lower = (uint32_t)(lower_end / KIB);
    mi->mem_upper = (uint32_t)((upper_end - MIB) / KIB);

    uint32_t map_bytes = b->map.count * (uint32_t)sizeof(struct mem_entry);
    struct mb2_tag_mmap *mm = mb2_tag(MB2_TAG_MMAP, sizeof *mm + map_bytes);
    mm->entry_size = sizeof(struct mem_entry);
    mm->entry_version = MB2_MMAP_ENTRY_VERSION;
    memcpy(mm + 1, b->map.entry, map_bytes);

    if (b->rsdp) {
        uint32_t type = b->rsdp_size == RSDP_V1_SIZE ? MB2_TAG_ACPI_OLD : MB2_TAG_ACPI_NEW;
        memcpy((struct mb2_tag *)mb2_tag(type, sizeof(struct mb2_tag) + b->rsdp_size) + 1, b->rsdp, b->rsdp_size);
    }

    if (b->fb.addr) {
        struct fb_tag *f = mb2_tag(MB2_TAG_FRAMEBUFFER, sizeof *f);
        f->addr = b->fb.addr;
        f->pitch = b->fb.pitch;
        f->width = b->fb.width;
        f->height = b->fb.height;
        f->bpp = b->fb.bpp;
        f->type = MB2_FRAMEBUFFER_RGB;
        f->red_position = b->fb.position[0], f->red_size = b->fb.size[0];
        f->green_position = b->fb.position[1], f->green_size = b->fb.size[1];
        f->blue_position = b->fb.position[2], f->blue_size = b->fb.size[2];
    }

    /* The Multiboot2 EFI tags (3.6.13, 3.6.17): boot services are gone, so no tag 18. */
    uint64_t *system_table = (uint64_t *)((struct mb2_tag *)mb2_tag(MB2_TAG_EFI64, sizeof(struct mb2_tag) + 8) + 1);
    *system_table = b->system_table;
    uint32_t efi_bytes = (uint32_t)(efi_descriptor_count(b->efi_map) * b->efi_map->descriptor_size);
    uint32_t *efi_mmap = (uint32_t *)((struct mb2_tag *)mb2_tag(MB2_TAG_EFI_MMAP, sizeof(struct mb2_tag) + 8 + efi_bytes) + 1);
    efi_mmap[0] = (uint32_t)b->efi_map->descriptor_size;
    efi_mmap[1] = b->efi_map->descriptor_version;
    memcpy(efi_mmap + 2, b->efi_map->buffer, efi_bytes);

    mb2_cpus_tag(b->cpu, b->cpu_count);
    return mb2_finish();
}
