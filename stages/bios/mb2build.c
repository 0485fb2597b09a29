/* mb2build.c — the Multiboot2 information both bootstrappers hand mimgload
 * (mb2build.h). */

#include "mb2build.h"
#include "mem.h"
#include "multiboot2.h"
#include "range.h"

static uint8_t *base;
static uint32_t used;

void mb2_begin(uint8_t *at)
{
    base = at;
    used = sizeof(struct mb2_info);
}

void *mb2_tag(uint32_t type, uint32_t size)
{
    struct mb2_tag *t = (struct mb2_tag *)(base + used);
    memset(t, 0, size);
    t->type = type;
    t->size = size;
    used += (uint32_t)align_up(size, MB2_TAG_ALIGN);
    return t;
}

void mb2_string_tag(uint32_t type, const char *prefix, const char *s)
{
    uint32_t np = (uint32_t)strlen(prefix), ns = (uint32_t)strlen(s);
    char *p = (char *)mb2_tag(type, sizeof(struct mb2_tag) + np + ns + 1) + sizeof(struct mb2_tag);
    memcpy(p, prefix, np);
    memcpy(p + np, s, ns); /* the NUL is the tag's zeroing */
}

void mb2_cpus_tag(const uint32_t *cpu, uint32_t count)
{
    uint32_t *p = (uint32_t *)((struct mb2_tag *)mb2_tag(MB2_TAG_MIMG_CPUS, sizeof(struct mb2_tag) + 4 + count * 4) + 1);
    p[0] = count;
    memcpy(p + 1, cpu, count * 4);
}

uint32_t mb2_finish(void)
{
    mb2_tag(MB2_TAG_END, sizeof(struct mb2_tag));
    struct mb2_info *head = (struct mb2_info *)base;
    head->total_size = used;
    head->reserved = 0;
    return used;
}
