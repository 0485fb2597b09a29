/* main.c — stage 2, the BIOS bootstrapper: from the boot volume to
 * mimgload in 32-bit protected mode, with one Multiboot2 description of
 * the machine (docs/format/boot-volume.md section 4). The flow is in
 * stages/README.md, "Booting from the BIOS". */

#include "acpi.h"
#include "bios.h"
#include "console.h"
#include "mem.h"
#include "mimg_format.h"
#include "multiboot2.h"
#include "range.h"

/* stage2.ld: everything stage 2 occupies, buffers included. */
extern uint8_t __stage2_start[], __stage2_end[];

static struct memmap map;
static struct plan plan LOWMEM;
static uint32_t cpu[CPU_MAX] LOWMEM;

/* Dies unless [start, end) is usable RAM below 4 GiB. `kind` and `name`
 * say whose it is: "the image 'h.mimg'". */
static void check_ram(const char *kind, const char *name, uint64_t start, uint64_t end)
{
    uint64_t bad;
    if (end > GIB4)
        die(STAGE, "%s '%s' [0x%lx, 0x%lx) reaches past 4 GiB, which 32-bit protected mode cannot load", kind, name,
            start, end);
    if (!memmap_usable(&map, start, end, &bad))
        die(STAGE, "%s '%s' [0x%lx, 0x%lx) needs RAM at 0x%lx, which the memory map does not give (usable RAM "
                   "ends at 0x%lx); hint: give the machine at least %u MiB",
            kind, name, start, end, bad, memmap_ram_end(&map), (uint32_t)(align_up(end, MIB) / MIB));
}

/* The loader at its address, then the image and each preload range,
 * page-aligned, in table order (section 4); all checked against the map
 * before the first byte is read. Each gets whole sectors: the disk drivers
 * read the last one whole, and page alignment leaves room for it. */
static void make_plan(const struct volume *v)
{
    const struct mimg_range *loader = &v->range[v->loader];
    plan.loader = (struct placed){ .index = v->loader, .addr = (uint32_t)loader->load_address };
    plan.module_count = 0; /* .lowmem is not zeroed */
    check_ram("the loader", range_name(loader), loader->load_address,
              loader->load_address + align_up(loader->size, MIMG_SECTOR_SIZE));

    uint64_t next = align_up(loader->load_address + loader->size, PAGE_SIZE);
    for (uint32_t k = 0; k <= v->count; k++) {
        /* k == 0: the image; then every other range, when preloaded. */
        uint32_t i = k == 0 ? v->image : k - 1;
        const struct mimg_range *r = &v->range[i];
        if (k > 0 && (r->type != MIMG_RANGE_TYPE_DATA || !(r->flags & MIMG_RANGE_FLAG_PRELOAD)))
            continue;
        check_ram(k == 0 ? "the image" : "the preload range", range_name(r), next,
                  next + align_up(r->size, MIMG_SECTOR_SIZE));
        plan.module[plan.module_count++] = (struct placed){ .index = i, .addr = (uint32_t)next };
        next = align_up(next + r->size, PAGE_SIZE);
    }
}

/* Whether the kernel will read the boot disk through INT 13h itself: Linux by
 * its 16-bit entry, whose setup code probes EDD there. Read from the image's
 * header through INT 13h; mimgload verifies it later. */
static bool kernel_uses_bios_disk(struct disk *d, const struct volume *v)
{
    static uint8_t head[MIMG_SECTOR_SIZE];
    disk_read(d, v->lba + v->range[v->image].lba, head, sizeof head);
    const struct mimg_header *h = (const struct mimg_header *)head;
    return !memcmp(h->magic, MIMG_MAGIC, sizeof h->magic) && h->protocol == MIMG_PROTOCOL_LINUX &&
           h->cpu_mode == MIMG_CPU_REAL16;
}

static void load(struct disk *d, const struct volume *v, const char *kind, const struct placed *p)
{
    const struct mimg_range *r = &v->range[p->index];
    disk_read(d, v->lba + r->lba, (void *)(uintptr_t)p->addr, (uint32_t)r->size);
    con_line(CON_SERIAL, STAGE ": loaded %s '%s' 0x%lx bytes at 0x%x", kind, range_name(r), r->size, p->addr);
}

static noreturn void enter(uint32_t entry, uint32_t info)
{
    __asm__ volatile("jmp *%0" : : "r"(entry), "a"(MB2_BOOTLOADER_MAGIC), "b"(info) : "memory");
    __builtin_unreachable();
}

noreturn void bios_main(uint32_t drive, uint32_t volume_lo, uint32_t volume_hi)
{
    uint64_t volume_lba = (uint64_t)volume_hi << 32 | volume_lo;
    console_init();

    const char *a20 = a20_enable();
    const char *source = memory_map_read(&map);
    con_line(CON_SERIAL, STAGE ": A20 %s; memory map from %s, %u entries, usable RAM up to 0x%lx", a20, source,
             map.count, memmap_ram_end(&map));
    check_ram("stage 2", "code, stack and buffers", (uintptr_t)__stage2_start, (uintptr_t)__stage2_end);

    struct handoff h = { .drive = (uint8_t)drive, .map = &map, .cpu = cpu };
    h.rsdp = acpi_find_rsdp(&h.rsdp_size);
    if (h.rsdp) {
        h.cpu_count = acpi_madt_cpus(h.rsdp, cpu, CPU_MAX);
        if (h.cpu_count > CPU_MAX)
            die(STAGE, "the ACPI MADT lists %u enabled processors; this stage 2 passes on at most %u", h.cpu_count,
                CPU_MAX);
        con_line(CON_SERIAL, STAGE ": ACPI RSDP at 0x%x; enabled CPUs in the MADT: %u", (uint32_t)(uintptr_t)h.rsdp,
                 h.cpu_count);
    } else {
        con_line(CON_SERIAL, STAGE ": no ACPI RSDP: the CPU list is empty");
    }

    struct disk disk;
    disk_open(&disk, (uint8_t)drive);
    con_line(CON_SERIAL, STAGE ": disk 0x%x (%s), boot volume at LBA 0x%lx", drive, disk.how, volume_lba);
    struct volume v;
    volume_read(&disk, volume_lba, &v);
    make_plan(&v);
    bool keep_bios = kernel_uses_bios_disk(&disk, &v);
    if (keep_bios)
        con_line(CON_SERIAL, STAGE ": the kernel's 16-bit setup code reads the disk through INT 13h: no virtio-blk "
                             "driver");
    disk_use_driver(&disk, volume_lba, !keep_bios);
    con_line(CON_SERIAL, STAGE ": disk 0x%x: reading the ranges by %s", drive, disk.how);

    load(&disk, &v, "loader", &plan.loader);
    for (uint32_t i = 0; i < plan.module_count; i++)
        load(&disk, &v, i == 0 ? "image" : "range", &plan.module[i]);

    disk_close(&disk);

    uint32_t info = bootinfo_build(&v, &plan, &h);
    uint32_t entry = (uint32_t)v.range[v.loader].entry;
    con_line(CON_SERIAL, STAGE ": entering the loader at 0x%x", entry);
    enter(entry, info);
}
