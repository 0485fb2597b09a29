/* pci.c — PCI configuration space through ports 0xCF8/0xCFC
 * (configuration mechanism #1, which every PC chipset with PCI has). */

#include "bios.h"
#include "io.h"

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA    0xCFC
#define PCI_CONFIG_ENABLE  0x80000000u

static void select_reg(uint32_t bdf, uint32_t reg)
{
    outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | bdf << 8 | (reg & 0xFC));
}

uint32_t pci_read32(uint32_t bdf, uint32_t reg)
{
    select_reg(bdf, reg);
    return inl(PCI_CONFIG_DATA);
}

void pci_write16(uint32_t bdf, uint32_t reg, uint16_t value)
{
    select_reg(bdf, reg);
    outw((uint16_t)(PCI_CONFIG_DATA + (reg & 2)), value);
}
