/* memory.c — the machine's memory map from the BIOS.
 *
 * E820 entries are kept as the BIOS gives them, in order, unmerged, as
 * QEMU's own Multiboot loader and GRUB pass them: the kernel sees the map it
 * would get from its usual loader. Only machines without E820 get a map
 * built from E801 or 88h, listing usable RAM alone. */

#include "bios.h"
#include "console.h"
#include "range.h"

#define E820              0xE820
#define E820_SMAP         0x534D4150u /* "SMAP", in EDX in and EAX out */
#define E820_ENTRY_MIN    20          /* base, length, type */
#define E801              0xE801
#define MEM88             0x8800
#define E801_HOLE         (16 * MIB)  /* where E801's second range starts */
#define E801_BLOCK        (64 * KIB)  /* its unit above 16 MiB */

/* One E820 entry as the BIOS writes it, with the ACPI 3.0 attributes. */
struct e820_entry {
    uint64_t base;
    uint64_t len;
    uint32_t type;
    uint32_t attributes;
};

static struct e820_entry e820_buf; /* in .bss, below 64 KiB: ES:DI reaches it */

static void add(struct memmap *m, uint64_t base, uint64_t len, uint32_t type)
{
    if (!memmap_add(m, base, len, type))
        die(STAGE, "the BIOS memory map has more than %u entries; the boot information holds %u", MEMMAP_MAX,
            MEMMAP_MAX);
}

/* Returns false when E820 is not there; a map it abandons midway counts as
 * not there, as in Linux: a partial map is worse than a coarse one. */
static bool read_e820(struct memmap *m)
{
    struct bios_regs r = { 0 };
    do {
        e820_buf.attributes = 1; /* "valid", for a BIOS that writes only 20 bytes */
        r.eax = E820;
        r.edx = E820_SMAP;
        r.ecx = sizeof e820_buf;
        r.es = rm_segment(&e820_buf);
        r.edi = rm_offset(&e820_buf);
        bios_int(0x15, &r);
        if (r.eflags & EFLAGS_CF)
            break; /* some BIOSes end the list this way rather than with EBX = 0 */
        if (r.eax != E820_SMAP || r.ecx < E820_ENTRY_MIN) {
            m->count = 0;
            break;
        }
        add(m, e820_buf.base, e820_buf.len, e820_buf.type);
    } while (r.ebx != 0);
    return m->count > 0;
}

static uint32_t conventional_kib(void)
{
    struct bios_regs r = { 0 };
    bios_int(0x12, &r);
    return r.eax & 0xFFFF;
}

static bool read_e801(struct memmap *m)
{
    struct bios_regs r = { .eax = E801 };
    bios_int(0x15, &r);
    if (r.eflags & EFLAGS_CF)
        return false;
    /* AX/BX: KiB in [1 MiB, 16 MiB), 64 KiB blocks above 16 MiB; some
     * BIOSes answer in CX/DX instead (Ralf Brown's list). */
    uint32_t below16 = r.ecx & 0xFFFF, above16 = r.edx & 0xFFFF;
    if (below16 == 0 && above16 == 0) {
        below16 = r.eax & 0xFFFF;
        above16 = r.ebx & 0xFFFF;
    }
    if (below16 == 0)
        return false;
    add(m, 0, (uint64_t)conventional_kib() * KIB, MEM_USABLE);
    add(m, MIB, (uint64_t)below16 * KIB, MEM_USABLE);
    add(m, E801_HOLE, (uint64_t)above16 * E801_BLOCK, MEM_USABLE);
    return true;
}

static bool read_88(struct memmap *m)
{
    struct bios_regs r = { .eax = MEM88 };
    bios_int(0x15, &r);
    if ((r.eflags & EFLAGS_CF) || (r.eax & 0xFFFF) == 0)
        return false;
    add(m, 0, (uint64_t)conventional_kib() * KIB, MEM_USABLE);
    add(m, MIB, (uint64_t)(r.eax & 0xFFFF) * KIB, MEM_USABLE);
    return true;
}

const char *memory_map_read(struct memmap *m)
{
    if (read_e820(m))
        return "E820";
    if (read_e801(m))
        return "E801";
    if (read_88(m))
        return "INT 15h AH=88h";
    die(STAGE, "the BIOS gives no memory map: INT 15h E820, E801 and AH=88h all failed");
}
