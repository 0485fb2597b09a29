/* main.c — BOOTX64.EFI, the UEFI bootstrapper: from the EFI system
 * partition to mimgload in 32-bit protected mode, with the same Multiboot2
 * description of the machine the BIOS bootstrapper gives
 * (docs/format/boot-volume.md section 8). The flow is in stages/README.md,
 * "Booting from UEFI". */

#include <stdarg.h>

#include "acpi.h"
#include "console.h"
#include "fmt.h"
#include "mem.h"
#include "mimg_format.h"
#include "range.h"
#include "uefi.h"

#define LOAD_LIST     "load.txt"
#define LOAD_LIST_MAX 8192
#define DIR           "\\mimg\\"
#define LOADER_MAX    MIB /* mimgload is tens of KiB; as the disk writer's limit */
#define MIMG_SECTOR   512u

/* ELF32, as far as loading by program header needs it. */
#define ELF_HEADER_SIZE 52
#define ELF_PHDR_SIZE   32
#define PT_LOAD         1

static struct efi_system_table *st;
static struct efi_boot_services *bs;
static struct efi_file *root;
static bool boot_services = true;
static bool log_efi_map;

static struct boot boot;
static struct efi_map efi_map;
static char list[LOAD_LIST_MAX + 1];
static char16 wide[512];

/* The console line in UCS-2 with CR LF, for ConOut. */
static void con_out(const char *prefix, const char *s)
{
    uint32_t n = 0;
    for (const char *p = prefix; *p && n < sizeof wide / 2 - 3; p++)
        wide[n++] = (uint8_t)*p;
    for (const char *p = s; *p && n < sizeof wide / 2 - 3; p++)
        wide[n++] = (uint8_t)*p;
    wide[n++] = '\r';
    wide[n++] = '\n';
    wide[n] = 0;
    st->con_out->output_string(st->con_out, wide);
}

noreturn void fail(const char *format, ...)
{
    static char line[512];
    va_list ap;
    va_start(ap, format);
    vfmt(line, sizeof line, format, ap);
    va_end(ap);
    /* The screen sink only once boot services are gone: until then the firmware owns the screen. */
    con_line(boot_services ? CON_SERIAL : CON_SERIAL | CON_SCREEN, STAGE ": error: %s", line);
    if (boot_services && st->con_out)
        con_out(STAGE ": error: ", line);
    halt();
}

/* "\mimg\NAME" in UCS-2 from a UTF-8 name (characters of the Basic Multilingual Plane). */
static const char16 *path_of(const char *name)
{
    uint32_t n = 0;
    for (const char *p = DIR; *p; p++)
        wide[n++] = (uint8_t)*p;
    for (const uint8_t *p = (const uint8_t *)name; *p && n < sizeof wide / 2 - 1;) {
        uint32_t c = *p++;
        if (c >= 0xE0 && p[0] && p[1]) {
            c = (c & 0x0F) << 12 | (p[0] & 0x3Fu) << 6 | (p[1] & 0x3Fu);
            p += 2;
        } else if (c >= 0xC0 && p[0]) {
            c = (c & 0x1F) << 6 | (p[0] & 0x3Fu);
            p += 1;
        }
        wide[n++] = (char16)c;
    }
    wide[n] = 0;
    return wide;
}

static struct efi_file *open_file(const char *name, uint64_t *size)
{
    struct efi_file *f;
    efi_status s = root->open(root, &f, path_of(name), EFI_FILE_MODE_READ, 0);
    if (s != EFI_SUCCESS)
        fail("cannot open \\mimg\\%s on the EFI system partition (status 0x%lx); hint: rebuild the disk with `mimg build`",
             name, s);
    /* The end of the file is its size (UEFI 2.10 section 13.5, SetPosition). */
    if (f->set_position(f, EFI_FILE_END) != EFI_SUCCESS || f->get_position(f, size) != EFI_SUCCESS ||
        f->set_position(f, 0) != EFI_SUCCESS)
        fail("cannot find the size of \\mimg\\%s", name);
    return f;
}

/* The whole file in one Read: the firmware's FAT driver splits it as its disk needs. */
static void read_whole(struct efi_file *f, const char *name, void *buffer, uint64_t size)
{
    uint64_t n = size;
    efi_status s = f->read(f, &n, buffer);
    if (s != EFI_SUCCESS || n != size)
        fail("reading \\mimg\\%s: status 0x%lx, 0x%lx of 0x%lx bytes", name, s, n, size);
    f->close(f);
}

