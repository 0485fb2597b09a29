/* disk.c — reading the files of an IDE boot disk with the BIOS
 * bootstrapper's bus-master DMA driver (bios/ata.c) once boot services
 * are gone. OVMF's IDE driver moves 128 KiB per READ DMA command and
 * spends about 15 ms on each under QEMU: 8 s for 64 MiB. ata.c reads 16 MiB
 * a command. Every other disk (virtio-blk, AHCI, NVMe, USB) is read through
 * the firmware, whose drivers for those move megabytes a command.
 *
 * Only for a boot partition whose device path is exactly
 * PciRoot(0)/Pci(D,F)/Ata(channel,drive,0)/HD(...): a controller on PCI
 * bus 0, which is what the port I/O configuration access of bios/pci.c
 * reaches without walking bridges. */

#include "../bios/bios.h" /* ata_open, ata_read, ata_close, DRIVER_MAX_SECTORS */
#undef STAGE                 /* this file's lines are BOOTX64.EFI's */
#include "mem.h"
#include "range.h"
#include "uefi.h"

static uint64_t partition_lba;

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

bool ide_open(struct efi_boot_services *bs, const struct efi_loaded_image *li)
{
    static const struct efi_guid device_path_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
    /* ata.c's PRD table is in BOOTX64.EFI's image: the controller takes a 32-bit address. */
    if ((uint64_t)(uintptr_t)li->image_base + li->image_size > GIB4)
        return false;
    const uint8_t *p;
    if (bs->handle_protocol(li->device_handle, &device_path_guid, (void **)&p) != EFI_SUCCESS)
        return false;
    uint32_t pci = 0, device = 0, function = 0, channel = 0, slave = 0;
    bool root0 = false, ata = false, hd = false;
    for (uint32_t nodes = 0; p[0] != DP_END; nodes++) {
        uint32_t length = p[2] | (uint32_t)p[3] << 8;
        if (length < DP_HEADER_SIZE || nodes > 16)
            return false;
        const uint8_t *d = p + DP_HEADER_SIZE;
        if (p[0] == DP_ACPI && p[1] == DP_ACPI_ACPI && length >= 12 && nodes == 0) {
            root0 = get32(d + 4) == 0; /* _UID 0: the host bridge of bus 0 */
        } else if (p[0] == DP_HARDWARE && p[1] == DP_HARDWARE_PCI && length >= 6) {
            function = d[0];
            device = d[1];
            pci++;
        } else if (p[0] == DP_MESSAGING && p[1] == DP_MESSAGING_ATAPI && length >= 8) {
            channel = d[0];
            slave = d[1];
            ata = get32(d) >> 16 == 0; /* LUN 0 */
        } else if (p[0] == DP_MEDIA && p[1] == DP_MEDIA_HARD_DRIVE && length >= 28) {
            partition_lba = get64(d + 4);
            hd = true;
        } else {
            return false;
        }
        p += length;
    }
    return root0 && pci == 1 && ata && hd && ata_open(device << 3 | function, channel, slave);
}

bool ide_read(uint64_t offset, uint64_t bytes, void *dest)
{
    uint64_t lba = partition_lba + offset / MIMG_SECTOR_SIZE;
    uint64_t sectors = (bytes + MIMG_SECTOR_SIZE - 1) / MIMG_SECTOR_SIZE;
    uint8_t *to = dest;
    for (uint64_t done = 0; done < sectors;) {
        uint32_t n = sectors - done < DRIVER_MAX_SECTORS ? (uint32_t)(sectors - done) : DRIVER_MAX_SECTORS;
        if (!ata_read(lba + done, n, to + done * MIMG_SECTOR_SIZE))
            return false;
        done += n;
    }
    return true;
}

void ide_close(void)
{
    ata_close();
}
