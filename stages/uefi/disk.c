/* disk.c — reading the files of the boot disk with BIOS stage 2's drivers
 * once boot services are gone: an IDE disk by bus-master DMA (bios/ata.c),
 * a virtio-blk disk through its legacy interface (bios/virtio.c), 16 MiB a
 * command. OVMF's IDE driver moves 128 KiB per READ DMA command and spends
 * about 15 ms on each under QEMU: 8 s for 64 MiB. Its virtio-blk driver is
 * fast, but reading before ExitBootServices leaves the image where free
 * memory is then, rarely in place (main.c, in_place_hint). Every other disk
 * (AHCI, NVMe, USB) is read through the firmware.
 *
 * Only for a boot partition whose device path is exactly
 * PciRoot(0)/Pci(D,F)/Ata(channel,drive,0)/HD(...) or, for virtio-blk,
 * PciRoot(0)/Pci(D,F)/HD(...): a controller on PCI bus 0, which is what
 * the port I/O configuration access of bios/pci.c reaches without walking
 * bridges. The ATA driver is opened at once (OVMF's IDE driver is idle
 * between calls); the virtio driver only after ExitBootServices, when
 * OVMF's own driver, which holds the device's queue until then, has reset
 * it. Until then the partition is read through the firmware's Block I/O. */

#include "../bios/bios.h" /* ata_*, virtio_*, pci_read32, DRIVER_MAX_SECTORS */
#undef STAGE                 /* this file's lines are BOOTX64.EFI's */
#include "mem.h"
#include "range.h"
#include "uefi.h"

#define VIRTIO_BLK_ID   (0x1001u << 16 | 0x1AF4u) /* the transitional (legacy-capable) virtio-blk device */
#define PATH_MAX_BYTES  512                       /* the whole disk's device path, copied */

static struct {
    enum boot_driver driver;
    bool started;                /* virtio: open; ATA: always */
    uint64_t partition_lba;
    uint32_t bdf;
    uint64_t sectors;            /* virtio: the whole disk's, as the firmware says */
    struct efi_block_io *blocks; /* virtio, until started: the partition through the firmware */
} disk;

/* The virtio-blk disk's size in sectors from the whole disk's Block I/O (the
 * partition's path without its HD node), and the partition's Block I/O. */
static bool virtio_firmware(struct efi_boot_services *bs, const struct efi_loaded_image *li, const uint8_t *path,
                            uint64_t disk_bytes)
{
    static const struct efi_guid block_io_guid = EFI_BLOCK_IO_PROTOCOL_GUID;
    static uint8_t whole[PATH_MAX_BYTES + DP_HEADER_SIZE];
    struct efi_block_io *d;
    efi_handle h;
    if (disk_bytes > PATH_MAX_BYTES)
        return false;
    memcpy(whole, path, disk_bytes);
    memcpy(whole + disk_bytes, (const uint8_t[]){ DP_END, 0xFF, DP_HEADER_SIZE, 0 }, DP_HEADER_SIZE);
    const void *rest = whole;
    if (bs->locate_device_path(&block_io_guid, &rest, &h) != EFI_SUCCESS || ((const uint8_t *)rest)[0] != DP_END ||
        bs->handle_protocol(h, &block_io_guid, (void **)&d) != EFI_SUCCESS || d->media->block_size != MIMG_SECTOR_SIZE ||
        bs->handle_protocol(li->device_handle, &block_io_guid, (void **)&disk.blocks) != EFI_SUCCESS ||
        disk.blocks->media->block_size != MIMG_SECTOR_SIZE)
        return false;
    disk.sectors = d->media->last_block + 1;
    return true;
}