static void *pool(uint64_t size)
{
    void *p;
    if (bs->allocate_pool(EFI_LOADER_DATA, size, &p) != EFI_SUCCESS)
        fail("out of memory for 0x%lx bytes", size);
    return p;
}

static char *next_line(char **at)
{
    char *s = *at;
    if (!*s)
        return 0;
    char *e = s;
    while (*e && *e != '\n')
        e++;
    *at = *e ? e + 1 : e;
    if (e > s && e[-1] == '\r')
        e--;
    *e = 0;
    return s;
}

/* Ends the word at s (at a space) and returns the rest, spaces skipped. */
static char *word(char *s)
{
    while (*s && *s != ' ')
        s++;
    if (*s)
        *s++ = 0;
    while (*s == ' ')
        s++;
    return s;
}

static bool parse_hex(const char *s, uint64_t *v)
{
    if (s[0] != '0' || s[1] != 'x' || !s[2])
        return false;
    *v = 0;
    for (s += 2; *s; s++) {
        uint32_t d = *s >= '0' && *s <= '9' ? (uint32_t)(*s - '0') : *s >= 'a' && *s <= 'f' ? (uint32_t)(*s - 'a' + 10) : 16;
        if (d == 16 || *v >> 60)
            return false;
        *v = *v << 4 | d;
    }
    return true;
}

static bool streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* The loader's ELF32 file, flattened: PT_LOAD file bytes at p_paddr - base, zeros elsewhere. */
struct flat {
    uint32_t base, size, entry;
};


static struct flat loader_layout(const uint8_t *elf, uint64_t size, const char *name)
{
    static const uint8_t ident[] = { 0x7F, 'E', 'L', 'F', 1 /* 32-bit */, 1 /* little-endian */ };
    if (size < ELF_HEADER_SIZE || memcmp(elf, ident, sizeof ident) != 0 || get_u16(elf + 16) != 2 /* ET_EXEC */ ||
        get_u16(elf + 18) != 3 /* EM_386 */)
        fail("\\mimg\\%s is not an ELF32 i386 executable", name);
    uint32_t phoff = get_u32(elf + 28), phnum = get_u16(elf + 44);
    if (get_u16(elf + 42) != ELF_PHDR_SIZE || phoff > size || phnum * ELF_PHDR_SIZE > size - phoff)
        fail("\\mimg\\%s: the program headers lie outside the file", name);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = elf + phoff + i * ELF_PHDR_SIZE;
        uint32_t offset = get_u32(ph + 4), paddr = get_u32(ph + 12), filesz = get_u32(ph + 16), memsz = get_u32(ph + 20);
        if (get_u32(ph) != PT_LOAD)
            continue;
        if (filesz > memsz || offset > size || filesz > size - offset)
            fail("\\mimg\\%s: program header %u is inconsistent", name, i);
        if (paddr < lo)
            lo = paddr;
        if ((uint64_t)paddr + memsz > hi)
            hi = (uint64_t)paddr + memsz;
    }
    uint32_t entry = get_u32(elf + 24);
    if (lo >= hi || hi > GIB4 || hi - lo > LOADER_MAX || entry < lo || entry >= hi)
        fail("\\mimg\\%s: its segments [0x%lx, 0x%lx) and entry 0x%x are not a loader this stage can enter", name, lo, hi,
             entry);
    return (struct flat){ .base = (uint32_t)lo, .size = (uint32_t)(hi - lo), .entry = entry };
}

#define CR4_LA57              (1u << 12) /* 5-level paging: tables_in walks 4 levels only */
/* Reading the image's header and section table, at most this many sections. */
#define IN_PLACE_SECTIONS_MAX 1024u
/* Smaller payloads are not worth it. */
#define IN_PLACE_MIN          0x100000u

/* Where the image would go for its largest payload to lie already at its section's address: mimgload then
 * copies nothing for it, and that memory is written once, not twice. Only a hint, read from an image not yet
 * verified (mimgload checks everything; a wrong guess costs the copy). 0: none. The file is left at 0. */
