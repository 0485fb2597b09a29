// Test support: small kernels with Multiboot headers, written as GNU as
// `.long`/`.short` directives the way kernels write them, assembled and
// linked by the real toolchain into ELF files or flat binaries. Only tests
// import this.

import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { buildElf, compile, run, tempDir } from './toolchain.js';

export const MB1_MAGIC = 0x1badb002;
export const MB2_MAGIC = 0xe85250d6;

/** A Multiboot1 header with `flags`; `fields` are the directives after the checksum (address fields, video mode). */
export function mb1Header(flags: number, fields = ''): string {
  return `
    .balign 4
    mb1_header:
    .long ${MB1_MAGIC}, ${flags}, -(${MB1_MAGIC} + ${flags})
    ${fields}
  `;
}

/** The address fields of flags bit 16 for a kernel linked with multibootScript(): load all file bytes, zero the .bss. */
export const MB1_ADDRESS_FIELDS = '.long mb1_header, image_start, load_end, bss_end, _start';

export interface TagSource {
  type: number;
  /** Bit 0: optional. */
  flags?: number;
  /** Directives after the tag header; the size field is computed by the assembler. */
  body?: string;
}

/** One Multiboot2 tag, 8-byte aligned, its size measured by local labels. */
export function mb2Tag(t: TagSource): string {
  return `
    .balign 8
    7: .short ${t.type}, ${t.flags ?? 0}
       .long 8f - 7b
       ${t.body ?? ''}
    8:
  `;
}

/** A Multiboot2 header for i386 (or `architecture`) with `tags` and the end tag. */
export function mb2Header(tags: readonly TagSource[], architecture = 0): string {
  return `
    .balign 8
    mb2_header:
    .long ${MB2_MAGIC}, ${architecture}, mb2_header_end - mb2_header, -(${MB2_MAGIC} + ${architecture} + (mb2_header_end - mb2_header))
    ${tags.map(mb2Tag).join('\n')}
    .balign 8
    .short 0, 0
    .long 8
    mb2_header_end:
  `;
}

/** The address and entry address tags for a kernel linked with multibootScript(). */
export const MB2_ADDRESS_TAGS: TagSource[] = [
  { type: 2, body: '.long mb2_header, image_start, load_end, bss_end' },
  { type: 3, body: '.long _start' },
];

/**
 * A kernel whose .multiboot section (first in the image) holds `headers`,
 * with code, 4 bytes of .data and 8 KiB of .bss.
 */
export function kernelSource(headers: string): string {
  return `
    .section .multiboot, "a"
    ${headers}
    .text
    .globl _start
    _start: cli
      hlt
    .data
    .long 0x11223344
    .bss
    .skip 0x2000
  `;
}

/**
 * The linker script: the image from `vma` (default 1 MiB), loaded at `lma`
 * (default the same), with image_start, load_end (end of the file bytes) and
 * bss_end for the address fields.
 */
export function multibootScript(opts: { vma?: bigint; lma?: bigint; entry?: string } = {}): string {
  const vma = opts.vma ?? 0x100000n;
  const at = (s: string) => `AT(ADDR(${s}) - 0x${vma.toString(16)} + 0x${(opts.lma ?? vma).toString(16)})`;
  return `
    ENTRY(${opts.entry ?? '_start'})
    SECTIONS {
      . = 0x${vma.toString(16)};
      image_start = .;
      .text : ${at('.text')} { *(.multiboot) *(.text) }
      .data : ${at('.data')} { *(.data) }
      load_end = .;
      .bss : ${at('.bss')} { *(.bss) *(COMMON) }
      bss_end = .;
      _start_phys = _start - 0x${vma.toString(16)} + 0x${(opts.lma ?? vma).toString(16)};
      /DISCARD/ : { *(.note.gnu.property) *(.eh_frame) }
    }
  `;
}

export interface MultibootKernelOptions {
  /** File name stem, unique within the process. */
  name: string;
  bits?: 32 | 64;
  /** Header source: mb1Header(), mb2Header(), or both. */
  headers: string;
  script?: Parameters<typeof multibootScript>[0];
}

/** An ELF kernel; ELF64 with 4 KiB pages so the headers stay in the first 8 KiB. */
export function multibootElf(opts: MultibootKernelOptions): string {
  const bits = opts.bits ?? 32;
  return buildElf({
    name: opts.name,
    bits,
    asm: kernelSource(opts.headers),
    linkerScript: multibootScript(opts.script),
    ...(bits === 64 ? { ldArgs: ['-z', 'max-page-size=0x1000'] } : {}),
  });
}

/** The same kernel as a flat binary (`ld --oformat binary`): the image from its first byte, no ELF headers. */
export function multibootBinary(opts: MultibootKernelOptions): string {
  const bits = opts.bits ?? 32;
  const objects = compile({ name: opts.name, bits, asm: kernelSource(opts.headers) });
  const script = join(tempDir(), `${opts.name}.bin.ld`);
  writeFileSync(script, multibootScript(opts.script));
  const out = join(tempDir(), `${opts.name}.bin`);
  run('ld', ['-m', bits === 32 ? 'elf_i386' : 'elf_x86_64', '-T', script, '--oformat', 'binary', '-o', out, ...objects]);
  return out;
}
