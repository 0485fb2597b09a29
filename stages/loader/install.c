/* install.c — putting every section in place without overwriting anything
 * still needed (docs/format/mimg.md section 9, steps 2-6; the hazards are
 * listed in stages/README.md).
 *
 * 1. Destinations D: every section, `reserved` ones included.
 * 2. A staging area, in usable RAM below 4 GiB and above the first MiB,
 *    overlapping neither D, nor mimgload (code, data, stack), nor the image
 *    module, nor any other chain loader module (an "extra"), holds:
 *      [page tables][moved extras][move list][installer blob][boot information][stack]
 *    An extra that overlaps D is copied there before anything else is
 *    written (and the boot information gives that address); any other stays
 *    where it is, outside D and staging, which no move writes.
 *    (the page tables only where the CPU has long mode: the installer's
 *    copies run in 64-bit code there, installer.asm).
 * 3. The installer, running from staging, copies every payload from the
 *    module straight to its section, in an order that never overwrites a
 *    payload not yet copied (see order_moves), then writes the boot
 *    information and the zero-filled sections, and enters the kernel.
 *    mimgload itself may be overwritten: the installer no longer needs it.
 * 4. Only when there is no room for that staging area outside the module
 *    does the image move: into a larger staging area that may overlap the
 *    module, with the image copy after the page tables; its sources are
 *    then all disjoint from D. */

#include <stddef.h>

#include "console.h"
#include "loader.h"
#include "mem.h"
#include "multiboot1.h"
#include "multiboot2.h"
#include "range.h"

#define PAGE 0x1000u
#define STAGING_ALIGN 16u
/* The staging stack: installer_enter, the installer and lm_call use about
 * 100 bytes; the rest is for a kernel that pushes before it sets up its own
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
extern uint8_t installer_long[], installer_entry64[];     /* installer.asm: in the blob, filled in its copy */
#define INSTALLER_LONG_MIMG  1 /* installer_long: enter at installer_entry64 in long mode with mimg's registers, */
#define INSTALLER_LONG_LINUX 2 /* or with Linux's 64-bit boot protocol (installer.asm) */
extern const uint8_t installer_linux32[], installer_linux16[]; /* installer.asm: the Linux entries */
extern const uint8_t __mimgload_start[], __mimgload_end[]; /* mimgload.ld: everything, stack included */
noreturn void installer_enter(uint32_t blob, const struct move *moves, uint32_t count, uint32_t stack_top,
                              uint32_t magic, uint32_t info, uint32_t entry, uint32_t tables); /* entry.asm */

/* What the staging area must avoid besides the memory map's holes. */
struct avoid {
    const struct image *im;
    const struct chain *c;
    bool all_extras; /* false: only the extras that stay (the image stays too) */
    uint64_t module_start, module_end; /* empty when the image moves out of it */
};

__attribute__((noinline)) static void lowest(uint64_t *min, uint64_t start, uint64_t end, uint64_t a, uint64_t b)
{
    if (overlaps(start, end, a, b) && a < *min)
        *min = a;
}

/* Whether extra module x overlaps a section, and so must move to staging. */
static bool extra_moves(const struct image *im, const struct extra *x)
{
    for (uint32_t i = 0; i < im->header->section_count; i++) {
        const struct mimg_section *s = &im->section[i];
        if (overlaps(x->start, x->end, s->dest, s->dest + s->mem_size))
            return true;
    }
    return false;
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
    for (uint32_t i = 0; i < av->c->extra_count; i++)
        if (av->all_extras || !extra_moves(av->im, &av->c->extra[i]))
            lowest(&min, start, end, av->c->extra[i].start, av->c->extra[i].end);
    return min;
}

/* The move for section s, its payload read from the image at `base` and
 * the boot information from `info`; false for a `reserved` section, which
 * gets none. Every section passed target_check: inside usable RAM below
 * 4 GiB and, as staging exists beside it, smaller than 4 GiB. */
static bool section_move(const struct mimg_section *s, const uint8_t *base, const uint8_t *info, uint32_t info_size,
                         struct move *m)
{
    uint32_t dst = (uint32_t)s->dest, size = (uint32_t)s->mem_size, src = 0, copy = 0;
    switch (s->type) {
    case MIMG_TYPE_RESERVED:
        return false;
    case MIMG_TYPE_BOOTINFO:
        src = (uint32_t)(uintptr_t)info;
        copy = info_size;
        break;
    case MIMG_TYPE_EXEC:
    case MIMG_TYPE_MODULE:
        src = (uint32_t)(uintptr_t)(base + s->file_offset);
        copy = (uint32_t)s->file_size;
        if (src == dst) { /* a chain loader put the payload in place: only the zero fill is left */
            dst += copy;
            src += copy;
            size -= copy;
            copy = 0;
        }
        break;
    }
    *m = (struct move){ dst, src, copy, size - copy };
    return true;
}