static uint64_t in_place_hint(struct efi_file *f, uint64_t size, const struct flat *loader)
{
    struct mimg_header h;
    uint64_t n = sizeof h, want = 0, best = 0;
    if (f->read(f, &n, &h) == EFI_SUCCESS && n == sizeof h && !memcmp(h.magic, MIMG_MAGIC, sizeof h.magic) &&
        h.section_entry_size >= sizeof(struct mimg_section) && h.section_entry_size <= 0x100 &&
        h.section_count <= IN_PLACE_SECTIONS_MAX && f->set_position(f, h.section_table_offset) == EFI_SUCCESS) {
        uint64_t table = (uint64_t)h.section_count * h.section_entry_size;
        uint8_t *t = pool(table ? table : 1);
        n = table;
        if (f->read(f, &n, t) == EFI_SUCCESS && n == table)
            for (uint32_t i = 0; i < h.section_count; i++) {
                const struct mimg_section *s = (const struct mimg_section *)(t + (uint64_t)i * h.section_entry_size);
                if ((s->type == MIMG_TYPE_EXEC || s->type == MIMG_TYPE_MODULE) && s->file_size > best &&
                    s->dest >= s->file_offset && s->dest < GIB4) {
                    best = s->file_size;
                    want = s->dest - s->file_offset;
                }
            }
        bs->free_pool(t);
    }
    f->set_position(f, 0);
    uint64_t end = want + align_up(size, PAGE_SIZE);
    if (best < IN_PLACE_MIN || want % PAGE_SIZE || want < 0x100000 || end > GIB4 ||
        overlaps(loader->base, (uint64_t)loader->base + loader->size, want, end))
        return 0;
    return want;
}

static void image_in_place(uint64_t at)
{
    boot.module[0].addr = at;
    con_line(CON_SERIAL, STAGE ": the image goes at 0x%lx, its largest payload in place", at);
}

/* The firmware's descriptor holding address a, if any. */
static const struct efi_memory_descriptor *descriptor_at(uint64_t a)
{
    for (uint64_t i = 0; i < efi_descriptor_count(&efi_map); i++) {
        const struct efi_memory_descriptor *d = efi_descriptor(&efi_map, i);
        if (a >= d->physical_start && a - d->physical_start < d->pages * PAGE_SIZE)
            return d;
    }
    return 0;
}

/* True when a page-table page reachable from CR3 lies in [start, end) (4-level paging). */
static bool tables_in(uint64_t table, uint32_t level, uint64_t start, uint64_t end)
{
    if (table >= start && table < end)
        return true;
    const uint64_t *e = (const uint64_t *)(uintptr_t)table;
    for (uint32_t i = 0; level > 1 && i < 512; i++)
        if ((e[i] & 1) && !(level < 4 && (e[i] & 0x80)) && tables_in(e[i] & 0x000FFFFFFFFFF000ull, level - 1, start, end))
            return true;
    return false;
}

/* After ExitBootServices, before the DMA: [start, end) may take the image when every byte of it is memory boot
 * services held or left free, and none of it is what this stage still runs on: its stack, the firmware's GDT,
 * IDT and page tables (all boot services data). This stage's own memory is loader code or data, never taken. */
static bool free_after_exit(uint64_t start, uint64_t end)
{
    uint64_t covered = 0;
    for (uint64_t i = 0; i < efi_descriptor_count(&efi_map); i++) {
        const struct efi_memory_descriptor *d = efi_descriptor(&efi_map, i);
        uint64_t lo = d->physical_start, hi = lo + d->pages * PAGE_SIZE;
        if (!overlaps(lo, hi, start, end))
            continue;
        if (d->type != EFI_BOOT_SERVICES_CODE && d->type != EFI_BOOT_SERVICES_DATA && d->type != EFI_CONVENTIONAL_MEMORY)
            return false;
        covered += (hi < end ? hi : end) - (lo > start ? lo : start);
    }
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr, idtr;
    uint64_t rsp, cr3, cr4;
    __asm__ volatile("sgdt %0; sidt %1; mov %%rsp, %2; mov %%cr3, %3; mov %%cr4, %4"
                     : "=m"(gdtr), "=m"(idtr), "=r"(rsp), "=r"(cr3), "=r"(cr4));
    const uint64_t live[] = { rsp, gdtr.base, idtr.base };
    for (uint32_t i = 0; i < sizeof live / sizeof live[0]; i++) {
        const struct efi_memory_descriptor *d = descriptor_at(live[i]);
        if (!d || overlaps(d->physical_start, d->physical_start + d->pages * PAGE_SIZE, start, end))
            return false;
    }
    return covered == end - start && !(cr4 & CR4_LA57) && !tables_in(cr3 & 0x000FFFFFFFFFF000ull, 4, start, end);
}

static void flatten(uint8_t *to, const uint8_t *elf, const struct flat *f)
{
    memset(to, 0, f->size);
    uint32_t phoff = get_u32(elf + 28), phnum = get_u16(elf + 44);
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = elf + phoff + i * ELF_PHDR_SIZE;
        if (get_u32(ph) == PT_LOAD)
            memcpy(to + (get_u32(ph + 12) - f->base), elf + get_u32(ph + 4), get_u32(ph + 16));
    }
}

