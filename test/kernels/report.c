/*
 * report.c — the test kernels' common code: check what the loader handed
 * over and report every fact of it on COM1, one `MIMGTEST ...` line each
 * (format: README.md), then leave QEMU through isa-debug-exit.
 *
 * The kernels trust nothing: every size, offset and pointer the loader gave
 * is checked before it is followed, and anything malformed ends the report
 * with a `MIMGTEST fail <why> ...` line and the failure exit status.
 *
 * Freestanding, and built three ways (i386, i386 PIE, x86_64 with paging
 * identity-mapping the low 4 GiB), so physical addresses are used directly.
 */

#include <stdint.h>

#include "io.h" /* the stages' port I/O: plain instructions, nothing protocol-specific to share by mistake */
#include "kernel.h"
#include "mimg_boot.h" /* the header a mimg-protocol kernel includes: the one under test */
#include "sha256.h"

#define COM1                  0x3f8
#define COM1_LINE_STATUS      (COM1 + 5)
#define LINE_STATUS_THR_EMPTY 0x20 /* the transmitter takes another byte */
#define LINE_STATUS_TX_EMPTY  0x40 /* every byte has left the UART */

/* -device isa-debug-exit,iobase=0xf4: QEMU exits with status (value << 1) | 1. */
#define DEBUG_EXIT_PORT 0xf4
#define EXIT_SUCCESS    0x10 /* status 33 */
#define EXIT_FAILURE    0x11 /* status 35 */

/* A Multiboot1 string is a bare pointer: follow it this far at most. */
#define STRING_MAX 0x10000

/* The loader must zero-fill .bss; the linker scripts end it with
 * BSS_PROBE_SIZE bytes (the ones a short zero-fill misses first) to check.
 * Hidden, like everything in kernel.h: addressed PC-relatively in mb2-pie. */
extern const uint8_t __bss_probe[] __attribute__((visibility("hidden")));

/* Multiboot2 tags that may appear at most once; a second one is malformed. */
#define MB2_SINGLE_TAGS                                                        \
    ((1u << MB2_TAG_CMDLINE) | (1u << MB2_TAG_LOADER_NAME) |                   \
     (1u << MB2_TAG_BASIC_MEMINFO) | (1u << MB2_TAG_MMAP) |                    \
     (1u << MB2_TAG_VBE) | (1u << MB2_TAG_FRAMEBUFFER) |                       \
     (1u << MB2_TAG_ACPI_OLD) | (1u << MB2_TAG_ACPI_NEW))
#define MB2_TAG_TYPES 32 /* types below this are tracked in a uint32_t mask */

/* ACPI Root System Description Pointer (ACPI 6.5, section 5.2.5.3). */
#define RSDP_SIGNATURE      "RSD PTR "
#define RSDP_SIGNATURE_SIZE 8
#define RSDP_V1_SIZE        20 /* ACPI 1.0 part, covered by `checksum` */
#define RSDP_V2_SIZE        36 /* ACPI 2.0+, covered by `extended_checksum` */
#define RSDP_V2_REVISION    2

struct acpi_rsdp {
    char signature[RSDP_SIGNATURE_SIZE];
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt_address;
    /* revision >= 2 only: */
    uint32_t length;
    uint64_t xsdt_address;
    uint8_t extended_checksum;
    uint8_t reserved[3];
} __attribute__((packed));

/* ---- port I/O, COM1, leaving QEMU ----------------------------------- */

static void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB on: the next two writes set the divisor */
    outb(COM1 + 0, 0x01); /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* DLAB off; 8 data bits, no parity, 1 stop bit */
    outb(COM1 + 2, 0xc7); /* FIFOs on and cleared */
    outb(COM1 + 4, 0x03); /* DTR, RTS */
}

static void putc(char c)
{
    while ((inb(COM1_LINE_STATUS) & LINE_STATUS_THR_EMPTY) == 0)
        ;
    outb(COM1, (uint8_t)c);
}

static void puts(const char *s)
{
    for (; *s != '\0'; s++)
        putc(*s);
}

static void puthex_digit(unsigned v)
{
    putc("0123456789abcdef"[v & 0xf]);
}

