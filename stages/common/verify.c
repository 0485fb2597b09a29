/* mimg_verify: the rules of docs/format/mimg.md section 8, one function per
 * rule, run in rule order until one fails.
 *
 * Rules 1-6 are gates: once they hold, the head [0, head_end) lies inside the
 * image and its checksums match, and the header and section table are read by
 * overlaying the structures of mimg_format.h. Every later check mirrors one in
 * src/formats/mimg/decode.ts or verify.ts and reports the same code and
 * `where`, so test/stages/verifier.test.ts can compare the two verdicts.
 *
 * Arithmetic never wraps (section 1 of the spec): a sum of two 64-bit fields
 * is compared as `b > limit - a`, and offsets and sizes are bounded by the
 * 32-bit image size before they are added or used as pointers. */

#include <stdarg.h>
#include <stddef.h>

#include "crc32.h"
#include "fmt.h"
#include "mimg_format.h"
#include "sha256.h"
#include "verify.h"
#include "xxh64.h"

/* Error codes, as src/diagnostics/codes.ts and docs/errors.md define them. */
#define CODE_MAGIC     "MIMG_MAGIC"
#define CODE_VERSION   "MIMG_VERSION"
#define CODE_TRUNCATED "MIMG_TRUNCATED"
#define CODE_CHECKSUM  "MIMG_CHECKSUM"
#define CODE_FIELD     "MIMG_FIELD"
#define CODE_ORDER     "MIMG_ORDER"
#define CODE_DIGEST    "MIMG_DIGEST"

#define MAGIC_SIZE        (sizeof MIMG_MAGIC - 1)   /* the literal's NUL is not part of it */
#define DIGEST_FIELD_SIZE (sizeof ((const struct mimg_section *)0)->digest)
#define XXH64_SIZE        8                         /* an xxh64 digest fills bytes 0-7 of the field */
/* protected32 and real16 images must end at or below 4 GiB (rule 12). */
#define LIMIT_32          (UINT64_C(1) << 32)
#define RO_RW             (MIMG_FLAG_RO | MIMG_FLAG_RW)

struct verifier {
    const uint8_t *image;
    uint32_t size;
    char *msg;
    uint32_t msg_len;
    const struct mimg_header *h;        /* set by rule 1 */
    /* Set by rule 5. */
    const struct mimg_section *sec;
    const char *strtab;
    uint32_t head_end;
};

/* The error code and `where` of a failure, as three arguments of fail():
 * the code, the field's name after 'H' (a header field, at its offset) or
 * 'S' (a field of section at), and at. Naming a field of mimg_format.h: a
 * misspelt name does not compile. */
#define AT_HEADER(code, field) \
    code, "H" #field, ((void)sizeof ((const struct mimg_header *)0)->field, (uint32_t)offsetof(struct mimg_header, field))
#define AT_SECTION(code, i, field) \
    code, "S" #field, ((void)sizeof ((const struct mimg_section *)0)->field, (uint32_t)(i))

/* Writes "CODE where: what" into msg and returns the rule's number, with
 * `where` as the TypeScript verifier writes it: `offset 0x58 (file_size)`
 * for a header field or another place in the file, `section 3 (dest)` for a
 * section's field. Control characters (a section name may hold any byte but
 * NUL) become spaces, so the message stays one line on a serial console.
 * The free text is short: code and place say what failed, and `mimg
 * verify` on the host explains it at length. */
static int fail(struct verifier *v, enum mimg_rule rule, const char *code, const char *field, uint32_t at,
                const char *what, ...)
{
    uint32_t n = fmt(v->msg, v->msg_len, field[0] == 'H' ? "%s offset 0x%x (%s): " : "%s section %u (%s): ", code, at,
                     field + 1);

    if (n < v->msg_len) {
        va_list ap;

        va_start(ap, what);
        vfmt(v->msg + n, v->msg_len - n, what, ap);
        va_end(ap);
    }
    for (char *c = v->msg; v->msg_len > 0 && *c != '\0'; c++)
        if ((uint8_t)*c < 0x20 || *c == 0x7f)
            *c = ' ';
    return rule;
}

/* Free texts that several failures share. */
static const char version[] = "version %u.%u";
static const char bad_crc[] = "0x%x, CRC-32 0x%x";
static const char not_zero[] = "not zero";
static const char past_end[] = "past the end of the image";
static const char differs[] = "differs from section %u";

