/* virtio.c — reading a virtio-blk disk through its legacy PCI interface
 * (virtio 1.0, section 4.1.4.8; QEMU's default "transitional" device),
 * megabytes per request, where INT 13h reads at most 127 sectors a call.
 *
 * The BIOS drives the same device through a virtqueue of its own; this
 * driver resets the device and installs its own queue, so from virtio_open
 * on INT 13h cannot read the disk, and virtio_close resets the device
 * again for the kernel's driver. BOOTX64.EFI (uefi/disk.c) uses it too,
 * after ExitBootServices, when UEFI firmware may have turned the device's
 * I/O decoding and bus mastering off. */

#include "bios.h"
#include "io.h"
#include "mem.h"

#define VIRTIO_VENDOR        0x1AF4
#define VIRTIO_BLK_LEGACY    0x1001  /* the transitional device ID of virtio-blk */

/* Legacy registers, from the I/O BAR 0. */
#define VIO_GUEST_FEATURES   0x04
#define VIO_QUEUE_PFN        0x08    /* the queue's address / 4096 */
#define VIO_QUEUE_SIZE       0x0C
#define VIO_QUEUE_SELECT     0x0E
#define VIO_QUEUE_NOTIFY     0x10
#define VIO_STATUS           0x12
#define VIO_ISR              0x13
#define VIO_BLK_CAPACITY     0x14    /* u64, in 512-byte sectors */
#define STATUS_ACKNOWLEDGE   0x01
#define STATUS_DRIVER        0x02
#define STATUS_DRIVER_OK     0x04

#define VRING_DESC_NEXT      0x1
#define VRING_DESC_WRITE     0x2     /* the device writes this buffer */
#define VRING_AVAIL_NO_IRQ   0x1
#define VIRTIO_BLK_T_IN      0
#define VIRTIO_BLK_S_OK      0

/* QEMU's queues have 256 entries (1024 at most); the ring is laid out for
 * the size the device gives, up to this. */
#define QUEUE_MAX            1024u
#define PAGE_UP(x)           (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define VRING_USED(n)        PAGE_UP(16u * (n) + 6u + 2u * (n)) /* descriptors and avail ring first */
#define VRING_BYTES(n)       (VRING_USED(n) + PAGE_UP(6u + 8u * (n)))
/* Polls of the used ring before giving up: seconds (see below). */
#define POLL_MAX             20000000u

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
struct vring_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];
};
struct vring_used {
    uint16_t flags;
    uint16_t idx;
    /* then (u32 id, u32 len) per entry */
};
struct blk_request {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

static uint8_t ring[VRING_BYTES(QUEUE_MAX)] LOWMEM __attribute__((aligned(PAGE_SIZE)));
static struct blk_request request;
static volatile uint8_t request_status;

static struct {
    uint32_t bdf;
    uint16_t pci_command; /* as the firmware left it, for virtio_close */
    uint16_t io;
    uint16_t size;
    struct vring_desc *desc;
    struct vring_avail *avail;
    volatile struct vring_used *used;
    uint16_t used_seen;
} vq;

bool virtio_open(uint32_t bdf, uint64_t sectors)
{
    uint32_t bar0 = pci_read32(bdf, PCI_BAR0);
    if (pci_read32(bdf, PCI_ID) != (VIRTIO_BLK_LEGACY << 16 | VIRTIO_VENDOR) || !(bar0 & PCI_BAR_IO))
        return false;
    vq.bdf = bdf;
    vq.io = (uint16_t)(bar0 & ~3u);
    vq.pci_command = (uint16_t)pci_read32(bdf, PCI_COMMAND);
    pci_write16(bdf, PCI_COMMAND, vq.pci_command | PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    uint64_t capacity = (uint64_t)inl(vq.io + VIO_BLK_CAPACITY + 4) << 32 | inl(vq.io + VIO_BLK_CAPACITY);
    outw(vq.io + VIO_QUEUE_SELECT, 0);
    vq.size = inw(vq.io + VIO_QUEUE_SIZE);
    if (capacity != sectors || vq.size == 0 || vq.size > QUEUE_MAX) {
        pci_write16(bdf, PCI_COMMAND, vq.pci_command);
        return false;
    }

    outb(vq.io + VIO_STATUS, 0); /* reset: the BIOS's queue is gone from here on */
    outb(vq.io + VIO_STATUS, STATUS_ACKNOWLEDGE);
    outb(vq.io + VIO_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    outl(vq.io + VIO_GUEST_FEATURES, 0); /* none needed */
    memset(ring, 0, VRING_BYTES(vq.size));
    vq.desc = (struct vring_desc *)ring;
    vq.avail = (struct vring_avail *)(ring + 16u * vq.size);
    vq.used = (volatile struct vring_used *)(ring + VRING_USED(vq.size));
    vq.avail->flags = VRING_AVAIL_NO_IRQ;
    vq.used_seen = 0;
    outw(vq.io + VIO_QUEUE_SELECT, 0);
    outl(vq.io + VIO_QUEUE_PFN, (uint32_t)(uintptr_t)ring / PAGE_SIZE);
    outb(vq.io + VIO_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK);
    return true;
}

/* One request: header, data, status, as descriptors 0, 1, 2. */
bool virtio_read(uint64_t lba, uint32_t sectors, void *dest)
{
    request = (struct blk_request){ .type = VIRTIO_BLK_T_IN, .sector = lba };
    request_status = 0xFF;
    vq.desc[0] = (struct vring_desc){ (uintptr_t)&request, sizeof request, VRING_DESC_NEXT, 1 };
    vq.desc[1] = (struct vring_desc){ (uintptr_t)dest, sectors * MIMG_SECTOR_SIZE, VRING_DESC_NEXT | VRING_DESC_WRITE, 2 };
    vq.desc[2] = (struct vring_desc){ (uintptr_t)&request_status, 1, VRING_DESC_WRITE, 0 };
    vq.avail->ring[vq.avail->idx % vq.size] = 0;
    /* The device must see the descriptors before the index, and the index
     * before the notification: compiler barriers suffice on x86. */
    __asm__ volatile("" : : : "memory");
    vq.avail->idx++;
    __asm__ volatile("" : : : "memory");
    outw(vq.io + VIO_QUEUE_NOTIFY, 0);

    /* Each poll reads the ISR register (which also lowers the interrupt
     * line): an I/O read takes about a microsecond on any machine, so
     * POLL_MAX is a time limit, where a memory read would be nanoseconds. */
    for (uint32_t i = 0; vq.used->idx == vq.used_seen; i++) {
        if (i == POLL_MAX)
            return false;
        (void)inb(vq.io + VIO_ISR);
    }
    vq.used_seen++;
    return request_status == VIRTIO_BLK_S_OK;
}

void virtio_close(void)
{
    outb(vq.io + VIO_STATUS, 0);
    pci_write16(vq.bdf, PCI_COMMAND, vq.pci_command);
}
