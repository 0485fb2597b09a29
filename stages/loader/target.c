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

static noreturn void not_in_ram(const struct image *im, uint32_t i, uint64_t bad)
{
    const struct mimg_section *s = &im->section[i];
    die(STAGE, "section %u '%s' [0x%lx,0x%lx) is not in usable RAM (at 0x%lx)", i, im->strtab + s->name_off, s->dest,
        s->dest + s->mem_size, bad);
}

void target_check(const struct image *im, const struct chain *c)
{
    const struct mimg_header *h = im->header;

    bool linux = h->protocol == MIMG_PROTOCOL_LINUX;
    /* Every protocol starts in protected mode; mimg and Linux also in long
     * mode, and Linux in real mode. */
    if (h->cpu_mode != MIMG_CPU_PROTECTED32 && !(h->cpu_mode == MIMG_CPU_LONG64 && (linux || h->protocol == MIMG_PROTOCOL_MIMG)) &&
        !(h->cpu_mode == MIMG_CPU_REAL16 && linux))
        die(STAGE, "cpu mode %s with protocol %s: not supported", cpu_mode_name(h->cpu_mode), protocol_name(h->protocol));
    if (h->cpu_mode == MIMG_CPU_LONG64 && !long_mode_available())
        die(STAGE, "cpu mode long64: this CPU has no long mode");
    if (h->bootinfo_size == 0)
        die(STAGE, "no boot information block (bootinfo_size 0)");
    if (h->protocol == MIMG_PROTOCOL_MULTIBOOT2 && h->bootinfo_addr % MB2_INFO_ALIGN)
        die(STAGE, "boot information at 0x%lx: not %u-byte aligned", h->bootinfo_addr, MB2_INFO_ALIGN);
    if (linux)
        linux_check(im);
    if (linux && h->cpu_mode == MIMG_CPU_REAL16 && c->efi) /* UEFI firmware has no real-mode BIOS to call */
        die(STAGE, "the Linux 16-bit entry needs a BIOS, and this machine booted by UEFI: use linux_entry \"64\" or \"32\"");

    /* Every section the loader writes must be RAM; `reserved` ones may
     * describe ROM or MMIO and are never written. */
    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &im->section[i];
        uint64_t bad;
        if (s->type != MIMG_TYPE_RESERVED && !memmap_usable(&c->map, s->dest, s->dest + s->mem_size, &bad))
            not_in_ram(im, i, bad);
        /* The installer's moves are 32-bit: a long64 image's sections too must end below 4 GiB. */
        if (s->type != MIMG_TYPE_RESERVED && s->dest + s->mem_size > GIB4)
            die(STAGE, "section %u '%s' ends above 4 GiB: not supported yet", i, im->strtab + s->name_off);
    }

    /* Firmware keeps the top few KiB of RAM for itself (ACPI tables), so the
     * RAM size is the highest usable end rounded up to a MiB. */
    uint64_t ram_end = memmap_ram_end(&c->map);
    uint64_t ram = align_up(ram_end, MIB);
    if (ram < h->ram_required)
        die(STAGE, "the image needs 0x%lx bytes of RAM, this machine has 0x%lx", h->ram_required, ram);
}