static int all_zero(const void *p, uint32_t n)
{
    const uint8_t *b = p;

    for (uint32_t i = 0; i < n; i++)
        if (b[i] != 0)
            return 0;
    return 1;
}

/* Rule 1. As in decode.ts, the magic is compared over the bytes present
 * before the length is checked, so a short file that is no .mimg at all is
 * MIMG_MAGIC, and a short .mimg MIMG_TRUNCATED. */
static int check_magic(struct verifier *v)
{
    uint32_t n = v->size < MAGIC_SIZE ? v->size : MAGIC_SIZE;

    for (uint32_t i = 0; i < n; i++)
        if (v->image[i] != (uint8_t)MIMG_MAGIC[i])
            return fail(v, MIMG_RULE_MAGIC, AT_HEADER(CODE_MAGIC, magic), "not a .mimg image");
    if (v->size < MIMG_HEADER_SIZE)
        return fail(v, MIMG_RULE_MAGIC, CODE_TRUNCATED, "Hheader", 0, "0x%x bytes", v->size);
    v->h = (const struct mimg_header *)v->image;
    return 0;
}

/* Rule 2 (spec section 10): a reader of 1.N reads 1.0 to 1.N. */
static int check_version(struct verifier *v)
{
    const struct mimg_header *h = v->h;

    if (h->version_major != MIMG_VERSION_MAJOR)
        return fail(v, MIMG_RULE_VERSION, AT_HEADER(CODE_VERSION, version_major), version, h->version_major, h->version_minor);
    if (h->version_minor > MIMG_VERSION_MINOR)
        return fail(v, MIMG_RULE_VERSION, AT_HEADER(CODE_VERSION, version_minor), version, h->version_major, h->version_minor);
    return 0;
}

/* Rule 3: the CRC of the 128 header bytes with header_crc32 taken as zero. */
static int check_header_checksum(struct verifier *v)
{
    static const uint8_t zero[sizeof ((const struct mimg_header *)0)->header_crc32];
    const uint32_t at = offsetof(struct mimg_header, header_crc32);
    const uint32_t after = at + sizeof zero;
    uint32_t crc = crc32(0, v->image, at);

    crc = crc32(crc, zero, sizeof zero);
    crc = crc32(crc, v->image + after, MIMG_HEADER_SIZE - after);
    if (crc != v->h->header_crc32)
        return fail(v, MIMG_RULE_HEADER_CHECKSUM, AT_HEADER(CODE_CHECKSUM, header_crc32), bad_crc, v->h->header_crc32, crc);
    return 0;
}

/* Rule 4: the head's layout is fixed by section_count alone. */
static int check_geometry(struct verifier *v)
{
    const struct mimg_header *h = v->h;
    uint64_t strtab_offset = MIMG_HEADER_SIZE + (uint64_t)MIMG_SECTION_SIZE * h->section_count;
    static const char must[] = "must be 0x%lx";

    if (h->header_size != MIMG_HEADER_SIZE)
        return fail(v, MIMG_RULE_GEOMETRY, AT_HEADER(CODE_FIELD, header_size), must, (uint64_t)MIMG_HEADER_SIZE);
    if (h->section_table_offset != MIMG_HEADER_SIZE)
        return fail(v, MIMG_RULE_GEOMETRY, AT_HEADER(CODE_FIELD, section_table_offset), must, (uint64_t)MIMG_HEADER_SIZE);
    if (h->section_entry_size != MIMG_SECTION_SIZE)
        return fail(v, MIMG_RULE_GEOMETRY, AT_HEADER(CODE_FIELD, section_entry_size), must, (uint64_t)MIMG_SECTION_SIZE);
    if (h->strtab_offset != strtab_offset)
        return fail(v, MIMG_RULE_GEOMETRY, AT_HEADER(CODE_FIELD, strtab_offset), must, strtab_offset);
    return 0;
}

/* Rule 5. From here on the section and string tables can be read. */
static int check_head_inside_file(struct verifier *v)
{
    const struct mimg_header *h = v->h;
    uint64_t head_end = (uint64_t)h->strtab_offset + h->strtab_size;

    if (head_end > v->size)
        return fail(v, MIMG_RULE_HEAD_INSIDE_FILE, AT_HEADER(CODE_TRUNCATED, strtab_size),
                    past_end);
    v->head_end = (uint32_t)head_end;
    v->sec = (const struct mimg_section *)(v->image + MIMG_HEADER_SIZE);  /* = section_table_offset, rule 4 */
    v->strtab = (const char *)v->image + h->strtab_offset;
    return 0;
}