/* The move list, in an order that never overwrites a payload not yet copied
 * (stages/README.md, "Ordered moves"). Sections are sorted by dest and
 * disjoint (rule 13), their payloads lie in the same order and disjoint
 * (rule 15), and each writes [dest, dest + mem_size) with mem_size >=
 * file_size (rule 14). Call a payload's move "up" when dest > src, its
 * source address, "down" otherwise. Then:
 *  - an up move i writes no source of a section j < i (those end at or
 *    below src_i < dest_i), nor of a down move j > i (its writes end at or
 *    below dest_j <= src_j): of the moves not yet done it could only hit
 *    later up moves;
 *  - a down move i writes no source of a down move j > i (its writes end at
 *    or below dest_j <= src_j): it could only hit up moves and earlier down
 *    moves;
 * so the up moves in descending table order, then the down moves in
 * ascending order, each overwrite only sources already copied (or their
 * own, which the installer copies as memmove does). Moves whose source is
 * not in the module (the boot information from staging; zero-fills) come
 * last, when no payload is still needed. No layout needs a temporary copy. */
static struct move *order_moves(const struct image *im, const uint8_t *info, uint32_t info_size, struct move *out)
{
    uint32_t n = im->header->section_count;
    for (uint32_t pass = 0; pass < 3; pass++)
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = pass == 0 ? n - 1 - k : k;
            const struct mimg_section *s = &im->section[i];
            struct move m;
            if (!section_move(s, im->base, info, info_size, &m))
                continue;
            uint32_t group = s->type == MIMG_TYPE_BOOTINFO || m.copy == 0 ? 2 : m.dst <= m.src;
            if (group == pass)
                *out++ = m;
        }
    return out;
}

