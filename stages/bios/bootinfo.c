/* bootinfo.c — the Multiboot2 information stage 2 hands mimgload
 * (docs/format/boot-volume.md section 4). mimgload copies what it keeps
 * before it writes anything, so the block may sit anywhere in low memory. */

#include "acpi.h"
#include "bios.h"
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
static uint32_t used;

/* A zeroed tag of `size` bytes, header included, at the next 8-aligned offset. */
static void *tag(uint32_t type, uint32_t size)
{
    struct mb2_tag *t = (struct mb2_tag *)(info + used);
    memset(t, 0, size);
    t->type = type;
    t->size = size;
    used += (uint32_t)align_up(size, MB2_TAG_ALIGN);
    return t;
}

static void string_tag(uint32_t type, const char *prefix, const char *s)
{
    uint32_t np = (uint32_t)strlen(prefix), ns = (uint32_t)strlen(s);
    char *p = (char *)tag(type, sizeof(struct mb2_tag) + np + ns + 1) + sizeof(struct mb2_tag);
    memcpy(p, prefix, np);
    memcpy(p + np, s, ns); /* the NUL is the tag's zeroing */
}

uint32_t bootinfo_build(const struct volume *v, const struct plan *p, const struct handoff *h)
{
    used = sizeof(struct mb2_info);
    string_tag(MB2_TAG_CMDLINE, IMAGE_OPTION, range_name(&v->range[v->image]));
    string_tag(MB2_TAG_LOADER_NAME, "", STAGE);

    for (uint32_t i = 0; i < p->module_count; i++) {
        const struct mimg_range *r = &v->range[p->module[i].index];
        uint32_t n = (uint32_t)strlen(range_name(r));
        struct mb2_tag_module *m = tag(MB2_TAG_MODULE, sizeof *m + n + 1);
        m->mod_start = p->module[i].addr;
        m->mod_end = p->module[i].addr + (uint32_t)r->size;
        memcpy(m + 1, range_name(r), n);
    }

    /* Basic memory: from 0, and from 1 MiB, up to the first byte the map
     * does not call usable RAM, as mimgload computes it for a map alone. */
    uint64_t lower_end, upper_end;
    memmap_usable(h->map, 0, LOW_MEMORY_END, &lower_end);
    memmap_usable(h->map, MIB, GIB4, &upper_end);
    struct mb2_tag_meminfo *mi = tag(MB2_TAG_MEMINFO, sizeof *mi);
    mi->mem_lower = (uint32_t)(lower_end / KIB);
    mi->mem_upper = (uint32_t)((upper_end - MIB) / KIB);

    struct mb2_tag_bootdev *bd = tag(MB2_TAG_BOOTDEV, sizeof *bd);
    bd->biosdev = h->drive;
    bd->partition = NO_PARTITION;
    bd->sub_partition = NO_PARTITION;

    uint32_t map_bytes = h->map->count * (uint32_t)sizeof(struct mem_entry);
    struct mb2_tag_mmap *mm = tag(MB2_TAG_MMAP, sizeof *mm + map_bytes);
    mm->entry_size = sizeof(struct mem_entry);
    mm->entry_version = MB2_MMAP_ENTRY_VERSION;
    memcpy(mm + 1, h->map->entry, map_bytes);

    if (h->rsdp) {
        uint32_t type = h->rsdp_size == RSDP_V1_SIZE ? MB2_TAG_ACPI_OLD : MB2_TAG_ACPI_NEW;
        memcpy((struct mb2_tag *)tag(type, sizeof(struct mb2_tag) + h->rsdp_size) + 1, h->rsdp, h->rsdp_size);
    }

    uint32_t *cpus = (uint32_t *)((struct mb2_tag *)tag(MB2_TAG_MIMG_CPUS, sizeof(struct mb2_tag) + 4 +
                                                                              h->cpu_count * 4) + 1);
    cpus[0] = h->cpu_count;
    memcpy(cpus + 1, h->cpu, h->cpu_count * 4);

    tag(MB2_TAG_END, sizeof(struct mb2_tag));
    struct mb2_info *head = (struct mb2_info *)info;
    head->total_size = used;
    head->reserved = 0;
    return (uint32_t)(uintptr_t)info;
}
