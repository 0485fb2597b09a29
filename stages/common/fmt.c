/* The formatter described in fmt.h. Numbers are converted without 64-bit
 * division or variable 64-bit shifts: hex by 32-bit halves, decimal only
 * for 32-bit values. */

#include "fmt.h"

/* Digits of the longest number: a uint64_t in hex, or a uint32_t in decimal. */
#define MAX_DIGITS 16

struct sink {
    char *buf;
    uint32_t size;
    uint32_t len;   /* characters produced so far, written or not */
};

__attribute__((noinline)) static void put(struct sink *s, char c)
{
    if (s->len + 1 < s->size)  /* the last byte is kept for the NUL */
        s->buf[s->len] = c;
    s->len++;
}

/* The digits of v in `base` (10 or 16), at least `min` of them, written
 * backwards from end; returns where they start. */
static char *digits(char *end, uint32_t v, uint32_t base, uint32_t min)
{
    char *p = end;

    do {
        *--p = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0 || (uint32_t)(end - p) < min);
    return p;
}

uint32_t vfmt(char *buf, uint32_t size, const char *f, va_list ap)
{
    struct sink s = { buf, size, 0 };

    for (; *f != '\0'; f++) {
        const char *start = f;
        char num[MAX_DIGITS], *end = num + MAX_DIGITS, *text = end, pad = ' ', c;
        uint32_t width = 0, left = 0, is_long, n;

        if (*f != '%') {
            put(&s, *f);
            continue;
        }
        for (f++;; f++) {
            if (*f == '-')
                left = 1;
            else if (*f == '0')
                pad = '0';
            else
                break;
        }
        for (; *f >= '0' && *f <= '9'; f++)
            width = width * 10 + (uint32_t)(*f - '0');
        is_long = *f == 'l';
        f += is_long;
        c = *f;
        if (c == 'x' || (c == 'u' && !is_long)) {
            uint64_t v = is_long ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t);
            uint32_t hi = (uint32_t)(v >> 32);

            text = digits(end, (uint32_t)v, c == 'x' ? 16 : 10, hi ? 8 : 1);
            if (hi)
                text = digits(text, hi, 16, 1);
        } else if ((c == 's' || c == 'c') && !is_long) {
            pad = ' ';  /* '0' pads numbers only */
            if (c == 'c') {
                *--text = (char)va_arg(ap, int);
            } else {
                text = va_arg(ap, char *);
                for (end = text; *end != '\0'; end++)
                    ;
            }
        } else {
            /* %%, or unknown: copied as written (a trailing lone % included). */
            if (c == '%' && f == start + 1)
                start++;
            while (start < f)
                put(&s, *start++);
            if (c == '\0')
                break;
            put(&s, c);
            continue;
        }
        n = (uint32_t)(end - text);
        if (left)
            pad = ' ';
        for (; !left && width > n; width--)
            put(&s, pad);
        while (text < end)
            put(&s, *text++);
        for (; width > n; width--)
            put(&s, ' ');
    }
    if (size > 0)
        buf[s.len < size ? s.len : size - 1] = '\0';
    return s.len;
}

uint32_t fmt(char *buf, uint32_t size, const char *format, ...)
{
    va_list ap;
    uint32_t n;

    va_start(ap, format);
    n = vfmt(buf, size, format, ap);
    va_end(ap);
    return n;
}
