/* chain.c — reading what the chain loader (GRUB, QEMU -kernel, ...) gives
 * mimgload: a Multiboot1 or Multiboot2 information structure.
 *
 * Everything kept is copied into struct chain; the chain loader's own
 * structures are only read, and never after chain_read returns. */

#include <stddef.h>

#include "console.h"
#include "loader.h"
#include "mem.h"
#include "multiboot1.h"
#include "multiboot2.h"
#include "range.h"

#define IMAGE_OPTION "image=" /* on mimgload's command line: pick the module by name */
#define LOW_MEMORY_END (640 * KIB) /* mem_lower counts at most the conventional 640 KiB */

/* Choosing the image among the modules, as they are seen one by one. */
struct pick {
    const char *want;  /* NAME from image=NAME, or 0 for "the first module" */
    uint32_t want_len;
    uint32_t count;    /* modules seen */
    bool found;
};

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

static uint32_t word_len(const char *s)
{
    uint32_t n = 0;
    while (s[n] && !is_space(s[n]))
        n++;
    return n;
}

/* Finds IMAGE_OPTION among the words of mimgload's command line, wherever
 * it is: QEMU puts mimgload's own path first, GRUB 2 does not. */
static void pick_from_cmdline(struct pick *p, const char *cmdline)
{
    const uint32_t opt_len = sizeof IMAGE_OPTION - 1;
    for (const char *w = cmdline; *w;) {
        while (is_space(*w))
            w++;
        uint32_t n = word_len(w);
        if (n > opt_len && memcmp(w, IMAGE_OPTION, opt_len) == 0) {
            p->want = w + opt_len;
            p->want_len = n - opt_len;
            return;
        }
        w += n;
    }
}

/* A module matches NAME when the first word of its string is NAME, or a
 * path whose last component is NAME: "image=h.mimg" picks "/boot/h.mimg". */
static bool name_matches(const char *string, const char *want, uint32_t want_len)
{
    uint32_t n = word_len(string);
    if (n < want_len || memcmp(string + n - want_len, want, want_len) != 0)
        return false;
    return n == want_len || string[n - want_len - 1] == '/';
}

static void copy_name(char *dst, const char *src, uint32_t len)
{
    if (len > NAME_MAX_SHOWN - 1)
        len = NAME_MAX_SHOWN - 1; /* only ever printed */
    memcpy(dst, src, len);
    dst[len] = 0;
}

static void consider_module(struct chain *c, struct pick *p, uint32_t start, uint32_t end, const char *string)
{
    uint32_t index = p->count++;
    if (end < start)
        die(STAGE, "module %u '%s' ends at 0x%x, before its start", index, string, end);
    if (p->found || (p->want ? !name_matches(string, p->want, p->want_len) : index != 0)) {
        /* Not the image: kept, to be handed on to the kernel. */
        uint32_t len = (uint32_t)strlen(string);
        if (c->extra_count == EXTRA_MAX || len >= EXTRA_STRING_MAX)
            die(STAGE, "module %u '%s': over %u modules besides the image, or a string over %u bytes", index, string,
                EXTRA_MAX, EXTRA_STRING_MAX - 1);
        struct extra *x = &c->extra[c->extra_count++];
        x->start = start;
        x->end = end;
        memcpy(x->string, string, len + 1);
        return;
    }
    p->found = true;
    c->image_start = start;
    c->image_end = end;
    c->image_index = index;
    copy_name(c->image_name, string, word_len(string));
}

static void add_entry(struct chain *c, uint64_t base, uint64_t len, uint32_t type)
{
    if (!memmap_add(&c->map, base, len, type))
        die(STAGE, "the memory map has over %u entries", MEMMAP_MAX);
}

static void copy_rsdp(uint8_t *dst, uint32_t *dst_size, const void *src, uint32_t size)
{
    if (size > RSDP_MAX_SIZE)
        die(STAGE, "the ACPI RSDP has %u bytes, over %u", size, RSDP_MAX_SIZE);
    memcpy(dst, src, size);
    *dst_size = size;
}

