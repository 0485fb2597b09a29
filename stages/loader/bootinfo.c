/* bootinfo.c — the boot information the kernel gets, built as one block.
 *
 * Everything — fixed part, arrays, strings — lies inside the block and is
 * addressed as it will be at the image's bootinfo_addr, so the installer
 * only has to copy it there. The builder runs twice: once with no buffer to
 * measure (the staging area is sized from it), once to write. */

#include <stddef.h>

#include "linux_boot.h"
#include "loader.h"
#include "mem.h"
#include "multiboot1.h"
#include "multiboot2.h"
#include "range.h"

/* The block being written: buf = 0 measures only. */
struct out {
    uint8_t *buf;
    uint64_t pos;  /* 64 bits: a hostile image's strings must not wrap the measurement */
    uint32_t addr; /* where the block will be */
};

static uint32_t put(struct out *o, const void *src, uint32_t n)
{
    uint32_t at = (uint32_t)o->pos;
    if (o->buf)
        memcpy(o->buf + at, src, n);
    o->pos += n;
    return at;
}

static uint32_t put_zeros(struct out *o, uint32_t n)
{
    uint32_t at = (uint32_t)o->pos;
    if (o->buf)
        memset(o->buf + at, 0, n);
    o->pos += n;
    return at;
}

static void pad_to(struct out *o, uint32_t align)
{
    put_zeros(o, (uint32_t)(align_up(o->pos, align) - o->pos));
}

static void patch(struct out *o, uint32_t at, const void *src, uint32_t n)
{
    if (o->buf)
        memcpy(o->buf + at, src, n);
}

/* A C string; returns its final address. */
static uint32_t put_string(struct out *o, const char *s, uint32_t len)
{
    uint32_t at = put(o, s, len);
    put_zeros(o, 1);
    return o->addr + at;
}

/* A module's string: its name, then a space and its command line if it
 * has one (the form GRUB gives: "path args"). Returns its final address. */
static uint32_t put_module_string(struct out *o, const struct image *im, const struct mimg_section *s)
{
    uint32_t at = put(o, im->strtab + s->name_off, s->name_len);
    if (s->cmdline_len) {
        put(o, " ", 1);
        put(o, im->strtab + s->cmdline_off, s->cmdline_len);
    }
    put_zeros(o, 1);
    return o->addr + at;
}

/* The module sections in ascending `component` order (ties: table order):
 * the index of the one after `prev` (-1: the first), or -1 when done. */
static int32_t next_module(const struct image *im, int32_t prev)
{
    uint64_t prev_key = prev < 0 ? 0 : (uint64_t)im->section[prev].component << 32 | (uint32_t)prev;
    int32_t best = -1;
    uint64_t best_key = UINT64_MAX;
    for (uint32_t i = 0; i < im->header->section_count; i++) {
        const struct mimg_section *s = &im->section[i];
        uint64_t key = (uint64_t)s->component << 32 | i;
        if (s->type == MIMG_TYPE_MODULE && (prev < 0 || key > prev_key) && key < best_key) {
            best = (int32_t)i;
            best_key = key;
        }
    }
    return best;
}

static const char LOADER_NAME[] = STAGE;

/* struct framebuffer is copied into both hand-offs as it is (loader.h). */
_Static_assert(offsetof(struct framebuffer, red_pos) == FB_MB2_SIZE && FB_MB2_SIZE == offsetof(struct mb1_info, color_info) -
               offsetof(struct mb1_info, framebuffer_addr) && offsetof(struct framebuffer, vbe_mode) == FB_MB_SIZE &&
               FB_MB2_SIZE + sizeof(struct mb2_tag) + 2 == offsetof(struct mb2_tag_framebuffer, color_info),
               "struct framebuffer is laid out as Multiboot's framebuffer fields");
_Static_assert(offsetof(struct mimg_boot_framebuffer, reserved) == FB_MB_SIZE && offsetof(struct framebuffer, red_pos) ==
                   offsetof(struct mimg_boot_framebuffer, red_position) && FB_RGB == MIMG_FB_RGB && FB_TEXT == MIMG_FB_TEXT,
               "struct framebuffer is laid out as the mimg framebuffer record");

/* ---- Multiboot1 (GNU Multiboot 0.6.96, section 3.3) ------------------- */

