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
/* Fits the longest `where`: "offset 0x20 (section_table_offset)", "section 4294967295 (cmdline_off)". */
#define WHERE_SIZE        40

struct verifier {
    const uint8_t *image;
    uint32_t size;
    char *msg;
    uint32_t msg_len;
    char where[WHERE_SIZE];
    const struct mimg_header *h;        /* set by rule 1 */
    /* Set by rule 5. */
    const struct mimg_section *sec;
    const char *strtab;
    uint32_t head_end;
};

/* `offset 0x58 (file_size)`: a header field, or another place in the file. */
static const char *at_offset(struct verifier *v, uint32_t offset, const char *what)
{
    fmt(v->where, sizeof v->where, "offset 0x%x (%s)", offset, what);
    return v->where;
}

/* `section 3 (dest)`. */
static const char *at_section(struct verifier *v, uint32_t i, const char *field)
{
    fmt(v->where, sizeof v->where, "section %u (%s)", i, field);
    return v->where;
}

/* The same, naming a field of mimg_format.h; a misspelt name does not compile. */
#define AT_HEADER(v, field) at_offset(v, (uint32_t)offsetof(struct mimg_header, field), #field)
#define AT_SECTION(v, i, field) ((void)sizeof ((const struct mimg_section *)0)->field, at_section(v, i, #field))

/* Writes "CODE where: what" into msg and returns the rule's number. Control
 * characters (a section name may hold any byte but NUL) become spaces, so
 * the message stays one line on a serial console. */
static int fail(struct verifier *v, enum mimg_rule rule, const char *code, const char *where, const char *what, ...)
{
    uint32_t n = fmt(v->msg, v->msg_len, "%s %s: ", code, where);

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

/* `section 3 'kernel:bss' [0x103000,0x104000)`, once rules 10 and 12 hold. */
#define SECTION_FMT "section %u '%s' [0x%lx,0x%lx)"
#define SECTION_ARGS(v, i) (i), (v)->strtab + (v)->sec[i].name_off, (v)->sec[i].dest, (v)->sec[i].dest + (v)->sec[i].mem_size

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
            return fail(v, MIMG_RULE_MAGIC, CODE_MAGIC, AT_HEADER(v, magic),
                        "not a .mimg image: it does not start with 4d 49 4d 47 0d 0a 1a 0a");
    if (v->size < MIMG_HEADER_SIZE)
        return fail(v, MIMG_RULE_MAGIC, CODE_TRUNCATED, at_offset(v, 0, "header"),
                    "the image has 0x%x bytes; the header needs 0x%x", v->size, (uint32_t)MIMG_HEADER_SIZE);
    v->h = (const struct mimg_header *)v->image;
    return 0;
}

/* Rule 2 (spec section 10): a reader of 1.N reads 1.0 to 1.N. */
static int check_version(struct verifier *v)
{
    const struct mimg_header *h = v->h;

    if (h->version_major != MIMG_VERSION_MAJOR)
        return fail(v, MIMG_RULE_VERSION, CODE_VERSION, AT_HEADER(v, version_major),
                    "format version %u.%u; this loader reads %u.0 to %u.%u", h->version_major, h->version_minor,
                    (uint32_t)MIMG_VERSION_MAJOR, (uint32_t)MIMG_VERSION_MAJOR, (uint32_t)MIMG_VERSION_MINOR);
    if (h->version_minor > MIMG_VERSION_MINOR)
        return fail(v, MIMG_RULE_VERSION, CODE_VERSION, AT_HEADER(v, version_minor),
                    "format version %u.%u is newer than this loader (%u.%u)", h->version_major, h->version_minor,
                    (uint32_t)MIMG_VERSION_MAJOR, (uint32_t)MIMG_VERSION_MINOR);
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
        return fail(v, MIMG_RULE_HEADER_CHECKSUM, CODE_CHECKSUM, AT_HEADER(v, header_crc32),
                    "header_crc32 is 0x%x, the header's CRC-32 is 0x%x", v->h->header_crc32, crc);
    return 0;
}

