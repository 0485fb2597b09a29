// mimg build: config -> inputs -> layout -> .mimg. `mimg make` joins at
// `assemble`, so both go through the same layout engine and checks.

import { readFile } from 'node:fs/promises';
import { parseConfig, formatOf } from '../config/parse.js';
import type { BuildSpec, MemoryRegion, ModuleSpec } from '../config/types.js';
import { MimgError, hasErrors, hex, issue, type Issue } from '../diagnostics/issue.js';
import type { Compression } from '../formats/compress/detect.js';
import type { CpuMode, DigestAlgorithm, FramebufferRequest, MimgImage, Protocol } from '../formats/mimg/types.js';
import { bootInfoSize } from '../layout/bootinfo.js';
import { PAGE, planLayout } from '../layout/plan.js';
import { pcProfile } from '../layout/profile.js';
import type { ComponentInput, LayoutInput, Plan } from '../layout/types.js';
import { parseBzImage } from '../formats/bzimage/index.js';
import { LINUX_SECTION_NAMES, linuxLayout } from '../layout/linux.js';
import { dataInput, readElf, readInput, readKernel } from './files.js';
import { prepareMedia, writeMedia, type DiskResult, type MediaInputs } from './media.js';
import { allOrIssues } from './settle.js';
import { writeImage, type Progress } from './write.js';

export interface ImageOptions {
  protocol: Protocol;
  cmdline: string;
  memory: MemoryRegion[];
  ram: bigint;
  integrity: DigestAlgorithm;
  bootInfoAddress?: bigint;
  bootInfoSize?: bigint;
  entry?: LayoutInput['entry'];
  /** The CPU mode at entry, when the protocol's loader decides it (linux); otherwise from the protocol and kernel. */
  cpuMode?: CpuMode;
  /** Every data module starts on a page boundary (the kernel's Multiboot header asks for it). */
  pageAlignModules?: boolean;
  /** The video mode the loader sets: the config's, else the kernel header's. */
  framebuffer?: FramebufferRequest;
}

/** A component plus, for data modules, where its bytes come from when writing. */
export interface LoadedComponent {
  component: ComponentInput;
  data?: { file: string; compression?: Compression };
  /** Warnings found loading it (a Multiboot protocol, but no such header); reported with the build. */
  warnings?: Issue[];
}

export interface BuildResult {
  output: string;
  image: MimgImage;
  plan: Plan;
  /** Every warning found on the way; the build succeeded despite them. */
  warnings: Issue[];
  /** The boot disk, when the config has [media] of type "disk". */
  disk?: DiskResult;
}