static void build_mb1(struct out *o, const struct image *im, const struct chain *c)
{
    struct mb1_info info = {
        .flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MEM_MAP | MB1_INFO_LOADER_NAME,
        .mem_lower = c->mem_lower,
        .mem_upper = c->mem_upper,
    };
    uint32_t info_at = put_zeros(o, sizeof info);

    uint32_t mods_at = (uint32_t)o->pos;
    for (int32_t i = next_module(im, -1); i >= 0; i = next_module(im, i))
        put_zeros(o, sizeof(struct mb1_module)); /* filled below, once the strings have addresses */
    put_zeros(o, c->extra_count * sizeof(struct mb1_module));
    info.mods_addr = o->addr + mods_at;
    info.mods_count = (uint32_t)(o->pos - mods_at) / sizeof(struct mb1_module);

    info.mmap_addr = o->addr + (uint32_t)o->pos;
    for (uint32_t i = 0; i < c->map.count; i++) {
        const struct mem_entry *e = &c->map.entry[i];
        struct mb1_mmap_entry m = {
            .size = MB1_MMAP_ENTRY_SIZE,
            .base_lo = (uint32_t)e->base, .base_hi = (uint32_t)(e->base >> 32),
            .len_lo = (uint32_t)e->len, .len_hi = (uint32_t)(e->len >> 32),
            .type = e->type,
        };
        put(o, &m, sizeof m);
    }
    info.mmap_length = c->map.count * sizeof(struct mb1_mmap_entry);

    info.cmdline = put_string(o, im->strtab + im->header->cmdline_off, im->header->cmdline_len);
    info.boot_loader_name = put_string(o, LOADER_NAME, sizeof LOADER_NAME - 1);

    const struct framebuffer *fb = &c->fb;
    if (fb->type != FB_NONE) {
        info.flags |= MB1_INFO_FRAMEBUFFER;
        memcpy(&info.framebuffer_addr, fb, FB_MB_SIZE);
    }
    if (fb->vbe_mode) {
        info.flags |= MB1_INFO_VBE; /* no protected-mode interface: vbe_interface_* stay 0 */
        info.vbe_control_info = o->addr + put(o, c->vbe_control, VBE_CONTROL_SIZE);
        info.vbe_mode_info = o->addr + put(o, c->vbe_mode_info, VBE_MODE_INFO_SIZE);
        info.vbe_mode = fb->vbe_mode;
    }

    uint32_t at = mods_at;
    for (int32_t i = next_module(im, -1); i >= 0; i = next_module(im, i), at += sizeof(struct mb1_module)) {
        const struct mimg_section *s = &im->section[i];
        struct mb1_module m = {
            .mod_start = (uint32_t)s->dest,
            .mod_end = (uint32_t)(s->dest + s->mem_size),
            .string = put_module_string(o, im, s),
        };
        patch(o, at, &m, sizeof m);
    }
    for (uint32_t i = 0; i < c->extra_count; i++, at += sizeof(struct mb1_module)) {
        const struct extra *x = &c->extra[i];
        struct mb1_module m = { .mod_start = x->start, .mod_end = x->end, .string = put_string(o, x->string, (uint32_t)strlen(x->string)) };
        patch(o, at, &m, sizeof m);
    }
    patch(o, info_at, &info, sizeof info);
}

/* ---- Multiboot2 (Multiboot2 Specification 2.0, section 3.6) ----------- */

static void put_tag(struct out *o, uint32_t type, uint32_t size)
{
    struct mb2_tag t = { .type = type, .size = size };
    put(o, &t, sizeof t);
}

static void put_string_tag(struct out *o, uint32_t type, const char *s, uint32_t len)
{
    put_tag(o, type, sizeof(struct mb2_tag) + len + 1);
    put_string(o, s, len);
    pad_to(o, MB2_TAG_ALIGN);
}

static void put_bytes_tag(struct out *o, uint32_t type, const void *data, uint32_t size)
{
    put_tag(o, type, sizeof(struct mb2_tag) + size);
    put(o, data, size);
    pad_to(o, MB2_TAG_ALIGN);
}

