/* CRC-32/ISO-HDLC, the CRC of zlib, PNG, gzip, GPT and the .mimg header and
 * tables (docs/format/mimg.md section 7). Freestanding C99. */
#ifndef MIMG_CRC32_H
#define MIMG_CRC32_H

#include <stdint.h>

/* The CRC-32 of len bytes at data, continuing from crc: the result for the
 * bytes before them, or 0 to start. So crc32(crc32(0, a), b) is the CRC of a
 * followed by b, as with zlib's crc32(). crc32(0, "123456789", 9) is
 * 0xCBF43926. */
uint32_t crc32(uint32_t crc, const void *data, uint32_t len);

#endif
