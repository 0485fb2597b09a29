/* main.c — what every kernel but mb2-pie does once its entry code has a stack. */

#include "kernel.h"

void kernel_main(uint32_t magic, uint32_t info)
{
    report_begin();
    report_handoff(magic, info);
    report_second();
    report_end();
}
