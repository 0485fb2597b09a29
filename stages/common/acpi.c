/* acpi.c — the BIOS search for the ACPI RSDP (ACPI 6.5, 5.2.5.1). */

#include "acpi.h"

#include "mem.h"

#define BDA_EBDA_SEGMENT  ((const volatile uint16_t *)0x40E) /* real-mode segment of the EBDA */
#define EBDA_SEARCH_SIZE  0x400
#define BIOS_AREA_START   0xE0000
#define BIOS_AREA_END     0x100000
#define RSDP_ALIGN        16
#define RSDP_SIGNATURE    "RSD PTR "
#define RSDP_REVISION     15 /* offset of the revision byte */
#define RSDP_LENGTH       20 /* offset of the u32 length (revision >= 2) */
#define RSDP_V2_MIN_SIZE  36

static uint8_t sum(const uint8_t *p, uint32_t n)
{
    uint8_t s = 0;
    while (n--)
        s += *p++;
    return s;
}

static const uint8_t *scan(uint32_t start, uint32_t end, uint32_t *size)
{
    for (uint32_t a = start; a + RSDP_V1_SIZE <= end; a += RSDP_ALIGN) {
        const uint8_t *p = (const uint8_t *)a;
        if (memcmp(p, RSDP_SIGNATURE, 8) != 0 || sum(p, RSDP_V1_SIZE) != 0)
            continue;
        if (p[RSDP_REVISION] == 0) {
            *size = RSDP_V1_SIZE;
            return p;
        }
        uint32_t len;
        memcpy(&len, p + RSDP_LENGTH, sizeof len);
        if (len >= RSDP_V2_MIN_SIZE && len <= RSDP_MAX_SIZE && sum(p, len) == 0) {
            *size = len;
            return p;
        }
    }
    return 0;
}

const uint8_t *acpi_find_rsdp(uint32_t *size)
{
    uint32_t ebda = (uint32_t)*BDA_EBDA_SEGMENT << 4;
    const uint8_t *p = ebda ? scan(ebda, ebda + EBDA_SEARCH_SIZE, size) : 0;
    return p ? p : scan(BIOS_AREA_START, BIOS_AREA_END, size);
}
