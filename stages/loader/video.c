/* video.c — the video mode an image asks for (fb_* in its header,
 * docs/format/mimg.md), set through the BIOS before anything is installed:
 * VBE 2.0+ for a linear graphics mode, INT 10h mode 3 for text. The rule
 * that picks a mode is stages/README.md's "Video modes". The steps are out
 * of line (noinline): inlined into video_setup, they cost 130 bytes more. */

#include "bioscall.h"
#include "console.h"
#include "loader.h"
#include "mem.h"
#include "range.h"

#define INT_VIDEO     0x10
#define VBE_OK        0x004Fu /* AX after every VBE function that worked */
#define VBE_INFO      0x4F00u /* controller information and mode list */
#define VBE_MODE_INFO 0x4F01u
#define VBE_SET_MODE  0x4F02u
#define VBE_LFB       0x4000u /* 4F02h: with its linear framebuffer */
#define VBE_LIST_END  0xFFFFu
#define VBE_LIST_MAX  256     /* modes looked at, whatever the list holds */
#define VGA_TEXT_MODE 0x0003u /* AH=00h: 80x25 colour text at 0xB8000 */

#define MODE_USABLE   (1u << 0 | 1u << 4 | 1u << 7) /* supported, graphics, linear framebuffer */
#define MODEL_PACKED  4
#define MODEL_DIRECT  6

/* VBE 3.0's VbeInfoBlock and ModeInfoBlock, as far as they are read. */
struct vbe_info {
    char signature[4]; /* "VBE2" in, "VESA" out */
    uint16_t version;  /* BCD: 0x0300 is 3.0 */
    uint32_t oem;
    uint32_t capabilities;
    uint16_t modes_off, modes_seg; /* the mode list, ending with 0xFFFF */
    uint8_t rest[VBE_CONTROL_SIZE - 18];
} __attribute__((packed));
_Static_assert(sizeof(struct vbe_info) == VBE_CONTROL_SIZE, "VbeInfoBlock");

struct vbe_mode {
    uint16_t attributes;
    uint8_t window[14];
    uint16_t pitch, width, height;
    uint8_t cell[3], bpp, banks, model, bank_size, pages, reserved;
    uint8_t rgb[6], rsvd[2], direct; /* VBE 1.2+: red, green, blue mask size then position */
    uint32_t lfb;                    /* VBE 2.0+ */
    uint8_t offscreen[6];
    uint16_t lin_pitch;              /* VBE 3.0+: pitch and masks of the linear mode */
    uint8_t lin_pages[2], lin_rgb[6];
    uint8_t rest[VBE_MODE_INFO_SIZE - 0x3C];
} __attribute__((packed));
_Static_assert(sizeof(struct vbe_mode) == VBE_MODE_INFO_SIZE, "ModeInfoBlock");

/* The VBE blocks lie right above bios_int's real-mode area, where the
 * BIOS can write them. */
extern char realmode_base[], realmode_top[]; /* bioscall.asm */
#define VBE_INFO_BUF  ((struct vbe_info *)realmode_top)
#define VBE_MODE_BUF  ((struct vbe_mode *)(realmode_top + VBE_CONTROL_SIZE))
#define LOW_START     ((uint32_t)(uintptr_t)realmode_base)
#define LOW_END       ((uint32_t)(uintptr_t)realmode_top + VBE_CONTROL_SIZE + VBE_MODE_INFO_SIZE)

/* mimgload writes the real-mode area and the VBE blocks: dies unless they
 * are RAM that holds nothing mimgload or the kernel still needs. (The
 * chain loader's structures, copied by chain_read, no longer count.) */
__attribute__((noinline)) static void check_low_area(const struct image *im, const struct chain *c)
{
    const char *what = 0;
    uint64_t bad;
    if (!memmap_usable(&c->map, LOW_START, LOW_END, &bad))
        what = "memory that is not usable RAM";
    else if (overlaps(LOW_START, LOW_END, c->image_start, c->image_end))
        what = "the image module";
    for (uint32_t i = 0; !what && i < c->extra_count; i++)
        if (overlaps(LOW_START, LOW_END, c->extra[i].start, c->extra[i].end))
            what = c->extra[i].string;
    for (uint32_t i = 0; !what && i < im->header->section_count; i++) {
        const struct mimg_section *s = &im->section[i];
        if (s->type == MIMG_TYPE_RESERVED && overlaps(LOW_START, LOW_END, s->dest, s->dest + s->mem_size))
            what = im->strtab + s->name_off; /* to be left as the firmware set it */
    }
    if (what)
        die(STAGE, "video mode: the BIOS call area [0x%x,0x%x) holds '%s'", LOW_START, LOW_END, what);
}

