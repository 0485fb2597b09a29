/* ata.c — reading an IDE disk by bus-master DMA (SFF-8038i: Intel PIIX
 * and its kind), megabytes per command, where INT 13h on such a disk moves
 * one sector at a time through PIO (SeaBIOS does).
 *
 * Used only for a disk the BIOS has left in a DMA mode (IDENTIFY words 63
 * and 88 name a selected mode) and that has 48-bit LBA: this driver never
 * programs controller timings or transfer modes. The device's interrupt
 * stays masked (nIEN); completion is polled. */

#include "bios.h"
#include "io.h"
#include "range.h"

#define PCI_CLASS_IDE       0x0101  /* mass storage, IDE */
#define PROGIF_PRIMARY_NATIVE   0x01
#define PROGIF_SECONDARY_NATIVE 0x04
#define PROGIF_BUS_MASTER   0x80
#define PCI_BAR4            0x20    /* the bus-master registers, 8 per channel */

/* The two channels' legacy ports, when not in native mode. */
static const uint16_t legacy_cmd[2] = { 0x1F0, 0x170 };
static const uint16_t legacy_ctrl[2] = { 0x3F6, 0x376 };
#define NATIVE_CTRL_OFFSET  2       /* device control in the control BAR's block */

/* Command block registers, from cmd. */
#define ATA_DATA            0
#define ATA_COUNT           2
#define ATA_LBA0            3
#define ATA_LBA1            4
#define ATA_LBA2            5
#define ATA_DRIVE           6
#define ATA_STATUS          7       /* read */
#define ATA_COMMAND         7       /* write */
#define ATA_DRIVE_LBA       0xE0    /* LBA addressing, and the obsolete bits 5 and 7 set */
#define ATA_DRIVE_SLAVE     0x10
#define ATA_CTRL_NIEN       0x02    /* device control: no interrupts */
#define ST_ERR              0x01
#define ST_DRQ              0x08
#define ST_DF               0x20
#define ST_BSY              0x80
#define CMD_IDENTIFY        0xEC
#define CMD_READ_DMA_EXT    0x25

#define ID_WORDS            256
#define ID_MDMA             63      /* bits 8-10: the multiword DMA mode selected */
#define ID_CMDSET2          83      /* bit 10: 48-bit LBA */
#define ID_UDMA             88      /* bits 8-14: the Ultra DMA mode selected */
#define ID_MODE_SELECTED    0x7F00
#define ID_LBA48            0x0400

/* Bus-master registers, from bm. */
#define BM_COMMAND          0
#define BM_STATUS           2
#define BM_PRDT             4
#define BM_START            0x01
#define BM_TO_MEMORY        0x08
#define BM_ACTIVE           0x01
#define BM_ERROR            0x02
#define BM_IRQ              0x04

/* The PRD table holds one read of DRIVER_MAX_SECTORS at any page
 * alignment: one more entry for a start inside a 64 KiB block. */
#define PRD_MAX_BYTES       0x10000u /* and no entry crosses a 64 KiB boundary */
#define PRD_COUNT           (DRIVER_MAX_SECTORS * MIMG_SECTOR_SIZE / PRD_MAX_BYTES + 1)
#define PRD_END             0x8000u

/* Polls of a status port before giving up: each takes about a microsecond
 * on real hardware, so this is seconds, the ATA command timeouts' scale. */
#define POLL_MAX            20000000u

struct prd {
    uint32_t addr;
    uint16_t bytes;  /* 0 means 64 KiB */
    uint16_t flags;
};
/* Page-aligned and smaller than a page, so that it crosses no 64 KiB
 * boundary, as the controller requires. */
_Static_assert(sizeof(struct prd) * PRD_COUNT <= 0x1000, "the PRD table fits one page");
static struct prd prdt[PRD_COUNT] LOWMEM __attribute__((aligned(0x1000)));

static struct {
    uint32_t bdf;
    uint16_t pci_command; /* as the BIOS left it, for ata_close */
    uint16_t cmd, ctrl, bm;
    uint8_t drive;
} ata;

static bool wait_idle(void)
{
    for (uint32_t i = 0; i < POLL_MAX; i++)
        if (!(inb(ata.cmd + ATA_STATUS) & ST_BSY))
            return true;
    return false;
}

/* Selects the drive and waits until it takes commands. */
static bool select_drive(void)
{
    outb(ata.ctrl, ATA_CTRL_NIEN);
    outb(ata.cmd + ATA_DRIVE, ata.drive);
    for (int i = 0; i < 4; i++) /* 400 ns for the status to follow the selection */
        (void)inb(ata.ctrl);
    return wait_idle();
}

