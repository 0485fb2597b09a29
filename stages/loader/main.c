/* main.c — mimgload: installs a .mimg memory image handed over as a
 * Multiboot module, then enters its kernel. The steps are those of
 * stages/README.md, "Boot flow". */

#include "console.h"
#include "loader.h"
#include "verify.h"
#include "xxh64.h"

#define VERIFY_MSG_MAX 256
#define MIMG_ALIGN 8 /* verify.h: the image's structures are naturally aligned from here */

static struct chain chain; /* in .bss: the chain loader's structures may lie where sections go */
static uint64_t tables[PAGING_SIZE / sizeof(uint64_t)] __attribute__((aligned(PAGING_ALIGN))); /* for lm_call */

extern const char xxh64_stripes64[]; /* xxh64_long.asm */

/* xxh64_stripes_hook: the stripes of an image's payloads in long mode. */
static uint32_t stripes_long(uint64_t acc[4], const uint8_t *p, uint32_t len)
{
    return lm_call((uint32_t)(uintptr_t)tables, (uintptr_t)xxh64_stripes64, (uintptr_t)acc, (uintptr_t)p, len);
}

static const char *digest_name(uint8_t alg)
{
    return alg == MIMG_DIGEST_SHA256 ? "sha256" : "xxh64"; /* mimg_verify accepts no other (rule 8) */
}

noreturn void mimgload_main(uint32_t magic, uint32_t info); /* called by entry.asm */

noreturn void mimgload_main(uint32_t magic, uint32_t info)
{
    console_init();

    /* 1. Copy what the chain loader handed over and pick the image module. */
    chain_read(magic, info, &chain);
    const uint8_t *module = (const uint8_t *)(uintptr_t)chain.image_start;
    uint32_t size = chain.image_end - chain.image_start;

    /* 2. Validate every rule of the format, digests included, before a byte
     * moves. mimg_verify overlays structures on the module: it must be
     * 8-aligned, which mimgload's Multiboot headers ask for (page-aligned). */
    if (chain.image_start % MIMG_ALIGN)
        die(STAGE, "module %u '%s' at 0x%x is not %u-byte aligned", chain.image_index, chain.image_name,
            chain.image_start, MIMG_ALIGN);
    bool long_mode = long_mode_available();
    if (long_mode) {
        paging_build(tables);
        xxh64_stripes_hook = stripes_long;
    }
    char msg[VERIFY_MSG_MAX];
    if (mimg_verify(module, size, msg, sizeof msg) != 0)
        die(STAGE, "module %u '%s' [0x%x,0x%x): %s", chain.image_index, chain.image_name, chain.image_start,
            chain.image_end, msg);
    struct image im = image_at(module);
    con_line(CON_SERIAL, STAGE ": image %u sections, 0x%x bytes, %s ok", im.header->section_count, size,
               digest_name(im.header->digest_alg));

    /* 3. Check it against this machine and this mimgload; set the video
     * mode it asks for while the BIOS and low memory are as we found them. */
    target_check(&im, &chain);
    if (im.header->protocol == MIMG_PROTOCOL_MIMG)
        chain_cpus(&chain);
    video_setup(&im, &chain);

    /* 4-6. Stage, install, enter. */
    install(im, &chain, long_mode);
}