/* Rule 6: the CRC of [128, head_end), section table then string table. */
static int check_table_checksum(struct verifier *v)
{
    uint32_t crc = crc32(0, v->image + MIMG_HEADER_SIZE, v->head_end - MIMG_HEADER_SIZE);

    if (crc != v->h->table_crc32)
        return fail(v, MIMG_RULE_TABLE_CHECKSUM, AT_HEADER(CODE_CHECKSUM, table_crc32), bad_crc, v->h->table_crc32, crc);
    return 0;
}

/* Rule 7, over the reserved fields mimg_format.h lists. */
static int check_reserved(struct verifier *v)
{
    const struct mimg_header *h = v->h;

#define HEADER_FIELD(f)                                                                  \
    if (!all_zero(&h->f, sizeof h->f))                                                   \
        return fail(v, MIMG_RULE_RESERVED, AT_HEADER(CODE_FIELD, f), not_zero);
    MIMG_HEADER_RESERVED(HEADER_FIELD)
    if (h->version_minor < MIMG_FRAMEBUFFER_MINOR) { /* the framebuffer request is reserved in 1.0 */
        HEADER_FIELD(fb_width)
        HEADER_FIELD(fb_height)
        HEADER_FIELD(fb_depth)
        HEADER_FIELD(fb_flags)
    }
#undef HEADER_FIELD

    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];

#define SECTION_FIELD(f)                                                                 \
        if (!all_zero(&s->f, sizeof s->f))                                               \
            return fail(v, MIMG_RULE_RESERVED, AT_SECTION(CODE_FIELD, i, f), not_zero);
        MIMG_SECTION_RESERVED(SECTION_FIELD)
#undef SECTION_FIELD
    }
    return 0;
}

/* Rule 8. */
static int check_known_values(struct verifier *v)
{
    const struct mimg_header *h = v->h;
    static const char unknown[] = "unknown %u";

    if (!mimg_known_protocol(h->protocol))
        return fail(v, MIMG_RULE_KNOWN_VALUES, AT_HEADER(CODE_FIELD, protocol), unknown, h->protocol);
    if (!mimg_known_cpu_mode(h->cpu_mode))
        return fail(v, MIMG_RULE_KNOWN_VALUES, AT_HEADER(CODE_FIELD, cpu_mode), unknown, h->cpu_mode);
    if (!mimg_known_digest_alg(h->digest_alg))
        return fail(v, MIMG_RULE_KNOWN_VALUES, AT_HEADER(CODE_FIELD, digest_alg), unknown, h->digest_alg);
    for (uint32_t i = 0; i < h->section_count; i++)
        if (!mimg_known_type(v->sec[i].type))
            return fail(v, MIMG_RULE_KNOWN_VALUES, AT_SECTION(CODE_FIELD, i, type), unknown, v->sec[i].type);
    return 0;
}

/* Rule 9: section flags, and the framebuffer request's, checked in the
 * order decode.ts checks them. */
static int check_flags(struct verifier *v)
{
    const struct mimg_header *h = v->h;
    uint32_t fb = h->fb_flags;

    if ((fb & ~(uint32_t)MIMG_FBREQ_FLAGS_KNOWN) != 0 || (fb != 0 && !(fb & MIMG_FBREQ_REQUESTED)))
        return fail(v, MIMG_RULE_FLAGS, AT_HEADER(CODE_FIELD, fb_flags), "0x%x invalid", fb);
    if (fb == 0 && (h->fb_width | h->fb_height | h->fb_depth) != 0)
        return fail(v, MIMG_RULE_FLAGS, AT_HEADER(CODE_FIELD, fb_width), "no request");
    if ((fb & MIMG_FBREQ_TEXT) && h->fb_depth != 0)
        return fail(v, MIMG_RULE_FLAGS, AT_HEADER(CODE_FIELD, fb_depth), "text mode");
    for (uint32_t i = 0; i < v->h->section_count; i++) {
        uint32_t flags = v->sec[i].flags;

        if ((flags & ~(uint32_t)MIMG_FLAGS_KNOWN) != 0 || (flags & RO_RW) == RO_RW)
            return fail(v, MIMG_RULE_FLAGS, AT_SECTION(CODE_FIELD, i, flags), "0x%x invalid", flags);
    }
    return 0;
}