static uint16_t vbe_call(uint32_t ax, uint32_t bx, uint32_t cx, void *buf)
{
    struct bios_regs r = { .eax = ax, .ebx = bx, .ecx = cx, .edi = rm_offset(buf), .es = rm_segment(buf) };
    bios_int(INT_VIDEO, &r);
    return (uint16_t)r.eax;
}

__attribute__((noinline)) static uint32_t dist(uint32_t want, uint32_t got)
{
    return want == 0 ? 0 : want > got ? want - got : got - want;
}

/* Lower is closer: the difference in resolution first, then in depth; a
 * depth of "any" prefers the deepest. */
static uint32_t score(const struct mimg_header *h, const struct vbe_mode *m)
{
    uint32_t depth = h->fb_depth ? dist(h->fb_depth, m->bpp) : 32u - m->bpp;
    return (dist(h->fb_width, m->width) + dist(h->fb_height, m->height)) << 8 | depth;
}

static bool matches(const struct mimg_header *h, const struct framebuffer *fb)
{
    return !dist(h->fb_width, fb->width) && !dist(h->fb_height, fb->height) &&
           (fb->type == FB_TEXT || !dist(h->fb_depth, fb->bpp));
}

/* The linear modes of the VBE's list that mimgload can describe: direct
 * colour, 15 to 32 bits per pixel. Returns the closest (the first listed
 * among equals), or 0 without VBE 2.0 or such a mode. */
__attribute__((noinline)) static uint32_t vbe_pick(const struct mimg_header *h)
{
    struct vbe_info *vi = VBE_INFO_BUF;
    struct vbe_mode *vm = VBE_MODE_BUF;
    memcpy(vi->signature, "VBE2", 4);
    if (vbe_call(VBE_INFO, 0, 0, vi) != VBE_OK || memcmp(vi->signature, "VESA", 4) || vi->version < 0x200)
        return 0;
    const uint16_t *list = (const uint16_t *)((uint32_t)vi->modes_seg * 16 + vi->modes_off);
    uint32_t best = 0, best_score = UINT32_MAX;
    for (uint32_t i = 0; i < VBE_LIST_MAX && list[i] != VBE_LIST_END; i++) {
        if (vbe_call(VBE_MODE_INFO, 0, list[i], vm) != VBE_OK || (vm->attributes & MODE_USABLE) != MODE_USABLE ||
            (vm->model != MODEL_DIRECT && vm->model != MODEL_PACKED) || vm->bpp < 15 || vm->bpp > 32 || !vm->lfb)
            continue;
        uint32_t s = score(h, vm);
        if (s < best_score) {
            best_score = s;
            best = list[i];
        }
    }
    return best;
}

/* c->fb for VBE mode `mode`, from its mode information (left in VBE_MODE_BUF). */
__attribute__((noinline)) static void describe_mode(struct chain *c, uint32_t mode)
{
    const struct vbe_info *vi = VBE_INFO_BUF;
    const struct vbe_mode *vm = VBE_MODE_BUF;
    vbe_call(VBE_MODE_INFO, 0, mode, VBE_MODE_BUF);
    bool v3 = vi->version >= 0x300; /* whose linear modes have their own pitch and masks */
    const uint8_t *rgb = v3 ? vm->lin_rgb : vm->rgb;
    struct framebuffer *fb = &c->fb;
    *fb = (struct framebuffer){
        .addr = vm->lfb, .pitch = v3 ? vm->lin_pitch : vm->pitch, .width = vm->width, .height = vm->height,
        .bpp = vm->bpp, .type = FB_RGB, .vbe_mode = (uint16_t)mode,
        .red_pos = rgb[1], .red_size = rgb[0], .green_pos = rgb[3], .green_size = rgb[2],
        .blue_pos = rgb[5], .blue_size = rgb[4],
    };
    if (!rgb[0]) { /* packed-pixel modes may leave the masks out: the usual layouts */
        uint8_t b = vm->bpp <= 16 ? 5 : 8, g = vm->bpp == 16 ? 6 : b;
        fb->blue_size = fb->red_size = b;
        fb->green_pos = b;
        fb->green_size = g;
        fb->red_pos = b + g;
    }
}

