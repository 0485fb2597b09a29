// Test support: parse the serial transcript of a test kernel (test/kernels/)
// into a typed report. The format is test/kernels/README.md's: one
// `MIMGTEST ...` line per fact, numbers in lowercase hex with 0x, strings
// quoted with \xNN escapes. Every other line (mimgload's, GRUB's, the BIOS's)
// is ignored; a MIMGTEST line that does not follow the format exactly is an
// error naming the line, so a guest bug never passes as a missing fact.

export type Handoff =
  | { protocol: 'multiboot1'; magic: bigint; info: bigint; flags: bigint }
  | { protocol: 'multiboot2'; magic: bigint; info: bigint; size: bigint }
  | { protocol: 'mimg'; magic: bigint; info: bigint; size: bigint };

export interface MemoryMapEntry {
  base: bigint;
  length: bigint;
  /** 1 = available RAM, 2 = reserved, 3 = ACPI reclaimable, ... */
  type: number;
}

export interface ModuleReport {
  index: number;
  /** [start, end) in guest physical memory. */
  start: bigint;
  end: bigint;
  string: string;
  /** SHA-256 of [start, end), computed in the guest: 64 lowercase hex digits. */
  sha256: string;
}

export interface RsdpReport {
  /** 1: the ACPI 1.0 RSDP (Multiboot2 tag 14), `address` is the RSDT; 2: ACPI 2.0+ (tag 15), the XSDT. */
  version: number;
  address: bigint;
}

/** mimg protocol: a module's flags and its section in the image (0xffffffff: a chain loader module). */
export interface ModuleInfoReport {
  index: number;
  flags: number;
  section: bigint;
}

/** A Multiboot2 tag the kernel received but does not interpret. */
export interface TagReport {
  type: number;
  size: number;
}

/** The framebuffer the loader reported (Multiboot1 flags bit 12, Multiboot2 tag 8). */
export interface FramebufferReport {
  addr: bigint;
  pitch: number;
  width: number;
  height: number;
  bpp: number;
  /** 1: RGB, 2: EGA text. */
  type: number;
  /** Field position and mask size of red, green and blue (0 in text mode). */
  red: [number, number];
  green: [number, number];
  blue: [number, number];
}

/** The Bochs VBE (DISPI) registers as the guest read them: the mode the card is really in. */
export interface DispiReport {
  id: number;
  xres: number;
  yres: number;
  bpp: number;
  /** Bit 0: VBE enabled; bit 6 (0x40): linear framebuffer. */
  enable: number;
}

export interface Report {
  /** The `begin kernel=` name; undefined when the kernel never started its report. */
  kernel: string | undefined;
  handoff: Handoff | undefined;
  cmdline: string | undefined;
  loader: string | undefined;
  /** KiB below 1 MiB and from 1 MiB to the first hole. */
  meminfo: { lower: bigint; upper: bigint } | undefined;
  mmap: MemoryMapEntry[];
  modules: ModuleReport[];
  rsdp: RsdpReport[];
  otherTags: TagReport[];
  /** mb2-pie: where its first byte runs and where it was linked; the loader's delta is base - link. */
  relocation: { base: bigint; link: bigint } | undefined;
  /** mb2-pie: a pointer in its data was relocated correctly. */
  relocOk: boolean;
  /** The second executable was found at its address. */
  secondPresent: boolean;
  /** mimg protocol: per module, after its `module` line. */
  moduleInfo: ModuleInfoReport[];
  /** mimg protocol: the local APIC IDs of the CPU list. */
  cpus: bigint[];
  /** mimg protocol: BIOS drive, partition, sub-partition (0xffffffff: unknown). */
  bootDevice: { drive: bigint; partition: bigint; sub: bigint } | undefined;
  /** mimg64: a virtual address of its own code, and RSP and CR3 as the loader entered it. */
  long: { rip: bigint; rsp: bigint; cr3: bigint } | undefined;
  /** mimg64: the address it read and wrote through the identity map (the last 8 bytes of RAM). */
  touched: bigint | undefined;
  framebuffer: FramebufferReport | undefined;
  /** The VBE mode number, when the loader passed VBE information (which the guest checked against the framebuffer). */
  vbeMode: number | undefined;
  dispi: DispiReport | undefined;
  /** The first and last pixel (or character cell) of the framebuffer read back what the guest wrote. */
  pixelOk: boolean;
  /** The reasons of `fail` lines (the kernel stops after the first). */
  failures: string[];
  /** `MIMGTEST end` was seen: the kernel reported everything and found nothing wrong. */
  complete: boolean;
}

/** A MIMGTEST line that breaks the format; `line` is 1-based in the transcript. */
export class TranscriptError extends Error {
  constructor(
    readonly line: number,
    readonly text: string,
    reason: string,
  ) {
    super(`serial transcript line ${line}: ${reason}: ${JSON.stringify(text)}`);
    this.name = 'TranscriptError';
  }
}