static bool identify_ok(void)
{
    uint16_t id[ID_WORDS];
    if (!select_drive())
        return false;
    outb(ata.cmd + ATA_COMMAND, CMD_IDENTIFY);
    if (!wait_idle() || (inb(ata.cmd + ATA_STATUS) & (ST_ERR | ST_DRQ)) != ST_DRQ)
        return false;
    for (uint32_t i = 0; i < ID_WORDS; i++)
        id[i] = inw(ata.cmd + ATA_DATA);
    bool dma_mode = (id[ID_MDMA] & ID_MODE_SELECTED) || (id[ID_UDMA] & ID_MODE_SELECTED);
    return dma_mode && (id[ID_CMDSET2] & ID_LBA48);
}

bool ata_open(uint32_t bdf, uint32_t channel, uint32_t slave)
{
    uint32_t class = pci_read32(bdf, PCI_CLASS);
    uint32_t progif = (class >> 8) & 0xFF;
    uint32_t bar4 = pci_read32(bdf, PCI_BAR4);
    if (class >> 16 != PCI_CLASS_IDE || !(progif & PROGIF_BUS_MASTER) || !(bar4 & PCI_BAR_IO) || channel > 1)
        return false;
    ata.bdf = bdf;
    ata.bm = (uint16_t)((bar4 & ~3u) + 8 * channel);
    ata.drive = (uint8_t)(ATA_DRIVE_LBA | (slave ? ATA_DRIVE_SLAVE : 0));
    if (progif & (channel ? PROGIF_SECONDARY_NATIVE : PROGIF_PRIMARY_NATIVE)) {
        ata.cmd = (uint16_t)(pci_read32(bdf, PCI_BAR0 + 8 * channel) & ~3u);
        ata.ctrl = (uint16_t)((pci_read32(bdf, PCI_BAR0 + 8 * channel + 4) & ~3u) + NATIVE_CTRL_OFFSET);
    } else {
        ata.cmd = legacy_cmd[channel];
        ata.ctrl = legacy_ctrl[channel];
    }
    if (!identify_ok())
        return false;
    ata.pci_command = (uint16_t)pci_read32(bdf, PCI_COMMAND);
    pci_write16(bdf, PCI_COMMAND, ata.pci_command | PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    return true;
}

/* One READ DMA EXT. */
bool ata_read(uint64_t lba, uint32_t sectors, void *dest)
{
    uint32_t n = 0, left = sectors * MIMG_SECTOR_SIZE;
    for (uint32_t at = (uint32_t)(uintptr_t)dest; left > 0; n++) {
        uint32_t bytes = PRD_MAX_BYTES - (at & (PRD_MAX_BYTES - 1)); /* to the next 64 KiB boundary */
        bytes = bytes < left ? bytes : left;
        prdt[n] = (struct prd){ .addr = at, .bytes = (uint16_t)bytes, .flags = 0 };
        at += bytes;
        left -= bytes;
    }
    prdt[n - 1].flags = PRD_END;

    if (!select_drive())
        return false;
    outb(ata.bm + BM_COMMAND, 0);
    outl(ata.bm + BM_PRDT, (uint32_t)(uintptr_t)prdt);
    outb(ata.bm + BM_STATUS, inb(ata.bm + BM_STATUS) | BM_ERROR | BM_IRQ); /* both clear when written as 1 */
    outb(ata.bm + BM_COMMAND, BM_TO_MEMORY);
    /* 48-bit LBA: each register takes its high byte, then its low byte. */
    outb(ata.cmd + ATA_COUNT, (uint8_t)(sectors >> 8));
    outb(ata.cmd + ATA_LBA0, (uint8_t)(lba >> 24));
    outb(ata.cmd + ATA_LBA1, (uint8_t)(lba >> 32));
    outb(ata.cmd + ATA_LBA2, (uint8_t)(lba >> 40));
    outb(ata.cmd + ATA_COUNT, (uint8_t)sectors);
    outb(ata.cmd + ATA_LBA0, (uint8_t)lba);
    outb(ata.cmd + ATA_LBA1, (uint8_t)(lba >> 8));
    outb(ata.cmd + ATA_LBA2, (uint8_t)(lba >> 16));
    outb(ata.cmd + ATA_COMMAND, CMD_READ_DMA_EXT);
    outb(ata.bm + BM_COMMAND, BM_TO_MEMORY | BM_START);

    uint8_t bm = BM_ACTIVE;
    for (uint32_t i = 0; i < POLL_MAX && (bm & (BM_ACTIVE | BM_ERROR)) == BM_ACTIVE; i++)
        bm = inb(ata.bm + BM_STATUS);
    outb(ata.bm + BM_COMMAND, 0);
    bool idle = wait_idle();
    uint8_t st = inb(ata.cmd + ATA_STATUS);
    return !(bm & (BM_ACTIVE | BM_ERROR)) && idle && !(st & (ST_ERR | ST_DF | ST_DRQ));
}

void ata_close(void)
{
    pci_write16(ata.bdf, PCI_COMMAND, ata.pci_command);
}
