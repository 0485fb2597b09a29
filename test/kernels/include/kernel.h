/*
 * kernel.h — what the test kernels share: the per-kernel descriptor and the
 * report written to COM1 (format: ../README.md).
 *
 * A kernel is its entry code (entry*.S), its Multiboot header(s)
 * (mb1-header.c, mb2-header.c, or its own), its descriptor `kernel` (in
 * mb1.c, mb2.c, ...), and the common report code (report.c).
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdint.h>

#include "layout.h"
#include "multiboot1.h"
#include "multiboot2.h"

/* Everything is in one executable: hidden symbols let the PIE build reach
 * them PC-relatively, with no GOT and no relocation but R_386_RELATIVE. */
#pragma GCC visibility push(hidden)

#define KERNEL_NAME_MAX 16

struct kernel {
    char name[KERNEL_NAME_MAX];   /* the `begin kernel=` value */
    const struct mb1_header *mb1; /* this kernel's Multiboot1 header, or 0 */
    const struct mb2_header *mb2; /* this kernel's Multiboot2 header, or 0 */
    int mimg;                     /* 1: booted with mimg's own protocol (mimg64, mimg32) */
};

/* Defined by each kernel's own file (mb1.c, mb2.c, ...). */
extern const struct kernel kernel;

/* The Multiboot1 header of mb1 and mb64 (mb1-header.c): page-aligned
 * modules and memory information. */
extern const struct mb1_header mb1_header;

/* The Multiboot2 header of mb2, mb64 and mb2-pie (mb2-header.c): an
 * information request for the tags mimg provides, then the end tag. */
#define MB2_REQUESTED_TAGS 5
struct kernel_mb2_header {
    struct mb2_header header;
    struct mb2_header_tag request;
    uint32_t request_types[MB2_REQUESTED_TAGS];
    struct mb2_header_tag end __attribute__((aligned(MB2_TAG_ALIGN)));
};
extern const struct kernel_mb2_header mb2_header;

/* Called by entry.S and entry64.S with what the loader left in EAX and EBX
 * (mb2-pie has its own, in mb2-pie.c). */
__attribute__((noreturn)) void kernel_main(uint32_t magic, uint32_t info);

/* ---- the report (report.c) ------------------------------------------ */

/* One report line is out_start(), then words and key=value fields, then out_end(). */
void out_start(void);
void out_word(const char *word);
void out_hex(const char *key, uint64_t value);
void out_end(void);

/* Initialises COM1 and writes `MIMGTEST begin kernel=<name>`. */
void report_begin(void);
/* Validates the Multiboot1 or Multiboot2 boot information and reports it. */
void report_handoff(uint32_t magic, uint32_t info);
/* After a mimg handoff: the end of the highest memory map entry that is
 * RAM (usable, or retyped by mimg), for mimg64 to touch through the
 * identity map. */
extern uint64_t mimg_ram_top;
/* Reports `second present` if the second executable is at SECOND_ADDRESS. */
void report_second(void);
/* Writes `MIMGTEST end` and exits QEMU with success. */
__attribute__((noreturn)) void report_end(void);

/* Starts a `MIMGTEST fail <why>` line; add fields with out_hex, then fail_end(). */
void fail_start(const char *why);
/* Ends the fail line and exits QEMU with failure. */
__attribute__((noreturn)) void fail_end(void);
__attribute__((noreturn)) void fail(const char *why);

#pragma GCC visibility pop

#endif
