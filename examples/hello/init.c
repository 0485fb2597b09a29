/*
 * init.c — the second executable. mimg installs its segments at 0x400000
 * (see init.ld and mimg.toml); the kernel calls init_main there with a
 * function that prints a string, and prints what init_main returns.
 */

/* In section .text.entry, which init.ld places first: 0x400000. */
__attribute__((section(".text.entry")))
int init_main(void (*puts)(const char *))
{
    puts("init: hello from a second executable\n");
    return 42;
}
