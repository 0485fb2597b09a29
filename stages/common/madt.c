/* madt.c — the processors the ACPI MADT lists (ACPI 6.5, 5.2.12). */

#include "acpi.h"

#include <stdbool.h>

#include "mem.h"
#include "range.h"

#define RSDP_REVISION       15 /* offsets in the RSDP */
#define RSDP_RSDT           16 /* u32 */
#define RSDP_XSDT           24 /* u64, when the revision is not 0 */

#define SDT_HEADER_SIZE     36 /* every system description table starts so */
#define SDT_LENGTH          4  /* u32, header included */
#define MADT_SIGNATURE      "APIC"
#define MADT_ENTRIES        44 /* after the header, the local APIC address and flags */

#define MADT_LOCAL_APIC     0  /* entry types */
#define MADT_LOCAL_X2APIC   9
#define LOCAL_APIC_ID       3  /* u8, offsets in a type 0 entry */
#define LOCAL_APIC_FLAGS    4  /* u32 */
#define LOCAL_APIC_SIZE     8
#define X2APIC_ID           4  /* u32, offsets in a type 9 entry */
#define X2APIC_FLAGS        8  /* u32 */
#define X2APIC_SIZE         16
#define APIC_ENABLED        0x1u

/* The table at addr, if it lies below 4 GiB and its bytes sum to 0. */
static const uint8_t *table_at(uint64_t addr, uint32_t *length)
{
    if (addr == 0 || addr > GIB4 - SDT_HEADER_SIZE)
        return 0;
    const uint8_t *t = (const uint8_t *)(uintptr_t)addr;
    uint32_t len = get_u32(t + SDT_LENGTH);
    if (len < SDT_HEADER_SIZE || len > GIB4 - addr)
        return 0;
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++)
        sum += t[i];
    if (sum != 0)
        return 0;
    *length = len;
    return t;
}

static const uint8_t *find_madt(const uint8_t *rsdp, uint32_t *length)
{
    uint64_t root = 0;
    uint32_t entry_size = 8;
    if (rsdp[RSDP_REVISION] != 0) /* acpi_find_rsdp checked that such an RSDP is long enough */
        root = get_u64(rsdp + RSDP_XSDT);
    if (root == 0 || root >= GIB4) {
        root = get_u32(rsdp + RSDP_RSDT);
        entry_size = 4;
    }
    uint32_t root_len;
    const uint8_t *r = table_at(root, &root_len);
    if (!r)
        return 0;
    for (uint32_t off = SDT_HEADER_SIZE; off + entry_size <= root_len; off += entry_size) {
        uint64_t addr = entry_size == 8 ? get_u64(r + off) : get_u32(r + off);
        const uint8_t *t = table_at(addr, length);
        if (t && memcmp(t, MADT_SIGNATURE, 4) == 0 && *length >= MADT_ENTRIES)
            return t;
    }
    return 0;
}

uint32_t acpi_madt_cpus(const uint8_t *rsdp, uint32_t *ids, uint32_t max)
{
    uint32_t length, count = 0;
    const uint8_t *madt = find_madt(rsdp, &length);
    if (!madt)
        return 0;
    /* Entries are (type, length, ...); a length under 2 would loop forever. */
    for (uint32_t off = MADT_ENTRIES; off + 2 <= length && madt[off + 1] >= 2; off += madt[off + 1]) {
        const uint8_t *e = madt + off;
        uint32_t id, flags;
        if (e[0] == MADT_LOCAL_APIC && e[1] >= LOCAL_APIC_SIZE && off + LOCAL_APIC_SIZE <= length) {
            id = e[LOCAL_APIC_ID];
            flags = get_u32(e + LOCAL_APIC_FLAGS);
        } else if (e[0] == MADT_LOCAL_X2APIC && e[1] >= X2APIC_SIZE && off + X2APIC_SIZE <= length) {
            id = get_u32(e + X2APIC_ID);
            flags = get_u32(e + X2APIC_FLAGS);
        } else {
            continue;
        }
        if (!(flags & APIC_ENABLED))
            continue;
        if (count < max)
            ids[count] = id;
        count++;
    }
    return count;
}