static void text_mode(struct chain *c)
{
    struct bios_regs r = { .eax = VGA_TEXT_MODE };
    bios_int(INT_VIDEO, &r);
    c->fb = (struct framebuffer){ .addr = 0xB8000, .pitch = 160, .width = 80, .height = 25, .bpp = 16, .type = FB_TEXT };
}

void video_console(const struct chain *c)
{
    if (c->fb.type == FB_RGB)
        console_use_framebuffer(c->fb.addr, c->fb.pitch, c->fb.width, c->fb.height, c->fb.bpp, &c->fb.red_pos);
    else
        console_screen(c->efi ? 0 : con_vga);
}

void video_setup(const struct image *im, struct chain *c)
{
    const struct mimg_header *h = im->header;
    struct framebuffer given = c->fb;
    bool text = h->fb_flags & MIMG_FBREQ_TEXT, required = h->fb_flags & MIMG_FBREQ_REQUIRED;
    const char *how = "the chain loader's"; /* whose mode number mimgload does not know: 0 */
    uint32_t mode = 0;

    c->fb.type = FB_NONE;
    if (!(h->fb_flags & MIMG_FBREQ_REQUESTED))
        return;
    if (given.type == (text ? FB_TEXT : FB_RGB) && matches(h, &given)) {
        c->fb = given; /* GRUB with gfxpayload, say: already the mode asked for */
    } else if (c->efi) {
        /* UEFI: no BIOS to change modes. The firmware's framebuffer (GOP,
         * from BOOTX64.EFI) is the one there is: the closest mode. */
        if (required)
            die(STAGE, "video mode %ux%ux%u is required, but there is no BIOS to set it", h->fb_width, h->fb_height,
                h->fb_depth);
        if (text || given.type != FB_RGB) {
            con_line(CON_SERIAL, STAGE ": video mode: no BIOS, none set");
            return;
        }
        c->fb = given;
        how = "the firmware's";
    } else {
        check_low_area(im, c);
        mode = text ? 0 : vbe_pick(h);
        if (mode) {
            describe_mode(c, mode);
            if (required && !matches(h, &c->fb))
                die(STAGE, "video mode %ux%ux%u is required; the closest the firmware has is %ux%ux%u", h->fb_width,
                    h->fb_height, h->fb_depth, c->fb.width, c->fb.height, c->fb.bpp);
            if (vbe_call(VBE_SET_MODE, mode | VBE_LFB, 0, 0) == VBE_OK) {
                memcpy(c->vbe_control, VBE_INFO_BUF, VBE_CONTROL_SIZE);
                memcpy(c->vbe_mode_info, VBE_MODE_BUF, VBE_MODE_INFO_SIZE);
                how = "VBE";
            } else if (required) {
                die(STAGE, "video mode: VBE mode 0x%x failed to set", mode);
            } else {
                mode = 0; /* best-effort: text mode, below */
            }
        }
        if (!mode) {
            if (required && (!text || dist(h->fb_width, 80) | dist(h->fb_height, 25)))
                die(STAGE, "video mode %ux%ux%u is required; the firmware has no such mode", h->fb_width, h->fb_height,
                    h->fb_depth);
            text_mode(c); /* asked for, or the fallback of a graphics mode */
            mode = VGA_TEXT_MODE;
            how = "VGA";
        }
    }
    con_line(CON_SERIAL, STAGE ": video mode %ux%ux%u (%s mode 0x%x) at 0x%lx, asked for %ux%ux%u", c->fb.width,
             c->fb.height, c->fb.bpp, how, mode, c->fb.addr, h->fb_width, h->fb_height, h->fb_depth);
    video_console(c);
}