static void build_mb2(struct out *o, const struct image *im, const struct chain *c)
{
    uint32_t info_at = put_zeros(o, sizeof(struct mb2_info));

    put_string_tag(o, MB2_TAG_CMDLINE, im->strtab + im->header->cmdline_off, im->header->cmdline_len);
    put_string_tag(o, MB2_TAG_LOADER_NAME, LOADER_NAME, sizeof LOADER_NAME - 1);

    for (int32_t i = next_module(im, -1); i >= 0; i = next_module(im, i)) {
        const struct mimg_section *s = &im->section[i];
        uint32_t string_len = s->name_len + (s->cmdline_len ? 1 + s->cmdline_len : 0);
        struct mb2_tag_module m = {
            .tag = { .type = MB2_TAG_MODULE, .size = sizeof m + string_len + 1 },
            .mod_start = (uint32_t)s->dest,
            .mod_end = (uint32_t)(s->dest + s->mem_size),
        };
        put(o, &m, sizeof m);
        put_module_string(o, im, s);
        pad_to(o, MB2_TAG_ALIGN);
    }
    for (uint32_t i = 0; i < c->extra_count; i++) {
        const struct extra *x = &c->extra[i];
        uint32_t len = (uint32_t)strlen(x->string);
        struct mb2_tag_module m = {
            .tag = { .type = MB2_TAG_MODULE, .size = sizeof m + len + 1 },
            .mod_start = x->start,
            .mod_end = x->end,
        };
        put(o, &m, sizeof m);
        put_string(o, x->string, len);
        pad_to(o, MB2_TAG_ALIGN);
    }

    struct mb2_tag_meminfo mem = {
        .tag = { .type = MB2_TAG_MEMINFO, .size = sizeof mem },
        .mem_lower = c->mem_lower,
        .mem_upper = c->mem_upper,
    };
    put(o, &mem, sizeof mem);
    pad_to(o, MB2_TAG_ALIGN);

    struct mb2_tag_mmap map = {
        .tag = { .type = MB2_TAG_MMAP, .size = sizeof map + c->map.count * sizeof(struct mem_entry) },
        .entry_size = sizeof(struct mem_entry),
        .entry_version = MB2_MMAP_ENTRY_VERSION,
    };
    put(o, &map, sizeof map);
    put(o, c->map.entry, c->map.count * sizeof(struct mem_entry));

    if (c->rsdp_old_size)
        put_bytes_tag(o, MB2_TAG_ACPI_OLD, c->rsdp_old, c->rsdp_old_size);
    if (c->rsdp_new_size)
        put_bytes_tag(o, MB2_TAG_ACPI_NEW, c->rsdp_new, c->rsdp_new_size);
    if (c->efi_table_size)
        put_bytes_tag(o, c->efi_table_type, c->efi_table, c->efi_table_size);
    if (c->efi_mmap_size)
        put_bytes_tag(o, MB2_TAG_EFI_MMAP, c->efi_mmap, c->efi_mmap_size);

    const struct framebuffer *fb = &c->fb;
    if (fb->type != FB_NONE) {
        uint32_t colors = fb->type == FB_RGB ? 6 : 0; /* EGA text has no colour fields */
        put_tag(o, MB2_TAG_FRAMEBUFFER, offsetof(struct mb2_tag_framebuffer, color_info) + colors);
        put(o, fb, FB_MB2_SIZE);
        put_zeros(o, sizeof ((struct mb2_tag_framebuffer *)0)->reserved);
        put(o, &fb->red_pos, colors);
        pad_to(o, MB2_TAG_ALIGN);
    }
    if (fb->vbe_mode) {
        put_tag(o, MB2_TAG_VBE, sizeof(struct mb2_tag_vbe));
        uint16_t mode[4] = { fb->vbe_mode }; /* no protected-mode interface: seg, off, len 0 */
        put(o, mode, sizeof mode);
        put(o, c->vbe_control, VBE_CONTROL_SIZE);
        put(o, c->vbe_mode_info, VBE_MODE_INFO_SIZE);
    }

    put_tag(o, MB2_TAG_END, sizeof(struct mb2_tag));

    struct mb2_info info = { .total_size = (uint32_t)o->pos - info_at };
    patch(o, info_at, &info, sizeof info);
}

/* ---- mimg (docs/protocol/mimg.md section 4) --------------------------- */

/* One piece of a usable map entry being cut: from p, up to q, of `type`. */
struct piece {
    uint64_t p, q;
    uint32_t type;
    bool claimed;
};

/* Applies the claim [a, b) of `type` to the piece starting at p: the piece
 * ends where a claim starts, and takes the type of the first claim holding
 * p, up to its end. */
static void claim(struct piece *x, uint64_t a, uint64_t b, uint32_t type)
{
    if (a > x->p && a < x->q)
        x->q = a;
    if (!x->claimed && a <= x->p && x->p < b) {
        x->claimed = true;
        x->type = type;
        if (b < x->q)
            x->q = b;
    }
}

/* The firmware's memory map with the claims cut out of its usable entries:
 * the image's sections, then the extra modules, then the loader's
 * leftovers. Sections are disjoint, extras lie outside them, and moved
 * extras lie inside the loader's range, which they win. Returns the number
 * of entries; adjacent pieces of one type merge. */