static __attribute__((noreturn)) void exit_qemu(uint8_t code)
{
    /* QEMU drops what its UART still holds when it exits: on a busy host the
     * last newline could be lost. */
    while ((inb(COM1_LINE_STATUS) & LINE_STATUS_TX_EMPTY) == 0)
        ;
    outb(DEBUG_EXIT_PORT, code);
    for (;;) /* no isa-debug-exit device: stop here */
        __asm__ volatile("cli; hlt");
}

/* ---- report lines ---------------------------------------------------- */

void out_start(void)
{
    puts("MIMGTEST");
}

void out_word(const char *word)
{
    putc(' ');
    puts(word);
}

void out_hex(const char *key, uint64_t value)
{
    int shift = 60;
    out_word(key);
    puts("=0x");
    while (shift > 0 && (value >> shift) == 0) /* no leading zeros */
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        puthex_digit((unsigned)(value >> shift));
}

/* ` key="..."`: bytes outside printable ASCII, '"' and '\' as \xNN. */
static void out_string(const char *key, const char *s, uint32_t length)
{
    out_word(key);
    puts("=\"");
    for (uint32_t i = 0; i < length; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c < ' ' || c > '~' || c == '"' || c == '\\') {
            puts("\\x");
            puthex_digit(c >> 4);
            puthex_digit(c);
        } else {
            putc((char)c);
        }
    }
    putc('"');
}

static void out_sha256(const char *key, const void *data, uint32_t length)
{
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256(data, length, digest);
    out_word(key);
    putc('=');
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        puthex_digit(digest[i] >> 4);
        puthex_digit(digest[i]);
    }
}

/* CR too, so that the report also reads well on a raw terminal. */
void out_end(void)
{
    puts("\r\n");
}

void fail_start(const char *why)
{
    out_start();
    out_word("fail");
    out_word(why);
}

void fail_end(void)
{
    out_end();
    exit_qemu(EXIT_FAILURE);
}

void fail(const char *why)
{
    fail_start(why);
    fail_end();
}

/* ---- helpers --------------------------------------------------------- */

static const void *phys(uint64_t address)
{
    return (const void *)(uintptr_t)address;
}

static uint32_t align_up(uint32_t v, uint32_t align)
{
    return (v + align - 1) & ~(align - 1);
}

/* The length of the NUL-terminated string at s, or `max` if there is no NUL in s[0, max). */
static uint32_t string_length(const char *s, uint32_t max)
{
    uint32_t n = 0;
    while (n < max && s[n] != '\0')
        n++;
    return n;
}

