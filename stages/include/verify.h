/* Validation of a .mimg image held in memory: every rule of
 * docs/format/mimg.md section 8, in the spec's order, stopping at the first
 * that fails. The TypeScript verifier (src/formats/mimg/verify.ts) applies
 * the same rules and reports every failure; test/stages/verifier.test.ts runs
 * both over one corpus and requires the same verdicts. Freestanding C99. */
#ifndef MIMG_VERIFY_H
#define MIMG_VERIFY_H

#include <stdint.h>

/* The rules of docs/format/mimg.md section 8, by number. */
enum mimg_rule {
    MIMG_RULE_MAGIC = 1,
    MIMG_RULE_VERSION = 2,
    MIMG_RULE_HEADER_CHECKSUM = 3,
    MIMG_RULE_GEOMETRY = 4,
    MIMG_RULE_HEAD_INSIDE_FILE = 5,
    MIMG_RULE_TABLE_CHECKSUM = 6,
    MIMG_RULE_RESERVED = 7,
    MIMG_RULE_KNOWN_VALUES = 8,
    MIMG_RULE_FLAGS = 9,
    MIMG_RULE_STRINGS = 10,
    MIMG_RULE_FILE_SIZE = 11,
    MIMG_RULE_SECTION_EXTENT = 12,
    MIMG_RULE_ORDER = 13,
    MIMG_RULE_PAYLOAD_FIELDS = 14,
    MIMG_RULE_PAYLOAD_PLACEMENT = 15,
    MIMG_RULE_BOOT_INFORMATION = 16,
    MIMG_RULE_ENTRY = 17,
    MIMG_RULE_PADDING = 18,
    MIMG_RULE_DIGESTS = 19,
};

/* Validates the size bytes at image, which must be 8-byte aligned (the
 * structures of mimg_format.h are overlaid on it; Multiboot loaders place
 * modules on page boundaries).
 *
 * Returns 0 when the image is valid, with msg set to "". Otherwise returns
 * the number of the first failing rule and writes one line into msg
 * (NUL-terminated, cut to msg_len bytes):
 *
 *     CODE where: what
 *
 * with the error code and `where` the TypeScript verifier reports for the
 * same fault, e.g. "MIMG_DIGEST section 2 (digest): ..." or
 * "MIMG_FIELD offset 0x58 (file_size): ...".
 *
 * Every 64-bit offset and size is checked against size before use, so a
 * field that cannot fit in 32-bit memory fails the rule that bounds it
 * (rules 11 and 15); destinations stay 64-bit. Once this returns 0, rules
 * 1-19 hold: the head can be read through the structures of mimg_format.h,
 * every string is NUL-terminated inside the string table, and every payload
 * [file_offset, file_offset + file_size) lies inside the image. */
int mimg_verify(const uint8_t *image, uint32_t size, char *msg, uint32_t msg_len);

#endif