/* Keeps the chain loader's framebuffer, given as Multiboot's fields from
 * framebuffer_addr to type (struct framebuffer's layout) and the colour
 * fields, if video_setup can report it: an indexed one would need its
 * palette, so only RGB and EGA text. */
static void take_fb(struct chain *c, const void *fields, const uint8_t *color)
{
    memcpy(&c->fb, fields, FB_MB2_SIZE);
    memcpy(&c->fb.red_pos, color, 6);
    if (c->fb.type != FB_RGB && c->fb.type != FB_TEXT)
        c->fb.type = FB_NONE;
}

/* ---- Multiboot1 ------------------------------------------------------ */

/* A Multiboot1 boot_device partition byte: 0xFF means none. */
static uint32_t one_part(uint32_t byte)
{
    byte &= 0xFF;
    return byte == 0xFF ? MIMG_BOOT_NONE : byte;
}

/* Returns whether basic memory information was given. */
static bool read_mb1(const struct mb1_info *mbi, struct chain *c, struct pick *p)
{
    if ((mbi->flags & MB1_INFO_CMDLINE) && mbi->cmdline)
        pick_from_cmdline(p, (const char *)mbi->cmdline);

    if (mbi->flags & MB1_INFO_MODS) {
        const struct mb1_module *mod = (const struct mb1_module *)mbi->mods_addr;
        for (uint32_t i = 0; i < mbi->mods_count; i++)
            consider_module(c, p, mod[i].mod_start, mod[i].mod_end, mod[i].string ? (const char *)mod[i].string : "");
    }

    if (mbi->flags & MB1_INFO_MEMORY) {
        c->mem_lower = mbi->mem_lower;
        c->mem_upper = mbi->mem_upper;
    }

    if (mbi->flags & MB1_INFO_BOOTDEV) {
        /* drive, part1, part2, part3 from the top byte down; 0xFF: unused */
        c->boot_drive = mbi->boot_device >> 24;
        c->boot_partition = one_part(mbi->boot_device >> 16);
        c->boot_sub_partition = one_part(mbi->boot_device >> 8);
    }

    if (mbi->flags & MB1_INFO_MEM_MAP) {
        for (uint32_t off = 0; off < mbi->mmap_length;) {
            const struct mb1_mmap_entry *e = (const struct mb1_mmap_entry *)(mbi->mmap_addr + off);
            if (mbi->mmap_length - off < sizeof e->size + MB1_MMAP_ENTRY_SIZE || e->size < MB1_MMAP_ENTRY_SIZE ||
                e->size > mbi->mmap_length - off - sizeof e->size)
                die(STAGE, "bad memory map entry at +0x%x", off);
            add_entry(c, (uint64_t)e->base_hi << 32 | e->base_lo, (uint64_t)e->len_hi << 32 | e->len_lo, e->type);
            off += sizeof e->size + e->size;
        }
    } else if (mbi->flags & MB1_INFO_MEMORY) {
        /* No map: the two ranges that mem_lower and mem_upper describe. */
        add_entry(c, 0, (uint64_t)mbi->mem_lower * KIB, MEM_USABLE);
        add_entry(c, MIB, (uint64_t)mbi->mem_upper * KIB, MEM_USABLE);
    }

    if (mbi->flags & MB1_INFO_FRAMEBUFFER)
        take_fb(c, &mbi->framebuffer_addr, mbi->color_info);

    /* A Multiboot1 loader passes no ACPI pointer: look where the BIOS keeps it. */
    uint32_t size;
    const uint8_t *rsdp = acpi_find_rsdp(&size);
    if (rsdp && size == RSDP_V1_SIZE)
        copy_rsdp(c->rsdp_old, &c->rsdp_old_size, rsdp, size);
    else if (rsdp)
        copy_rsdp(c->rsdp_new, &c->rsdp_new_size, rsdp, size);
    return mbi->flags & MB1_INFO_MEMORY;
}

