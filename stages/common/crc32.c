/* CRC-32/ISO-HDLC: reflected polynomial 0x04C11DB7, initial value and final
 * XOR 0xFFFFFFFF.
 *
 * Computed a bit at a time rather than through a 256-entry table. Only small
 * ranges are checksummed at boot (the .mimg head: a header and tables of a
 * few KiB; payloads are covered by SHA-256 or XXH64), where a table would
 * save microseconds but cost 1 KiB of loader and either an initialisation
 * step with its "was it built yet" state or 256 constants to get right. */

#include "crc32.h"

/* 0x04C11DB7 with its bits reversed, for the LSB-first (reflected) form. */
#define CRC32_POLY_REFLECTED 0xEDB88320u

uint32_t crc32(uint32_t crc, const void *data, uint32_t len)
{
    const uint8_t *p = data;
    uint32_t c = ~crc;

    while (len-- > 0) {
        c ^= *p++;
        for (int bit = 0; bit < 8; bit++)
            c = (c >> 1) ^ (CRC32_POLY_REFLECTED & (0u - (c & 1)));  /* branch-free: XOR when the low bit is set */
    }
    return ~c;
}