static uint32_t put_mimg_map(struct out *o, const struct image *im, const struct chain *c)
{
    uint32_t sections = im->header->section_count, count = 0;
    if (!o->buf) { /* where staging goes is not known yet: each claim may split an entry in three */
        count = c->map.count + 2 * (sections + c->extra_count + 1);
        put_zeros(o, count * sizeof(struct mimg_boot_mmap_entry));
        return count;
    }
    for (uint32_t i = 0; i < c->map.count; i++) {
        const struct mem_entry *e = &c->map.entry[i];
        uint64_t end = end_of(e->base, e->len);
        struct mimg_boot_mmap_entry *last = 0;
        for (struct piece x = { .p = e->base }; x.p < end; x.p = x.q) {
            x.q = end;
            x.type = e->type;
            x.claimed = false;
            if (e->type == MEM_USABLE) {
                for (uint32_t k = 0; k < sections; k++)
                    claim(&x, im->section[k].dest, im->section[k].dest + im->section[k].mem_size, MIMG_MEM_SECTION);
                for (uint32_t k = 0; k < c->extra_count; k++)
                    claim(&x, c->extra[k].start, c->extra[k].end, MIMG_MEM_MODULE);
                claim(&x, c->loader_start, c->loader_end, MIMG_MEM_LOADER);
            }
            if (last && last->type == x.type) {
                last->length += x.q - x.p;
            } else {
                last = (struct mimg_boot_mmap_entry *)(o->buf + o->pos);
                struct mimg_boot_mmap_entry m = { .base = x.p, .length = x.q - x.p, .type = x.type };
                put(o, &m, sizeof m);
                count++;
            }
        }
    }
    return count;
}

/* A string of the block; its offset. */
static uint32_t put_str(struct out *o, const char *s, uint32_t len)
{
    uint32_t at = put(o, s, len);
    put_zeros(o, 1);
    return at;
}

static void build_mimg(struct out *o, const struct image *im, const struct chain *c)
{
    struct mimg_boot_info h = {
        .version = MIMG_BOOT_VERSION,
        .header_size = sizeof h,
        .boot_drive = c->boot_drive,
        .boot_partition = c->boot_partition,
        .boot_sub_partition = c->boot_sub_partition,
    };
    memcpy(h.magic, MIMG_BOOT_MAGIC, sizeof h.magic);
    put_zeros(o, sizeof h);

    h.mmap_off = (uint32_t)o->pos;
    h.mmap_count = put_mimg_map(o, im, c);

    h.modules_off = (uint32_t)o->pos;
    for (int32_t i = next_module(im, -1); i >= 0; i = next_module(im, i))
        put_zeros(o, sizeof(struct mimg_boot_module)); /* filled below, once the strings have offsets */
    put_zeros(o, c->extra_count * sizeof(struct mimg_boot_module));
    h.module_count = (uint32_t)(o->pos - h.modules_off) / sizeof(struct mimg_boot_module);

    h.cpus_off = (uint32_t)o->pos;
    h.cpu_count = c->cpu_count;
    put(o, c->cpu, c->cpu_count * 4);
    pad_to(o, MIMG_BOOT_ALIGN);

    h.rsdp_size = c->rsdp_new_size ? c->rsdp_new_size : c->rsdp_old_size;
    if (h.rsdp_size) {
        h.rsdp_off = put(o, c->rsdp_new_size ? c->rsdp_new : c->rsdp_old, h.rsdp_size);
        pad_to(o, MIMG_BOOT_ALIGN);
    }
    if (c->fb.type != FB_NONE) { /* struct framebuffer opens as the record does, up to its reserved word */
        h.framebuffer_off = put(o, &c->fb, FB_MB_SIZE);
        put_zeros(o, sizeof(struct mimg_boot_framebuffer) - FB_MB_SIZE);
    }

    h.cmdline_len = im->header->cmdline_len;
    h.cmdline_off = put_str(o, im->strtab + im->header->cmdline_off, h.cmdline_len);
    h.loader_len = sizeof LOADER_NAME - 1;
    h.loader_off = put_str(o, LOADER_NAME, h.loader_len);

    uint32_t at = h.modules_off;
    for (int32_t i = next_module(im, -1); i >= 0; i = next_module(im, i), at += sizeof(struct mimg_boot_module)) {
        const struct mimg_section *s = &im->section[i];
        struct mimg_boot_module m = {
            .start = s->dest,
            .size = s->mem_size,
            .name_off = put_str(o, im->strtab + s->name_off, s->name_len),
            .name_len = s->name_len,
            .cmdline_off = put_str(o, im->strtab + s->cmdline_off, s->cmdline_len),
            .cmdline_len = s->cmdline_len,
            .flags = s->flags,
            .section = (uint32_t)i,
        };
        patch(o, at, &m, sizeof m);
    }
    for (uint32_t i = 0; i < c->extra_count; i++, at += sizeof(struct mimg_boot_module)) {
        const struct extra *x = &c->extra[i];
        /* Its name is the string's first word, its command line the rest. */
        uint32_t n = 0, len = (uint32_t)strlen(x->string);
        while (n < len && x->string[n] != ' ')
            n++;
        uint32_t rest = n < len ? n + 1 : len;
        struct mimg_boot_module m = {
            .start = x->start,
            .size = x->end - x->start,
            .name_off = put_str(o, x->string, n),
            .name_len = n,
            .cmdline_off = put_str(o, x->string + rest, len - rest),
            .cmdline_len = len - rest,
            .section = MIMG_BOOT_NONE,
        };
        patch(o, at, &m, sizeof m);
    }
    h.total_size = (uint32_t)o->pos;
    patch(o, 0, &h, sizeof h);
}