/* Rule 10 for one string: whether [off, off + len) is NUL-free and followed
 * by a NUL inside the string table. */
static int string_ok(const struct verifier *v, uint32_t off, uint32_t len)
{
    if ((uint64_t)off + len >= v->h->strtab_size)
        return 0;
    for (uint32_t i = 0; i < len; i++)
        if (v->strtab[off + i] == '\0')
            return 0;
    return v->strtab[off + len] == '\0';
}

static const char bad_string[] = "bad string";

/* Rule 10. */
static int check_strings(struct verifier *v)
{
    const struct mimg_header *h = v->h;

    if (!string_ok(v, h->cmdline_off, h->cmdline_len))
        return fail(v, MIMG_RULE_STRINGS, AT_HEADER(CODE_FIELD, cmdline_off), bad_string);
    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];

        if (!string_ok(v, s->name_off, s->name_len))
            return fail(v, MIMG_RULE_STRINGS, AT_SECTION(CODE_FIELD, i, name_off), bad_string);
        if (!string_ok(v, s->cmdline_off, s->cmdline_len))
            return fail(v, MIMG_RULE_STRINGS, AT_SECTION(CODE_FIELD, i, cmdline_off), bad_string);
    }
    return 0;
}

/* Rule 11. A file_size that does not fit in 32 bits is always too large. */
static int check_file_size(struct verifier *v)
{
    const struct mimg_header *h = v->h;

    if (h->file_size != v->size)
        return fail(v, MIMG_RULE_FILE_SIZE,
                    h->file_size > v->size ? CODE_TRUNCATED : CODE_FIELD, "Hfile_size",
                    (uint32_t)offsetof(struct mimg_header, file_size), "the image has 0x%x bytes", v->size);
    return 0;
}

/* Rule 12's part for vaddr (format 1.1): 0, or an exec section of a long64
 * image mapped inside the upper half with dest's offset in its page. */
#define UPPER_HALF UINT64_C(0xFFFF800000000000)
#define MAP_PAGE_MASK UINT64_C(0xFFF)

static int vaddr_ok(const struct mimg_header *h, const struct mimg_section *s)
{
    return s->vaddr == 0 ||
           (h->version_minor >= 1 && h->cpu_mode == MIMG_CPU_LONG64 && s->type == MIMG_TYPE_EXEC &&
            s->vaddr >= UPPER_HALF && s->mem_size - 1 <= UINT64_MAX - s->vaddr &&
            ((s->vaddr ^ s->dest) & MAP_PAGE_MASK) == 0);
}

/* Whether sections a and b, both with a valid vaddr, map a common virtual
 * page to different physical pages. */
static int vaddr_clash(const struct mimg_section *a, const struct mimg_section *b)
{
    return a->vaddr && b->vaddr && (a->vaddr & ~MAP_PAGE_MASK) <= b->vaddr + b->mem_size - 1 &&
           (b->vaddr & ~MAP_PAGE_MASK) <= a->vaddr + a->mem_size - 1 && a->vaddr - a->dest != b->vaddr - b->dest;
}

/* Rule 12: mem_size > 0 and dest + mem_size <= 2^64, or <= 2^32 below long
 * mode; and vaddr as above, no two mappings disagreeing on a page. */
static int check_section_extent(struct verifier *v)
{
    const struct mimg_header *h = v->h;

    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];
        /* dest + mem_size <= 2^64 (without forming 2^64), or <= 2^32. */
        int too_far = h->cpu_mode == MIMG_CPU_LONG64 ? s->mem_size - 1 > UINT64_MAX - s->dest
                                                     : s->dest > LIMIT_32 || s->mem_size > LIMIT_32 - s->dest;

        if (s->mem_size == 0 || too_far)
            return fail(v, MIMG_RULE_SECTION_EXTENT, AT_SECTION(CODE_FIELD, i, mem_size),
                        "'%s' is empty or out of reach", v->strtab + s->name_off);
        if (!vaddr_ok(h, s))
            return fail(v, MIMG_RULE_SECTION_EXTENT, AT_SECTION(CODE_FIELD, i, vaddr), "bad vaddr");
        for (uint32_t j = 0; j < i; j++)
            if (vaddr_clash(&v->sec[j], s))
                return fail(v, MIMG_RULE_SECTION_EXTENT, AT_SECTION(CODE_FIELD, i, vaddr), differs, j);
    }
    return 0;
}

