// Text and JSON renderings of images, ELF files and plans. Addresses are
// hex everywhere; JSON carries them as "0x..." strings so 64-bit values
// survive any JSON parser.

import { hex } from '../diagnostics/issue.js';
import type { ElfFile } from '../formats/elf/types.js';
import type { FramebufferRequest, MimgImage, MimgSection } from '../formats/mimg/types.js';
import type { MapItem } from '../layout/svg.js';
import type { Plan } from '../layout/types.js';

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

const SEGMENT_TYPES: Record<number, string> = { 0: 'NULL', 1: 'LOAD', 2: 'DYNAMIC', 3: 'INTERP', 4: 'NOTE', 6: 'PHDR', 7: 'TLS', 0x6474e550: 'GNU_EH_FRAME', 0x6474e551: 'GNU_STACK', 0x6474e552: 'GNU_RELRO', 0x6474e553: 'GNU_PROPERTY' };

function segFlags(f: number): string {
  return (f & 4 ? 'R' : '-') + (f & 2 ? 'W' : '-') + (f & 1 ? 'X' : '-');
}

/** `1024x768x32, required`; `text, best-effort`; `800x600, any depth, ...`: the request as the config writes it. */
export function framebufferText(fb: FramebufferRequest | undefined): string {
  if (!fb) return 'none';
  const dim = (n: number) => (n === 0 ? 'any' : String(n));
  const size = fb.width === 0 && fb.height === 0 ? '' : ` ${dim(fb.width)}x${dim(fb.height)}`;
  const mode = fb.text ? `text${size}` : `${size.trimStart() || 'any size'}${fb.depth ? `x${fb.depth}` : ', any depth'}`;
  return `${mode}, ${fb.required ? 'required' : 'best-effort'}`;
}

export function imageText(file: string, image: MimgImage): string {
  const h = image.header;
  // The virtual addresses of a higher-half kernel (format 1.1), as a column only when there are any.
  const virtual = image.sections.some((s) => s.vaddr !== undefined);
  const vaddr = (s: MimgSection): string[] => (virtual ? [s.vaddr !== undefined ? hex(s.vaddr) : '-'] : []);
  const lines = [
    `${file}: mimg ${h.versionMajor}.${h.versionMinor}, protocol ${h.protocol}, ${h.cpuMode}, entry ${hex(h.entry)}, digests ${h.digest}, ${image.sections.length} sections, ${h.fileSize} bytes`,
    `cmdline: ${JSON.stringify(h.cmdline)}`,
    `boot information: ${h.bootInfoSize > 0n ? `[${hex(h.bootInfoAddr)},${hex(h.bootInfoAddr + h.bootInfoSize)})` : 'none'}; highest address used: ${hex(h.ramRequired)}`,
    `framebuffer: ${framebufferText(h.framebuffer)}`,
    '',
    table([
      ['#', 'type', 'start', 'end', 'size', ...(virtual ? ['vaddr'] : []), 'flags', 'file offset', 'file size', 'comp', 'name'],
      ...image.sections.map((s, i) => [
        String(i),
        s.type,
        hex(s.dest),
        hex(s.dest + s.memSize),
        hex(s.memSize),
        ...vaddr(s),
        s.flags.join(',') || '-',
        s.fileSize > 0n ? hex(s.fileOffset) : '-',
        hex(s.fileSize),
        String(s.component),
        s.name + (s.cmdline ? ` ${JSON.stringify(s.cmdline)}` : ''),
      ]),
    ]),
  ];
  return lines.join('\n') + '\n';
}

export function imageJson(image: MimgImage): object {
  const h = image.header;
  return {
    kind: 'mimg',
    version: `${h.versionMajor}.${h.versionMinor}`,
    protocol: h.protocol,
    cpuMode: h.cpuMode,
    digest: h.digest,
    entry: hex(h.entry),
    cmdline: h.cmdline,
    bootInfo: { start: hex(h.bootInfoAddr), size: hex(h.bootInfoSize) },
    ramRequired: hex(h.ramRequired),
    fileSize: hex(h.fileSize),
    framebuffer: h.framebuffer ?? null,
    sections: image.sections.map((s) => ({
      type: s.type,
      flags: s.flags,
      start: hex(s.dest),
      end: hex(s.dest + s.memSize),
      size: hex(s.memSize),
      ...(s.vaddr !== undefined && { vaddr: hex(s.vaddr) }),
      fileOffset: hex(s.fileOffset),
      fileSize: hex(s.fileSize),
      component: s.component,
      name: s.name,
      cmdline: s.cmdline,
      digest: toHex(s.digest),
    })),
  };
}

export function elfText(file: string, elf: ElfFile, compression?: string): string {
  const lines = [
    `${file}: ELF${elf.class} ${elf.machine} ${elf.type === 'exec' ? 'ET_EXEC' : 'ET_DYN (relocatable)'}, entry ${hex(elf.entry)}${compression ? `, ${compression}-compressed` : ''}`,
    '',
    table([
      ['#', 'type', 'offset', 'vaddr', 'paddr', 'filesz', 'memsz', 'flags', 'align', 'physical range'],
      ...elf.segments.map((s) => [
        String(s.index),
        SEGMENT_TYPES[s.type] ?? hex(s.type),
        hex(s.offset),
        hex(s.vaddr),
        hex(s.paddr),
        hex(s.filesz),
        hex(s.memsz),
        segFlags(s.flags),
        hex(s.align),
        s.type === 1 ? `[${hex(s.paddr)},${hex(s.paddr + s.memsz)})` : '',
      ]),
    ]),
  ];
  if (elf.notes.length) {
    lines.push('', table([['note', 'type', 'desc'], ...elf.notes.map((n) => [n.name, hex(n.type), toHex(n.desc.subarray(0, 32)) + (n.desc.length > 32 ? '…' : '')])]));
  }
  lines.push('', `${elf.symbols.length} symbols, ${elf.relocations.length} dynamic relocations`);
  return lines.join('\n') + '\n';
}

export function elfJson(elf: ElfFile, compression?: string): object {
  return {
    kind: 'elf',
    class: elf.class,
    machine: elf.machine,
    type: elf.type,
    entry: hex(elf.entry),
    compression: compression ?? null,
    segments: elf.segments.map((s) => ({
      index: s.index,
      type: SEGMENT_TYPES[s.type] ?? hex(s.type),
      flags: segFlags(s.flags),
      offset: hex(s.offset),
      vaddr: hex(s.vaddr),
      paddr: hex(s.paddr),
      filesz: hex(s.filesz),
      memsz: hex(s.memsz),
      align: hex(s.align),
    })),
    notes: elf.notes.map((n) => ({ name: n.name, type: n.type, desc: toHex(n.desc) })),
    symbols: elf.symbols.length,
    relocations: elf.relocations.length,
  };
}

export function planItems(plan: Plan): MapItem[] {
  return plan.sections.map((s) => ({ start: s.dest, end: s.dest + s.memSize, label: s.label, kind: s.type }));
}

export function imageItems(image: MimgImage): MapItem[] {
  return image.sections.map((s, i) => ({ start: s.dest, end: s.dest + s.memSize, label: `${i}: ${s.name} (${s.type})`, kind: s.type }));
}

export function elfItems(elf: ElfFile): MapItem[] {
  return elf.loads.map((s) => ({ start: s.paddr, end: s.paddr + s.memsz, label: `segment ${s.index} ${segFlags(s.flags)}`, kind: 'exec' }));
}
