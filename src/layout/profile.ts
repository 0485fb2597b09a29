// Target memory profiles: what the physical address space of the target
// looks like, as the layout sees it before any boot-time memory map exists.

import type { MemoryRegion } from '../config/types.js';
import { subtract } from './range.js';

const KiB = 1024n;
const MiB = 1024n * KiB;
const GiB = 1024n * MiB;

/** Where auto-placement starts: below 1 MiB is left to fixed addresses only. */
export const AUTO_PLACE_FLOOR = MiB;

/**
 * The MiB that holds mimgload (linked at 9 MiB, at most 96 KiB: stages/linker/mimgload.ld).
 * Placement keeps clear of it when another hole fits; a section there is still allowed (the
 * loader steps aside at boot). The rest of the MiB leaves a chain loader room to put the image
 * so that a payload placed at 10 MiB already lies in place, the image's head just below it.
 */
export const LOADER_WINDOW = { start: 9n * MiB, end: 10n * MiB };

/** On `pc`, RAM beyond this is remapped above 4 GiB, leaving the PCI/firmware hole below it (as QEMU's i440fx does). */
export const PC_LOW_RAM_LIMIT = 3n * GiB;

/**
 * What UEFI firmware keeps after ExitBootServices in RAM the BIOS map gives
 * as usable. OVMF's PEI phase (and, with S3 on, QEMU's default, its ACPI NVS)
 * sits in [8 MiB, 9 MiB); its runtime services, ACPI tables and NVS take about
 * the top 21.5 MiB of low RAM, whatever the RAM size. Other firmware differs:
 * mimgload still checks every section against the real map at boot.
 */
export const UEFI_EARLY: readonly [bigint, bigint] = [8n * MiB, 9n * MiB];
export const UEFI_TOP_RESERVE = 24n * MiB;

/**
 * The conventional PC map for a machine with `ram` bytes of RAM. The EBDA is
 * taken as [0x80000, 0xA0000): its real size varies by firmware, and the
 * loader re-checks every section against the firmware's own map at boot.
 * With `uefi` (media that boot on UEFI), also what UEFI firmware keeps.
 */
export function pcProfile(ram: bigint, uefi = false): MemoryRegion[] {
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
  return uefi ? withUefiReserves(regions, ram < PC_LOW_RAM_LIMIT ? ram : PC_LOW_RAM_LIMIT) : regions;
}

/** `regions` with UEFI's early memory and the top of low RAM (ending at `lowEnd`) taken out of RAM. */
function withUefiReserves(regions: MemoryRegion[], lowEnd: bigint): MemoryRegion[] {
  const topStart = lowEnd - UEFI_TOP_RESERVE > UEFI_EARLY[1] ? lowEnd - UEFI_TOP_RESERVE : UEFI_EARLY[1];
  const reserves = (
    [
      { start: UEFI_EARLY[0], end: UEFI_EARLY[1], type: 'reserved', name: 'UEFI firmware early memory and S3 ACPI NVS' },
      { start: topStart, end: lowEnd, type: 'reserved', name: 'UEFI runtime services and ACPI tables' },
    ] satisfies MemoryRegion[]
  ).filter((r) => r.start < lowEnd);
  const out: MemoryRegion[] = [];
  for (const r of regions) {
    if (r.type !== 'usable') {
      out.push(r);
      continue;
    }
    for (const piece of subtract([r], reserves)) out.push({ ...r, start: piece.start, end: piece.end });
  }
  for (const res of reserves) if (regions.some((r) => r.type === 'usable' && r.start < res.end && res.start < r.end)) out.push(res);
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}
