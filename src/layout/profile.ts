// Target memory profiles: what the physical address space of the target
// looks like, as the layout sees it before any boot-time memory map exists.

import type { MemoryRegion } from '../config/types.js';

const KiB = 1024n;
const MiB = 1024n * KiB;
const GiB = 1024n * MiB;

/** Where auto-placement starts: below 1 MiB is left to fixed addresses only. */
export const AUTO_PLACE_FLOOR = MiB;

/** On `pc`, RAM beyond this is remapped above 4 GiB, leaving the PCI/firmware hole below it (as QEMU's i440fx does). */
export const PC_LOW_RAM_LIMIT = 3n * GiB;

/**
 * The conventional PC map for a machine with `ram` bytes of RAM. The EBDA is
 * taken as [0x80000, 0xA0000): its real size varies by firmware, and the
 * loader re-checks every section against the firmware's own map at boot.
 */
export function pcProfile(ram: bigint): MemoryRegion[] {
  const regions: MemoryRegion[] = [
    { start: 0n, end: 0x500n, type: 'reserved', name: 'real-mode IVT and BIOS data area' },
    { start: 0x500n, end: 0x80000n, type: 'usable', name: 'conventional memory' },
    { start: 0x80000n, end: 0xa0000n, type: 'reserved', name: 'extended BIOS data area' },
    { start: 0xa0000n, end: 0xc0000n, type: 'reserved', name: 'VGA memory' },
    { start: 0xc0000n, end: 0x100000n, type: 'reserved', name: 'video, option and system ROM' },
  ];
  if (ram <= PC_LOW_RAM_LIMIT) {
    if (ram > MiB) regions.push({ start: MiB, end: ram, type: 'usable', name: 'RAM' });
  } else {
    regions.push({ start: MiB, end: PC_LOW_RAM_LIMIT, type: 'usable', name: 'RAM' });
    regions.push({ start: PC_LOW_RAM_LIMIT, end: 4n * GiB, type: 'reserved', name: 'PCI hole and firmware' });
    regions.push({ start: 4n * GiB, end: 4n * GiB + (ram - PC_LOW_RAM_LIMIT), type: 'usable', name: 'RAM above 4 GiB' });
  }
  return regions;
}

/** Sum of usable bytes in a map. */
export function usableBytes(regions: readonly MemoryRegion[]): bigint {
  return regions.filter((r) => r.type === 'usable').reduce((n, r) => n + (r.end - r.start), 0n);
}