/* Rule 4: the head's layout is fixed by section_count alone. */
static int check_geometry(struct verifier *v)
{
    const struct mimg_header *h = v->h;
    uint64_t strtab_offset = MIMG_HEADER_SIZE + (uint64_t)MIMG_SECTION_SIZE * h->section_count;

    if (h->header_size != MIMG_HEADER_SIZE)
        return fail(v, MIMG_RULE_GEOMETRY, CODE_FIELD, AT_HEADER(v, header_size),
                    "header_size is 0x%x, must be 0x%x", h->header_size, (uint32_t)MIMG_HEADER_SIZE);
    if (h->section_table_offset != MIMG_HEADER_SIZE)
        return fail(v, MIMG_RULE_GEOMETRY, CODE_FIELD, AT_HEADER(v, section_table_offset),
                    "section_table_offset is 0x%lx, must be 0x%x", h->section_table_offset, (uint32_t)MIMG_HEADER_SIZE);
    if (h->section_entry_size != MIMG_SECTION_SIZE)
        return fail(v, MIMG_RULE_GEOMETRY, CODE_FIELD, AT_HEADER(v, section_entry_size),
                    "section_entry_size is 0x%x, must be 0x%x", h->section_entry_size, (uint32_t)MIMG_SECTION_SIZE);
    if (h->strtab_offset != strtab_offset)
        return fail(v, MIMG_RULE_GEOMETRY, CODE_FIELD, AT_HEADER(v, strtab_offset),
                    "strtab_offset is 0x%x, must be 0x%lx", h->strtab_offset, strtab_offset);
    return 0;
}

/* Rule 5. From here on the section and string tables can be read. */
static int check_head_inside_file(struct verifier *v)
{
    const struct mimg_header *h = v->h;
    uint64_t head_end = (uint64_t)h->strtab_offset + h->strtab_size;

    if (head_end > v->size)
        return fail(v, MIMG_RULE_HEAD_INSIDE_FILE, CODE_TRUNCATED, AT_HEADER(v, strtab_size),
                    "the string table ends at 0x%lx, past the 0x%x bytes of the image", head_end, v->size);
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
        return fail(v, MIMG_RULE_TABLE_CHECKSUM, CODE_CHECKSUM, AT_HEADER(v, table_crc32),
                    "table_crc32 is 0x%x, the CRC-32 of the section and string tables is 0x%x", v->h->table_crc32, crc);
    return 0;
}

/* Rule 7, over the reserved fields mimg_format.h lists. */
static int check_reserved(struct verifier *v)
{
    const struct mimg_header *h = v->h;

#define HEADER_FIELD(f)                                                                  \
    if (!all_zero(&h->f, sizeof h->f))                                                   \
        return fail(v, MIMG_RULE_RESERVED, CODE_FIELD, AT_HEADER(v, f), "reserved field " #f " is not zero");
    MIMG_HEADER_RESERVED(HEADER_FIELD)
#undef HEADER_FIELD

    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];

#define SECTION_FIELD(f)                                                                 \
        if (!all_zero(&s->f, sizeof s->f))                                               \
            return fail(v, MIMG_RULE_RESERVED, CODE_FIELD, AT_SECTION(v, i, f), "reserved field " #f " is not zero");
        MIMG_SECTION_RESERVED(SECTION_FIELD)
#undef SECTION_FIELD
    }
    return 0;
}

/* Rule 8. */
static int check_known_values(struct verifier *v)
{
    const struct mimg_header *h = v->h;

    if (!mimg_known_protocol(h->protocol))
        return fail(v, MIMG_RULE_KNOWN_VALUES, CODE_FIELD, AT_HEADER(v, protocol), "unknown value %u", h->protocol);
    if (!mimg_known_cpu_mode(h->cpu_mode))
        return fail(v, MIMG_RULE_KNOWN_VALUES, CODE_FIELD, AT_HEADER(v, cpu_mode), "unknown value %u", h->cpu_mode);
    if (!mimg_known_digest_alg(h->digest_alg))
        return fail(v, MIMG_RULE_KNOWN_VALUES, CODE_FIELD, AT_HEADER(v, digest_alg), "unknown value %u", h->digest_alg);
    for (uint32_t i = 0; i < h->section_count; i++)
        if (!mimg_known_type(v->sec[i].type))
            return fail(v, MIMG_RULE_KNOWN_VALUES, CODE_FIELD, AT_SECTION(v, i, type), "unknown value %u", v->sec[i].type);
    return 0;
}