static uint8_t byte_sum(const uint8_t *p, uint32_t length)
{
    uint8_t sum = 0;
    for (uint32_t i = 0; i < length; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum;
}

/* Module line: [start, end) with the SHA-256 of those bytes, computed here. */
static void report_module(uint32_t index, uint32_t start, uint32_t end, const char *string, uint32_t string_len)
{
    if (end < start) {
        fail_start("module ends before it starts");
        out_hex("index", index);
        out_hex("start", start);
        out_hex("end", end);
        fail_end();
    }
    out_start();
    out_word("module");
    out_hex("index", index);
    out_hex("start", start);
    out_hex("end", end);
    out_string("string", string, string_len);
    out_sha256("sha256", phys(start), end - start);
    out_end();
}

static void report_meminfo(uint32_t lower, uint32_t upper)
{
    out_start();
    out_word("meminfo");
    out_hex("lower", lower);
    out_hex("upper", upper);
    out_end();
}

static void report_mmap_entry(uint64_t base, uint64_t length, uint32_t type)
{
    out_start();
    out_word("mmap");
    out_hex("base", base);
    out_hex("length", length);
    out_hex("type", type);
    out_end();
}

/* ---- the framebuffer ------------------------------------------------ */

#define FB_RGB  1
#define FB_TEXT 2

/* Bochs VBE (QEMU's std VGA): the mode the card is really in. */
#define DISPI_INDEX  0x1ce
#define DISPI_DATA   0x1cf
#define DISPI_ID     0
#define DISPI_XRES   1
#define DISPI_YRES   2
#define DISPI_BPP    3
#define DISPI_ENABLE 4

/* VBE ModeInfoBlock fields the loader's copy must agree on. */
#define VBE_MODE_WIDTH  0x12
#define VBE_MODE_HEIGHT 0x14
#define VBE_MODE_BPP    0x19
#define VBE_MODE_LFB    0x28

static struct {
    uint64_t addr;
    uint32_t pitch, width, height, bpp, type;
    uint32_t vbe_mode;
    const uint8_t *vbe_control, *vbe_mode_info; /* the VBE blocks, if given */
} fb;

/* `framebuffer ...`: what the loader says; kept for check_display. */
static void report_framebuffer(uint64_t addr, uint32_t pitch, uint32_t width, uint32_t height, uint8_t bpp, uint8_t type,
                               const uint8_t *color)
{
    static const uint8_t none[6];
    if (type != FB_RGB && type != FB_TEXT) {
        fail_start("framebuffer type neither RGB nor EGA text");
        out_hex("type", type);
        fail_end();
    }
    const uint8_t *c = type == FB_RGB ? color : none;
    out_start();
    out_word("framebuffer");
    out_hex("addr", addr);
    out_hex("pitch", pitch);
    out_hex("width", width);
    out_hex("height", height);
    out_hex("bpp", bpp);
    out_hex("type", type);
    out_hex("red_pos", c[0]);
    out_hex("red_size", c[1]);
    out_hex("green_pos", c[2]);
    out_hex("green_size", c[3]);
    out_hex("blue_pos", c[4]);
    out_hex("blue_size", c[5]);
    out_end();
    fb.addr = addr;
    fb.pitch = pitch;
    fb.width = width;
    fb.height = height;
    fb.bpp = bpp;
    fb.type = type;
}

static uint16_t dispi(uint16_t index)
{
    outw(DISPI_INDEX, index);
    return inw(DISPI_DATA);
}

static uint32_t le(const uint8_t *p, int bytes)
{
    uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* After the hand-off: the VBE blocks agree with the framebuffer, the card
 * is in the mode reported (`dispi ...`, for the host to compare), and the
 * first and last pixel (or character cell) take a write and read it back. */
static void check_display(void)
{
    if (fb.type == 0)
        return;
    if (fb.vbe_control) {
        const uint8_t *m = fb.vbe_mode_info;
        if (le(fb.vbe_control, 4) != 0x41534556u /* "VESA" */ || le(m + VBE_MODE_WIDTH, 2) != fb.width ||
            le(m + VBE_MODE_HEIGHT, 2) != fb.height || m[VBE_MODE_BPP] != fb.bpp || le(m + VBE_MODE_LFB, 4) != fb.addr)
            fail("VBE controller or mode information disagrees with the framebuffer");
        out_start();
        out_word("vbe");
        out_hex("mode", fb.vbe_mode);
        out_end();
    }
    out_start();
    out_word("dispi");
    out_hex("id", dispi(DISPI_ID));
    out_hex("xres", dispi(DISPI_XRES));
    out_hex("yres", dispi(DISPI_YRES));
    out_hex("bpp", dispi(DISPI_BPP));
    out_hex("enable", dispi(DISPI_ENABLE));
    out_end();

    uint32_t unit = fb.type == FB_RGB ? (fb.bpp + 7) / 8 : 2;
    uint32_t at[2] = { 0, (fb.height - 1) * fb.pitch + (fb.width - 1) * unit };
    for (int k = 0; k < 2; k++) {
        volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)(fb.addr + at[k]);
        for (uint32_t i = 0; i < unit; i++) {
            uint8_t v = (uint8_t)(0xa5 + 17 * i + k);
            p[i] = v;
            if (p[i] != v) {
                fail_start("framebuffer byte does not read back what was written");
                out_hex("address", fb.addr + at[k] + i);
                fail_end();
            }
        }
    }
    out_start();
    out_word("pixel");
    out_word("ok");
    out_end();
}

/* ---- Multiboot1 ------------------------------------------------------ */

/* Checks the Multiboot1 string at `address`, then writes `MIMGTEST <key>="..."`. */
static void report_mb1_string(const char *key, uint32_t address)
{
    uint32_t length = string_length(phys(address), STRING_MAX);
    if (length == STRING_MAX) {
        fail_start("mb1 string has no NUL within 64 KiB:");
        out_word(key);
        out_hex("address", address);
        fail_end();
    }
    out_start();
    out_string(key, phys(address), length);
    out_end();
}

static void report_mb1_mmap(uint32_t address, uint32_t length)
{
    uint32_t offset = 0;
    while (offset < length) {
        const struct mb1_mmap_entry *e = phys(address + offset);
        /* `size` excludes itself; it must cover base, length and type and stay inside mmap_length. */
        if (length - offset < sizeof e->size || e->size < MB1_MMAP_ENTRY_MIN_SIZE ||
            e->size > length - offset - sizeof e->size) {
            fail_start("mb1 mmap entry overruns mmap_length");
            out_hex("offset", offset);
            out_hex("mmap_length", length);
            fail_end();
        }
        report_mmap_entry(e->base_addr, e->length, e->type);
        offset += e->size + sizeof e->size;
    }
}

static void report_mb1_modules(uint32_t count, uint32_t address, uint32_t header_flags)
{
    const struct mb1_module *modules = phys(address);
    for (uint32_t i = 0; i < count; i++) {
        const struct mb1_module *m = &modules[i];
        if ((header_flags & MB1_HEADER_PAGE_ALIGN) && m->mod_start % MB1_MODULE_ALIGN != 0) {
            fail_start("mb1 module not page-aligned although the header asks for it (flag 0)");
            out_hex("index", i);
            out_hex("start", m->mod_start);
            fail_end();
        }
        uint32_t string_len = string_length(phys(m->string), STRING_MAX);
        if (string_len == STRING_MAX) {
            fail_start("mb1 module string has no NUL within 64 KiB");
            out_hex("index", i);
            out_hex("address", m->string);
            fail_end();
        }
        report_module(i, m->mod_start, m->mod_end, phys(m->string), string_len);
    }
}

static void report_mb1(uint32_t info)
{
    const struct mb1_info *mbi = phys(info);
    uint32_t flags = mbi->flags;
    uint32_t header_flags = kernel.mb1->flags;

    out_start();
    out_hex("magic", MB1_BOOTLOADER_MAGIC);
    out_hex("info", info);
    out_hex("flags", flags);
    out_end();

    if ((flags & MB1_INFO_AOUT_SYMS) && (flags & MB1_INFO_ELF_SHDR))
        fail("mb1 flags bits 4 and 5 both set: a.out and ELF symbols share their fields");
    if ((header_flags & MB1_HEADER_MEMORY_INFO) && !(flags & MB1_INFO_MEMORY))
        fail("mb1 flags bit 0 (mem_lower/mem_upper) clear although the header asks for memory info (flag 1)");

    if (flags & MB1_INFO_CMDLINE)
        report_mb1_string("cmdline", mbi->cmdline);
    if (flags & MB1_INFO_LOADER_NAME)
        report_mb1_string("loader", mbi->boot_loader_name);
    if (flags & MB1_INFO_MEMORY)
        report_meminfo(mbi->mem_lower, mbi->mem_upper);
    if (flags & MB1_INFO_MEMORY_MAP)
        report_mb1_mmap(mbi->mmap_addr, mbi->mmap_length);
    if (flags & MB1_INFO_MODULES)
        report_mb1_modules(mbi->mods_count, mbi->mods_addr, header_flags);
    if (flags & MB1_INFO_FRAMEBUFFER)
        report_framebuffer(mbi->framebuffer_addr, mbi->framebuffer_pitch, mbi->framebuffer_width,
                           mbi->framebuffer_height, mbi->framebuffer_bpp, mbi->framebuffer_type, mbi->color_info);
    if (flags & MB1_INFO_VBE) {
        fb.vbe_mode = mbi->vbe_mode;
        fb.vbe_control = phys(mbi->vbe_control_info);
        fb.vbe_mode_info = phys(mbi->vbe_mode_info);
    }
}

/* ---- Multiboot2 ------------------------------------------------------ */

static void mb2_tag_fail(const char *why, const struct mb2_tag *tag, uint32_t offset)
{
    fail_start(why);
    out_hex("type", tag->type);
    out_hex("offset", offset);
    out_hex("size", tag->size);
    fail_end();
}

/* The length of a string that must end, NUL included, inside its tag. */
static uint32_t mb2_string_length(const struct mb2_tag *tag, uint32_t offset, const char *s)
{
    uint32_t room = tag->size - (uint32_t)(s - (const char *)tag);
    uint32_t length = string_length(s, room);
    if (length == room)
        mb2_tag_fail("mb2 string has no NUL inside its tag", tag, offset);
    return length;
}

static void mb2_need_size(const struct mb2_tag *tag, uint32_t offset, uint32_t min)
{
    if (tag->size < min)
        mb2_tag_fail("mb2 tag too small for its type", tag, offset);
}

static void report_mb2_string(const char *key, const struct mb2_tag *tag, uint32_t offset)
{
    const struct mb2_tag_string *t = (const void *)tag;
    mb2_need_size(tag, offset, sizeof *t + 1);
    uint32_t length = mb2_string_length(tag, offset, t->string);
    out_start();
    out_string(key, t->string, length);
    out_end();
}

static void report_mb2_mmap(const struct mb2_tag *tag, uint32_t offset)
{
    const struct mb2_tag_mmap *t = (const void *)tag;
    mb2_need_size(tag, offset, sizeof *t);
    uint32_t entries_size = tag->size - sizeof *t;
    if (t->entry_version != 0 || t->entry_size < sizeof(struct mb2_mmap_entry) ||
        t->entry_size % MB2_TAG_ALIGN != 0 || entries_size % t->entry_size != 0) {
        fail_start("mb2 mmap tag malformed");
        out_hex("offset", offset);
        out_hex("size", tag->size);
        out_hex("entry_size", t->entry_size);
        out_hex("entry_version", t->entry_version);
        fail_end();
    }
    for (uint32_t at = 0; at < entries_size; at += t->entry_size) {
        const struct mb2_mmap_entry *e = (const void *)((const uint8_t *)(t + 1) + at);
        report_mmap_entry(e->base_addr, e->length, e->type);
    }
}

/* `rsdp version=1` is the old tag's ACPI 1.0 RSDP and its RSDT; `version=2`
 * the new tag's ACPI 2.0+ RSDP and its XSDT. Both checksums are verified. */
static void report_mb2_acpi(const struct mb2_tag *tag, uint32_t offset)
{
    const struct mb2_tag_acpi *t = (const void *)tag;
    const struct acpi_rsdp *rsdp = (const void *)t->rsdp;
    int v2 = tag->type == MB2_TAG_ACPI_NEW;
    mb2_need_size(tag, offset, sizeof *t + (v2 ? RSDP_V2_SIZE : RSDP_V1_SIZE));
    for (int i = 0; i < RSDP_SIGNATURE_SIZE; i++)
        if (rsdp->signature[i] != RSDP_SIGNATURE[i])
            mb2_tag_fail("mb2 ACPI tag holds no RSDP signature", tag, offset);
    if (byte_sum(t->rsdp, RSDP_V1_SIZE) != 0)
        mb2_tag_fail("mb2 ACPI RSDP checksum wrong", tag, offset);
    if (v2 && (rsdp->revision < RSDP_V2_REVISION || rsdp->length < RSDP_V2_SIZE ||
               rsdp->length > tag->size - sizeof *t || byte_sum(t->rsdp, rsdp->length) != 0))
        mb2_tag_fail("mb2 ACPI new RSDP revision, length or extended checksum wrong", tag, offset);
    out_start();
    out_word("rsdp");
    out_hex("version", v2 ? 2 : 1);
    out_hex("address", v2 ? rsdp->xsdt_address : rsdp->rsdt_address);
    out_end();
}

/* The information request in our own header: every tag asked for without the
 * optional flag must have come (modules excepted: there may be none). */
static void check_mb2_requests(uint32_t present)
{
    const uint8_t *header = (const void *)kernel.mb2;
    uint32_t offset = sizeof(struct mb2_header);
    while (offset < kernel.mb2->header_length) {
        const struct mb2_header_tag_information_request *r = (const void *)(header + offset);
        if (r->tag.type == MB2_HEADER_TAG_INFORMATION_REQUEST && !(r->tag.flags & MB2_HEADER_TAG_OPTIONAL)) {
            for (uint32_t i = 0; i < (r->tag.size - sizeof r->tag) / sizeof r->types[0]; i++) {
                uint32_t type = r->types[i];
                if (type != MB2_TAG_MODULE && (type >= MB2_TAG_TYPES || !(present & (1u << type)))) {
                    fail_start("mb2 tag requested by the header's information request is missing");
                    out_hex("type", type);
                    fail_end();
                }
            }
        }
        offset = align_up(offset + r->tag.size, MB2_TAG_ALIGN);
    }
}

static void report_mb2(uint32_t info)
{
    if (info % MB2_TAG_ALIGN != 0) {
        fail_start("mb2 boot information not 8-aligned");
        out_hex("info", info);
        fail_end();
    }
    const struct mb2_info *mbi = phys(info);
    uint32_t total = mbi->total_size;

    out_start();
    out_hex("magic", MB2_BOOTLOADER_MAGIC);
    out_hex("info", info);
    out_hex("size", total);
    out_end();

    if (total < sizeof *mbi + sizeof(struct mb2_tag) || total % MB2_TAG_ALIGN != 0)
        fail("mb2 total_size too small for an end tag or not a multiple of 8");

    uint32_t present = 0, modules = 0;
    for (uint32_t offset = sizeof *mbi;;) {
        const struct mb2_tag *tag = phys(info + offset);
        if (total - offset < sizeof *tag) {
            fail_start("mb2 tags run past total_size without an end tag");
            out_hex("offset", offset);
            out_hex("total_size", total);
            fail_end();
        }
        if (tag->size < sizeof *tag || tag->size > total - offset)
            mb2_tag_fail("mb2 tag size below 8 or past total_size", tag, offset);
        if (tag->type == MB2_TAG_END) {
            if (tag->size != sizeof *tag || offset + tag->size != total)
                mb2_tag_fail("mb2 end tag not 8 bytes or not at the end of total_size", tag, offset);
            break;
        }
        if (tag->type < MB2_TAG_TYPES) {
            if ((present & MB2_SINGLE_TAGS) & (1u << tag->type))
                mb2_tag_fail("mb2 tag type present twice", tag, offset);
            present |= 1u << tag->type;
        }

        switch (tag->type) {
        case MB2_TAG_CMDLINE:
            report_mb2_string("cmdline", tag, offset);
            break;
        case MB2_TAG_LOADER_NAME:
            report_mb2_string("loader", tag, offset);
            break;
        case MB2_TAG_MODULE: {
            const struct mb2_tag_module *m = (const void *)tag;
            mb2_need_size(tag, offset, sizeof *m + 1);
            report_module(modules++, m->mod_start, m->mod_end, m->string, mb2_string_length(tag, offset, m->string));
            break;
        }
        case MB2_TAG_BASIC_MEMINFO: {
            const struct mb2_tag_meminfo *m = (const void *)tag;
            if (tag->size != sizeof *m)
                mb2_tag_fail("mb2 basic meminfo tag not 16 bytes", tag, offset);
            report_meminfo(m->mem_lower, m->mem_upper);
            break;
        }
        case MB2_TAG_MMAP:
            report_mb2_mmap(tag, offset);
            break;
        case MB2_TAG_ACPI_OLD:
        case MB2_TAG_ACPI_NEW:
            report_mb2_acpi(tag, offset);
            break;
        case MB2_TAG_FRAMEBUFFER: {
            const struct mb2_tag_framebuffer *f = (const void *)tag;
            mb2_need_size(tag, offset, sizeof *f);
            if (f->framebuffer_type == FB_RGB)
                mb2_need_size(tag, offset, sizeof *f + 6);
            report_framebuffer(f->framebuffer_addr, f->framebuffer_pitch, f->framebuffer_width, f->framebuffer_height,
                               f->framebuffer_bpp, f->framebuffer_type, f->color_info);
            break;
        }
        case MB2_TAG_VBE: {
            const struct mb2_tag_vbe *v = (const void *)tag;
            mb2_need_size(tag, offset, sizeof *v);
            fb.vbe_mode = v->vbe_mode;
            fb.vbe_control = v->vbe_control_info;
            fb.vbe_mode_info = v->vbe_mode_info;
            break;
        }
        default: /* not interpreted here: still reported, so the host sees every tag */
            out_start();
            out_word("tag");
            out_hex("type", tag->type);
            out_hex("size", tag->size);
            out_end();
            break;
        }
        offset = align_up(offset + tag->size, MB2_TAG_ALIGN);
    }
    check_mb2_requests(present);
}

/* ---- mimg (docs/protocol/mimg.md) ----------------------------------- */

uint64_t mimg_ram_top;

static void mimg_fail(const char *why, uint32_t at)
{
    fail_start(why);
    out_hex("at", at);
    fail_end();
}

/* The part [off, off + size) of the block: inside total_size and 8-aligned. */
static const void *mimg_part(const struct mimg_boot_info *h, uint32_t off, uint64_t size, const char *what)
{
    if (off % MIMG_BOOT_ALIGN != 0 || off > h->total_size || size > h->total_size - off)
        mimg_fail(what, off);
    return (const uint8_t *)h + off;
}

/* A string of the block: NUL-free [off, off + len) followed by its NUL, inside total_size. */
static const char *mimg_string(const struct mimg_boot_info *h, uint32_t off, uint32_t len)
{
    const char *s = (const char *)h + off;
    if (off > h->total_size || len >= h->total_size - off || string_length(s, len + 1) != len)
        mimg_fail("mimg string not NUL-terminated where its length says, or outside the block", off);
    return s;
}

static int all_zero(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void report_mimg(uint32_t info)
{
    if (info % MIMG_BOOT_ALIGN != 0)
        mimg_fail("mimg boot information not 8-aligned", info);
    const struct mimg_boot_info *h = phys(info);
    for (int i = 0; i < 8; i++)
        if (h->magic[i] != MIMG_BOOT_MAGIC[i])
            mimg_fail("mimg boot information magic is not MIMGBOOT", info);
    if (h->version != MIMG_BOOT_VERSION || h->header_size != sizeof *h || h->total_size < sizeof *h ||
        !all_zero(h->reserved0, sizeof h->reserved0))
        mimg_fail("mimg header: version, header_size, total_size or reserved bytes wrong", info);

    out_start();
    out_hex("magic", MIMG_BOOT_REGISTER_MAGIC);
    out_hex("info", info);
    out_hex("size", h->total_size);
    out_end();

    out_start();
    out_string("cmdline", mimg_string(h, h->cmdline_off, h->cmdline_len), h->cmdline_len);
    out_end();
    out_start();
    out_string("loader", mimg_string(h, h->loader_off, h->loader_len), h->loader_len);
    out_end();

    const struct mimg_boot_mmap_entry *map =
        mimg_part(h, h->mmap_off, (uint64_t)h->mmap_count * sizeof *map, "mimg memory map outside the block");
    for (uint32_t i = 0; i < h->mmap_count; i++) {
        const struct mimg_boot_mmap_entry *e = &map[i];
        if (e->reserved != 0 || e->length == 0)
            mimg_fail("mimg memory map entry empty or with reserved bits", i);
        report_mmap_entry(e->base, e->length, e->type);
        int ram = e->type == MIMG_MEM_USABLE || e->type == MIMG_MEM_SECTION || e->type == MIMG_MEM_MODULE ||
                  e->type == MIMG_MEM_LOADER;
        if (ram && e->base + e->length > mimg_ram_top)
            mimg_ram_top = e->base + e->length;
    }

    const struct mimg_boot_module *mods =
        mimg_part(h, h->modules_off, (uint64_t)h->module_count * sizeof *mods, "mimg modules outside the block");
    for (uint32_t i = 0; i < h->module_count; i++) {
        const struct mimg_boot_module *m = &mods[i];
        const char *name = mimg_string(h, m->name_off, m->name_len);
        const char *cmdline = mimg_string(h, m->cmdline_off, m->cmdline_len);
        if (m->reserved != 0 || m->start + m->size < m->start)
            mimg_fail("mimg module with reserved bits or wrapping", i);
        /* The Multiboot form of the string, so the host compares it the same way: name, a space, the command line. */
        char string[256];
        uint32_t n = 0;
        for (uint32_t k = 0; k < m->name_len && n < sizeof string; k++)
            string[n++] = name[k];
        if (m->cmdline_len && n < sizeof string)
            string[n++] = ' ';
        for (uint32_t k = 0; k < m->cmdline_len && n < sizeof string; k++)
            string[n++] = cmdline[k];
        report_module(i, (uint32_t)m->start, (uint32_t)(m->start + m->size), string, n);
        out_start();
        out_word("modinfo");
        out_hex("index", i);
        out_hex("flags", m->flags);
        out_hex("section", m->section);
        out_end();
    }

    const uint32_t *cpus = mimg_part(h, h->cpus_off, (uint64_t)h->cpu_count * 4, "mimg CPU list outside the block");
    if (h->cpu_count > MIMG_BOOT_CPUS_MAX)
        mimg_fail("mimg CPU list longer than MIMG_BOOT_CPUS_MAX", h->cpu_count);
    for (uint32_t i = 0; i < h->cpu_count; i++) {
        out_start();
        out_word("cpu");
        out_hex("apic", cpus[i]);
        out_end();
    }

    if (h->rsdp_off != 0) {
        const struct acpi_rsdp *rsdp = mimg_part(h, h->rsdp_off, h->rsdp_size, "mimg RSDP outside the block");
        int v2 = rsdp->revision >= RSDP_V2_REVISION;
        if (h->rsdp_size < RSDP_V1_SIZE || byte_sum((const uint8_t *)rsdp, RSDP_V1_SIZE) != 0 ||
            (v2 && (h->rsdp_size < RSDP_V2_SIZE || rsdp->length != h->rsdp_size ||
                    byte_sum((const uint8_t *)rsdp, h->rsdp_size) != 0)))
            mimg_fail("mimg RSDP copy: size or checksums wrong", h->rsdp_off);
        for (int i = 0; i < RSDP_SIGNATURE_SIZE; i++)
            if (rsdp->signature[i] != RSDP_SIGNATURE[i])
                mimg_fail("mimg RSDP copy has no RSDP signature", h->rsdp_off);
        out_start();
        out_word("rsdp");
        out_hex("version", v2 ? 2 : 1);
        out_hex("address", v2 ? rsdp->xsdt_address : rsdp->rsdt_address);
        out_end();
    } else if (h->rsdp_size != 0) {
        mimg_fail("mimg rsdp_size without rsdp_off", h->rsdp_size);
    }

    out_start();
    out_word("bootdev");
    out_hex("drive", h->boot_drive);
    out_hex("partition", h->boot_partition);
    out_hex("sub", h->boot_sub_partition);
    out_end();

    if (h->framebuffer_off != 0) {
        const struct mimg_boot_framebuffer *fb =
            mimg_part(h, h->framebuffer_off, sizeof *fb, "mimg framebuffer record outside the block");
        /* red_position..blue_size are laid out as Multiboot's colour fields */
        report_framebuffer(fb->address, fb->pitch, fb->width, fb->height, fb->bpp, fb->type, &fb->red_position);
    }
}

/* ---- the report ------------------------------------------------------ */

void report_begin(void)
{
    serial_init();
    out_start();
    out_word("begin");
    out_word("kernel=");
    puts(kernel.name);
    out_end();
    for (uint32_t i = 0; i < BSS_PROBE_SIZE; i++) {
        if (__bss_probe[i] != 0) {
            fail_start("bss not zero-filled");
            out_hex("address", (uintptr_t)&__bss_probe[i]);
            fail_end();
        }
    }
}

void report_handoff(uint32_t magic, uint32_t info)
{
    switch (magic) {
    case MB1_BOOTLOADER_MAGIC:
        if (kernel.mb1 == 0)
            fail("Multiboot1 magic, but this kernel carries no Multiboot1 header");
        report_mb1(info);
        break;
    case MB2_BOOTLOADER_MAGIC:
        if (kernel.mb2 == 0)
            fail("Multiboot2 magic, but this kernel carries no Multiboot2 header");
        report_mb2(info);
        break;
    case MIMG_BOOT_REGISTER_MAGIC:
        if (!kernel.mimg)
            fail("mimg protocol magic, but this kernel is not built for it");
        report_mimg(info);
        break;
    default:
        fail_start("unknown boot magic");
        out_hex("magic", magic);
        fail_end();
    }
    if (fb.vbe_control && fb.type != FB_RGB)
        fail("VBE information without an RGB framebuffer");
    check_display();
}

void report_second(void)
{
    const char *p = phys(SECOND_ADDRESS);
    for (uint32_t i = 0; i < sizeof SECOND_MAGIC; i++)
        if (p[i] != SECOND_MAGIC[i])
            return;
    out_start();
    out_word("second");
    out_word("present");
    out_end();
}

void report_end(void)
{
    out_start();
    out_word("end");
    out_end();
    exit_qemu(EXIT_SUCCESS);
}
