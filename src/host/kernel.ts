// How the kernel file becomes the executable the layout places. Under a
// Multiboot protocol the kernel's header decides, as it does for GRUB: its
// address fields replace the ELF program headers, an entry address tag
// replaces the ELF entry, modules are page aligned when it asks, and a
// requirement mimg cannot honour is an error naming it. Pure: bytes in,
// { value, issues } out; files.ts reads the bytes.

import { fieldOffset } from '../bytes/struct.js';
import { hasErrors, hex, hexRange, issue, type Issue, type Result } from '../diagnostics/issue.js';
import { isBzImage } from '../formats/bzimage/index.js';
import { parseElf } from '../formats/elf/parse.js';
import { EHDR } from '../formats/elf/struct.js';
import type { ElfFile } from '../formats/elf/types.js';
import type { FramebufferRequest, Protocol } from '../formats/mimg/types.js';
import { addressLoadedKernel, parseMultiboot1, parseMultiboot2, type Multiboot2Tag } from '../formats/multiboot/index.js';
import {
  MB1_FLAG_MEMORY_INFO, MB1_FLAG_PAGE_ALIGN, MB1_FLAG_VIDEO_MODE, MB1_HEADER, MB1_REQUIRED_BITS,
  MB2_INFO_NAMES, MB2_REQUEST_ENTRY, MB2_TAG, MB2_TAG_NAMES, MB2_TAG_OPTIONAL,
} from '../formats/multiboot/struct.js';

export interface Kernel {
  elf: ElfFile;
  /** Physical entry from a Multiboot2 entry address tag, in place of the ELF entry. */
  entry?: bigint;
  /** Every data module must start on a page boundary (Multiboot1 flags bit 0, the Multiboot2 module alignment tag). */
  pageAlignModules: boolean;
  /**
   * The video mode the header asks for: Multiboot1 flags bit 2 (a
   * preference, so best-effort), or the Multiboot2 framebuffer tag
   * (best-effort when optional, else required).
   */
  framebuffer?: FramebufferRequest;
}

/**
 * Boot information tags mimgload hands a Multiboot2 kernel
 * (stages/include/multiboot2.h): command line, loader name, modules, basic
 * memory information, memory map, and the ACPI RSDP copies when the firmware
 * has ACPI. 0, the end tag, ends every list.
 */
const MIMGLOAD_INFO_TAGS: ReadonlySet<number> = new Set([0, 1, 2, 3, 4, 6, 14, 15]);
const MB2_INFO_FRAMEBUFFER = 8;
const PROVIDED = [...MIMGLOAD_INFO_TAGS].filter((t) => t !== 0).map((t) => `${t} (${MB2_INFO_NAMES[t]})`).join(', ');

/** Why mimg cannot honour a Multiboot2 tag that is not optional, by kind. */
const UNSUPPORTED_TAGS: Readonly<Partial<Record<Multiboot2Tag['kind'], string>>> = {
  'console-flags': 'mimg makes no promise about the console',
  'efi-boot-services': 'mimgload exits or never had EFI boot services',
  'entry-address-efi32': 'mimg does not enter kernels through EFI',
  'entry-address-efi64': 'mimg does not enter kernels through EFI',
  unknown: 'the Multiboot2 specification does not define it',
};

export function loadKernel(bytes: Uint8Array, protocol: Protocol): Result<Kernel> {
  if (protocol === 'multiboot1') return multiboot1Kernel(bytes);
  if (protocol === 'multiboot2') return multiboot2Kernel(bytes);
  return elfKernel(bytes, [], { pageAlignModules: false });
}

/** The kernel as an ELF file, after `issues` found so far. `fields` names the header fields that would load a file that is not ELF. */
function elfKernel(bytes: Uint8Array, issues: Issue[], rest: Omit<Kernel, 'elf'>, fields?: string): Result<Kernel> {
  const r = parseElf(bytes);
  const hint = isBzImage(bytes) ? 'this is a Linux bzImage: set [image] protocol = "linux"' : fields && `a kernel that is not ELF needs the ${fields} address fields in its Multiboot header`;
  issues.push(...r.issues.map((i) => (hint && i.code === 'ELF_MAGIC' ? { ...i, hint } : i)));
  if (!r.value || hasErrors(issues)) return { issues };
  return { value: { ...rest, elf: r.value }, issues };
}

