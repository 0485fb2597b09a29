/* The formatter described in fmt.h. Numbers are converted without 64-bit
 * division: hex by shifting four bits at a time, decimal only for 32-bit
 * values. */

#include "fmt.h"

/* Digits of the longest number: a uint64_t in hex, or a uint32_t in decimal. */
#define MAX_DIGITS 16

struct sink {
    char *buf;
    uint32_t size;
    uint32_t len;   /* characters produced so far, written or not */
};

static void put(struct sink *s, char c)
{
    if (s->len + 1 < s->size)  /* the last byte is kept for the NUL */
        s->buf[s->len] = c;
    s->len++;
}

struct spec {
    uint32_t width;
    int left;       /* '-': pad on the right */
    int zero;       /* '0': pad numbers with zeros on the left */
};

/* n characters at text, padded to the field width. */
static void put_field(struct sink *s, const struct spec *sp, const char *text, uint32_t n, int numeric)
{
    char pad = numeric && sp->zero && !sp->left ? '0' : ' ';
    uint32_t fill = sp->width > n ? sp->width - n : 0;

    if (!sp->left)
        while (fill-- > 0)
            put(s, pad);
    for (uint32_t i = 0; i < n; i++)
        put(s, text[i]);
    if (sp->left)
        while (fill-- > 0)
            put(s, ' ');
}

static uint32_t hex_digits(char out[MAX_DIGITS], uint64_t v)
{
    static const char digit[] = "0123456789abcdef";
    uint32_t n = 1;

    while (n < MAX_DIGITS && (v >> (4 * n)) != 0)
        n++;
    for (uint32_t i = 0; i < n; i++)
        out[i] = digit[(v >> (4 * (n - 1 - i))) & 0xf];
    return n;
}

static uint32_t dec_digits(char out[MAX_DIGITS], uint32_t v)
{
    char reversed[MAX_DIGITS];
    uint32_t n = 0;

    do {
        reversed[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (uint32_t i = 0; i < n; i++)
        out[i] = reversed[n - 1 - i];
    return n;
}

uint32_t vfmt(char *buf, uint32_t size, const char *format, va_list ap)
{
    struct sink s = { buf, size, 0 };
    const char *f = format;

    while (*f != '\0') {
        const char *start = f;
        struct spec sp = { 0, 0, 0 };
        char digits[MAX_DIGITS];
        int is_long = 0;

        if (*f != '%') {
            put(&s, *f++);
            continue;
        }
        f++;
        for (;; f++) {
            if (*f == '-')
                sp.left = 1;
            else if (*f == '0')
                sp.zero = 1;
            else
                break;
        }
        for (; *f >= '0' && *f <= '9'; f++)
            sp.width = sp.width * 10 + (uint32_t)(*f - '0');
        if (*f == 'l') {
            is_long = 1;
            f++;
        }

        if (*f == 'x' && is_long) {
            put_field(&s, &sp, digits, hex_digits(digits, va_arg(ap, uint64_t)), 1);
        } else if (*f == 'x') {
            put_field(&s, &sp, digits, hex_digits(digits, va_arg(ap, uint32_t)), 1);
        } else if (*f == 'u' && !is_long) {
            put_field(&s, &sp, digits, dec_digits(digits, va_arg(ap, uint32_t)), 1);
        } else if (*f == 's' && !is_long) {
            const char *str = va_arg(ap, const char *);
            uint32_t n = 0;

            while (str[n] != '\0')
                n++;
            put_field(&s, &sp, str, n, 0);
        } else if (*f == 'c' && !is_long) {
            char c = (char)va_arg(ap, int);

            put_field(&s, &sp, &c, 1, 0);
        } else if (*f == '%' && f == start + 1) {
            put(&s, '%');
        } else {
            /* Unknown: copy it as written (a trailing lone % included). */
            while (start < f)
                put(&s, *start++);
            if (*f == '\0')
                break;
            put(&s, *f);
        }
        f++;
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
