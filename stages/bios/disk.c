/* disk.c — reading the boot disk: through INT 13h, or through stage 2's
 * own driver for the disk's controller when the BIOS names it.
 *
 * Through INT 13h every read lands in a 64 KiB bounce buffer below 1 MiB,
 * where the BIOS can reach it, and is copied from there in protected mode.
 * Reads are as large as EDD 1.1 allows (127 sectors) or, without the
 * extensions, the rest of the track.
 *
 * The drivers (ata.c, virtio.c) read straight into place, megabytes per
 * command. They are used only when EDD 3.0 (INT 13h AH=48h) gives the
 * disk's PCI address, and only after they read one sector exactly as the
 * BIOS does; any other controller stays on INT 13h. */

#include "bios.h"
#include "console.h"
#include "mem.h"
#include "range.h"

#define EDD_CHECK         0x4100 /* AH=41h */
#define EDD_CHECK_IN      0x55AA /* BX in */
#define EDD_CHECK_OUT     0xAA55 /* BX out when the extensions are there */
#define EDD_FIXED_DISK    0x1    /* CX bit: AH=42h..44h, 47h, 48h */
#define EDD_READ          0x4200 /* AH=42h, DS:SI = packet */
#define EDD_MAX_SECTORS   127    /* EDD 1.1's limit; some BIOSes fail above it */
#define CHS_READ          0x0200 /* AH=02h, AL = sectors */
#define CHS_GEOMETRY      0x0800 /* AH=08h */
#define CHS_SECTOR_MASK   0x3F   /* CL bits 0-5 */
#define EDD_PARAMS        0x4800 /* AH=48h, DS:SI = buffer */
#define EDD_DPI_KEY       0xBEDD /* the device path information is there */
#define STATUS(r)         (((r).eax >> 8) & 0xFF) /* AH after a failed call */

#define BOUNCE_SIZE       0x10000u
_Static_assert(EDD_MAX_SECTORS * MIMG_SECTOR_SIZE <= BOUNCE_SIZE, "the largest read fits the bounce buffer");

/* Aligned to its size, so that no read crosses a 64 KiB boundary: ISA DMA
 * (and BIOSes written for it) cannot. */
static uint8_t bounce[BOUNCE_SIZE] LOWMEM __attribute__((aligned(BOUNCE_SIZE)));

/* EDD's Disk Address Packet. */
struct dap {
    uint8_t size;
    uint8_t reserved;
    uint16_t count;
    uint16_t offset, segment;
    uint64_t lba;
};
static struct dap dap; /* in .bss, below 64 KiB: DS:SI reaches it */

/* INT 13h AH=48h's answer, up to EDD 3.0's device path (T13 1386D). */
struct __attribute__((packed)) edd_params {
    uint16_t size;
    uint16_t flags;
    uint32_t cylinders, heads, spt;
    uint64_t sectors;
    uint16_t sector_size;
    uint32_t dpte;
    uint16_t key;               /* EDD_DPI_KEY when what follows is valid */
    uint8_t dpi_length;
    uint8_t reserved[3];
    char host_bus[4];           /* "PCI " */
    char interface[8];          /* "ATA     ", "SCSI    " (SeaBIOS's virtio-blk), ... */
    uint8_t interface_path[8];  /* PCI: bus, device, function, channel */
    uint8_t device_path[16];    /* ATA: 0 master, 1 slave */
    uint8_t reserved2;
    uint8_t checksum;
};
static struct edd_params edd; /* in .bss: DS:SI reaches it */
static uint8_t bios_copy[MIMG_SECTOR_SIZE] LOWMEM, driver_copy[MIMG_SECTOR_SIZE] LOWMEM;

void disk_open(struct disk *d, uint8_t drive)
{
    d->drive = drive;
    d->path = DISK_BIOS;
    struct bios_regs r = { .eax = EDD_CHECK, .ebx = EDD_CHECK_IN, .edx = drive };
    bios_int(0x13, &r);
    d->edd = !(r.eflags & EFLAGS_CF) && (r.ebx & 0xFFFF) == EDD_CHECK_OUT && (r.ecx & EDD_FIXED_DISK);
    d->how = d->edd ? "INT 13h extensions" : "INT 13h CHS";
    if (d->edd)
        return;

    r = (struct bios_regs){ .eax = CHS_GEOMETRY, .edx = drive };
    bios_int(0x13, &r);
    d->spt = r.ecx & CHS_SECTOR_MASK;
    if ((r.eflags & EFLAGS_CF) || d->spt == 0)
        die(STAGE, "disk 0x%x: no INT 13h extensions, and no CHS geometry either (AH=08h status 0x%x)", drive,
            STATUS(r));
    d->heads = ((r.edx >> 8) & 0xFF) + 1;
    d->cylinders = (((r.ecx & 0xC0) << 2) | ((r.ecx >> 8) & 0xFF)) + 1;
}

/* Reads up to `count` sectors at lba into the bounce buffer; returns how
 * many it read. */