/* Rule 9. */
static int check_flags(struct verifier *v)
{
    for (uint32_t i = 0; i < v->h->section_count; i++) {
        uint32_t flags = v->sec[i].flags;

        if ((flags & ~(uint32_t)MIMG_FLAGS_KNOWN) != 0)
            return fail(v, MIMG_RULE_FLAGS, CODE_FIELD, AT_SECTION(v, i, flags),
                        "unknown flag bits 0x%x", flags & ~(uint32_t)MIMG_FLAGS_KNOWN);
        if ((flags & RO_RW) == RO_RW)
            return fail(v, MIMG_RULE_FLAGS, CODE_FIELD, AT_SECTION(v, i, flags), "flags ro and rw are both set");
    }
    return 0;
}

/* Rule 10 for one string: NULL when [off, off + len) is NUL-free and
 * followed by a NUL inside the string table, else what is wrong with it. */
static const char *string_fault(const struct verifier *v, uint32_t off, uint32_t len)
{
    if ((uint64_t)off + len >= v->h->strtab_size)
        return "and its NUL do not fit in the string table";
    for (uint32_t i = 0; i < len; i++)
        if (v->strtab[off + i] == '\0')
            return "contains a NUL byte";
    if (v->strtab[off + len] != '\0')
        return "is not followed by a NUL byte";
    return NULL;
}

static int fail_string(struct verifier *v, const char *where, uint32_t off, uint32_t len, const char *why)
{
    return fail(v, MIMG_RULE_STRINGS, CODE_FIELD, where, "string [0x%x,0x%lx) %s", off, (uint64_t)off + len, why);
}

/* Rule 10. */
static int check_strings(struct verifier *v)
{
    const struct mimg_header *h = v->h;
    const char *why;

    if ((why = string_fault(v, h->cmdline_off, h->cmdline_len)) != NULL)
        return fail_string(v, AT_HEADER(v, cmdline_off), h->cmdline_off, h->cmdline_len, why);
    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];

        if ((why = string_fault(v, s->name_off, s->name_len)) != NULL)
            return fail_string(v, AT_SECTION(v, i, name_off), s->name_off, s->name_len, why);
        if ((why = string_fault(v, s->cmdline_off, s->cmdline_len)) != NULL)
            return fail_string(v, AT_SECTION(v, i, cmdline_off), s->cmdline_off, s->cmdline_len, why);
    }
    return 0;
}

/* Rule 11. A file_size that does not fit in 32 bits is always too large. */
static int check_file_size(struct verifier *v)
{
    const struct mimg_header *h = v->h;

    if (h->file_size != v->size)
        return fail(v, MIMG_RULE_FILE_SIZE, h->file_size > v->size ? CODE_TRUNCATED : CODE_FIELD, AT_HEADER(v, file_size),
                    "file_size is 0x%lx, the image has 0x%x bytes", h->file_size, v->size);
    return 0;
}

/* Rule 12: mem_size > 0 and dest + mem_size <= 2^64, or <= 2^32 below long mode. */
static int check_section_extent(struct verifier *v)
{
    const struct mimg_header *h = v->h;

    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];
        const char *name = v->strtab + s->name_off;

        if (s->mem_size == 0)
            return fail(v, MIMG_RULE_SECTION_EXTENT, CODE_FIELD, AT_SECTION(v, i, mem_size),
                        "section %u '%s' at 0x%lx is empty; mem_size must be > 0", i, name, s->dest);
        if (h->cpu_mode == MIMG_CPU_LONG64) {
            /* dest + mem_size <= 2^64, without forming 2^64. */
            if (s->mem_size - 1 > UINT64_MAX - s->dest)
                return fail(v, MIMG_RULE_SECTION_EXTENT, CODE_FIELD, AT_SECTION(v, i, mem_size),
                            "section %u '%s' at 0x%lx, 0x%lx bytes, runs past the end of the 64-bit address space",
                            i, name, s->dest, s->mem_size);
        } else if (s->dest > LIMIT_32 || s->mem_size > LIMIT_32 - s->dest) {
            return fail(v, MIMG_RULE_SECTION_EXTENT, CODE_FIELD, AT_SECTION(v, i, mem_size),
                        "section %u '%s' at 0x%lx, 0x%lx bytes, ends above 4 GiB, out of reach in %s mode",
                        i, name, s->dest, s->mem_size, h->cpu_mode == MIMG_CPU_REAL16 ? "real16" : "protected32");
        }
    }
    return 0;
}

/* Rule 13. With every mem_size > 0 (rule 12), comparing neighbours is enough:
 * sorted and adjacent-disjoint sections are pairwise disjoint. */
