/* target.c — can this mimgload install this image on this machine?
 * (docs/format/mimg.md section 9, step 1.) Only reads. */

#include "console.h"
#include "loader.h"
#include "multiboot2.h"
#include "range.h"

static const char *cpu_mode_name(uint8_t mode)
{
    switch (mode) {
    case MIMG_CPU_PROTECTED32: return "protected32";
    case MIMG_CPU_LONG64: return "long64";
    case MIMG_CPU_REAL16: return "real16";
    default: return "?"; /* mimg_verify rejects every other value (rule 8) */
    }
}

static noreturn void not_in_ram(const struct image *im, uint32_t i, const struct memmap *m, uint64_t bad)
{
    const struct mimg_section *s = &im->section[i];
    const char *name = im->strtab + s->name_off;
    uint64_t end = s->dest + s->mem_size;
    const struct mem_entry *e = memmap_find_unusable(m, bad);
    if (e)
        die(STAGE, "section %u '%s' [0x%lx,0x%lx) is not in usable RAM (0x%lx is in [0x%lx,0x%lx), type %u in the memory map)",
            i, name, s->dest, end, bad, e->base, end_of(e->base, e->len), e->type);
    if (bad < memmap_ram_end(m))
        die(STAGE, "section %u '%s' [0x%lx,0x%lx) is not in usable RAM (0x%lx is in a hole of the memory map)", i, name,
            s->dest, end, bad);
    die(STAGE, "section %u '%s' [0x%lx,0x%lx) is not in usable RAM (the memory map has RAM up to 0x%lx)", i, name,
        s->dest, end, memmap_ram_end(m));
}

void target_check(const struct image *im, const struct chain *c)
{
    const struct mimg_header *h = im->header;

    if (h->protocol != MIMG_PROTOCOL_MULTIBOOT1 && h->protocol != MIMG_PROTOCOL_MULTIBOOT2)
        die(STAGE, "the image asks for protocol %s (offset 0x18), which is not supported by this mimgload yet "
                   "(it hands off multiboot1 and multiboot2)", protocol_name(h->protocol));
    if (h->cpu_mode != MIMG_CPU_PROTECTED32)
        die(STAGE, "the image asks for cpu mode %s (offset 0x19), which is not supported by this mimgload yet "
                   "(it enters kernels in protected32)", cpu_mode_name(h->cpu_mode));
    if (h->bootinfo_size == 0)
        die(STAGE, "the image has no boot information block (bootinfo_size is 0), which protocol %s needs; "
                   "rebuild it with mimg build", protocol_name(h->protocol));
    if (h->protocol == MIMG_PROTOCOL_MULTIBOOT2 && h->bootinfo_addr % MB2_INFO_ALIGN)
        die(STAGE, "the boot information block at 0x%lx is not %u-byte aligned, as Multiboot2 requires",
            h->bootinfo_addr, MB2_INFO_ALIGN);

    /* Every section the loader writes must be RAM; `reserved` ones may
     * describe ROM or MMIO and are never written. */
    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &im->section[i];
        uint64_t bad;
        if (s->type != MIMG_TYPE_RESERVED && !memmap_usable(&c->map, s->dest, s->dest + s->mem_size, &bad))
            not_in_ram(im, i, &c->map, bad);
    }

    /* Firmware keeps the top few KiB of RAM for itself (ACPI tables), so the
     * RAM size is the highest usable end rounded up to a MiB. */
    uint64_t ram_end = memmap_ram_end(&c->map);
    uint64_t ram = align_up(ram_end, MIB);
    if (ram < h->ram_required)
        die(STAGE, "the image needs 0x%lx bytes of RAM (ram_required), this machine has 0x%lx "
                   "(the memory map has RAM up to 0x%lx)", h->ram_required, ram, ram_end);
}
