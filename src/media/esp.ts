// Laying out the EFI system partition (docs/format/boot-volume.md section
// 8): a FAT32 volume holding the UEFI bootstrapper as \EFI\BOOT\BOOTX64.EFI
// (the path firmware boots from removable media and from a disk with no
// boot entry) and, in \mimg, mimgload's ELF file, the .mimg, every
// [[range]]'s file and load.txt, the list of what BOOTX64.EFI loads.

import { SECTOR_SIZE } from '../bytes/sectors.js';
import type { Result } from '../diagnostics/issue.js';
import { planFat32 } from '../formats/fat/index.js';
import { bytesExtent, shift, tile, type Extent, type Source } from './extent.js';
import { rangeInputIssues, type RangeInput } from './volume.js';

export const ESP_DIR = 'mimg';
export const LOAD_LIST = 'load.txt';
export const BOOT_PATH = ['EFI', 'BOOT', 'BOOTX64.EFI'] as const;
export const LOADER_FILE = 'mimgload.elf';

export interface EspInput {
  /** BOOTX64.EFI. */
  bootx64: Uint8Array;
  /** mimgload's ELF file as built: BOOTX64.EFI loads it by its program header. */
  loaderElf: Uint8Array;
  image: Omit<RangeInput, 'flags'>;
  ranges: RangeInput[];
}

export interface EspPlan {
  lba: bigint;
  sectors: bigint;
  clusterBytes: number;
  clusters: bigint;
  /** Every file's path on the volume, "/"-separated, in the order written. */
  files: string[];
  /** The load list's text. */
  loadList: string;
  /** Byte extents from the volume's first byte, tiling [0, sectors × 512). */
  extents: Extent[];
}

/**
 * The load list: one "KIND NAME OFFSET" line per file of \mimg that
 * BOOTX64.EFI loads, in order: the loader, the image, then each preload
 * range (handed to mimgload as modules after the image, as stage 2 does on
 * BIOS). OFFSET is where the file's bytes start in the partition, in
 * bytes, as 18 characters ("0x" and 16 hex digits) so that the list's size,
 * hence the layout, does not depend on the offsets: BOOTX64.EFI may read a
 * file there with its own disk driver, after checking it against the file
 * system.
 */
export function loadList(input: EspInput, offsetOf: (name: string) => bigint = () => 0n): string {
  const at = (name: string): string => `0x${offsetOf(name).toString(16).padStart(16, '0')}`;
  return [
    '# mimg: what BOOTX64.EFI loads from \\mimg, in this order (docs/format/boot-volume.md section 8)',
    `loader ${LOADER_FILE} ${at(LOADER_FILE)}`,
    `image ${input.image.name} ${at(input.image.name)}`,
    ...input.ranges.filter((r) => r.flags.includes('preload')).map((r) => `module ${r.name} ${at(r.name)}`),
    '',
  ].join('\n');
}

/** The ESP for a partition at absolute LBA `lba`, its size a multiple of `alignSectors`. */
export function planEsp(input: EspInput, lba: bigint, alignSectors: bigint, volumeId: number): Result<EspPlan> {
  const issues = rangeInputIssues([input.image, ...input.ranges]);
  if (issues.length > 0) return { issues };
  const bytes = (b: Uint8Array): { size: bigint; source: Source } => ({ size: BigInt(b.length), source: { kind: 'bytes', bytes: b } });
  const plan = (list: string) =>
    planFat32<Source>({
      files: [
        { path: BOOT_PATH, ...bytes(input.bootx64) },
        { path: [ESP_DIR, LOAD_LIST], ...bytes(new TextEncoder().encode(list)) },
        { path: [ESP_DIR, LOADER_FILE], ...bytes(input.loaderElf) },
        ...[input.image, ...input.ranges].map((r) => ({ path: [ESP_DIR, r.name], size: r.size, source: r.source })),
      ],
      volumeId,
      hiddenSectors: lba,
      alignSectors,
    });
  // Laid out once to learn where the files go, then again with the list that says so: the same size, the same layout.
  const first = plan(loadList(input));
  const offsets = new Map(first.value?.files.map((f) => [f.path.slice(ESP_DIR.length + 1), f.offset]));
  const list = loadList(input, (name) => offsets.get(name) ?? 0n);
  const fat = first.value ? plan(list) : first;
  if (!fat.value) return { issues: fat.issues.map((i) => ({ ...i, ...(input.image.file !== undefined && { file: input.image.file }) })) };
  const f = fat.value;
  const extents: Extent[] = [
    ...f.areas.map((a) => bytesExtent(a.offset, a.bytes, a.what)),
    ...f.files.map((x): Extent => ({ offset: x.offset, length: x.size, source: x.source, what: `ESP file /${x.path}` })),
  ];
  return {
    value: { lba, sectors: f.sectors, clusterBytes: f.clusterBytes, clusters: f.clusters, files: f.files.map((x) => x.path), loadList: list, extents: tile(extents, f.sectors * BigInt(SECTOR_SIZE)) },
    issues: [],
  };
}

/** The ESP's extents placed at its partition. */
export const espExtents = (esp: EspPlan): Extent[] => shift(esp.extents, esp.lba * BigInt(SECTOR_SIZE));