static int check_order(struct verifier *v)
{
    for (uint32_t i = 1; i < v->h->section_count; i++) {
        const struct mimg_section *prev = &v->sec[i - 1], *s = &v->sec[i];

        if (s->dest < prev->dest)
            return fail(v, MIMG_RULE_ORDER, CODE_ORDER, AT_SECTION(v, i, dest),
                        SECTION_FMT " comes after " SECTION_FMT "; sections must be sorted by dest",
                        SECTION_ARGS(v, i), SECTION_ARGS(v, i - 1));
        if (s->dest - prev->dest < prev->mem_size)
            return fail(v, MIMG_RULE_ORDER, CODE_ORDER, AT_SECTION(v, i, dest),
                        SECTION_FMT " overlaps " SECTION_FMT, SECTION_ARGS(v, i), SECTION_ARGS(v, i - 1));
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

        if (s->file_size > s->mem_size)
            return fail(v, MIMG_RULE_PAYLOAD_FIELDS, CODE_FIELD, AT_SECTION(v, i, file_size),
                        "file_size 0x%lx exceeds mem_size 0x%lx", s->file_size, s->mem_size);
        /* No type names here: a table of them would be pointers in data. */
        if (!may_have_payload(s->type) && s->file_size != 0)
            return fail(v, MIMG_RULE_PAYLOAD_FIELDS, CODE_FIELD, AT_SECTION(v, i, file_size),
                        "sections of type %u (zero, bootinfo, reserved) have no payload; file_size must be 0, not 0x%lx",
                        s->type, s->file_size);
        if (s->file_size == 0) {
            if (s->file_offset != 0)
                return fail(v, MIMG_RULE_PAYLOAD_FIELDS, CODE_FIELD, AT_SECTION(v, i, file_offset),
                            "file_offset must be 0 when file_size is 0, not 0x%lx", s->file_offset);
            if (!all_zero(s->digest, DIGEST_FIELD_SIZE))
                return fail(v, MIMG_RULE_PAYLOAD_FIELDS, CODE_FIELD, AT_SECTION(v, i, digest),
                            "digest must be all zero when file_size is 0");
        } else if (v->h->digest_alg == MIMG_DIGEST_XXH64 && !all_zero(s->digest + XXH64_SIZE, DIGEST_FIELD_SIZE - XXH64_SIZE)) {
            return fail(v, MIMG_RULE_PAYLOAD_FIELDS, CODE_FIELD, AT_SECTION(v, i, digest),
                        "an xxh64 digest uses bytes 0-7 only; bytes 8-31 must be zero");
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
        if ((s->file_offset & (MIMG_PAYLOAD_ALIGN - 1)) != 0)
            return fail(v, MIMG_RULE_PAYLOAD_PLACEMENT, CODE_FIELD, AT_SECTION(v, i, file_offset),
                        "payload offset 0x%lx is not a multiple of 0x%x", s->file_offset, (uint32_t)MIMG_PAYLOAD_ALIGN);
        if (s->file_offset < v->head_end)
            return fail(v, MIMG_RULE_PAYLOAD_PLACEMENT, CODE_FIELD, AT_SECTION(v, i, file_offset),
                        "payload at 0x%lx starts inside the head, which ends at 0x%x", s->file_offset, v->head_end);
        if (s->file_size > v->size || s->file_offset > v->size - s->file_size)
            return fail(v, MIMG_RULE_PAYLOAD_PLACEMENT, CODE_TRUNCATED, AT_SECTION(v, i, file_size),
                        "payload at 0x%lx, 0x%lx bytes, runs past the end of the image (0x%x bytes)",
                        s->file_offset, s->file_size, v->size);
        if (s->file_offset < prev_end)
            return fail(v, MIMG_RULE_PAYLOAD_PLACEMENT, CODE_ORDER, AT_SECTION(v, i, file_offset),
                        "payload [0x%x,0x%x) starts before the end of section %u's payload [0x%x,0x%x); "
                        "payloads must be disjoint and in section order",
                        (uint32_t)s->file_offset, (uint32_t)(s->file_offset + s->file_size),
                        prev, (uint32_t)v->sec[prev].file_offset, prev_end);
        prev = i;
        prev_end = (uint32_t)(s->file_offset + s->file_size);
    }
    return 0;
}

/* Rule 16. */
static int check_boot_information(struct verifier *v)
{
    const struct mimg_header *h = v->h;
    uint32_t first = 0;
    int found = 0;

    if (h->bootinfo_size == 0 && h->bootinfo_addr != 0)
        return fail(v, MIMG_RULE_BOOT_INFORMATION, CODE_FIELD, AT_HEADER(v, bootinfo_addr),
                    "bootinfo_addr is 0x%lx but bootinfo_size is 0; both must be 0 when there is no boot information",
                    h->bootinfo_addr);
    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];

        if (s->type != MIMG_TYPE_BOOTINFO)
            continue;
        if (h->bootinfo_size == 0)
            return fail(v, MIMG_RULE_BOOT_INFORMATION, CODE_FIELD, AT_SECTION(v, i, type),
                        SECTION_FMT " is a bootinfo section, but bootinfo_size is 0", SECTION_ARGS(v, i));
        if (found)
            return fail(v, MIMG_RULE_BOOT_INFORMATION, CODE_FIELD, AT_SECTION(v, i, type),
                        SECTION_FMT " is a second bootinfo section (the first is section %u)", SECTION_ARGS(v, i), first);
        if (s->dest != h->bootinfo_addr)
            return fail(v, MIMG_RULE_BOOT_INFORMATION, CODE_FIELD, AT_HEADER(v, bootinfo_addr),
                        "the boot information block at 0x%lx differs from " SECTION_FMT, h->bootinfo_addr, SECTION_ARGS(v, i));
        if (s->mem_size != h->bootinfo_size)
            return fail(v, MIMG_RULE_BOOT_INFORMATION, CODE_FIELD, AT_HEADER(v, bootinfo_size),
                        "the boot information block of 0x%lx bytes differs from " SECTION_FMT, h->bootinfo_size, SECTION_ARGS(v, i));
        found = 1;
        first = i;
    }
    if (h->bootinfo_size != 0 && !found)
        return fail(v, MIMG_RULE_BOOT_INFORMATION, CODE_FIELD, AT_HEADER(v, bootinfo_size),
                    "no bootinfo section holds the boot information block at 0x%lx, 0x%lx bytes", h->bootinfo_addr, h->bootinfo_size);
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
    return fail(v, MIMG_RULE_ENTRY, CODE_FIELD, AT_HEADER(v, entry), "entry 0x%lx is not inside an exec section", h->entry);
}

