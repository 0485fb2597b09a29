/* image.c — views of a validated .mimg image, and the names of its values
 * as docs/format/mimg.md spells them. */

#include "loader.h"

struct image image_at(const uint8_t *base)
{
    const struct mimg_header *h = (const struct mimg_header *)base;
    return (struct image){
        .base = base,
        .header = h,
        .section = (const struct mimg_section *)(base + h->section_table_offset),
        .strtab = (const char *)base + h->strtab_offset,
    };
}

const char *protocol_name(uint8_t protocol)
{
    switch (protocol) {
    case MIMG_PROTOCOL_MULTIBOOT1: return "multiboot1";
    case MIMG_PROTOCOL_MULTIBOOT2: return "multiboot2";
    case MIMG_PROTOCOL_LINUX: return "linux";
    case MIMG_PROTOCOL_MIMG: return "mimg";
    default: return "?"; /* mimg_verify rejects every other value (rule 8) */
    }
}