function missing(kind: string, where: string): Issue {
  return issue('MULTIBOOT_MISSING', `protocol is ${kind.toLowerCase()}, but the kernel has no ${kind} header in ${where}: mimg loads it as an ELF file, GRUB would refuse it`, {
    severity: 'warning',
  });
}

/**
 * An ELF64 Multiboot kernel is entered in 32-bit protected mode. Like GRUB,
 * an e_entry inside a segment is taken through that segment to its physical
 * address (higher-half kernels); what results must lie below 4 GiB.
 */
function entry32(elf: ElfFile, issues: Issue[]): void {
  if (elf.class !== 64) return;
  const seg = elf.loads.find((s) => s.vaddr <= elf.entry && elf.entry < s.vaddr + s.memsz);
  const physical = seg ? elf.entry - seg.vaddr + seg.paddr : elf.entry;
  if (physical < 1n << 32n) return;
  issues.push(
    issue('LAYOUT_ENTRY', `e_entry ${hex(elf.entry)} (physical ${hex(physical)}) is above 4 GiB, but a Multiboot kernel is entered in 32-bit protected mode there`, {
      where: `offset ${hex(fieldOffset(EHDR[64], 0, 'e_entry'))} (e_entry)`,
      hint: 'make the ELF entry a 32-bit physical address (ENTRY() in the linker script names a low start symbol)',
    }),
  );
}

function multiboot1Kernel(bytes: Uint8Array): Result<Kernel> {
  const mb = parseMultiboot1(bytes);
  const issues = [...mb.issues];
  const h = mb.value;
  if (!h) {
    if (hasErrors(issues)) return { issues };
    return elfKernel(bytes, [missing('Multiboot1', 'the first 8 KiB')], { pageAlignModules: false }, 'Multiboot1 (flags bit 16)');
  }
  const where = `offset ${hex(fieldOffset(MB1_HEADER, h.offset, 'flags'))} (flags)`;
  // Bits 0-15 are requirements: mimgload honours page-aligned modules, always passes memory information and sets the video mode bit 2 asks for; any other is an error naming it.
  const unmet = h.flags & MB1_REQUIRED_BITS & ~((1 << MB1_FLAG_PAGE_ALIGN) | (1 << MB1_FLAG_MEMORY_INFO) | (1 << MB1_FLAG_VIDEO_MODE));
  for (let bit = 0; bit < 16; bit++) {
    if (((unmet >>> bit) & 1) === 0) continue;
    const hint = `clear flags bit ${bit}: the Multiboot specification defines only bits 0, 1, 2 and 16`;
    issues.push(issue('MULTIBOOT_UNSUPPORTED', `required feature bit ${bit} unknown (flags ${hex(h.flags)})`, { where, hint }));
  }
  const pageAlignModules = ((h.flags >>> MB1_FLAG_PAGE_ALIGN) & 1) === 1;
  // The video fields are "only recommended by the OS image" (Multiboot 0.6.96, 3.1.4): a best-effort request.
  const text = h.video?.modeType === 1;
  const framebuffer = h.video && { width: h.video.width, height: h.video.height, depth: text ? 0 : h.video.depth, required: false, text };
  if (h.address) {
    // Flags bit 16: loaded by the header's fields, whatever the file format.
    if (hasErrors(issues)) return { issues };
    return { value: { elf: addressLoadedKernel(bytes, h.address.load, h.address.entryAddr), pageAlignModules, ...(framebuffer && { framebuffer }) }, issues };
  }
  const r = elfKernel(bytes, issues, { pageAlignModules, ...(framebuffer && { framebuffer }) }, 'Multiboot1 (flags bit 16)');
  if (r.value) entry32(r.value.elf, r.issues);
  return hasErrors(r.issues) ? { issues: r.issues } : r;
}

