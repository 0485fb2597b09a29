/* fmt: a small freestanding formatter for boot-stage messages, with the
 * contract of C's snprintf and a fixed set of conversions.
 *
 *   %s   const char *   a NUL-terminated string
 *   %c   int            one character
 *   %u   uint32_t       decimal
 *   %x   uint32_t       lowercase hex, no prefix (the house style writes 0x%x)
 *   %lx  uint64_t       lowercase hex, no prefix; uint64_t on every target,
 *                       not unsigned long, which is 32 bits on i386
 *   %%                  a percent sign
 *
 * Between the % and the letter may come the flags '-' (pad on the right) and
 * '0' (pad numbers with zeros), then a decimal minimum width: %08x, %016lx,
 * %-12s. There is deliberately no 64-bit decimal: it needs 64-bit division,
 * which i386 code gets only from libgcc. A conversion not listed here is
 * copied to the output as written, so the mistake shows in the message.
 *
 * Pass exactly the types above. The functions carry no printf format
 * attribute, because printf's rules say %lx is unsigned long and would flag
 * every correct uint64_t argument on i386; the compiler cannot check them.
 */
#ifndef MIMG_FMT_H
#define MIMG_FMT_H

#include <stdarg.h>
#include <stdint.h>

/* Formats into buf, writing at most size bytes including the terminating NUL
 * (always written when size > 0). Returns the length of the whole output
 * without the NUL, as snprintf does, so a result >= size means it was cut. */
uint32_t fmt(char *buf, uint32_t size, const char *format, ...);
uint32_t vfmt(char *buf, uint32_t size, const char *format, va_list ap);

#endif