static bool guid_eq(const struct efi_guid *a, const struct efi_guid *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* The RSDP from the configuration table: ACPI 2.0+ preferred. */
static void find_acpi(void)
{
    static const struct efi_guid acpi20 = EFI_ACPI_20_TABLE_GUID, acpi10 = EFI_ACPI_10_TABLE_GUID;
    for (int pass = 0; pass < 2 && !boot.rsdp; pass++) {
        for (uint64_t i = 0; i < st->table_entries; i++) {
            const struct efi_configuration_table *t = &st->configuration_table[i];
            const uint8_t *r = t->vendor_table;
            if (!guid_eq(&t->vendor_guid, pass == 0 ? &acpi20 : &acpi10) || (uint64_t)(uintptr_t)r >= GIB4 ||
                memcmp(r, "RSD PTR ", 8) != 0)
                continue;
            uint32_t size = r[15] == 0 ? RSDP_V1_SIZE : get_u32(r + 20);
            if (size < RSDP_V1_SIZE || size > RSDP_MAX_SIZE)
                continue;
            boot.rsdp = r;
            boot.rsdp_size = size;
            break;
        }
    }
    if (boot.rsdp) {
        boot.cpu_count = acpi_madt_cpus(boot.rsdp, boot.cpu, CPU_MAX);
        if (boot.cpu_count > CPU_MAX)
            fail("the ACPI MADT lists %u enabled processors; this stage passes on at most %u", boot.cpu_count, CPU_MAX);
        con_line(CON_SERIAL, STAGE ": ACPI RSDP at 0x%lx; enabled CPUs in the MADT: %u", (uint64_t)(uintptr_t)boot.rsdp,
                 boot.cpu_count);
    } else {
        con_line(CON_SERIAL, STAGE ": no ACPI RSDP below 4 GiB: the CPU list is empty");
    }
}

/* The graphics output's current mode, for the Multiboot2 framebuffer tag. */
static void find_framebuffer(void)
{
    static const struct efi_guid gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
    struct efi_gop *gop;
    if (bs->locate_protocol(&gop_guid, 0, (void **)&gop) != EFI_SUCCESS || !gop->mode || !gop->mode->info ||
        !gop->mode->framebuffer_base) {
        con_line(CON_SERIAL, STAGE ": no graphics output framebuffer");
        return;
    }
    const struct efi_gop_mode_info *m = gop->mode->info;
    uint32_t mask[3];
    if (m->pixel_format == GOP_PIXEL_RGBX) {
        mask[0] = 0xFF, mask[1] = 0xFF00, mask[2] = 0xFF0000;
    } else if (m->pixel_format == GOP_PIXEL_BGRX) {
        mask[0] = 0xFF0000, mask[1] = 0xFF00, mask[2] = 0xFF;
    } else if (m->pixel_format == GOP_PIXEL_BIT_MASK && m->red_mask && m->green_mask && m->blue_mask) {
        mask[0] = m->red_mask, mask[1] = m->green_mask, mask[2] = m->blue_mask;
    } else {
        con_line(CON_SERIAL, STAGE ": the graphics output has no framebuffer (pixel format %u)", m->pixel_format);
        return;
    }
    struct fb *fb = &boot.fb;
    uint32_t all = mask[0] | mask[1] | mask[2] | (m->pixel_format == GOP_PIXEL_BIT_MASK ? m->reserved_mask : 0xFF000000);
    fb->bpp = (uint8_t)(32 - __builtin_clz(all));
    for (int k = 0; k < 3; k++) {
        fb->position[k] = (uint8_t)__builtin_ctz(mask[k]);
        fb->size[k] = (uint8_t)__builtin_popcount(mask[k]);
    }
    fb->width = m->width;
    fb->height = m->height;
    fb->pitch = m->pixels_per_scan_line * ((fb->bpp + 7u) / 8);
    fb->addr = gop->mode->framebuffer_base;
    con_line(CON_SERIAL, STAGE ": framebuffer %ux%u, %u bits per pixel, pitch 0x%x, at 0x%lx", fb->width, fb->height,
             fb->bpp, fb->pitch, fb->addr);
}

static efi_status get_map(void)
{
    efi_map.size = sizeof efi_map.buffer;
    return bs->get_memory_map(&efi_map.size, (struct efi_memory_descriptor *)efi_map.buffer, &efi_map.key,
                              &efi_map.descriptor_size, &efi_map.descriptor_version);
}

static const char *efi_type_name(uint32_t t)
{
    static const char *const names[] = { "reserved", "loader code", "loader data", "boot services code",
                                         "boot services data", "runtime services code", "runtime services data",
                                         "conventional", "unusable", "ACPI reclaimable", "ACPI NVS", "MMIO",
                                         "MMIO port space", "PAL code", "persistent", "unaccepted" };
    return t < sizeof names / sizeof names[0] ? names[t] : "firmware-specific";
}

/* Dies unless [start, end) is RAM the loader may use once boot services are gone. */
static void check_target(const char *what, uint64_t start, uint64_t end)
{
    uint64_t bad;
    if (memmap_usable(&boot.map, start, end, &bad))
        return;
    const char *holder = "no memory at all";
    for (uint64_t i = 0; i < efi_descriptor_count(&efi_map); i++) {
        const struct efi_memory_descriptor *d = efi_descriptor(&efi_map, i);
        if (bad >= d->physical_start && bad - d->physical_start < d->pages * EFI_PAGE_SIZE)
            holder = efi_type_name(d->type);
    }
    fail("%s [0x%lx, 0x%lx) needs RAM at 0x%lx, which the firmware's memory map gives as %s; hint: the loader is linked "
         "there, so this machine cannot run it",
         what, start, end, bad, holder);
}

/* FAT32 as far as following a file's clusters needs it (the boot sector's
 * BPB, Microsoft's FAT specification 1.03). */
#define BPB_BYTES_PER_SECTOR    11 /* u16 */
#define BPB_SECTORS_PER_CLUSTER 13 /* u8 */
#define BPB_RESERVED_SECTORS    14 /* u16 */
#define BPB_FAT_COUNT           16 /* u8 */
#define BPB_FAT_SIZE_16         22 /* u16, 0 on FAT32 */
#define BPB_FAT_SIZE            36 /* u32 */
#define FAT_ENTRY_MASK          0x0FFFFFFFu
#define FAT_END_OF_CHAIN        0x0FFFFFF8u

/* Whether the file at partition offset `at`, `size` bytes, lies in one run
 * of clusters that ends its chain: the FAT entries of that run, read by
 * boot_disk_read (the ATA driver, or the firmware's Block I/O before the
 * virtio driver starts) into `buffer` (the file's own slot, which is larger). */
static bool contiguous(const uint8_t *bpb, uint64_t at, uint64_t size, uint8_t *buffer)
{
    uint32_t spc = bpb[BPB_SECTORS_PER_CLUSTER], reserved = get_u16(bpb + BPB_RESERVED_SECTORS);
    uint64_t data = reserved + (uint64_t)bpb[BPB_FAT_COUNT] * get_u32(bpb + BPB_FAT_SIZE), sector = at / MIMG_SECTOR;
    if (get_u16(bpb + BPB_BYTES_PER_SECTOR) != MIMG_SECTOR || spc == 0 || get_u16(bpb + BPB_FAT_SIZE_16) != 0 ||
        sector < data || (sector - data) % spc)
        return false;
    uint64_t first = (sector - data) / spc + 2, count = (size + spc * MIMG_SECTOR - 1) / (spc * MIMG_SECTOR);
    uint64_t from = first * 4 / MIMG_SECTOR, to = ((first + count) * 4 + MIMG_SECTOR - 1) / MIMG_SECTOR;
    if (to - from > get_u32(bpb + BPB_FAT_SIZE) || !boot_disk_read((reserved + from) * MIMG_SECTOR, (to - from) * MIMG_SECTOR, buffer))
        return false;
    for (uint64_t c = first; c < first + count; c++) {
        uint32_t next = get_u32(buffer + (c * 4 - from * MIMG_SECTOR)) & FAT_ENTRY_MASK;
        if (c + 1 < first + count ? next != c + 1 : next < FAT_END_OF_CHAIN)
            return false;
    }
    return true;
}

/* Whether every file can be read by stage 2's driver after ExitBootServices:
 * the disk is one it takes, at each file's offset lies the file's first
 * sector as the file system reads it, and from there the FAT chains the
 * file's clusters in one run. The file system is read first, the disk
 * after: the two never interleave. (The file system is not asked for the
 * last sectors: it would walk the whole chain, 0.2 s for 64 MiB.) On IDE
 * the ATA driver reads the disk here; on virtio-blk the firmware's Block
 * I/O does, and the driver, started after ExitBootServices, must read the
 * same first sectors (first_sectors_agree). */
static uint8_t fs_sector[MODULES_MAX][MIMG_SECTOR];

static uint64_t first_bytes(const struct loaded *m)
{
    return m->size < MIMG_SECTOR ? m->size : MIMG_SECTOR;
}

static enum boot_driver driver_agrees(const struct efi_loaded_image *li, struct efi_file *const *files, uint8_t *scratch)
{
    for (uint32_t i = 0; i < boot.module_count; i++) {
        const struct loaded *m = &boot.module[i];
        uint64_t n = first_bytes(m);
        if (m->at == UINT64_MAX || m->at % MIMG_SECTOR || m->size == 0 ||
            files[i]->read(files[i], &n, fs_sector[i]) != EFI_SUCCESS || files[i]->set_position(files[i], 0) != EFI_SUCCESS)
            return BOOT_DRIVER_NONE;
    }
    enum boot_driver driver = boot_disk_open(bs, li);
    if (driver == BOOT_DRIVER_NONE)
        return driver;
    static uint8_t bpb[MIMG_SECTOR];
    bool ok = boot_disk_read(0, MIMG_SECTOR, scratch);
    memcpy(bpb, scratch, sizeof bpb);
    for (uint32_t i = 0; ok && i < boot.module_count; i++) {
        const struct loaded *m = &boot.module[i];
        ok = boot_disk_read(m->at, MIMG_SECTOR, scratch) && memcmp(scratch, fs_sector[i], first_bytes(m)) == 0 &&
             contiguous(bpb, m->at, m->size, (uint8_t *)(uintptr_t)m->addr);
    }
    if (!ok)
        boot_disk_close();
    return ok ? driver : BOOT_DRIVER_NONE;
}

/* After ExitBootServices, the virtio driver started: it must read each file's first sector as the file system
 * did before. Too late to fall back to the firmware, so a disagreement is fatal. */
static void first_sectors_agree(uint8_t *scratch)
{
    if (!boot_disk_start())
        fail("the virtio-blk driver cannot take the boot disk after ExitBootServices");
    for (uint32_t i = 0; i < boot.module_count; i++) {
        const struct loaded *m = &boot.module[i];
        if (!boot_disk_read(m->at, MIMG_SECTOR, scratch) || memcmp(scratch, fs_sector[i], first_bytes(m)) != 0)
            fail("the virtio-blk driver does not read \\mimg\\%s's first sector at partition offset 0x%lx as the "
                 "firmware did",
                 m->name, m->at);
    }
}

static noreturn void enter(uint8_t *page, const struct jump *j)
{
    memcpy(page, trampoline, (size_t)(trampoline_end - trampoline));
    ((void (*)(const struct jump *))page)(j);
    __builtin_unreachable();
}

efi_status efi_main(efi_handle image, struct efi_system_table *systab)
{
    st = systab;
    bs = st->boot_services;
    console_init();

    static const struct efi_guid loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID,
                                 file_system_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
    struct efi_loaded_image *li;
    struct efi_simple_file_system *fs;
    if (bs->handle_protocol(image, &loaded_image_guid, (void **)&li) != EFI_SUCCESS ||
        bs->handle_protocol(li->device_handle, &file_system_guid, (void **)&fs) != EFI_SUCCESS ||
        fs->open_volume(fs, &root) != EFI_SUCCESS)
        fail("cannot open the file system BOOTX64.EFI was loaded from");

    /* The load list: what to load, in order. */
    uint64_t list_size;
    struct efi_file *f = open_file(LOAD_LIST, &list_size);
    if (list_size > LOAD_LIST_MAX)
        fail("\\mimg\\" LOAD_LIST " is 0x%lx bytes, more than 0x%x", list_size, LOAD_LIST_MAX);
    read_whole(f, LOAD_LIST, list, list_size);
    list[list_size] = 0;

    const char *loader_name = 0;
    char *rest = list, *l;
    for (uint32_t n = 1; (l = next_line(&rest)); n++) {
        if (!*l || *l == '#')
            continue;
        char *name = word(l), *offset = word(name);
        uint64_t offset_value = UINT64_MAX;
        bool image_line = streq(l, "image"), module_line = streq(l, "module");
        bool offset_ok = !*offset || (parse_hex(offset, &offset_value) && !*word(offset));
        if (streq(l, "loader") && !loader_name && *name && offset_ok) {
            loader_name = name;
        } else if (streq(l, "option") && streq(name, "efi-map") && !*offset) {
            log_efi_map = true;
        } else if ((image_line ? boot.module_count == 0 : module_line && boot.module_count > 0) && *name &&
                   offset_ok && strlen(name) <= NAME_MAX && boot.module_count < MODULES_MAX) {
            memcpy(boot.module[boot.module_count].name, name, strlen(name) + 1);
            boot.module[boot.module_count++].at = offset_value;
        } else {
            fail("\\mimg\\" LOAD_LIST " line %u: '%s %s %s' is not one of: loader NAME [OFFSET] (once, first), image "
                 "NAME [OFFSET] (once), module NAME [OFFSET] (after the image, at most %u), option efi-map",
                 n, l, name, offset, MODULES_MAX - 1);
        }
    }
    if (!loader_name || boot.module_count == 0)
        fail("\\mimg\\" LOAD_LIST " names no %s", loader_name ? "image" : "loader");

    /* The loader's file, small, from the pool; then one allocation for everything else. */
    uint64_t elf_size;
    f = open_file(loader_name, &elf_size);
    uint8_t *elf = pool(elf_size);
    read_whole(f, loader_name, elf, elf_size);
    struct flat flat = loader_layout(elf, elf_size, loader_name);

    struct efi_file *files[MODULES_MAX];
    uint64_t pages = 1 /* trampoline, jump, stack */ + align_up(INFO_MAX, PAGE_SIZE) / PAGE_SIZE +
                     align_up(flat.size, PAGE_SIZE) / PAGE_SIZE;
    for (uint32_t i = 0; i < boot.module_count; i++)
        files[i] = open_file(boot.module[i].name, &boot.module[i].size);
    uint64_t in_place = in_place_hint(files[0], boot.module[0].size, &flat);
    for (uint32_t i = 0; i < boot.module_count; i++) /* the image too: in place is known late by a driver */
        pages += align_up(boot.module[i].size, PAGE_SIZE) / PAGE_SIZE;
    /* Code type: the trampoline runs from it, and firmware may map data pages no-execute. */
    uint64_t base = GIB4 - 1;
    if (bs->allocate_pages(EFI_ALLOCATE_MAX_ADDRESS, EFI_LOADER_CODE, pages, &base) != EFI_SUCCESS)
        fail("no 0x%lx bytes of memory below 4 GiB for the loader, the image and the modules", pages * PAGE_SIZE);
    uint64_t end = base + pages * PAGE_SIZE;
    uint8_t *page = (uint8_t *)(uintptr_t)base;
    struct jump *jump = (struct jump *)(page + align_up((uint64_t)(trampoline_end - trampoline), 16));
    uint8_t *info = page + PAGE_SIZE;
    uint8_t *flat_at = info + align_up(INFO_MAX, PAGE_SIZE);
    flatten(flat_at, elf, &flat);
    uint64_t next = (uint64_t)(uintptr_t)flat_at + align_up(flat.size, PAGE_SIZE);
    for (uint32_t i = 0; i < boot.module_count; i++) {
        boot.module[i].addr = next;
        next += align_up(boot.module[i].size, PAGE_SIZE);
    }
    /* The info area is free until the hand-off: scratch for the driver's check, below 4 GiB. */
    enum boot_driver driver = driver_agrees(li, files, info);
    con_line(CON_SERIAL, STAGE ": reading the files %s",
             driver == BOOT_DRIVER_ATA      ? "by ATA bus-master DMA after ExitBootServices"
             : driver == BOOT_DRIVER_VIRTIO ? "by the virtio-blk driver after ExitBootServices"
                                            : "through the firmware's file system");
    /* Through the firmware, the image goes in place only where the firmware gives that memory now; by DMA,
     * where it is free once boot services are gone (checked then). */
    uint64_t image_pages = align_up(boot.module[0].size, PAGE_SIZE) / PAGE_SIZE;
    if (in_place && !driver && bs->allocate_pages(EFI_ALLOCATE_ADDRESS, EFI_LOADER_DATA, image_pages, &in_place) != EFI_SUCCESS)
        in_place = 0;
    if (in_place && !driver)
        image_in_place(in_place);
    for (uint32_t i = 0; i < boot.module_count; i++) {
        struct loaded *m = &boot.module[i];
        if (driver) {
            files[i]->close(files[i]);
            continue;
        }
        read_whole(files[i], m->name, (void *)(uintptr_t)m->addr, m->size);
        con_line(CON_SERIAL, STAGE ": loaded %s '%s' 0x%lx bytes at 0x%lx", i == 0 ? "image" : "module", m->name,
                 m->size, m->addr);
    }
    con_line(CON_SERIAL, STAGE ": loader '%s' [0x%x, 0x%x), entry 0x%x", loader_name, flat.base, flat.base + flat.size,
             flat.entry);
    if (overlaps(flat.base, (uint64_t)flat.base + flat.size, base, end))
        fail("the loader's place [0x%x, 0x%x) overlaps the memory the firmware gave this stage [0x%lx, 0x%lx)",
             flat.base, flat.base + flat.size, base, end);

    find_acpi();
    find_framebuffer();

    /* The loader's place must be RAM once boot services are gone: check on a map now, while errors can still
     * reach the console. */
    if (get_map() != EFI_SUCCESS || !convert_map(&efi_map, &boot.map))
        fail("cannot read the firmware's memory map, or it has more than %u entries once merged", MEMMAP_MAX);
    check_target("the loader", flat.base, (uint64_t)flat.base + flat.size);

    /* ExitBootServices takes the key of the current map; anything that allocates in between changes it, so
     * read the map again and retry (UEFI 2.10 section 7.4.6). Nothing here allocates or prints through the
     * firmware. */
    efi_status s = EFI_INVALID_PARAMETER;
    uint32_t tries = 0;
    for (; tries < 8 && s != EFI_SUCCESS; tries++) {
        if (get_map() != EFI_SUCCESS)
            continue;
        s = bs->exit_boot_services(image, efi_map.key);
    }
    if (s != EFI_SUCCESS)
        fail("ExitBootServices failed %u times (last status 0x%lx)", tries, s);
    /* From here on errors go to the graphics output's framebuffer (none without one: 0xB8000 need not be VGA
     * memory on a UEFI machine). */
    const struct fb *fb = &boot.fb;
    const uint8_t color[6] = { fb->position[0], fb->size[0], fb->position[1], fb->size[1], fb->position[2], fb->size[2] };
    console_use_framebuffer(fb->addr, fb->pitch, fb->width, fb->height, fb->bpp, color);
    boot_services = false;
    __asm__ volatile("cli"); /* the firmware's handlers lie in memory that is free from now on */

    if (!convert_map(&efi_map, &boot.map))
        fail("the firmware's memory map has more than %u entries once merged", MEMMAP_MAX);
    con_line(CON_SERIAL, STAGE ": boot services exited (%u tries); memory map: %u firmware descriptors, %u entries",
             tries, (uint32_t)efi_descriptor_count(&efi_map), boot.map.count);
    if (driver) {
        if (driver == BOOT_DRIVER_VIRTIO)
            first_sectors_agree(info); /* the info area is still free */
        if (in_place && free_after_exit(in_place, in_place + image_pages * PAGE_SIZE))
            image_in_place(in_place);
        for (uint32_t i = 0; i < boot.module_count; i++) {
            struct loaded *m = &boot.module[i];
            if (!boot_disk_read(m->at, m->size, (void *)(uintptr_t)m->addr))
                fail("reading \\mimg\\%s (0x%lx bytes at partition offset 0x%lx) by %s failed", m->name, m->size,
                     m->at, driver == BOOT_DRIVER_ATA ? "ATA DMA" : "the virtio-blk driver");
            con_line(CON_SERIAL, STAGE ": loaded %s '%s' 0x%lx bytes at 0x%lx", i == 0 ? "image" : "module", m->name,
                     m->size, m->addr);
        }
        boot_disk_close();
    }
    if (log_efi_map) {
        for (uint64_t i = 0; i < efi_descriptor_count(&efi_map); i++) {
            const struct efi_memory_descriptor *d = efi_descriptor(&efi_map, i);
            con_line(CON_SERIAL, STAGE ": efi-map type=%u base=0x%lx pages=0x%lx attr=0x%lx", d->type,
                     d->physical_start, d->pages, d->attribute);
        }
    }
    check_target("the loader", flat.base, (uint64_t)flat.base + flat.size);

    boot.system_table = (uint64_t)(uintptr_t)st;
    boot.efi_map = &efi_map;
    build_info(info, &boot);
    *jump = (struct jump){ .src = (uint32_t)(uintptr_t)flat_at, .dst = flat.base, .size = flat.size,
                           .entry = flat.entry, .info = (uint32_t)(uintptr_t)info,
                           .stack = (uint32_t)(uintptr_t)(page + PAGE_SIZE) };
    con_line(CON_SERIAL, STAGE ": entering the loader at 0x%x", flat.entry);
    enter(page, jump);
}