const PREFIX = 'MIMGTEST ';

// Value syntax. Hex has no leading zeros and no upper case: one spelling per number.
const HEX = '(0x(?:0|[1-9a-f][0-9a-f]*))';
// Printable ASCII except '"' and '\', or \xNN for any byte.
const STRING = '"((?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\x[0-9a-f]{2})*)"';
const SHA256 = '([0-9a-f]{64})';
const NAME = '([a-z0-9][a-z0-9-]*)';

/** Every record: its first word or key, and the exact rest of the line. */
const RECORDS = {
  begin: new RegExp(`^begin kernel=${NAME}$`),
  magic: new RegExp(`^magic=${HEX} info=${HEX} (flags|size)=${HEX}$`),
  cmdline: new RegExp(`^cmdline=${STRING}$`),
  loader: new RegExp(`^loader=${STRING}$`),
  meminfo: new RegExp(`^meminfo lower=${HEX} upper=${HEX}$`),
  mmap: new RegExp(`^mmap base=${HEX} length=${HEX} type=${HEX}$`),
  module: new RegExp(`^module index=${HEX} start=${HEX} end=${HEX} string=${STRING} sha256=${SHA256}$`),
  rsdp: new RegExp(`^rsdp version=${HEX} address=${HEX}$`),
  tag: new RegExp(`^tag type=${HEX} size=${HEX}$`),
  base: new RegExp(`^base=${HEX} link=${HEX}$`),
  reloc: /^reloc ok$/,
  second: /^second present$/,
  modinfo: new RegExp(`^modinfo index=${HEX} flags=${HEX} section=${HEX}$`),
  cpu: new RegExp(`^cpu apic=${HEX}$`),
  bootdev: new RegExp(`^bootdev drive=${HEX} partition=${HEX} sub=${HEX}$`),
  long: new RegExp(`^long rip=${HEX} rsp=${HEX} cr3=${HEX}$`),
  touched: new RegExp(`^touched address=${HEX}$`),
  framebuffer: new RegExp(`^framebuffer addr=${HEX} pitch=${HEX} width=${HEX} height=${HEX} bpp=${HEX} type=${HEX} red_pos=${HEX} red_size=${HEX} green_pos=${HEX} green_size=${HEX} blue_pos=${HEX} blue_size=${HEX}$`),
  vbe: new RegExp(`^vbe mode=${HEX}$`),
  dispi: new RegExp(`^dispi id=${HEX} xres=${HEX} yres=${HEX} bpp=${HEX} enable=${HEX}$`),
  pixel: /^pixel ok$/,
  end: /^end$/,
  fail: /^fail (\S.*)$/,
} as const;

type RecordKind = keyof typeof RECORDS;

/** Records that may appear once per report. */
const SINGLE: ReadonlySet<RecordKind> = new Set(['begin', 'magic', 'cmdline', 'loader', 'meminfo', 'base', 'reloc', 'second', 'bootdev', 'framebuffer', 'vbe', 'dispi', 'pixel', 'long', 'touched', 'end']);

