/* Host check of stages/common/fmt.c against the contract in fmt.h, run by
 * test/stages/verifier.test.ts. Prints each mismatch; exits 1 if there was any. */

#include <stdio.h>
#include <string.h>

#include "fmt.h"

static int failures;

static void check(const char *got, uint32_t got_len, const char *want, uint32_t want_len, const char *call)
{
    if (strcmp(got, want) != 0 || got_len != want_len) {
        printf("fmt(%s) gave \"%s\" (length %u), want \"%s\" (length %u)\n", call, got, (unsigned)got_len, want,
               (unsigned)want_len);
        failures++;
    }
}

/* The whole output fits: the result is its length. */
#define EXPECT(want, ...)                                                    \
    do {                                                                     \
        char buf[64];                                                        \
        uint32_t n = fmt(buf, sizeof buf, __VA_ARGS__);                      \
        check(buf, n, want, (uint32_t)strlen(want), #__VA_ARGS__);           \
    } while (0)

int main(void)
{
    char small[8];
    uint32_t n;

    EXPECT("plain text", "plain text");
    EXPECT("0x0 0x1f ffffffff", "0x%x 0x%x %x", (uint32_t)0, (uint32_t)0x1f, (uint32_t)0xffffffff);
    EXPECT("0 100000000 ffffffffffffffff", "%lx %lx %lx", (uint64_t)0, (uint64_t)1 << 32, UINT64_MAX);
    EXPECT("0 7 4294967295", "%u %u %u", (uint32_t)0, (uint32_t)7, (uint32_t)UINT32_MAX);
    EXPECT("000000ab 00000000deadbeef", "%08x %016lx", (uint32_t)0xab, (uint64_t)0xdeadbeef);
    EXPECT("   42|42   |", "%5u|%-5u|", (uint32_t)42, (uint32_t)42);
    EXPECT("123456", "%3u", (uint32_t)123456);                  /* a width is a minimum */
    EXPECT("   ab|ab   |  ab|", "%5s|%-5s|%04s|", "ab", "ab", "ab"); /* '0' pads numbers only */
    EXPECT("x|  y", "%c|%3c", 'x', 'y');
    EXPECT("100%", "%u%%", (uint32_t)100);
    EXPECT("%q %lu %", "%q %lu %");                              /* unknown: copied, no argument taken */
    EXPECT("mimgload: error: section 3 'kernel' [0x100000,0x101000)", "mimgload: error: section %u '%s' [0x%lx,0x%lx)",
           (uint32_t)3, "kernel", (uint64_t)0x100000, (uint64_t)0x101000);

    /* Cut short: NUL-terminated within size, and the result is the full length. */
    n = fmt(small, sizeof small, "%s", "0123456789");
    check(small, n, "0123456", 10, "small, 8, \"%s\", \"0123456789\"");
    n = fmt(small, 1, "%u", (uint32_t)12345);
    check(small, n, "", 5, "small, 1, \"%u\", 12345");
    n = fmt(NULL, 0, "%x", (uint32_t)0xabc);
    check("", n, "", 3, "NULL, 0, \"%x\", 0xabc");

    return failures != 0;
}
