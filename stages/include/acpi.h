/* acpi.h — finding the ACPI Root System Description Pointer on a BIOS PC,
 * and the processors the MADT lists. */
#ifndef STAGES_ACPI_H
#define STAGES_ACPI_H

#include <stdint.h>

#define RSDP_V1_SIZE 20u  /* ACPI 1.0: signature .. rsdt_address */
#define RSDP_MAX_SIZE 64u /* ACPI 2.0+ says 36 in `length`; a little room for growth */

/* Searches the first KiB of the EBDA, then 0xE0000-0xFFFFF, on 16-byte
 * boundaries, for "RSD PTR " with a valid checksum (ACPI 6.5, 5.2.5.1).
 * Returns its address and its size (20 for revision 0, else its `length`),
 * or 0 when there is none. Only reads memory. */
const uint8_t *acpi_find_rsdp(uint32_t *size);

/* The local APIC IDs of the enabled processors in the MADT that the RSDP
 * at `rsdp` leads to (through the XSDT when there is one, else the RSDT),
 * in MADT order, local APIC and x2APIC entries alike. Stores at most `max`
 * IDs in ids and returns how many there are, which may be more; 0 when no
 * MADT with a valid checksum lies below 4 GiB. Only reads memory.
 * (common/madt.c: a file of its own, so that stages which never look for
 * CPUs do not link its strings.) */
uint32_t acpi_madt_cpus(const uint8_t *rsdp, uint32_t *ids, uint32_t max);

#endif