const MB1_BOOTLOADER_MAGIC = 0x2badb002n;
const MB2_BOOTLOADER_MAGIC = 0x36d76289n;
const MIMG_BOOT_REGISTER_MAGIC = 0x4d494d47n;
const RSDP_VERSIONS: ReadonlySet<number> = new Set([1, 2]);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a whole serial transcript (any line endings); throws TranscriptError on a malformed MIMGTEST line. */
export function parseTranscript(serialText: string): Report {
  const report: Report = {
    kernel: undefined,
    handoff: undefined,
    cmdline: undefined,
    loader: undefined,
    meminfo: undefined,
    mmap: [],
    modules: [],
    rsdp: [],
    otherTags: [],
    relocation: undefined,
    relocOk: false,
    secondPresent: false,
    moduleInfo: [],
    cpus: [],
    bootDevice: undefined,
    long: undefined,
    touched: undefined,
    framebuffer: undefined,
    vbeMode: undefined,
    dispi: undefined,
    pixelOk: false,
    failures: [],
    complete: false,
  };
  const seen = new Set<RecordKind>();
  const lines = serialText.split('\n');
  const last = lines.length - 1; // after the final '\n': '' unless the guest stopped mid-line

  lines.forEach((raw, i) => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!text.startsWith(PREFIX)) return;
    const bad = (reason: string): TranscriptError => new TranscriptError(i + 1, text, reason);
    if (i === last) throw bad('unterminated line (the guest stopped mid-line)');

    const body = text.slice(PREFIX.length);
    const kind = /^[a-z0-9]+/.exec(body)?.[0];
    if (kind === undefined || !Object.hasOwn(RECORDS, kind)) throw bad('unknown record');
    const k = kind as RecordKind;
    const m = RECORDS[k].exec(body);
    if (m === null) throw bad(`malformed "${k}" record`);

    if (k !== 'begin' && !seen.has('begin')) throw bad('before "MIMGTEST begin"');
    if (seen.has('end')) throw bad('after "MIMGTEST end"');
    if (seen.has('fail')) throw bad('after "MIMGTEST fail" (the kernel stops there)');
    if (SINGLE.has(k) && seen.has(k)) throw bad(`second "${k}" record`);
    seen.add(k);

    const hex = (n: number): bigint => BigInt(m[n] ?? '');
    const small = (n: number): number => {
      const v = hex(n);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`${m[n]} is too large`);
      return Number(v);
    };
    const str = (n: number): string => decodeString(m[n] ?? '', bad);

    switch (k) {
      case 'begin':
        report.kernel = m[1];
        break;
      case 'magic': {
        const magic = hex(1);
        if (m[3] === 'flags') {
          if (magic !== MB1_BOOTLOADER_MAGIC) throw bad('flags= belongs to the Multiboot1 magic');
          report.handoff = { protocol: 'multiboot1', magic, info: hex(2), flags: hex(4) };
        } else if (magic === MIMG_BOOT_REGISTER_MAGIC) {
          report.handoff = { protocol: 'mimg', magic, info: hex(2), size: hex(4) };
        } else {
          if (magic !== MB2_BOOTLOADER_MAGIC) throw bad('size= belongs to the Multiboot2 or the mimg magic');
          report.handoff = { protocol: 'multiboot2', magic, info: hex(2), size: hex(4) };
        }
        break;
      }
      case 'cmdline':
        report.cmdline = str(1);
        break;
      case 'loader':
        report.loader = str(1);
        break;
      case 'meminfo':
        report.meminfo = { lower: hex(1), upper: hex(2) };
        break;
      case 'mmap':
        report.mmap.push({ base: hex(1), length: hex(2), type: small(3) });
        break;
      case 'module': {
        const index = small(1);
        if (index !== report.modules.length) throw bad(`module index ${index}, expected ${report.modules.length}`);
        report.modules.push({ index, start: hex(2), end: hex(3), string: str(4), sha256: m[5] ?? '' });
        break;
      }
      case 'rsdp': {
        const version = small(1);
        if (!RSDP_VERSIONS.has(version)) throw bad(`rsdp version ${version} is neither 1 nor 2`);
        report.rsdp.push({ version, address: hex(2) });
        break;
      }
      case 'tag':
        report.otherTags.push({ type: small(1), size: small(2) });
        break;
      case 'base':
        report.relocation = { base: hex(1), link: hex(2) };
        break;
      case 'reloc':
        report.relocOk = true;
        break;
      case 'second':
        report.secondPresent = true;
        break;
      case 'modinfo': {
        const index = small(1);
        if (index !== report.modules.length - 1) throw bad(`modinfo index ${index} does not follow module ${report.modules.length - 1}`);
        report.moduleInfo.push({ index, flags: small(2), section: hex(3) });
        break;
      }
      case 'cpu':
        report.cpus.push(hex(1));
        break;
      case 'bootdev':
        report.bootDevice = { drive: hex(1), partition: hex(2), sub: hex(3) };
        break;
      case 'long':
        report.long = { rip: hex(1), rsp: hex(2), cr3: hex(3) };
        break;
      case 'touched':
        report.touched = hex(1);
        break;
      case 'framebuffer':
        report.framebuffer = {
          addr: hex(1), pitch: small(2), width: small(3), height: small(4), bpp: small(5), type: small(6),
          red: [small(7), small(8)], green: [small(9), small(10)], blue: [small(11), small(12)],
        };
        break;
      case 'vbe':
        report.vbeMode = small(1);
        break;
      case 'dispi':
        report.dispi = { id: small(1), xres: small(2), yres: small(3), bpp: small(4), enable: small(5) };
        break;
      case 'pixel':
        report.pixelOk = true;
        break;
      case 'end':
        report.complete = true;
        break;
      case 'fail':
        report.failures.push(m[1] ?? '');
        break;
    }
  });
  return report;
}

/** The text between the quotes of a STRING: \xNN escapes to bytes, then UTF-8. */
function decodeString(quoted: string, bad: (reason: string) => TranscriptError): string {
  const bytes: number[] = [];
  for (let i = 0; i < quoted.length; ) {
    if (quoted[i] === '\\') {
      const b = Number.parseInt(quoted.slice(i + 2, i + 4), 16);
      // The guest escapes exactly these; anything else has one spelling, unescaped.
      if (b >= 0x20 && b <= 0x7e && b !== 0x22 && b !== 0x5c) throw bad(`\\x${b.toString(16)} escapes a printable character`);
      bytes.push(b);
      i += 4;
    } else {
      bytes.push(quoted.charCodeAt(i));
      i += 1;
    }
  }
  try {
    return utf8.decode(new Uint8Array(bytes));
  } catch {
    throw bad('string is not UTF-8');
  }
}