export async function loadConfig(configPath: string): Promise<BuildSpec> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new MimgError(issue('FILE_READ', `cannot read config: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, { file: configPath }));
  }
  const r = parseConfig(text, { path: configPath, format: formatOf(configPath) });
  if (hasErrors(r.issues) || !r.value) throw new MimgError(r.issues);
  return r.value;
}

/** How the kernel enters the image: its components, and what the image options take from it. */
type KernelPart = { loaded: LoadedComponent[]; options: Pick<ImageOptions, 'entry' | 'pageAlignModules' | 'cpuMode' | 'bootInfoAddress' | 'bootInfoSize' | 'framebuffer'> };

async function elfKernel(spec: BuildSpec): Promise<KernelPart> {
  const { kernel, warnings } = await readKernel(spec.kernel.path, spec.image.protocol, spec.kernel.key);
  const component: ComponentInput = { kind: 'elf', elf: kernel.elf, name: 'kernel', label: 'kernel', key: spec.kernel.key, file: spec.kernel.path, origin: spec.configPath, flags: [], cmdline: '' };
  const options = { entry: kernel.entry, pageAlignModules: kernel.pageAlignModules, ...(kernel.framebuffer && { framebuffer: kernel.framebuffer }) };
  return { loaded: [{ warnings, component }], options };
}

/** A bzImage: setup code, kernel, initrd and the 16-bit entry's fixed places (src/layout/linux.ts). */
async function linuxKernel(spec: BuildSpec): Promise<KernelPart> {
  const file = spec.kernel.path;
  const [bytes, initrd] = await allOrIssues([
    readInput(file, spec.kernel.key),
    spec.kernel.initrd === undefined ? Promise.resolve(undefined) : dataInput(spec.kernel.initrd, false, 'kernel.initrd'),
  ] as const);
  const parsed = parseBzImage(bytes);
  const issues: Issue[] = parsed.issues.map((i) => ({ ...i, file }));
  if (!parsed.value || hasErrors(issues)) throw new MimgError(issues);
  const memory = memoryOf(spec);
  const ramEnd = memory.filter((r) => r.type === 'usable').reduce((m, r) => (r.end > m ? r.end : m), 0n);
  const l = linuxLayout({
    kernel: parsed.value,
    bytes,
    entry: spec.kernel.linuxEntry ?? (parsed.value.entry64 ? '64' : '32'),
    cmdline: spec.image.cmdline,
    ...(initrd && spec.kernel.initrd !== undefined && { initrd: { size: initrd.size, file: spec.kernel.initrd } }),
    ramEnd,
    origin: spec.configPath,
    file,
  });
  issues.push(...l.issues);
  for (const m of spec.modules) {
    if ((LINUX_SECTION_NAMES as readonly string[]).includes(m.name)) {
      issues.push(issue('CONFIG_TYPE', `module name "${m.name}" is taken by protocol "linux" (${LINUX_SECTION_NAMES.join(', ')})`, { file: spec.configPath, where: `${m.key}.name`, hint: 'give the module another name' }));
    }
  }
  if (l.value?.bootInfo && (spec.image.bootInfoAddress !== undefined || spec.image.bootInfoSize !== undefined)) {
    issues.push(issue('CONFIG_TYPE', `linux_entry = "16" puts the command line at ${hex(l.value.bootInfo.address)}, after the setup heap; bootinfo cannot move it`, { file: spec.configPath, where: 'image.bootinfo', hint: 'remove bootinfo and bootinfo_size' }));
  }
  if (!l.value || hasErrors(issues)) throw new MimgError(issues);
  const { components, cpuMode, entry, bootInfo } = l.value;
  const loaded = components.map((component): LoadedComponent => (component.key === 'kernel.initrd' ? { component, data: { file: component.file! } } : { component }));
  return { loaded, options: { entry, cpuMode, pageAlignModules: false, ...(bootInfo && { bootInfoAddress: bootInfo.address, bootInfoSize: bootInfo.size }) } };
}

/** Every input of a config, loaded; all unreadable or malformed inputs are reported together. */
async function loadComponents(spec: BuildSpec): Promise<{ loaded: LoadedComponent[]; kernel: KernelPart }> {
  const kernel = spec.image.protocol === 'linux' ? linuxKernel(spec) : elfKernel(spec);
  const jobs: Promise<LoadedComponent[]>[] = [
    kernel.then((k) => k.loaded),
    ...spec.modules.map(async (m): Promise<LoadedComponent[]> => [await loadModule(m, spec)]),
  ];
  const settled = await Promise.allSettled(jobs);
  const issues: Issue[] = [];
  for (const s of settled) {
    if (s.status === 'rejected') {
      if (s.reason instanceof MimgError) issues.push(...s.reason.issues);
      else throw s.reason;
    }
  }
  if (issues.length) throw new MimgError(issues);
  return { loaded: settled.flatMap((s) => (s as PromiseFulfilledResult<LoadedComponent[]>).value), kernel: await kernel };
}

async function loadModule(m: ModuleSpec, spec: BuildSpec): Promise<LoadedComponent> {
  // Placement errors point at the key that placed the module; read errors at its path.
  const key = m.address !== undefined ? `${m.key}.address` : m.key;
  const base = { name: m.name, label: `module '${m.name}'`, key, file: m.path, origin: spec.configPath, flags: m.flags, cmdline: m.cmdline };
  if (m.load === 'elf') return { component: { ...base, kind: 'elf', elf: await readElf(m.path, `${m.key}.path`) } };
  const d = await dataInput(m.path, m.decompress, `${m.key}.path`);
  const placement = m.address !== undefined ? { kind: 'fixed' as const, address: m.address } : { kind: 'auto' as const, align: m.align };
  return { component: { ...base, kind: 'data', size: d.size, placement }, data: { file: m.path, compression: d.compression } };
}

function cpuModeFor(protocol: Protocol, components: readonly ComponentInput[]): CpuMode {
  const kernel = components.find((c) => c.kind === 'elf');
  if (protocol === 'mimg' && kernel?.kind === 'elf' && kernel.elf.class === 64) return 'long64';
  return 'protected32';
}

/**
 * Every data module on a page boundary: auto-placed ones aligned to at least
 * a page, `next` ones moved to the next page; a fixed address that is not
 * page aligned is an error naming the module.
 */
function pageAligned(all: readonly ComponentInput[]): { components: ComponentInput[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const components = all.map((c): ComponentInput => {
    if (c.kind !== 'data') return c;
    const p = c.placement;
    if (p.kind === 'auto') return { ...c, placement: { kind: 'auto', align: p.align > PAGE ? p.align : PAGE } };
    if (p.kind === 'next') return { ...c, placement: { kind: 'page' } };
    if (p.kind === 'fixed' && p.address % PAGE !== 0n) {
      const message = `${c.label} at ${hex(p.address)} is not page aligned (${hex(PAGE)}), but the kernel's Multiboot header requires page-aligned modules`;
      issues.push(issue('LAYOUT_ALIGN', message, { file: c.origin, where: c.key }));
    }
    return c;
  });
  return { components, issues };
}

