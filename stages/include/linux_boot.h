/* linux_boot.h — the Linux x86 boot protocol offsets mimgload uses: the
 * setup header (at 0x1F1 in the bzImage's setup code and in boot_params,
 * the zero page) and the boot_params fields a boot loader fills. The one
 * table is src/formats/bzimage/struct.ts; a test holds these in step. */
#ifndef STAGES_LINUX_BOOT_H
#define STAGES_LINUX_BOOT_H

/* setup header */
#define LX_SETUP_SECTS       0x1F1
#define LX_BOOT_FLAG         0x1FE
#define LX_JUMP              0x200 /* its second byte: the header's length past 0x202 */
#define LX_HEADER            0x202
#define LX_VERSION           0x206
#define LX_TYPE_OF_LOADER    0x210
#define LX_LOADFLAGS         0x211
#define LX_CODE32_START      0x214
#define LX_RAMDISK_IMAGE     0x218
#define LX_RAMDISK_SIZE      0x21C
#define LX_HEAP_END_PTR      0x224
#define LX_CMD_LINE_PTR      0x228
#define LX_CMDLINE_SIZE      0x238

/* boot_params, outside the setup header */
#define LX_ORIG_VIDEO_MODE   0x006
#define LX_ORIG_VIDEO_COLS   0x007
#define LX_ORIG_VIDEO_LINES  0x00E
#define LX_ORIG_VIDEO_ISVGA  0x00F
#define LX_ORIG_VIDEO_POINTS 0x010
#define LX_ACPI_RSDP_ADDR    0x070
#define LX_E820_ENTRIES      0x1E8
#define LX_E820_TABLE        0x2D0
#define LX_E820_MAX          128
#define LX_E820_ENTRY_SIZE   20
#define LX_BOOT_PARAMS_SIZE  0x1000

#define LX_BOOT_FLAG_VALUE   0xAA55
#define LX_HEADER_MAGIC      0x53726448 /* "HdrS" */
#define LX_LOADED_HIGH       0x01
#define LX_KEEP_SEGMENTS     0x40
#define LX_CAN_USE_HEAP      0x80
#define LX_LOADER_UNDEFINED  0xFF       /* type_of_loader: a loader with no assigned ID */
#define LX_SETUP_ENTRY       0x200      /* the 16-bit entry: setup segment + 0x20, offset 0 */

#endif