/* Rule 13. With every mem_size > 0 (rule 12), comparing neighbours is enough:
 * sorted and adjacent-disjoint sections are pairwise disjoint. */
static int check_order(struct verifier *v)
{
    for (uint32_t i = 1; i < v->h->section_count; i++) {
        const struct mimg_section *prev = &v->sec[i - 1], *s = &v->sec[i];

        if (s->dest < prev->dest || s->dest - prev->dest < prev->mem_size)
            return fail(v, MIMG_RULE_ORDER, AT_SECTION(CODE_ORDER, i, dest),
                        "'%s' overlaps or precedes section %u", v->strtab + s->name_off, i - 1);
    }
    return 0;
}

/* exec and module sections may carry a payload; zero, bootinfo and reserved
 * never do (spec section 3). */
static int may_have_payload(uint32_t type)
{
    return type == MIMG_TYPE_EXEC || type == MIMG_TYPE_MODULE;
}

/* Rule 14. */
static int check_payload_fields(struct verifier *v)
{
    for (uint32_t i = 0; i < v->h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];

        if (s->file_size > s->mem_size || (!may_have_payload(s->type) && s->file_size != 0))
            return fail(v, MIMG_RULE_PAYLOAD_FIELDS, AT_SECTION(CODE_FIELD, i, file_size),
                        "over mem_size, or type %u has no payload", s->type);
        if (s->file_size == 0) {
            if (s->file_offset != 0)
                return fail(v, MIMG_RULE_PAYLOAD_FIELDS, AT_SECTION(CODE_FIELD, i, file_offset), not_zero);
            if (!all_zero(s->digest, DIGEST_FIELD_SIZE))
                return fail(v, MIMG_RULE_PAYLOAD_FIELDS, AT_SECTION(CODE_FIELD, i, digest), not_zero);
        } else if (v->h->digest_alg == MIMG_DIGEST_XXH64 && !all_zero(s->digest + XXH64_SIZE, DIGEST_FIELD_SIZE - XXH64_SIZE)) {
            return fail(v, MIMG_RULE_PAYLOAD_FIELDS, AT_SECTION(CODE_FIELD, i, digest), not_zero);
        }
    }
    return 0;
}

/* Rule 15. Each payload is bounded by the image size before the next is
 * compared with it, so payload ends fit in 32 bits. */
static int check_payload_placement(struct verifier *v)
{
    uint32_t prev = 0, prev_end = 0;  /* the previous payload; prev_end 0 while there is none */

    for (uint32_t i = 0; i < v->h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];

        if (s->file_size == 0)
            continue;
        if ((s->file_offset & (MIMG_PAYLOAD_ALIGN - 1)) != 0 || s->file_offset < v->head_end)
            return fail(v, MIMG_RULE_PAYLOAD_PLACEMENT, AT_SECTION(CODE_FIELD, i, file_offset),
                        "not 4 KiB-aligned, or in the head");
        if (s->file_size > v->size || s->file_offset > v->size - s->file_size)
            return fail(v, MIMG_RULE_PAYLOAD_PLACEMENT, AT_SECTION(CODE_TRUNCATED, i, file_size),
                        past_end);
        if (s->file_offset < prev_end)
            return fail(v, MIMG_RULE_PAYLOAD_PLACEMENT, AT_SECTION(CODE_ORDER, i, file_offset),
                        "before section %u's payload ends", prev);
        prev = i;
        prev_end = (uint32_t)(s->file_offset + s->file_size);
    }
    return 0;
}

/* Rule 16. */
static int check_boot_information(struct verifier *v)
{
    const struct mimg_header *h = v->h;
    int found = 0;

    if (h->bootinfo_size == 0 && h->bootinfo_addr != 0)
        return fail(v, MIMG_RULE_BOOT_INFORMATION, AT_HEADER(CODE_FIELD, bootinfo_addr), not_zero);
    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];

        if (s->type != MIMG_TYPE_BOOTINFO)
            continue;
        if (h->bootinfo_size == 0 || found)
            return fail(v, MIMG_RULE_BOOT_INFORMATION, AT_SECTION(CODE_FIELD, i, type),
                        "extra bootinfo section");
        if (s->dest != h->bootinfo_addr)
            return fail(v, MIMG_RULE_BOOT_INFORMATION, AT_HEADER(CODE_FIELD, bootinfo_addr), differs, i);
        if (s->mem_size != h->bootinfo_size)
            return fail(v, MIMG_RULE_BOOT_INFORMATION, AT_HEADER(CODE_FIELD, bootinfo_size),
                        differs, i);
        found = 1;
    }
    if (h->bootinfo_size != 0 && !found)
        return fail(v, MIMG_RULE_BOOT_INFORMATION, AT_HEADER(CODE_FIELD, bootinfo_size), "no bootinfo section");
    return 0;
}

