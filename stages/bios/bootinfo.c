/* bootinfo.c — the Multiboot2 information stage 2 hands mimgload
 * (docs/format/boot-volume.md section 4). mimgload copies what it keeps
 * before it writes anything, so the block may sit anywhere in low memory. */

#include "acpi.h"
#include "bios.h"
#include "mb2build.h"
#include "mem.h"
#include "multiboot2.h"
#include "range.h"

#define IMAGE_OPTION      "image="
#define NO_PARTITION      0xFFFFFFFFu
#define LOW_MEMORY_END    (640 * KIB) /* mem_lower counts at most this */

/* The largest information the limits allow: every tag at its longest,
 * each padded to 8. */
#define TAG_MAX(bytes)    (((bytes) + MB2_TAG_ALIGN - 1) / MB2_TAG_ALIGN * MB2_TAG_ALIGN)
#define BOOTINFO_MAX                                                                     \
    (sizeof(struct mb2_info) +                                                           \
     TAG_MAX(sizeof(struct mb2_tag) + sizeof IMAGE_OPTION + (MIMG_RANGE_NAME_MAX + 1)) +   \
     TAG_MAX(sizeof(struct mb2_tag) + sizeof STAGE) +                                    \
     RANGES_MAX * TAG_MAX(sizeof(struct mb2_tag_module) + (MIMG_RANGE_NAME_MAX + 1)) +     \
     TAG_MAX(sizeof(struct mb2_tag_meminfo)) + TAG_MAX(sizeof(struct mb2_tag_bootdev)) + \
     TAG_MAX(sizeof(struct mb2_tag_mmap) + MEMMAP_MAX * sizeof(struct mem_entry)) +      \
     TAG_MAX(sizeof(struct mb2_tag) + RSDP_MAX_SIZE) +                                   \
     TAG_MAX(sizeof(struct mb2_tag) + 4 + CPU_MAX * 4) + sizeof(struct mb2_tag))

static uint8_t info[BOOTINFO_MAX] LOWMEM __attribute__((aligned(MB2_INFO_ALIGN)));
uint32_t bootinfo_build(const struct volume *v, const struct plan *p, const struct handoff *h)
{
    mb2_begin(info);
    mb2_string_tag(MB2_TAG_CMDLINE, IMAGE_OPTION, range_name(&v->range[v->image]));
    mb2_string_tag(MB2_TAG_LOADER_NAME, "", STAGE);

    for (uint32_t i = 0; i < p->module_count; i++) {
        const struct mimg_range *r = &v->range[p->module[i].index];
        uint32_t n = (uint32_t)strlen(range_name(r));
        struct mb2_tag_module *m = mb2_tag(MB2_TAG_MODULE, sizeof *m + n + 1);
        m->mod_start = p->module[i].addr;
        m->mod_end = p->module[i].addr + (uint32_t)r->size;
        memcpy(m + 1, range_name(r), n);
    }

    /* Basic memory: from 0, and from 1 MiB, up to the first byte the map
     * does not call usable RAM, as mimgload computes it for a map alone. */
    uint64_t lower_end, upper_end;
    memmap_usable(h->map, 0, LOW_MEMORY_END, &lower_end);
    memmap_usable(h->map, MIB, GIB4, &upper_end);
    struct mb2_tag_meminfo *mi = mb2_tag(MB2_TAG_MEMINFO, sizeof *mi);
    mi->mem_lower = (uint32_t)(lower_end / KIB);
    mi->mem_upper = (uint32_t)((upper_end - MIB) / KIB);

    struct mb2_tag_bootdev *bd = mb2_tag(MB2_TAG_BOOTDEV, sizeof *bd);
    bd->biosdev = h->drive;
    bd->partition = NO_PARTITION;
    bd->sub_partition = NO_PARTITION;

    uint32_t map_bytes = h->map->count * (uint32_t)sizeof(struct mem_entry);
    struct mb2_tag_mmap *mm = mb2_tag(MB2_TAG_MMAP, sizeof *mm + map_bytes);
    mm->entry_size = sizeof(struct mem_entry);
    mm->entry_version = MB2_MMAP_ENTRY_VERSION;
    memcpy(mm + 1, h->map->entry, map_bytes);

    if (h->rsdp) {
        uint32_t type = h->rsdp_size == RSDP_V1_SIZE ? MB2_TAG_ACPI_OLD : MB2_TAG_ACPI_NEW;
        memcpy((struct mb2_tag *)mb2_tag(type, sizeof(struct mb2_tag) + h->rsdp_size) + 1, h->rsdp, h->rsdp_size);
    }

    mb2_cpus_tag(h->cpu, h->cpu_count);
    mb2_finish();
    return (uint32_t)(uintptr_t)info;
}
