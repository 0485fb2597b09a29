/* linux.c — the Linux x86 boot protocol (docs/protocol/linux.md): finding
 * the bzImage's parts in the image, and the setup header fields a boot
 * loader fills, for boot_params (the 32-bit entry) or in the setup code
 * itself (the 16-bit entry, whose setup code builds boot_params). */

#include "console.h"
#include "linux_boot.h"
#include "loader.h"
#include "mem.h"

static const struct mimg_section *named(const struct image *im, const char *name, uint8_t type)
{
    uint32_t len = (uint32_t)strlen(name);
    for (uint32_t i = 0; i < im->header->section_count; i++) {
        const struct mimg_section *s = &im->section[i];
        if (s->type == type && s->name_len == len && memcmp(im->strtab + s->name_off, name, len) == 0)
            return s;
    }
    return 0;
}

/* Unaligned little-endian fields; constant sizes, so the copies compile to moves. */
static uint32_t rd16(const uint8_t *p)
{
    uint16_t v;
    __builtin_memcpy(&v, p, 2);
    return v;
}

static void wr16(uint8_t *p, uint32_t v)
{
    uint16_t w = (uint16_t)v;
    __builtin_memcpy(p, &w, 2);
}

static void wr32(uint8_t *p, uint32_t v)
{
    __builtin_memcpy(p, &v, 4);
}

struct linux_parts linux_parts(const struct image *im)
{
    struct linux_parts p = {
        .setup = named(im, "setup", MIMG_TYPE_EXEC),
        .kernel = named(im, "kernel", MIMG_TYPE_EXEC),
        .initrd = named(im, "initrd", MIMG_TYPE_MODULE),
    };
    const uint8_t *b = p.setup ? im->base + p.setup->file_offset : 0;
    if (!p.kernel || !b || p.setup->file_size < LX_BOOT_PARAMS_SIZE / 2 || rd16(b + LX_BOOT_FLAG) != LX_BOOT_FLAG_VALUE ||
        get_u32(b + LX_HEADER) != LX_HEADER_MAGIC || rd16(b + LX_VERSION) < 0x202)
        die(STAGE, "linux: no 'kernel', or no setup header 2.02+ in 'setup'");
    p.header = (uint8_t *)b;
    return p;
}

void linux_check(const struct image *im)
{
    struct linux_parts p = linux_parts(im);
    const struct mimg_header *h = im->header;
    uint32_t max = rd16(p.header + LX_VERSION) >= 0x206 ? get_u32(p.header + LX_CMDLINE_SIZE) : 255;
    if (h->cpu_mode == MIMG_CPU_REAL16) {
        /* Real mode reaches the first MiB; the setup code, its heap and its
         * stack up to the command line lie in one 64 KiB segment. Every
         * address is below 4 GiB here (rule 12). */
        uint32_t info = (uint32_t)h->bootinfo_addr, setup = (uint32_t)p.setup->dest;
        if (info + (uint32_t)h->bootinfo_size > 0xA0000 || info <= setup + (uint32_t)p.setup->file_size || info - setup > 0xFFF0 ||
            (info | setup) % 16 || (uint32_t)h->bootinfo_size < LINUX_TRAMPOLINE_OFFSET + (uint32_t)(real16_end - real16_start))
            die(STAGE, "linux 16-bit: setup or boot information misplaced");
        if (max >= LINUX_TRAMPOLINE_OFFSET)
            max = LINUX_TRAMPOLINE_OFFSET - 1; /* the trampoline follows the command line */
    }
    if (h->cmdline_len > max)
        die(STAGE, "linux: command line of %u bytes, the kernel takes %u", h->cmdline_len, max);
}

void linux_header(uint8_t *base, const struct linux_parts *p, uint32_t cmdline, uint32_t heap_end)
{
    uint8_t flags = (uint8_t)(base[LX_LOADFLAGS] & ~LX_KEEP_SEGMENTS);
    if (heap_end) {
        flags |= LX_CAN_USE_HEAP;
        wr16(base + LX_HEAP_END_PTR, heap_end - 0x200); /* counted from the setup code at 0x200 */
    }
    base[LX_LOADFLAGS] = flags;
    base[LX_TYPE_OF_LOADER] = LX_LOADER_UNDEFINED;
    wr32(base + LX_CODE32_START, (uint32_t)p->kernel->dest);
    wr32(base + LX_CMD_LINE_PTR, cmdline);
    if (p->initrd) {
        wr32(base + LX_RAMDISK_IMAGE, (uint32_t)p->initrd->dest);
        wr32(base + LX_RAMDISK_SIZE, (uint32_t)p->initrd->file_size);
    }
}
