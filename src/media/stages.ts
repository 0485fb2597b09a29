// The BIOS stage binaries (stages/prebuilt/) as the disk writer takes them,
// checked before anything is laid out: mbr.bin and pbr.bin are whole
// 512-byte sectors as NASM assembles them, with zeros where the writer puts
// its own bytes; stage2.bin is a flat binary loaded by sector count; mimgload
// is an ELF executable whose PT_LOAD segments become one flat range.

import { SECTOR_SIZE, sectorsFor } from '../bytes/sectors.js';
import { hex, hexRange, issue, type Issue, type Result } from '../diagnostics/issue.js';
import { PATCH_AT, PBR_CODE_AT, VOLUME_HEADER_AT } from '../formats/bootvol/index.js';
import type { ElfFile } from '../formats/elf/types.js';
import { MBR } from '../formats/mbr/index.js';

export interface StageFiles {
  mbr: Uint8Array;
  pbr: Uint8Array;
  stage2: Uint8Array;
}

export interface Stages {
  /** Stage 1's code: the MBR bytes before the patch block. */
  stage1: Uint8Array;
  /** The whole PBR sector, its volume header still zero. */
  pbr: Uint8Array;
  stage2: Uint8Array;
}

/** mimgload's loadable bytes, flattened: what stage 2 copies to loadAddress before jumping to entry. */
export interface FlatLoader {
  bytes: Uint8Array;
  loadAddress: bigint;
  entry: bigint;
}

const STAGE2_MAX_SECTORS = 0xffffn; // stage2_sectors is a u16
const LOADER_MAX = 1n << 20n; // mimgload is tens of KiB: a MiB of it is a build mistake, not a loader
const LIMIT_32 = 1n << 32n;

/** `file` bytes [from, to) must be zero: the writer owns them. */
function zeros(bytes: Uint8Array, from: number, to: number, file: string, what: string): Issue[] {
  const i = bytes.subarray(from, to).findIndex((b) => b !== 0);
  if (i < 0) return [];
  return [issue('MEDIA_STAGE', `byte ${hex(from + i)} is ${hex(bytes[from + i]!)}, but ${hexRange(BigInt(from), BigInt(to))} is ${what} and must be zero in the binary`, { file, where: `offset ${hex(from + i)}` })];
}

function sector(bytes: Uint8Array, file: string): Issue[] {
  if (bytes.length !== SECTOR_SIZE) return [issue('MEDIA_STAGE', `${hex(bytes.length)} bytes; a boot sector is exactly ${hex(SECTOR_SIZE)}`, { file })];
  const sig = MBR.f.boot_signature.offset;
  if (bytes[sig] !== 0x55 || bytes[sig + 1] !== 0xaa) return [issue('MEDIA_STAGE', `does not end in 55 AA`, { file, where: `offset ${hex(sig)}` })];
  return [];
}

/** Checks the three stage binaries; `names` are their file names for issues. */
export function checkStages(files: StageFiles, names: Record<keyof StageFiles, string>): Result<Stages> {
  const issues = [
    ...sector(files.mbr, names.mbr),
    ...sector(files.pbr, names.pbr),
  ];
  if (issues.length === 0) {
    issues.push(
      ...zeros(files.mbr, PATCH_AT, MBR.f.boot_signature.offset, names.mbr, 'the patch block, disk signature and partition table'),
      ...zeros(files.pbr, VOLUME_HEADER_AT, PBR_CODE_AT, names.pbr, 'the volume header'),
    );
  }
  if (files.stage2.length === 0) issues.push(issue('MEDIA_STAGE', 'stage 2 is empty', { file: names.stage2 }));
  if (sectorsFor(BigInt(files.stage2.length)) > STAGE2_MAX_SECTORS) issues.push(issue('MEDIA_STAGE', `stage 2 is ${hex(files.stage2.length)} bytes, more than the ${STAGE2_MAX_SECTORS} sectors stage2_sectors can count`, { file: names.stage2 }));
  if (issues.length > 0) return { issues };
  return { value: { stage1: files.mbr.slice(0, PATCH_AT), pbr: files.pbr, stage2: files.stage2 }, issues };
}

/**
 * mimgload's PT_LOAD segments as one flat range from the lowest p_paddr to
 * the highest p_paddr + p_memsz: file bytes where segments have them, zeros
 * for gaps and .bss, so the range's end is where the loader's memory ends
 * and stage 2 can put the image right after it.
 */
export function flattenLoader(elf: ElfFile, file: string): Result<FlatLoader> {
  const fail = (message: string, where?: string): Result<FlatLoader> => ({ issues: [issue('MEDIA_STAGE', message, { file, ...(where !== undefined && { where }) })] });
  if (elf.class !== 32 || elf.type !== 'exec') return fail(`mimgload must be an ELF32 ET_EXEC file (stage 2 enters it in 32-bit protected mode at fixed addresses), not ELF${elf.class} ${elf.type === 'exec' ? 'ET_EXEC' : 'ET_DYN'}`);
  if (elf.loads.length === 0) return fail('mimgload has no PT_LOAD segment');
  const start = elf.loads.reduce((m, s) => (s.paddr < m ? s.paddr : m), elf.loads[0]!.paddr);
  const end = elf.loads.reduce((m, s) => (s.paddr + s.memsz > m ? s.paddr + s.memsz : m), 0n);
  if (end > LIMIT_32) return fail(`mimgload's segments ${hexRange(start, end)} end above 4 GiB`);
  if (end - start > LOADER_MAX) return fail(`mimgload's segments span ${hexRange(start, end)}, more than ${hex(LOADER_MAX)} bytes`);
  if (elf.entry < start || elf.entry >= end) return fail(`the entry ${hex(elf.entry)} lies outside mimgload's segments ${hexRange(start, end)}`, 'offset 0x18 (e_entry)');
  const bytes = new Uint8Array(Number(end - start));
  for (const s of elf.loads) bytes.set(s.data, Number(s.paddr - start));
  return { value: { bytes, loadAddress: start, entry: elf.entry }, issues: [] };
}

const PE_MACHINE_X64 = 0x8664;
const PE32_PLUS = 0x20b;
const SUBSYSTEM_EFI_APPLICATION = 10;

/** BOOTX64.EFI must be what x86-64 UEFI firmware runs: a PE32+ image for x86-64, subsystem EFI application. */
export function checkBootx64(bytes: Uint8Array, file: string): Issue[] {
  const fail = (m: string): Issue[] => [issue('MEDIA_STAGE', m, { file })];
  if (bytes.length < 0x40 || bytes[0] !== 0x4d || bytes[1] !== 0x5a) return fail('not a PE image (no MZ header)');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pe = v.getUint32(0x3c, true);
  if (pe + 24 + 70 > bytes.length || v.getUint32(pe, true) !== 0x00004550) return fail('not a PE image (no PE signature)');
  const machine = v.getUint16(pe + 4, true);
  const magic = v.getUint16(pe + 24, true);
  const subsystem = v.getUint16(pe + 24 + 68, true);
  if (machine !== PE_MACHINE_X64 || magic !== PE32_PLUS || subsystem !== SUBSYSTEM_EFI_APPLICATION) {
    return fail(`machine ${hex(machine)}, optional header ${hex(magic)}, subsystem ${subsystem}: BOOTX64.EFI must be PE32+ (0x20b) for x86-64 (0x8664), subsystem EFI application (10)`);
  }
  return [];
}