/* Rule 18 for the padding [start, end). */
static int check_zero_range(struct verifier *v, uint32_t start, uint32_t end)
{
    for (uint32_t at = start; at < end; at++)
        if (v->image[at] != 0)
            return fail(v, MIMG_RULE_PADDING, CODE_FIELD, at_offset(v, at, "padding"),
                        "byte 0x%x of padding [0x%x,0x%x) is 0x%x; padding must be zero", at, start, end, v->image[at]);
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

/* Section 7: the 32-byte digest field of a payload. */
static void payload_digest(uint32_t alg, const uint8_t *payload, uint32_t len, uint8_t out[DIGEST_FIELD_SIZE])
{
    uint64_t x;
    uint32_t i;

    if (alg == MIMG_DIGEST_SHA256) {
        sha256(payload, len, out);
        return;
    }
    x = xxh64(payload, len);
    for (i = 0; i < XXH64_SIZE; i++)
        out[i] = (uint8_t)(x >> (8 * i));
    for (; i < DIGEST_FIELD_SIZE; i++)
        out[i] = 0;
}

/* Rule 19. */
static int check_digests(struct verifier *v)
{
    uint8_t computed[DIGEST_FIELD_SIZE];

    for (uint32_t i = 0; i < v->h->section_count; i++) {
        const struct mimg_section *s = &v->sec[i];
        uint32_t offset = (uint32_t)s->file_offset, len = (uint32_t)s->file_size;

        if (len == 0)
            continue;
        payload_digest(v->h->digest_alg, v->image + offset, len, computed);
        for (uint32_t j = 0; j < DIGEST_FIELD_SIZE; j++)
            if (computed[j] != s->digest[j])
                return fail(v, MIMG_RULE_DIGESTS, CODE_DIGEST, AT_SECTION(v, i, digest),
                            SECTION_FMT ": the %s digest of payload [0x%x,0x%x) does not match", SECTION_ARGS(v, i),
                            v->h->digest_alg == MIMG_DIGEST_SHA256 ? "sha256" : "xxh64", offset, offset + len);
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