/* ---- Multiboot2 ------------------------------------------------------ */

static void cpu_count(struct chain *c, uint32_t n)
{
    if (n > MIMG_BOOT_CPUS_MAX)
        die(STAGE, "%u CPUs, over %u", n, MIMG_BOOT_CPUS_MAX);
    c->cpu_count = n;
}

/* The tag after t, or 0 past the end; dies on a tag that leaves the structure. */
static const struct mb2_tag *mb2_next(const struct mb2_info *mbi, const struct mb2_tag *t)
{
    uint32_t off = t ? (uint32_t)((uintptr_t)t - (uintptr_t)mbi) + (uint32_t)align_up(t->size, MB2_TAG_ALIGN)
                     : sizeof *mbi;
    if (off >= mbi->total_size)
        return 0;
    t = (const struct mb2_tag *)((uintptr_t)mbi + off);
    if (mbi->total_size - off < sizeof *t || t->size < sizeof *t || t->size > mbi->total_size - off)
        die(STAGE, "bad Multiboot2 tag at +0x%x", off);
    return t->type == MB2_TAG_END ? 0 : t;
}

/* Returns whether basic memory information was given. */
static bool read_mb2(const struct mb2_info *mbi, struct chain *c, struct pick *p)
{
    bool have_meminfo = false, have_mmap = false;

    /* Tags come in any order, and the command line decides which module is
     * the image: read it first. */
    for (const struct mb2_tag *t = mb2_next(mbi, 0); t; t = mb2_next(mbi, t))
        if (t->type == MB2_TAG_CMDLINE)
            pick_from_cmdline(p, (const char *)(t + 1));

    for (const struct mb2_tag *t = mb2_next(mbi, 0); t; t = mb2_next(mbi, t)) {
        switch (t->type) {
        case MB2_TAG_MODULE: {
            const struct mb2_tag_module *m = (const struct mb2_tag_module *)t;
            consider_module(c, p, m->mod_start, m->mod_end, (const char *)(m + 1));
            break;
        }
        case MB2_TAG_MEMINFO: {
            const struct mb2_tag_meminfo *m = (const struct mb2_tag_meminfo *)t;
            c->mem_lower = m->mem_lower;
            c->mem_upper = m->mem_upper;
            have_meminfo = true;
            break;
        }
        case MB2_TAG_MMAP: {
            const struct mb2_tag_mmap *m = (const struct mb2_tag_mmap *)t;
            if (m->entry_size < sizeof(struct mem_entry))
                die(STAGE, "memory map entries of %u bytes", m->entry_size);
            for (uint32_t off = sizeof *m; t->size - off >= m->entry_size; off += m->entry_size) {
                const struct mem_entry *e = (const struct mem_entry *)((uintptr_t)m + off);
                add_entry(c, e->base, e->len, e->type);
            }
            have_mmap = true;
            break;
        }
        case MB2_TAG_BOOTDEV: {
            const struct mb2_tag_bootdev *b = (const struct mb2_tag_bootdev *)t;
            c->boot_drive = b->biosdev;
            c->boot_partition = b->partition;
            c->boot_sub_partition = b->sub_partition;
            break;
        }
        case MB2_TAG_MIMG_CPUS: {
            const uint32_t *n = (const uint32_t *)(t + 1);
            if (t->size < sizeof *t + 4 || (t->size - sizeof *t - 4) / 4 < *n)
                die(STAGE, "bad CPU list tag at +0x%x", (uint32_t)((uintptr_t)t - (uintptr_t)mbi));
            cpu_count(c, *n);
            memcpy(c->cpu, n + 1, *n * 4);
            c->cpus_given = true;
            break;
        }
        case MB2_TAG_ACPI_OLD:
            copy_rsdp(c->rsdp_old, &c->rsdp_old_size, t + 1, t->size - sizeof *t);
            break;
        case MB2_TAG_ACPI_NEW:
            copy_rsdp(c->rsdp_new, &c->rsdp_new_size, t + 1, t->size - sizeof *t);
            break;
        case MB2_TAG_FRAMEBUFFER:
            if (t->size >= offsetof(struct mb2_tag_framebuffer, color_info))
                take_fb(c, t + 1, ((const struct mb2_tag_framebuffer *)t)->color_info);
            break;
        case MB2_TAG_EFI32:
        case MB2_TAG_EFI64:
            c->efi = true;
            c->efi_table_type = t->type;
            c->efi_table_size = t->size - sizeof *t < sizeof c->efi_table ? t->size - sizeof *t : sizeof c->efi_table;
            memcpy(c->efi_table, t + 1, c->efi_table_size);
            break;
        case MB2_TAG_EFI_MMAP:
            if (t->size - sizeof *t > EFI_MMAP_MAX)
                die(STAGE, "the EFI memory map tag holds 0x%x bytes, this mimgload keeps at most 0x%x", t->size - sizeof *t,
                    EFI_MMAP_MAX);
            c->efi_mmap_size = t->size - sizeof *t;
            memcpy(c->efi_mmap, t + 1, c->efi_mmap_size);
            break;
        }
    }

    if (!have_mmap && have_meminfo) {
        add_entry(c, 0, (uint64_t)c->mem_lower * KIB, MEM_USABLE);
        add_entry(c, MIB, (uint64_t)c->mem_upper * KIB, MEM_USABLE);
    }
    return have_meminfo;
}

