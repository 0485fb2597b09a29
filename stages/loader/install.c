/* install.c — putting every section in place without overwriting anything
 * still needed (docs/format/mimg.md section 9, steps 2-6; the hazards are
 * listed in stages/README.md).
 *
 * 1. Destinations D: every section, `reserved` ones included.
 * 2. If the image module overlaps D, it must move before anything is
 *    written there.
 * 3. A staging area, in usable RAM below 4 GiB and above the first MiB,
 *    overlapping neither D, nor mimgload (code, data, stack), nor the
 *    module when the image stays in it, holds:
 *      [image copy, if moved][boot information][installer blob][move list][stack]
 * 4. The installer, running from staging, copies every section and the boot
 *    information to D and enters the kernel. Its sources (staging, or the
 *    module) are disjoint from D, so the order of the moves does not matter
 *    and mimgload itself may be overwritten. */

#include <stddef.h>

#include "console.h"
#include "loader.h"
#include "mem.h"
#include "multiboot1.h"
#include "multiboot2.h"
#include "range.h"

#define PAGE 0x1000u
#define STAGING_ALIGN 16u
/* The staging stack: installer_enter and the installer's far return use a
 * few words; the rest is for a kernel that pushes before it sets up its own
 * stack (both specs leave ESP undefined; GRUB points it at spare memory too). */
#define STAGING_STACK_SIZE 256u

/* One installer step; the same layout as `struc move` in installer.asm. */
struct move {
    uint32_t dst;
    uint32_t src;
    uint32_t copy; /* bytes copied from src */
    uint32_t zero; /* bytes zeroed after them */
};
_Static_assert(sizeof(struct move) == 16 && offsetof(struct move, src) == 4 && offsetof(struct move, copy) == 8 &&
                   offsetof(struct move, zero) == 12,
               "struct move must match installer.asm");

extern const uint8_t installer_start[], installer_end[];  /* installer.asm */
extern const uint8_t __mimgload_start[], __mimgload_end[]; /* mimgload.ld: everything, stack included */
noreturn void installer_enter(uint32_t blob, const struct move *moves, uint32_t count, uint32_t stack_top,
                              uint32_t magic, uint32_t info, uint32_t entry); /* entry.asm */

/* The first section overlapping [start, end), or -1. */
static int32_t section_hit(const struct image *im, uint64_t start, uint64_t end)
{
    for (uint32_t i = 0; i < im->header->section_count; i++) {
        const struct mimg_section *s = &im->section[i];
        if (overlaps(start, end, s->dest, s->dest + s->mem_size))
            return (int32_t)i;
    }
    return -1;
}

/* What the staging area must avoid besides the memory map's holes. */
struct avoid {
    const struct image *im;
    uint64_t module_start, module_end; /* empty when the image moves */
};

static void lowest(uint64_t *min, uint64_t start, uint64_t end, uint64_t a, uint64_t b)
{
    if (overlaps(start, end, a, b) && a < *min)
        *min = a;
}

/* memmap_conflict_fn: the lowest start among what [start, end) hits. */
static uint64_t staging_conflict(const void *ctx, uint64_t start, uint64_t end)
{
    const struct avoid *av = ctx;
    uint64_t min = MEMMAP_NO_CONFLICT;
    for (uint32_t i = 0; i < av->im->header->section_count; i++) {
        const struct mimg_section *s = &av->im->section[i];
        lowest(&min, start, end, s->dest, s->dest + s->mem_size);
    }
    lowest(&min, start, end, (uintptr_t)__mimgload_start, (uintptr_t)__mimgload_end);
    lowest(&min, start, end, av->module_start, av->module_end);
    return min;
}

static uint32_t count_moves(const struct image *im)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < im->header->section_count; i++)
        n += im->section[i].type != MIMG_TYPE_RESERVED;
    return n;
}

