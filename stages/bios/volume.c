/* volume.c — the boot volume's header and range table
 * (docs/format/boot-volume.md sections 2.1 and 3), read and checked before
 * anything is loaded. */

#include "bios.h"
#include "console.h"
#include "crc32.h"
#include "mem.h"
#include "range.h"

#define HINT_REWRITE   "hint: the disk is damaged or was not written by mimg; write it again with mimg build"

static uint8_t pbr[MIMG_SECTOR_SIZE] LOWMEM;
static uint8_t table[RANGE_TABLE_MAX] LOWMEM __attribute__((aligned(16)));

static void read_header(struct disk *d, uint64_t lba, struct mimg_volume_header *h)
{
    disk_read(d, lba, pbr, sizeof pbr);
    memcpy(h, pbr + MIMG_VOLUME_HEADER_OFFSET, sizeof *h);
    if (memcmp(h->magic, MIMG_VOLUME_MAGIC, sizeof h->magic) != 0)
        die(STAGE, "disk 0x%x: no mimg volume header at LBA 0x%lx (magic is not \"%s\"); %s", d->drive, lba,
            MIMG_VOLUME_MAGIC, HINT_REWRITE);
    uint32_t crc = crc32(0, h, offsetof(struct mimg_volume_header, header_crc32));
    if (crc != h->header_crc32)
        die(STAGE, "disk 0x%x: the volume header at LBA 0x%lx has CRC-32 0x%08x, it records 0x%08x; %s", d->drive,
            lba, crc, h->header_crc32, HINT_REWRITE);
    if (h->version != MIMG_BOOTVOL_VERSION)
        die(STAGE, "disk 0x%x: the volume header at LBA 0x%lx has version %u; this stage 2 reads version %u; "
                   "hint: write the disk with the same mimg that provided its boot code",
            d->drive, lba, h->version, MIMG_BOOTVOL_VERSION);
}

/* A name is 1 to MIMG_RANGE_NAME_MAX bytes, then a NUL. */
static bool name_ok(const uint8_t *name)
{
    uint32_t n = 0;
    while (n <= MIMG_RANGE_NAME_MAX && name[n] != 0)
        n++;
    return n > 0 && n <= MIMG_RANGE_NAME_MAX;
}

static bool all_zero(const uint8_t *p, uint32_t n)
{
    while (n > 0 && p[n - 1] == 0)
        n--;
    return n == 0;
}

static void check_entry(const struct volume *v, uint32_t i)
{
    const struct mimg_range *e = &v->range[i];
    if (!name_ok(e->name))
        die(STAGE, "range %u: its name is empty or not NUL-terminated; %s", i, HINT_REWRITE);
    if (e->type < MIMG_RANGE_TYPE_IMAGE || e->type > MIMG_RANGE_TYPE_LOADER)
        die(STAGE, "range %u '%s': type %u is not 1 (image), 2 (data) or 3 (loader); %s", i, range_name(e), e->type,
            HINT_REWRITE);
    if (e->flags & ~MIMG_RANGE_FLAGS_KNOWN)
        die(STAGE, "range %u '%s': unknown flags 0x%x (known: preload 0x1, ro 0x2, rw 0x4); %s", i, range_name(e),
            e->flags & ~MIMG_RANGE_FLAGS_KNOWN, HINT_REWRITE);
    if (!all_zero(e->reserved, sizeof e->reserved))
        die(STAGE, "range %u '%s': its reserved field is not 0; %s", i, range_name(e), HINT_REWRITE);
    if (e->lba % MIMG_RANGE_ALIGN_SECTORS != 0)
        die(STAGE, "range %u '%s': LBA 0x%lx is not a multiple of %u; %s", i, range_name(e), e->lba,
            MIMG_RANGE_ALIGN_SECTORS, HINT_REWRITE);
    if (e->size >= GIB4)
        die(STAGE, "range %u '%s': 0x%lx bytes; 32-bit protected mode loads less than 4 GiB", i, range_name(e),
            e->size);
    if (i > 0) {
        const struct mimg_range *prev = &v->range[i - 1];
        if (e->lba < prev->lba + align_up(prev->size, MIMG_SECTOR_SIZE) / MIMG_SECTOR_SIZE)
            die(STAGE, "range %u '%s' at LBA 0x%lx starts inside range %u '%s' [0x%lx, +0x%lx bytes): ranges must "
                       "be sorted and disjoint; %s",
                i, range_name(e), e->lba, i - 1, range_name(prev), prev->lba, prev->size, HINT_REWRITE);
    }
    if (e->type == MIMG_RANGE_TYPE_LOADER) {
        if (e->size == 0 || e->load_address < MIB || end_of(e->load_address, e->size) > GIB4 ||
            e->entry < e->load_address || e->entry >= e->load_address + e->size)
            die(STAGE, "loader range %u '%s': [0x%lx, 0x%lx) with entry 0x%lx must lie in [1 MiB, 4 GiB) and hold "
                       "its entry; %s",
                i, range_name(e), e->load_address, end_of(e->load_address, e->size), e->entry, HINT_REWRITE);
    } else if (e->load_address != 0 || e->entry != 0) {
        die(STAGE, "range %u '%s': load_address and entry must be 0 except in the loader range; %s", i, range_name(e),
            HINT_REWRITE);
    }
}

