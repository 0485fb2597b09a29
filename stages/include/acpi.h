/* acpi.h — finding the ACPI Root System Description Pointer on a BIOS PC. */
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

#endif