/* ---- both ------------------------------------------------------------ */

/* Basic memory information from the map, for a chain loader that gave
 * only a map: RAM from 0 up to the first hole (at most 640 KiB), and from
 * 1 MiB up to the first hole. */
static void meminfo_from_map(struct chain *c)
{
    uint64_t lower_end, upper_end;
    memmap_usable(&c->map, 0, LOW_MEMORY_END, &lower_end);
    memmap_usable(&c->map, MIB, GIB4, &upper_end);
    c->mem_lower = (uint32_t)(lower_end / KIB);
    c->mem_upper = (uint32_t)((upper_end - MIB) / KIB);
}

void chain_read(uint32_t magic, uint32_t info, struct chain *c)
{
    struct pick p = { 0 };
    bool have_meminfo;
    c->magic = magic;
    c->boot_drive = c->boot_partition = c->boot_sub_partition = MIMG_BOOT_NONE;
    if (magic == MB1_BOOTLOADER_MAGIC)
        have_meminfo = read_mb1((const struct mb1_info *)info, c, &p);
    else if (magic == MB2_BOOTLOADER_MAGIC)
        have_meminfo = read_mb2((const struct mb2_info *)info, c, &p);
    else
        die(STAGE, "EAX=0x%x: not entered by a Multiboot loader", magic);
    video_console(c); /* the chain loader's screen, for the errors from here on */

    if (c->map.count == 0)
        die(STAGE, "no memory map");
    if (!have_meminfo)
        meminfo_from_map(c);

    if (!p.found && p.want) {
        char want[NAME_MAX_SHOWN];
        copy_name(want, p.want, p.want_len);
        die(STAGE, "image=%s: no module of that name", want);
    }
    if (!p.found)
        die(STAGE, "no modules: load the .mimg image as a module");
}

void chain_cpus(struct chain *c)
{
    const uint8_t *rsdp = c->rsdp_new_size ? c->rsdp_new : c->rsdp_old_size ? c->rsdp_old : 0;
    if (c->cpus_given || !rsdp)
        return;
    cpu_count(c, acpi_madt_cpus(rsdp, c->cpu, MIMG_BOOT_CPUS_MAX));
}