/* Rule 17. */
static int check_entry(struct verifier *v)
{
    const struct mimg_header *h = v->h;

    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];

        if (s->type == MIMG_TYPE_EXEC && s->dest <= h->entry && h->entry - s->dest < s->mem_size)
            return 0;
    }
    return fail(v, MIMG_RULE_ENTRY, AT_HEADER(CODE_FIELD, entry), "outside exec sections");
}

/* Rule 18 for the padding [start, end). */
static int check_zero_range(struct verifier *v, uint32_t start, uint32_t end)
{
    for (uint32_t at = start; at < end; at++)
        if (v->image[at] != 0)
            return fail(v, MIMG_RULE_PADDING, CODE_FIELD, "Hpadding", at, "0x%x, not zero", v->image[at]);
    return 0;
}

/* Rule 18. Rule 15 holds, so the payloads lie in section order after the
 * head and the padding is the gaps between them and after the last. */
static int check_padding(struct verifier *v)
{
    uint32_t pos = v->head_end;
    int rule;

    for (uint32_t i = 0; i < v->h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];

        if (s->file_size == 0)
            continue;
        if ((rule = check_zero_range(v, pos, (uint32_t)s->file_offset)) != 0)
            return rule;
        pos = (uint32_t)(s->file_offset + s->file_size);
    }
    return check_zero_range(v, pos, v->size);
}

/* Rule 19, with the digest of section 7. */
static int check_digests(struct verifier *v)
{
    for (uint32_t i = 0; i < v->h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];
        uint32_t offset = (uint32_t)s->file_offset, len = (uint32_t)s->file_size;
        uint8_t computed[DIGEST_FIELD_SIZE] = { 0 };

        if (len == 0)
            continue;
        if (v->h->digest_alg == MIMG_DIGEST_SHA256) {
            sha256(v->image + offset, len, computed);
        } else {
            uint64_t x = xxh64(v->image + offset, len);

            for (uint32_t j = 0; j < XXH64_SIZE; j++, x >>= 8)
                computed[j] = (uint8_t)x;
        }
        for (uint32_t j = 0; j < DIGEST_FIELD_SIZE; j++)
            if (computed[j] != s->digest[j])
                return fail(v, MIMG_RULE_DIGESTS, AT_SECTION(CODE_DIGEST, i, digest),
                            "'%s': payload does not match", v->strtab + s->name_off);
    }
    return 0;
}

int mimg_verify(const uint8_t *image, uint32_t size, char *msg, uint32_t msg_len)
{
    struct verifier v;
    int rule;

    v.image = image;
    v.size = size;
    v.msg = msg;
    v.msg_len = msg_len;
    if (msg_len > 0)
        msg[0] = '\0';

    if ((rule = check_magic(&v)) != 0 ||
        (rule = check_version(&v)) != 0 ||
        (rule = check_header_checksum(&v)) != 0 ||
        (rule = check_geometry(&v)) != 0 ||
        (rule = check_head_inside_file(&v)) != 0 ||
        (rule = check_table_checksum(&v)) != 0 ||
        (rule = check_reserved(&v)) != 0 ||
        (rule = check_known_values(&v)) != 0 ||
        (rule = check_flags(&v)) != 0 ||
        (rule = check_strings(&v)) != 0 ||
        (rule = check_file_size(&v)) != 0 ||
        (rule = check_section_extent(&v)) != 0 ||
        (rule = check_order(&v)) != 0 ||
        (rule = check_payload_fields(&v)) != 0 ||
        (rule = check_payload_placement(&v)) != 0 ||
        (rule = check_boot_information(&v)) != 0 ||
        (rule = check_entry(&v)) != 0 ||
        (rule = check_padding(&v)) != 0 ||
        (rule = check_digests(&v)) != 0)
        return rule;
    return 0;
}