static void read_table(struct disk *d, const struct mimg_volume_header *h, struct volume *v)
{
    uint64_t lba = v->lba + h->ranges_lba;
    if (h->ranges_sectors == 0 || h->ranges_sectors > RANGE_TABLE_MAX / MIMG_SECTOR_SIZE)
        die(STAGE, "the range table at LBA 0x%lx is %u sectors; this stage 2 reads 1 to %u", lba, h->ranges_sectors,
            RANGE_TABLE_MAX / MIMG_SECTOR_SIZE);
    uint32_t bytes = h->ranges_sectors * MIMG_SECTOR_SIZE;
    disk_read(d, lba, table, bytes);

    struct mimg_range_table *t = (struct mimg_range_table *)table;
    if (memcmp(t->magic, MIMG_RANGES_MAGIC, sizeof t->magic) != 0)
        die(STAGE, "no range table at LBA 0x%lx (magic is not \"%s\"); %s", lba, MIMG_RANGES_MAGIC, HINT_REWRITE);
    uint32_t crc = crc32(0, t, offsetof(struct mimg_range_table, header_crc32));
    if (crc != t->header_crc32)
        die(STAGE, "the range table header at LBA 0x%lx has CRC-32 0x%08x, it records 0x%08x; %s", lba, crc,
            t->header_crc32, HINT_REWRITE);
    if (t->version != MIMG_BOOTVOL_VERSION || t->entry_size != sizeof(struct mimg_range) || t->reserved != 0)
        die(STAGE, "the range table at LBA 0x%lx has version %u, %u-byte entries; this stage 2 reads version %u, "
                   "%u-byte entries, reserved 0; %s",
            lba, t->version, t->entry_size, MIMG_BOOTVOL_VERSION, sizeof(struct mimg_range), HINT_REWRITE);
    if (t->count > (bytes - sizeof *t) / sizeof(struct mimg_range))
        die(STAGE, "the range table at LBA 0x%lx lists %u ranges; its %u sectors hold at most %u; %s", lba, t->count,
            h->ranges_sectors, (bytes - (uint32_t)sizeof *t) / sizeof(struct mimg_range), HINT_REWRITE);
    crc = crc32(0, t + 1, t->count * sizeof(struct mimg_range));
    if (crc != t->entries_crc32)
        die(STAGE, "the range table's entries at LBA 0x%lx have CRC-32 0x%08x, the table records 0x%08x; %s", lba,
            crc, t->entries_crc32, HINT_REWRITE);
    v->range = (const struct mimg_range *)(t + 1);
    v->count = t->count;
}

void volume_read(struct disk *d, uint64_t lba, struct volume *v)
{
    struct mimg_volume_header h;
    read_header(d, lba, &h);
    v->lba = lba;
    read_table(d, &h, v);

    uint32_t loaders = 0, images = 0;
    for (uint32_t i = 0; i < v->count; i++) {
        check_entry(v, i);
        if (v->range[i].type == MIMG_RANGE_TYPE_LOADER) {
            v->loader = i;
            loaders++;
        } else if (v->range[i].type == MIMG_RANGE_TYPE_IMAGE) {
            v->image = i;
            images++;
        }
    }
    if (loaders != 1 || images != 1)
        die(STAGE, "the range table lists %u loader and %u image ranges; it needs exactly one of each; %s", loaders,
            images, HINT_REWRITE);
}