/** Layout and write. Throws MimgError with every warning and layout issue (the plan is attached for maps). */
export async function assemble(loaded: LoadedComponent[], opts: ImageOptions, output: string, progress?: Progress): Promise<BuildResult> {
  const warnings = loaded.flatMap((l) => l.warnings ?? []);
  const all = loaded.map((l) => l.component);
  const aligned = opts.pageAlignModules ? pageAligned(all) : { components: all, issues: [] };
  const { components } = aligned;
  const cpuMode = opts.cpuMode ?? cpuModeFor(opts.protocol, components);
  const modules = components.filter((c) => c.kind === 'data').map((c) => ({ name: c.name, cmdline: c.cmdline }));
  const sections = components.reduce((n, c) => n + (c.kind === 'elf' ? c.elf.loads.length : 1), 1);
  const hasBootData = components.some((c) => c.kind === 'bootinfo');
  const r = planLayout({
    memory: opts.memory,
    ram: opts.ram,
    components,
    bootInfo: hasBootData
      ? undefined
      : { address: opts.bootInfoAddress, size: opts.bootInfoSize ?? bootInfoSize(opts.protocol, { cmdline: opts.cmdline, modules, sections, framebuffer: opts.framebuffer !== undefined }) },
    entry: opts.entry,
    limit: cpuMode === 'long64' ? 1n << 64n : 1n << 32n,
    virtual: cpuMode === 'long64',
  });
  const issues = [...warnings, ...aligned.issues, ...r.issues];
  if (hasErrors(issues) || !r.value) throw new LayoutError(issues, r.value);
  const plan = r.value;
  const image = await writeImage(output, plan, loaded, { ...opts, cpuMode }, progress);
  return { output, image, plan, warnings: issues };
}

/** Layout failed: the issues, and the plan so far so that a map can show both parties. */
export class LayoutError extends MimgError {
  constructor(
    issues: Issue[],
    readonly plan?: Plan,
  ) {
    super(issues);
  }
}

/** The target's memory map: the config's own, or `pc` for its RAM, with what UEFI keeps when its media boot on UEFI. */
export function memoryOf(spec: BuildSpec): MemoryRegion[] {
  if (spec.image.memory.profile === 'custom') return spec.image.memory.regions;
  return pcProfile(spec.image.ram, spec.media?.type === 'disk' && spec.media.firmware.includes('uefi'));
}

/**
 * Builds the .mimg a config describes and, with [media] type = "disk", the
 * boot disk around it (stage binaries from `stagesDir`). Every input of both
 * is checked before the first byte is written.
 */
export async function build(configPath: string, output?: string, progress?: Progress, stagesDir?: string): Promise<BuildResult> {
  const { spec, result, media } = await buildImage(configPath, output, progress, stagesDir);
  if (media === undefined) return result;
  return { ...result, disk: await writeMedia(media, result.output, result.image, spec.configPath, progress) };
}

/**
 * Writes the .mimg a config describes; with [media] type = "disk", also
 * reads and checks the boot disk's inputs (before the .mimg is written) and
 * returns them, for build() to write the disk or `mimg install` to install.
 */
export async function buildImage(configPath: string, output?: string, progress?: Progress, stagesDir?: string): Promise<{ spec: BuildSpec; result: BuildResult; media?: MediaInputs }> {
  const spec = await loadConfig(configPath);
  const [{ loaded, kernel }, media] = await allOrIssues([loadComponents(spec), prepareMedia(spec, stagesDir)] as const);
  const result = await assemble(
    loaded,
    {
      protocol: spec.image.protocol,
      cmdline: spec.image.cmdline,
      memory: memoryOf(spec),
      ram: spec.image.ram,
      integrity: spec.image.integrity,
      bootInfoAddress: spec.image.bootInfoAddress,
      bootInfoSize: spec.image.bootInfoSize,
      ...kernel.options,
      // The config is the user's choice, which the Multiboot specs put before the kernel's preference.
      ...((spec.image.framebuffer ?? kernel.options.framebuffer) && { framebuffer: spec.image.framebuffer ?? kernel.options.framebuffer }),
    },
    output ?? spec.image.output,
    progress,
  );
  return { spec, result, ...(media !== undefined && { media }) };
}