static uint32_t read_chunk(const struct disk *d, uint64_t lba, uint32_t count)
{
    struct bios_regs r = { .edx = d->drive };
    if (d->edd) {
        count = count < EDD_MAX_SECTORS ? count : EDD_MAX_SECTORS;
        dap = (struct dap){ .size = sizeof dap, .count = (uint16_t)count, .segment = rm_segment(bounce), .lba = lba };
        r.eax = EDD_READ;
        r.ds = rm_segment(&dap);
        r.esi = rm_offset(&dap);
    } else {
        uint32_t track = (uint32_t)lba / d->spt, sector = (uint32_t)lba % d->spt;
        uint32_t cylinder = track / d->heads, head = track % d->heads;
        if (lba >> 32 || cylinder >= d->cylinders)
            die(STAGE, "disk 0x%x: LBA 0x%lx lies beyond the %u cylinders CHS reaches, and the BIOS has no INT 13h "
                       "extensions",
                d->drive, lba, d->cylinders);
        uint32_t left_in_track = d->spt - sector;
        count = count < left_in_track ? count : left_in_track; /* at most 63 sectors: fits the buffer */
        r.eax = CHS_READ | count;
        r.ecx = (cylinder & 0xFF) << 8 | (cylinder >> 8) << 6 | (sector + 1);
        r.edx |= head << 8;
        r.es = rm_segment(bounce);
        r.ebx = rm_offset(bounce);
    }
    bios_int(0x13, &r);
    if (r.eflags & EFLAGS_CF)
        die(STAGE, "disk 0x%x: reading %u sectors at LBA 0x%lx failed (INT 13h AH=%xh status 0x%x); hint: a bad "
                   "disk, or a disk image cut short",
            d->drive, count, lba, d->edd ? EDD_READ >> 8 : CHS_READ >> 8, STATUS(r));
    return count;
}

static void bios_read(const struct disk *d, uint64_t lba, void *dest, uint32_t bytes)
{
    uint8_t *out = dest;
    while (bytes > 0) {
        uint32_t n = read_chunk(d, lba, (uint32_t)align_up(bytes, MIMG_SECTOR_SIZE) / MIMG_SECTOR_SIZE);
        uint32_t got = n * MIMG_SECTOR_SIZE < bytes ? n * MIMG_SECTOR_SIZE : bytes;
        memcpy(out, bounce, got);
        out += got;
        bytes -= got;
        lba += n;
    }
}

static bool driver_read(const struct disk *d, uint64_t lba, uint32_t sectors, void *dest)
{
    return d->path == DISK_ATA ? ata_read(lba, sectors, dest) : virtio_read(lba, sectors, dest);
}

void disk_read(struct disk *d, uint64_t lba, void *dest, uint32_t bytes)
{
    uint8_t *out = dest;
    while (bytes > 0 && d->path != DISK_BIOS) {
        uint32_t sectors = (uint32_t)(align_up(bytes, MIMG_SECTOR_SIZE) / MIMG_SECTOR_SIZE);
        sectors = sectors < DRIVER_MAX_SECTORS ? sectors : DRIVER_MAX_SECTORS;
        if (!driver_read(d, lba, sectors, out)) {
            if (d->path == DISK_VIRTIO)
                die(STAGE, "disk 0x%x: %s: reading %u sectors at LBA 0x%lx failed, and INT 13h can no longer read "
                           "this device; hint: a bad disk, or a disk image cut short",
                    d->drive, d->how, sectors, lba);
            con_line(CON_SERIAL, STAGE ": disk 0x%x: %s: reading %u sectors at LBA 0x%lx failed; reading through "
                                 "INT 13h from here on",
                     d->drive, d->how, sectors, lba);
            ata_close();
            d->path = DISK_BIOS;
            d->how = "INT 13h extensions";
            break;
        }
        uint32_t got = sectors * MIMG_SECTOR_SIZE < bytes ? sectors * MIMG_SECTOR_SIZE : bytes;
        out += got;
        bytes -= got;
        lba += sectors;
    }
    if (bytes > 0)
        bios_read(d, lba, out, bytes);
}

/* Whether a driver opened on the disk reads `lba` as the BIOS does. */
static bool same_as_bios(struct disk *d, uint64_t lba)
{
    return driver_read(d, lba, 1, driver_copy) && memcmp(driver_copy, bios_copy, MIMG_SECTOR_SIZE) == 0;
}

void disk_use_driver(struct disk *d, uint64_t check_lba, bool virtio)
{
    struct bios_regs r = { .eax = EDD_PARAMS, .edx = d->drive, .ds = rm_segment(&edd), .esi = rm_offset(&edd) };
    memset(&edd, 0, sizeof edd);
    edd.size = sizeof edd;
    if (d->edd)
        bios_int(0x13, &r);
    if (!d->edd || (r.eflags & EFLAGS_CF) || edd.key != EDD_DPI_KEY || memcmp(edd.host_bus, "PCI", 3) != 0)
        return;
    uint32_t bdf = PCI_BDF(edd.interface_path[0], edd.interface_path[1], edd.interface_path[2]);
    bios_read(d, check_lba, bios_copy, MIMG_SECTOR_SIZE);

    if (memcmp(edd.interface, "ATA ", 4) == 0 && ata_open(bdf, edd.interface_path[3], edd.device_path[0])) {
        d->path = DISK_ATA;
        d->how = "ATA bus-master DMA";
        if (same_as_bios(d, check_lba))
            return;
        ata_close();
    } else if (virtio && memcmp(edd.interface, "SCSI", 4) == 0 && virtio_open(bdf, edd.sectors)) {
        d->path = DISK_VIRTIO;
        d->how = "virtio-blk";
        if (same_as_bios(d, check_lba))
            return;
        die(STAGE, "disk 0x%x: the virtio-blk device at PCI %x:%x.%x reads LBA 0x%lx differently from the BIOS, and "
                   "INT 13h can no longer read it",
            d->drive, edd.interface_path[0], edd.interface_path[1], edd.interface_path[2], check_lba);
    }
    d->path = DISK_BIOS;
    d->how = "INT 13h extensions";
}

void disk_close(const struct disk *d)
{
    if (d->path == DISK_ATA)
        ata_close();
    else if (d->path == DISK_VIRTIO)
        virtio_close();
}