enum boot_driver boot_disk_open(struct efi_boot_services *bs, const struct efi_loaded_image *li)
{
    static const struct efi_guid device_path_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
    /* ata.c's PRD table and virtio.c's ring are in BOOTX64.EFI's image: the devices take 32-bit addresses. */
    if ((uint64_t)(uintptr_t)li->image_base + li->image_size > GIB4)
        return BOOT_DRIVER_NONE;
    const uint8_t *path, *p;
    if (bs->handle_protocol(li->device_handle, &device_path_guid, (void **)&path) != EFI_SUCCESS)
        return BOOT_DRIVER_NONE;
    uint32_t pci = 0, device = 0, function = 0, channel = 0, slave = 0;
    uint64_t disk_bytes = 0;
    bool root0 = false, ata = false, hd = false;
    p = path;
    for (uint32_t nodes = 0; p[0] != DP_END; nodes++) {
        uint32_t length = p[2] | (uint32_t)p[3] << 8;
        if (length < DP_HEADER_SIZE || nodes > 16 || hd)
            return BOOT_DRIVER_NONE;
        const uint8_t *d = p + DP_HEADER_SIZE;
        if (p[0] == DP_ACPI && p[1] == DP_ACPI_ACPI && length >= 12 && nodes == 0) {
            root0 = get_u32(d + 4) == 0; /* _UID 0: the host bridge of bus 0 */
        } else if (p[0] == DP_HARDWARE && p[1] == DP_HARDWARE_PCI && length >= 6) {
            function = d[0];
            device = d[1];
            pci++;
        } else if (p[0] == DP_MESSAGING && p[1] == DP_MESSAGING_ATAPI && length >= 8) {
            channel = d[0];
            slave = d[1];
            ata = get_u32(d) >> 16 == 0; /* LUN 0 */
        } else if (p[0] == DP_MEDIA && p[1] == DP_MEDIA_HARD_DRIVE && length >= 28) {
            disk.partition_lba = get_u64(d + 4);
            disk_bytes = (uint64_t)(p - path);
            hd = true;
        } else {
            return BOOT_DRIVER_NONE;
        }
        p += length;
    }
    if (!root0 || pci != 1 || !hd || device > 31 || function > 7)
        return BOOT_DRIVER_NONE;
    disk.bdf = PCI_BDF(0, device, function);
    if (ata && ata_open(disk.bdf, channel, slave)) {
        disk.driver = BOOT_DRIVER_ATA;
        disk.started = true;
    } else if (!ata && pci_read32(disk.bdf, PCI_ID) == VIRTIO_BLK_ID && (pci_read32(disk.bdf, PCI_BAR0) & PCI_BAR_IO) &&
               virtio_firmware(bs, li, path, disk_bytes)) {
        disk.driver = BOOT_DRIVER_VIRTIO;
        disk.started = false;
    }
    return disk.driver;
}

bool boot_disk_start(void)
{
    if (disk.driver == BOOT_DRIVER_VIRTIO && !disk.started)
        disk.started = virtio_open(disk.bdf, disk.sectors);
    return disk.started;
}

bool boot_disk_read(uint64_t offset, uint64_t bytes, void *dest)
{
    uint64_t sectors = (bytes + MIMG_SECTOR_SIZE - 1) / MIMG_SECTOR_SIZE;
    if (!disk.started) {
        struct efi_block_io *b = disk.blocks;
        return b->read_blocks(b, b->media->media_id, offset / MIMG_SECTOR_SIZE, sectors * MIMG_SECTOR_SIZE, dest) ==
               EFI_SUCCESS;
    }
    uint64_t lba = disk.partition_lba + offset / MIMG_SECTOR_SIZE;
    uint8_t *to = dest;
    for (uint64_t done = 0; done < sectors;) {
        uint32_t n = sectors - done < DRIVER_MAX_SECTORS ? (uint32_t)(sectors - done) : DRIVER_MAX_SECTORS;
        void *at = to + done * MIMG_SECTOR_SIZE;
        if (!(disk.driver == BOOT_DRIVER_ATA ? ata_read(lba + done, n, at) : virtio_read(lba + done, n, at)))
            return false;
        done += n;
    }
    return true;
}

void boot_disk_close(void)
{
    if (disk.started && disk.driver == BOOT_DRIVER_ATA)
        ata_close();
    else if (disk.started)
        virtio_close();
    disk.driver = BOOT_DRIVER_NONE;
    disk.started = false;
}
