// Multiboot headers in words, for `mimg inspect`: text lines and a JSON
// object with addresses as "0x..." strings, like the rest of its output.

import { hex, hexRange, type Result } from '../../diagnostics/issue.js';
import { parseMultiboot1, parseMultiboot2 } from './parse.js';
import { MB1_FLAG_NAMES, MB2_INFO_NAMES, MB2_RELOCATABLE_PREFERENCES, MB2_TAG_NAMES, MB2_TAG_OPTIONAL, MB2_ARCH_NAMES } from './struct.js';
import type { AddressFields, Multiboot1Header, Multiboot2Header, Multiboot2Tag } from './types.js';

/** Both headers of a file; each absent (no value, no issue), found, or malformed (issues). */
export interface MultibootScan {
  multiboot1: Result<Multiboot1Header>;
  multiboot2: Result<Multiboot2Header>;
}

export function scanMultiboot(bytes: Uint8Array): MultibootScan {
  return { multiboot1: parseMultiboot1(bytes), multiboot2: parseMultiboot2(bytes) };
}

function flagNames(flags: number): string[] {
  return Array.from({ length: 32 }, (_, bit) => bit).filter((bit) => (flags >>> bit) & 1).map((bit) => MB1_FLAG_NAMES[bit] ?? `bit ${bit}`);
}

function addressText(a: AddressFields): string {
  const { load } = a;
  const fields = `header_addr ${hex(a.headerAddr)}, load_addr ${hex(a.loadAddr)}, load_end_addr ${hex(a.loadEndAddr)}, bss_end_addr ${hex(a.bssEndAddr)}`;
  return `${fields}: file ${hexRange(BigInt(load.fileOffset), BigInt(load.fileOffset + load.fileSize))} -> ${hexRange(load.address, load.address + load.memSize)}`;
}

function tagName(t: Multiboot2Tag): string {
  return MB2_TAG_NAMES[t.type] ?? `type ${t.type}`;
}

function tagText(t: Multiboot2Tag): string {
  switch (t.kind) {
    case 'information-request':
      return t.requests.map((r) => `${r} ${MB2_INFO_NAMES[r] ?? 'unknown'}`).join(', ') || 'nothing';
    case 'address':
      return addressText(t);
    case 'entry-address':
    case 'entry-address-efi32':
    case 'entry-address-efi64':
      return hex(t.entryAddr);
    case 'console-flags':
      return hex(t.consoleFlags);
    case 'framebuffer':
      return `${t.width}x${t.height}x${t.depth}`;
    case 'module-align':
    case 'efi-boot-services':
      return '';
    case 'relocatable':
      return `${hexRange(t.minAddr, t.maxAddr)}, align ${hex(t.align)}, preference ${MB2_RELOCATABLE_PREFERENCES[t.preference]}`;
    case 'unknown':
      return `${t.body.length} bytes`;
  }
}

/** One line per header and one per field group or tag; a header that is absent says so; a malformed one is left to its issues. */
export function multibootText(scan: MultibootScan): string[] {
  const lines: string[] = [];
  const h1 = scan.multiboot1.value;
  if (h1) {
    lines.push(`Multiboot1 header at ${hex(h1.offset)}: flags ${hex(h1.flags)} (${flagNames(h1.flags).join(', ') || 'none'})`);
    if (h1.address) lines.push(`  address fields: ${addressText(h1.address)}, entry_addr ${hex(h1.address.entryAddr)}`);
    if (h1.video) lines.push(`  video mode: ${h1.video.modeType === 1 ? 'EGA text' : 'linear graphics'} ${h1.video.width}x${h1.video.height}x${h1.video.depth}`);
  } else if (scan.multiboot1.issues.length === 0) {
    lines.push('no Multiboot1 header');
  }
  const h2 = scan.multiboot2.value;
  if (h2) {
    lines.push(`Multiboot2 header at ${hex(h2.offset)}: ${MB2_ARCH_NAMES[h2.architecture]}, ${hex(h2.headerLength)} bytes, ${h2.tags.length} tags`);
    h2.tags.forEach((t, i) => {
      const text = tagText(t);
      lines.push(`  tag ${i} ${tagName(t)}${t.flags & MB2_TAG_OPTIONAL ? ' (optional)' : ''}${text ? `: ${text}` : ''}`);
    });
  } else if (scan.multiboot2.issues.length === 0) {
    lines.push('no Multiboot2 header');
  }
  return lines;
}

function addressJson(a: AddressFields): object {
  return {
    headerAddr: hex(a.headerAddr),
    loadAddr: hex(a.loadAddr),
    loadEndAddr: hex(a.loadEndAddr),
    bssEndAddr: hex(a.bssEndAddr),
    load: { fileOffset: hex(a.load.fileOffset), fileSize: hex(a.load.fileSize), start: hex(a.load.address), end: hex(a.load.address + a.load.memSize) },
  };
}

function tagJson(t: Multiboot2Tag): object {
  const base = { type: t.type, name: tagName(t), optional: (t.flags & MB2_TAG_OPTIONAL) !== 0, offset: hex(t.offset), size: t.size };
  switch (t.kind) {
    case 'information-request':
      return { ...base, requests: t.requests };
    case 'address':
      return { ...base, ...addressJson(t) };
    case 'entry-address':
    case 'entry-address-efi32':
    case 'entry-address-efi64':
      return { ...base, entryAddr: hex(t.entryAddr) };
    case 'console-flags':
      return { ...base, consoleFlags: t.consoleFlags };
    case 'framebuffer':
      return { ...base, width: t.width, height: t.height, depth: t.depth };
    case 'module-align':
    case 'efi-boot-services':
    case 'unknown':
      return base;
    case 'relocatable':
      return { ...base, minAddr: hex(t.minAddr), maxAddr: hex(t.maxAddr), align: hex(t.align), preference: MB2_RELOCATABLE_PREFERENCES[t.preference] };
  }
}

/** `{ multiboot1, multiboot2 }`, each null when absent or malformed. */
export function multibootJson(scan: MultibootScan): object {
  const h1 = scan.multiboot1.value;
  const h2 = scan.multiboot2.value;
  return {
    multiboot1: h1
      ? {
          offset: hex(h1.offset),
          flags: hex(h1.flags),
          flagNames: flagNames(h1.flags),
          address: h1.address ? { ...addressJson(h1.address), entryAddr: hex(h1.address.entryAddr) } : null,
          video: h1.video ?? null,
        }
      : null,
    multiboot2: h2 ? { offset: hex(h2.offset), architecture: h2.architecture, headerLength: h2.headerLength, tags: h2.tags.map(tagJson) } : null,
  };
}