/* ---- Linux boot protocol (docs/protocol/linux.md) -------------------- */

static void build_linux(struct out *o, const struct image *im, const struct chain *c)
{
    const struct mimg_header *h = im->header;
    struct linux_parts p = linux_parts(im);
    const char *cmdline = im->strtab + h->cmdline_off;
    uint32_t setup = (uint32_t)p.setup->dest;

    if (h->cpu_mode == MIMG_CPU_REAL16) {
        /* The setup code builds boot_params itself (install.c filled its
         * header): the block holds the command line, then the trampoline
         * that takes the CPU back to real mode. linux_check bounded the
         * command line below the trampoline. */
        put_string(o, cmdline, h->cmdline_len);
        put_zeros(o, LINUX_TRAMPOLINE_OFFSET - (uint32_t)o->pos);
        uint32_t at = put(o, real16_start, (uint32_t)(real16_end - real16_start));
        if (o->buf) {
            uint16_t *q = (uint16_t *)(o->buf + at + (real16_params - real16_start));
            q[1] = (uint16_t)((o->addr + at) >> 4);          /* the trampoline's real-mode segment */
            q[3] = (uint16_t)((setup >> 4) + LX_SETUP_ENTRY / 16); /* the setup code's entry: segment + 0x20, offset 0 */
            q[4] = (uint16_t)(setup >> 4);                    /* DS = ES = FS = GS = SS */
            q[5] = (uint16_t)(o->addr - setup);               /* SP: the heap's end, where the command line starts */
        }
        return;
    }

    uint32_t at = put_zeros(o, LX_BOOT_PARAMS_SIZE);
    put_string(o, cmdline, h->cmdline_len);
    if (!o->buf)
        return;
    uint8_t *bp = o->buf + at;
    /* The setup header as the kernel carries it, its length given by the jump at 0x200. */
    memcpy(bp + LX_SETUP_SECTS, p.header + LX_SETUP_SECTS, LX_HEADER + p.header[LX_JUMP + 1] - LX_SETUP_SECTS);
    linux_header(bp, &p, o->addr + LX_BOOT_PARAMS_SIZE, 0);
    /* screen_info: the VGA text mode the BIOS leaves, 80x25. */
    bp[LX_ORIG_VIDEO_MODE] = 3;
    bp[LX_ORIG_VIDEO_COLS] = 80;
    bp[LX_ORIG_VIDEO_LINES] = 25;
    bp[LX_ORIG_VIDEO_ISVGA] = 1;
    bp[LX_ORIG_VIDEO_POINTS] = 16;
    uint32_t size;
    uint32_t rsdp = (uint32_t)(uintptr_t)acpi_find_rsdp(&size);
    memcpy(bp + LX_ACPI_RSDP_ADDR, &rsdp, 4); /* 2.14+; older kernels find it themselves, and ignore the field */
    bp[LX_E820_ENTRIES] = (uint8_t)c->map.count; /* at most MEMMAP_MAX = LX_E820_MAX */
    for (uint32_t i = 0; i < c->map.count; i++)
        memcpy(bp + LX_E820_TABLE + i * LX_E820_ENTRY_SIZE, &c->map.entry[i], LX_E820_ENTRY_SIZE); /* base, len, type */
}

uint64_t bootinfo_build(const struct image *im, const struct chain *c, uint8_t *buf, uint32_t addr)
{
    struct out o = { .buf = buf, .addr = addr };
    if (im->header->protocol == MIMG_PROTOCOL_LINUX)
        build_linux(&o, im, c);
    else if (im->header->protocol == MIMG_PROTOCOL_MULTIBOOT1)
        build_mb1(&o, im, c);
    else if (im->header->protocol == MIMG_PROTOCOL_MIMG)
        build_mimg(&o, im, c);
    else
        build_mb2(&o, im, c);
    return o.pos;
}
