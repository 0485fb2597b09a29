/* bios.h — the parts of stage 2, the BIOS bootstrapper, in the order
 * bios_main (main.c) calls them. */
#ifndef BIOS_H
#define BIOS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "bioscall.h"
#include "bootvol.h"
#include "memmap.h"

#define STAGE "mimg bios" /* the prefix of every line; also the boot loader name mimgload sees */

#define PAGE_SIZE 0x1000u

/* Buffers outside .bss (stage2.ld): not zeroed, above 64 KiB, below 640 KiB.
 * BOOTX64.EFI (x86-64), which links the drivers too, needs them only below
 * 4 GiB, as its whole image is: .bss there, kept out of the file. */
#ifdef __x86_64__
#define LOWMEM
#else
#define LOWMEM __attribute__((section(".lowmem")))
#endif

/* ---- a20.c ------------------------------------------------------------ */

/* Enables the A20 line and proves it by the wraparound test; dies if no
 * method works. Returns the method that did ("already on", ...). */
const char *a20_enable(void);

/* ---- memory.c --------------------------------------------------------- */

/* Fills *m from INT 15h E820, else E801, else 88h (with INT 12h for the
 * memory below 640 KiB); dies when none answers. Returns the method. */
const char *memory_map_read(struct memmap *m);

/* ---- pci.c ------------------------------------------------------------ */

/* bdf = bus << 8 | device << 3 | function; reg a byte offset. Only 32-bit
 * reads and 16-bit writes: a 32-bit write to the command register would
 * also write the status register, whose bits clear when written as 1. */
#define PCI_BDF(bus, dev, fn) ((uint32_t)(bus) << 8 | (uint32_t)(dev) << 3 | (uint32_t)(fn))
#define PCI_ID            0x00 /* vendor, then device */
#define PCI_COMMAND       0x04 /* u16 */
#define PCI_CLASS         0x08 /* revision, prog-if, subclass, class */
#define PCI_BAR0          0x10
#define PCI_COMMAND_IO    0x1
#define PCI_COMMAND_MASTER 0x4
#define PCI_BAR_IO        0x1  /* an I/O BAR; the rest, masked with ~3, is the port */
uint32_t pci_read32(uint32_t bdf, uint32_t reg);
void pci_write16(uint32_t bdf, uint32_t reg, uint16_t value);

/* ---- ata.c, virtio.c: the disk drivers of stage 2 ---------------------- */

/* Each drives one disk: the boot disk, as the BIOS's EDD 3.0 device path
 * names it. open returns false when the device is not one the driver
 * handles, untouched; read reads 1 to DRIVER_MAX_SECTORS sectors into dest
 * (below 4 GiB) in one command and returns false on any error; close
 * leaves the device for the kernel. */
#define DRIVER_MAX_SECTORS 0x8000u /* 16 MiB */
bool ata_open(uint32_t bdf, uint32_t channel, uint32_t slave);
bool ata_read(uint64_t lba, uint32_t sectors, void *dest);
void ata_close(void);
/* The disk must have `sectors` sectors, as the firmware says: a second
 * check that the device is the boot disk. From open on, INT 13h can no
 * longer read it: the driver has replaced the BIOS's virtqueue. Open turns
 * the device's I/O decoding and bus mastering on, close restores them. */
bool virtio_open(uint32_t bdf, uint64_t sectors);
bool virtio_read(uint64_t lba, uint32_t sectors, void *dest);
void virtio_close(void);

/* ---- disk.c ----------------------------------------------------------- */

enum disk_path { DISK_BIOS, DISK_ATA, DISK_VIRTIO };

struct disk {
    uint8_t drive;              /* BIOS drive number */
    bool edd;                   /* INT 13h extensions: LBA reads */
    uint32_t heads, spt;        /* CHS geometry, when !edd */
    uint32_t cylinders;
    enum disk_path path;        /* who reads it */
    const char *how;            /* the path, for messages */
};

/* Probes the drive's INT 13h extensions, else its CHS geometry: reads go
 * through INT 13h. */
void disk_open(struct disk *d, uint8_t drive);

/* Switches reads to stage 2's own driver when the BIOS names the disk's
 * controller and the driver reads check_lba as the BIOS does; otherwise
 * reads stay with INT 13h. Call it after the last read that needs INT 13h:
 * once the virtio-blk driver is in, INT 13h cannot read that disk — so
 * without `virtio`, a virtio-blk disk stays with INT 13h. */
void disk_use_driver(struct disk *d, uint64_t check_lba, bool virtio);

/* Reads `bytes` bytes from absolute `lba` on to dest (anywhere below
 * 4 GiB), in the largest reads the path allows; dies on a read error. May
 * write the rest of the last sector too: dest must have room for it. */
void disk_read(struct disk *d, uint64_t lba, void *dest, uint32_t bytes);

/* Leaves the controller as the kernel's driver expects to find it. */
void disk_close(const struct disk *d);

/* ---- volume.c --------------------------------------------------------- */

/* The range table's buffer bounds it: 64 KiB, hence at most 818 ranges. */
#define RANGE_TABLE_MAX 0x10000u
#define RANGES_MAX ((RANGE_TABLE_MAX - sizeof(struct mimg_range_table)) / sizeof(struct mimg_range))

static inline const char *range_name(const struct mimg_range *r)
{
    return (const char *)r->name; /* volume_read checked its NUL */
}

struct volume {
    uint64_t lba;                       /* absolute, as stage 1 found it */
    const struct mimg_range *range;     /* the validated table */
    uint32_t count;
    uint32_t loader, image;             /* the indexes of the loader and image ranges */
};

/* Reads and checks the volume header and the range table (magics,
 * versions, CRCs, every entry); dies on the first problem. */
void volume_read(struct disk *d, uint64_t lba, struct volume *v);

/* ---- main.c: the plan ------------------------------------------------- */

struct placed {
    uint32_t index;   /* in the range table */
    uint32_t addr;    /* where its bytes go */
};

/* Where each loaded range goes (docs/format/boot-volume.md section 4): the
 * loader at its load address, then the image and every preload range,
 * page-aligned, in table order. The modules are what mimgload gets. */
struct plan {
    struct placed loader;
    uint32_t module_count;
    struct placed module[RANGES_MAX]; /* module[0] is the image */
};

/* ---- bootinfo.c ------------------------------------------------------- */

#define CPU_MAX 1024 /* local APIC IDs in the hand-off */

/* What mimgload gets, besides the loaded ranges. */
struct handoff {
    uint8_t drive;
    const struct memmap *map;
    const uint8_t *rsdp;        /* 0: none found */
    uint32_t rsdp_size;
    const uint32_t *cpu;        /* local APIC IDs of the enabled processors */
    uint32_t cpu_count;
};

/* Builds the Multiboot2 information (section 4) in low memory; returns
 * its address. */
uint32_t bootinfo_build(const struct volume *v, const struct plan *p, const struct handoff *h);

#endif