noreturn void install(struct image im, struct chain *c, bool long_mode)
{
    const struct mimg_header *h = im.header;
    uint32_t image_size = c->image_end - c->image_start;

    uint64_t info_size = bootinfo_build(&im, c, 0, (uint32_t)h->bootinfo_addr);
    if (info_size > h->bootinfo_size)
        die(STAGE, "the boot information needs 0x%lx bytes, over bootinfo_size", info_size);

    /* Lay out the staging area: [page tables][image, if it moves][move list]
     * [installer][boot information][stack]: the page tables 4 KiB-aligned
     * at its page-aligned start, the image, move list and installer 16-,
     * the stack top 16-aligned. At most one move per section. First try:
     * the image stays in its module, which staging avoids. */
    bool long64 = h->cpu_mode == MIMG_CPU_LONG64; /* target_check: then the CPU has long mode */
    uint32_t tables_size = long64 ? kernel_tables_size(&im, &c->map) : long_mode ? PAGING_SIZE : 0;
    uint32_t blob_size = (uint32_t)(installer_end - installer_start);
    uint64_t extras_size = 0;
    for (uint32_t i = 0; i < c->extra_count; i++)
        if (extra_moves(&im, &c->extra[i]))
            extras_size += align_up(c->extra[i].end - c->extra[i].start, PAGE);
    struct avoid av = { .im = &im, .c = c, .module_start = c->image_start, .module_end = c->image_end };
    uint64_t staging, extras_off, moves_off, blob_off, info_off, stack_top_off;
    bool move_image = false;
    for (;;) {
        extras_off = align_up(tables_size + (move_image ? image_size : 0), PAGE); /* page-aligned modules */
        moves_off = extras_off + extras_size;
        blob_off = moves_off + (uint64_t)h->section_count * sizeof(struct move);
        info_off = blob_off + blob_size;
        stack_top_off = align_up(info_off + info_size, STAGING_ALIGN) + STAGING_STACK_SIZE;
        if (memmap_find_free(&c->map, stack_top_off, PAGE, MIB, GIB4, staging_conflict, &av, &staging))
            break;
        if (move_image)
            die(STAGE, "no room for staging (0x%lx bytes) in RAM outside the sections and mimgload", stack_top_off);
        /* Second try: the image moves, and staging may overlap the module. */
        move_image = true;
        av.module_start = av.module_end = 0;
        av.all_extras = true;
    }
    uint8_t *base = (uint8_t *)(uintptr_t)staging; /* below 4 GiB, as asked of memmap_find_free */

    /* From here on memory is written: staging only, until the installer runs. */
    if (move_image) {
        con_line(CON_SERIAL, STAGE ": moving the image to 0x%x", (uint32_t)staging);
        memmove(base + tables_size, (const void *)(uintptr_t)c->image_start, image_size);
        im = image_at(base + tables_size); /* the module may now be partly overwritten */
        h = im.header;
    }
    /* The extras that overlap a section, into staging in ascending source
     * order. Staging may overlap their sources when the image stays: then
     * they are copied first, up moves in descending order, then down moves
     * ascending, the order of order_moves for the same reasons. */
    uint32_t n = c->extra_count, dst[EXTRA_MAX], rank[EXTRA_MAX];
    for (uint32_t i = 0; i < n; i++) {
        dst[i] = (uint32_t)(staging + extras_off);
        rank[i] = 0;
        for (uint32_t j = 0; j < n; j++)
            if (extra_moves(&im, &c->extra[j]) && (c->extra[j].start < c->extra[i].start || (c->extra[j].start == c->extra[i].start && j < i)))
                dst[i] += (uint32_t)align_up(c->extra[j].end - c->extra[j].start, PAGE), rank[i]++;
    }
    for (uint32_t pass = 0; pass < 2; pass++)
        for (uint32_t k = 0; k < n; k++)
            for (uint32_t i = 0; i < n; i++) {
                struct extra *x = &c->extra[i];
                uint32_t size = x->end - x->start;
                if (!extra_moves(&im, x) || (dst[i] <= x->start) != pass || rank[i] != (pass ? k : n - 1 - k))
                    continue;
                con_line(CON_SERIAL, STAGE ": moving module '%s' to 0x%x", x->string, dst[i]);
                memmove((void *)(uintptr_t)dst[i], (const void *)(uintptr_t)x->start, size);
                x->start = dst[i];
                x->end = dst[i] + size;
            }
    /* The 16-bit entry's setup code reads its header where it runs: fill it
     * in the payload, verified already, before the installer copies it. */
    bool linux = h->protocol == MIMG_PROTOCOL_LINUX;
    if (linux && h->cpu_mode == MIMG_CPU_REAL16) {
        struct linux_parts p = linux_parts(&im);
        linux_header(p.header, &p, (uint32_t)h->bootinfo_addr, (uint32_t)(h->bootinfo_addr - p.setup->dest));
    }
    if (long64)
        kernel_tables_build((uint64_t *)base, &im, &c->map);
    else if (long_mode)
        paging_build((uint64_t *)base);
    /* Everything in staging stays in use until the kernel has its own page
     * tables, GDT and stack: the mimg protocol's memory map says so. */
    c->loader_start = staging;
    c->loader_end = staging + stack_top_off;
    uint8_t *info = base + info_off;
    info_size = bootinfo_build(&im, c, info, (uint32_t)h->bootinfo_addr);
    uint8_t *blob = base + blob_off;
    memcpy(blob, installer_start, blob_size);
    struct move *moves = (struct move *)(base + moves_off);
    uint32_t count = (uint32_t)(order_moves(&im, info, (uint32_t)info_size, moves) - moves);

    /* A long64 kernel is entered at the virtual alias of entry when its
     * exec section has one (docs/protocol/mimg.md section 2). */
    uint64_t entry = h->entry;
    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &im.section[i];
        if (s->vaddr && s->type == MIMG_TYPE_EXEC && s->dest <= entry && entry - s->dest < s->mem_size) {
            entry = entry - s->dest + s->vaddr;
            break;
        }
    }
    blob[installer_long - installer_start] = !long64 ? 0 : linux ? INSTALLER_LONG_LINUX : INSTALLER_LONG_MIMG;
    memcpy(blob + (installer_entry64 - installer_start), &entry, sizeof entry);

    /* The installer ends with EAX and EBX loaded and a return into `entry32`:
     * the kernel with the Multiboot or mimg registers, or for Linux's 32-
     * and 16-bit entries the installer's own exit (installer.asm), given the
     * kernel's entry in EAX; long64 kernels are entered from there instead. */
    uint32_t eax = h->protocol == MIMG_PROTOCOL_MULTIBOOT1 ? MB1_BOOTLOADER_MAGIC
                   : h->protocol == MIMG_PROTOCOL_MULTIBOOT2 ? MB2_BOOTLOADER_MAGIC
                                                             : MIMG_BOOT_REGISTER_MAGIC;
    uint32_t ebx = (uint32_t)h->bootinfo_addr, entry32 = (uint32_t)entry;
    if (linux && !long64) {
        eax = entry32;
        if (h->cpu_mode == MIMG_CPU_REAL16) {
            ebx += LINUX_TRAMPOLINE_OFFSET;
            entry32 = (uint32_t)(uintptr_t)blob + (uint32_t)(installer_linux16 - installer_start);
        } else {
            entry32 = (uint32_t)(uintptr_t)blob + (uint32_t)(installer_linux32 - installer_start);
        }
    }
    con_line(CON_SERIAL, STAGE ": entering 0x%lx (%s)", entry, protocol_name(h->protocol));
    installer_enter((uint32_t)(uintptr_t)blob, moves, count, (uint32_t)(uintptr_t)(base + stack_top_off), eax, ebx,
                    entry32, tables_size ? (uint32_t)(uintptr_t)base : 0);
}
