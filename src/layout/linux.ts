// A bzImage as the layout's components (docs/protocol/linux.md): the
// real-mode setup code, the protected-mode kernel with the memory it
// decompresses into, the initrd, and for the 16-bit entry the setup heap
// and the command line's fixed place. Pure: the host reads the files.

import type { LinuxEntry } from '../config/types.js';
import { hex, issue, type Issue, type Result } from '../diagnostics/issue.js';
import { ENTRY64_OFFSET, SETUP_ENTRY_OFFSET, type BzImage } from '../formats/bzimage/index.js';
import type { CpuMode } from '../formats/mimg/types.js';
import { PAGE } from './plan.js';
import type { ComponentInput, LayoutInput } from './types.js';

const MiB = 1n << 20n;
/** How far below the end of RAM the initrd ends (docs/protocol/linux.md). */
const TOP_MARGIN = 4n * MiB;

/** Where the real-mode setup code goes: X in the protocol's memory layout (QEMU's -kernel uses the same). */
export const SETUP_BASE = 0x10000n;
/** The 16-bit entry's heap ends, and its command line starts, this far above X (the protocol's example loader). */
export const SETUP_HEAP_END = 0xe000n;
/** The 16-bit entry's boot information block: the command line, then mimgload's real-mode trampoline; up to X + 64 KiB. */
export const SETUP_INFO_SIZE = 0x2000n;

/** The names mimgload finds the parts by; no module may take them. */
export const LINUX_SECTION_NAMES = ['setup', 'kernel', 'initrd'] as const;

export interface LinuxInputs {
  kernel: BzImage;
  /** The whole bzImage. */
  bytes: Uint8Array;
  entry: LinuxEntry;
  cmdline: string;
  /** The initrd's size and file, when there is one. */
  initrd?: { size: bigint; file: string };
  /** The usable RAM's end in the target's memory profile. */
  ramEnd: bigint;
  /** Config file and key paths, for errors. */
  origin: string;
  file: string;
}

export interface LinuxLayout {
  components: ComponentInput[];
  cpuMode: CpuMode;
  entry: NonNullable<LayoutInput['entry']>;
  /** A fixed boot information block (the 16-bit entry); otherwise placed by the layout. */
  bootInfo?: { address: bigint; size: bigint };
}

export function linuxLayout(l: LinuxInputs): Result<LinuxLayout> {
  const { kernel: k } = l;
  const issues: Issue[] = [];
  const cmdlineBytes = BigInt(Buffer.byteLength(l.cmdline, 'utf8'));
  if (cmdlineBytes > k.cmdlineSize) {
    issues.push(issue('CONFIG_TYPE', `the command line is ${cmdlineBytes} bytes long, the kernel takes at most ${k.cmdlineSize} (cmdline_size)`, { file: l.origin, where: 'image.cmdline' }));
  }
  if (l.entry === '64' && !k.entry64) {
    issues.push(issue('CONFIG_TYPE', 'linux_entry = "64", but the kernel has no 64-bit entry (xloadflags has no XLF_KERNEL_64, or its boot protocol is older than 2.12)', { file: l.origin, where: 'kernel.linux_entry', hint: 'use linux_entry = "32"' }));
  }
  const base = { key: 'kernel.path', file: l.file, origin: l.origin, cmdline: '' };
  const components: ComponentInput[] = [
    {
      ...base,
      kind: 'data',
      name: 'setup',
      label: 'kernel setup code',
      flags: ['rw', 'x'],
      exec: true,
      size: BigInt(k.setupSize),
      bytes: l.bytes.subarray(0, k.setupSize),
      placement: { kind: 'fixed', address: SETUP_BASE },
    },
    {
      ...base,
      kind: 'data',
      name: 'kernel',
      label: 'kernel',
      flags: ['rw', 'x'],
      exec: true,
      size: BigInt(k.kernelSize),
      memSize: k.initSize,
      bytes: l.bytes.subarray(k.setupSize),
      // A relocatable kernel decompresses at its load address rounded up to kernel_alignment, and not below
      // its preferred address: a hole below that would leave the memory it really uses unreserved.
      placement: k.relocatable ? { kind: 'preferred', address: k.loadAddress, align: k.alignment > PAGE ? k.alignment : PAGE } : { kind: 'fixed', address: k.loadAddress },
    },
  ];
  if (l.initrd) {
    // Firmware keeps the top of RAM for itself (ACPI tables: SeaBIOS the last 128 KiB, OVMF with S3 about
    // 1.1 MiB beyond what the UEFI profile leaves out), so the initrd ends TOP_MARGIN below it.
    const top = (l.ramEnd / MiB) * MiB - TOP_MARGIN;
    const max = k.initrdAddrMax + 1n;
    components.push({
      kind: 'data',
      name: 'initrd',
      label: 'initrd',
      key: 'kernel.initrd',
      file: l.initrd.file,
      origin: l.origin,
      flags: ['ro'],
      cmdline: '',
      size: l.initrd.size,
      placement: { kind: 'high', align: PAGE, ceiling: top < max ? top : max },
    });
  }
  const cpuMode: CpuMode = l.entry === '16' ? 'real16' : l.entry === '64' ? 'long64' : 'protected32';
  if (l.entry !== '16') {
    return { value: { components, cpuMode, entry: { component: 1, offset: l.entry === '64' ? BigInt(ENTRY64_OFFSET) : 0n } }, issues };
  }
  if (cmdlineBytes >= SETUP_INFO_SIZE / 2n) {
    issues.push(issue('CONFIG_TYPE', `the command line is ${cmdlineBytes} bytes long; the 16-bit entry has room for ${SETUP_INFO_SIZE / 2n - 1n}`, { file: l.origin, where: 'image.cmdline' }));
  }
  // The 16-bit entry: the heap and stack the setup code uses from its end up to X + heap end, where the command line starts.
  const heap = { start: SETUP_BASE + BigInt(k.setupSize), end: SETUP_BASE + SETUP_HEAP_END };
  if (heap.start >= heap.end) {
    issues.push(issue('BZIMAGE_UNSUPPORTED', `the setup code is ${hex(k.setupSize)} bytes long, leaving no heap below ${hex(SETUP_HEAP_END)} for the 16-bit entry`, { file: l.file, where: 'offset 0x1f1 (setup_sects)', hint: 'use linux_entry = "32"' }));
  } else {
    components.push({ ...base, kind: 'zero', name: 'setup heap', label: 'setup heap and stack', flags: ['rw'], range: heap });
  }
  return {
    value: { components, cpuMode, entry: { component: 0, offset: BigInt(SETUP_ENTRY_OFFSET) }, bootInfo: { address: SETUP_BASE + SETUP_HEAP_END, size: SETUP_INFO_SIZE } },
    issues,
  };
}