function multiboot2Kernel(bytes: Uint8Array): Result<Kernel> {
  const mb = parseMultiboot2(bytes);
  const issues = [...mb.issues];
  const h = mb.value;
  if (!h) {
    if (hasErrors(issues)) return { issues };
    return elfKernel(bytes, [missing('Multiboot2', 'the first 32 KiB')], { pageAlignModules: false }, 'Multiboot2 (address tag)');
  }
  const tag = <K extends Multiboot2Tag['kind']>(kind: K) => h.tags.find((t): t is Multiboot2Tag & { kind: K } => t.kind === kind);
  const address = tag('address');
  const relocatable = tag('relocatable');
  const entry = tag('entry-address')?.entryAddr;
  const pageAlignModules = tag('module-align') !== undefined;
  // mimg reads the tag's optional bit as the request's: a kernel that cannot do with another mode leaves it clear.
  const fbTag = tag('framebuffer');
  const framebuffer = fbTag && { width: fbTag.width, height: fbTag.height, depth: fbTag.depth, required: (fbTag.flags & MB2_TAG_OPTIONAL) === 0, text: false };
  const more = { pageAlignModules, ...(framebuffer && { framebuffer }) };
  h.tags.forEach((t, index) => {
    const where = (field: string, offset = t.offset) => `offset ${hex(offset)} (tag ${index} ${field})`;
    const optional = (t.flags & MB2_TAG_OPTIONAL) !== 0;
    if (t.kind === 'information-request') {
      // An optional request is a wish; a required one names tags the kernel cannot run without.
      if (optional) return;
      t.requests.forEach((type, i) => {
        // Framebuffer information (8) comes whenever a framebuffer is requested.
        if (MIMGLOAD_INFO_TAGS.has(type) || (type === MB2_INFO_FRAMEBUFFER && framebuffer)) return;
        issues.push(
          issue('MULTIBOOT_UNSUPPORTED', `tag ${index} (information request) requires boot information tag ${type} (${MB2_INFO_NAMES[type] ?? 'unknown'}), but mimgload provides only ${PROVIDED}`, {
            where: where('mbi_tag_types', t.offset + MB2_TAG.size + i * MB2_REQUEST_ENTRY.size),
            hint: 'set the information request tag optional (flags bit 0) if the kernel can do without it',
          }),
        );
      });
    } else if (!optional && UNSUPPORTED_TAGS[t.kind] !== undefined) {
      const message = `tag ${index} (${MB2_TAG_NAMES[t.type] ?? `type ${t.type}`}) is not optional, but ${UNSUPPORTED_TAGS[t.kind]}`;
      issues.push(issue('MULTIBOOT_UNSUPPORTED', message, { where: where('flags', fieldOffset(MB2_TAG, t.offset, 'flags')) }));
    }
  });

  let r: Result<Kernel>;
  if (!address) {
    r = elfKernel(bytes, issues, { ...more, ...(entry === undefined ? {} : { entry }) }, 'Multiboot2 (address tag)');
    // An entry address tag replaces e_entry, so only e_entry needs to fit 32 bits.
    if (r.value && entry === undefined) entry32(r.value.elf, r.issues);
  } else if (entry === undefined) {
    // The file is not loaded as ELF, so there is no other entry point: GRUB refuses this too.
    const message = 'an address tag needs an entry address tag (type 3): without the ELF headers there is no other entry point';
    issues.push(issue('MULTIBOOT_HEADER', message, { where: `offset ${hex(address.offset)} (tag ${h.tags.indexOf(address)})` }));
    r = { issues };
  } else {
    r = hasErrors(issues) ? { issues } : { value: { elf: addressLoadedKernel(bytes, address.load, entry), ...more }, issues };
  }
  if (r.value && relocatable) checkRelocatable(r.value.elf, relocatable, h.tags.indexOf(relocatable), r.issues);
  return hasErrors(r.issues) ? { issues: r.issues } : r;
}

/** mimg installs a kernel at its own address; the relocatable header tag must allow that address. */
function checkRelocatable(elf: ElfFile, t: Extract<Multiboot2Tag, { kind: 'relocatable' }>, index: number, issues: Issue[]): void {
  if (elf.loads.length === 0) return;
  const start = elf.loads.reduce((m, s) => (s.paddr < m ? s.paddr : m), elf.loads[0]!.paddr);
  const end = elf.loads.reduce((m, s) => (s.paddr + s.memsz > m ? s.paddr + s.memsz : m), 0n);
  const inRange = t.minAddr <= start && end <= t.maxAddr;
  const aligned = t.align <= 1n || start % t.align === 0n;
  if (inRange && aligned) return;
  const why = inRange ? `starts at ${hex(start)}, not a multiple of align ${hex(t.align)}` : `lies outside [min_addr, max_addr) = ${hexRange(t.minAddr, t.maxAddr)}`;
  issues.push(
    issue('MULTIBOOT_UNSUPPORTED', `tag ${index} (relocatable header): the kernel ${hexRange(start, end)} ${why}, and mimg installs Multiboot2 kernels at their own address`, {
      where: `offset ${hex(t.offset)} (tag ${index})`,
      hint: 'link the kernel at an address the tag allows, or widen the tag',
    }),
  );
}