noreturn void install(struct image im, const struct chain *c)
{
    const struct mimg_header *h = im.header;
    uint32_t image_size = c->image_end - c->image_start;
    int32_t hit = section_hit(&im, c->image_start, c->image_end);
    bool move_image = hit >= 0;

    /* Lay out the staging area. */
    uint64_t info_size = bootinfo_build(&im, c, 0, (uint32_t)h->bootinfo_addr);
    if (info_size > h->bootinfo_size)
        die(STAGE, "the %s boot information needs 0x%lx bytes (%u memory map entries), more than the image's "
                   "block of 0x%lx bytes at 0x%lx; rebuild the image with a larger [image] bootinfo_size",
            protocol_name(h->protocol), info_size, c->map.count, h->bootinfo_size, h->bootinfo_addr);
    uint32_t moves = count_moves(&im);
    uint32_t blob_size = (uint32_t)(installer_end - installer_start);
    uint64_t info_off = align_up(move_image ? image_size : 0, STAGING_ALIGN);
    uint64_t blob_off = align_up(info_off + info_size, STAGING_ALIGN);
    uint64_t moves_off = align_up(blob_off + blob_size, STAGING_ALIGN);
    uint64_t stack_top_off = align_up(moves_off + (uint64_t)moves * sizeof(struct move), STAGING_ALIGN) + STAGING_STACK_SIZE;

    struct avoid av = { .im = &im };
    if (!move_image) {
        av.module_start = c->image_start;
        av.module_end = c->image_end;
    }
    uint64_t staging;
    if (!memmap_find_free(&c->map, stack_top_off, PAGE, MIB, GIB4, staging_conflict, &av, &staging))
        die(STAGE, "no room for the staging area (0x%lx bytes: %sboot information, installer) in usable RAM between "
                   "1 MiB and 4 GiB outside the image's sections and mimgload [0x%x,0x%x)",
            stack_top_off, move_image ? "the image, " : "", (uint32_t)(uintptr_t)__mimgload_start,
            (uint32_t)(uintptr_t)__mimgload_end);
    uint8_t *base = (uint8_t *)(uintptr_t)staging; /* below 4 GiB, as asked of memmap_find_free */

    /* From here on memory is written: staging only, until the installer runs. */
    if (move_image) {
        const struct mimg_section *s = &im.section[hit];
        con_line(CON_SERIAL, STAGE ": the image module [0x%x,0x%x) overlaps section %u '%s' [0x%lx,0x%lx): "
                             "moving it to 0x%x",
                 c->image_start, c->image_end, (uint32_t)hit, im.strtab + s->name_off, s->dest, s->dest + s->mem_size,
                 (uint32_t)staging);
        memmove(base, (const void *)(uintptr_t)c->image_start, image_size);
        im = image_at(base); /* the module may now be partly overwritten */
        h = im.header;
    }

    uint8_t *info = base + info_off;
    bootinfo_build(&im, c, info, (uint32_t)h->bootinfo_addr);

    memcpy(base + blob_off, installer_start, blob_size);

    struct move *move = (struct move *)(base + moves_off);
    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &im.section[i];
        /* Every section passed target_check: inside usable RAM below 4 GiB
         * and, as staging exists beside it, smaller than 4 GiB. */
        uint32_t dst = (uint32_t)s->dest, size = (uint32_t)s->mem_size;
        switch (s->type) {
        case MIMG_TYPE_EXEC:
        case MIMG_TYPE_MODULE:
            *move++ = (struct move){ dst, (uint32_t)(uintptr_t)(im.base + s->file_offset), (uint32_t)s->file_size,
                                     size - (uint32_t)s->file_size };
            break;
        case MIMG_TYPE_ZERO:
            *move++ = (struct move){ dst, 0, 0, size };
            break;
        case MIMG_TYPE_BOOTINFO:
            *move++ = (struct move){ dst, (uint32_t)(uintptr_t)info, (uint32_t)info_size, size - (uint32_t)info_size };
            break;
        }
    }

    uint32_t magic = h->protocol == MIMG_PROTOCOL_MULTIBOOT1 ? MB1_BOOTLOADER_MAGIC : MB2_BOOTLOADER_MAGIC;
    con_line(CON_SERIAL, STAGE ": entering 0x%lx (%s)", h->entry, protocol_name(h->protocol));
    installer_enter((uint32_t)(uintptr_t)(base + blob_off), (const struct move *)(base + moves_off), moves,
                    (uint32_t)(uintptr_t)(base + stack_top_off), magic, (uint32_t)h->bootinfo_addr, (uint32_t)h->entry);
}
