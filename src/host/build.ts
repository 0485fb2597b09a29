// mimg build: config -> inputs -> layout -> .mimg. `mimg make` joins at
// `assemble`, so both go through the same layout engine and checks.

import { readFile } from 'node:fs/promises';
import { parseConfig, formatOf } from '../config/parse.js';
import type { BuildSpec, MemoryRegion } from '../config/types.js';
import { MimgError, hasErrors, issue, type Issue } from '../diagnostics/issue.js';
import type { Compression } from '../formats/compress/detect.js';
import type { CpuMode, DigestAlgorithm, MimgImage, Protocol } from '../formats/mimg/types.js';
import { bootInfoSize } from '../layout/bootinfo.js';
import { planLayout } from '../layout/plan.js';
import { pcProfile } from '../layout/profile.js';
import type { ComponentInput, Plan } from '../layout/types.js';
import { dataInput, readElf } from './files.js';
import { writeImage, type Progress } from './write.js';

export interface ImageOptions {
  protocol: Protocol;
  cmdline: string;
  memory: MemoryRegion[];
  ram: bigint;
  integrity: DigestAlgorithm;
  bootInfoAddress?: bigint;
  bootInfoSize?: bigint;
  entry?: bigint;
}

/** A component plus, for data modules, where its bytes come from when writing. */
export interface LoadedComponent {
  component: ComponentInput;
  data?: { file: string; compression?: Compression };
}

export interface BuildResult {
  output: string;
  image: MimgImage;
  plan: Plan;
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

/** Every input of a config, loaded; all unreadable or malformed inputs are reported together. */
async function loadComponents(spec: BuildSpec): Promise<LoadedComponent[]> {
  const jobs: Promise<LoadedComponent>[] = [
    readElf(spec.kernel.path, spec.kernel.key).then((elf) => ({
      component: { kind: 'elf', elf, name: 'kernel', label: 'kernel', key: spec.kernel.key, file: spec.kernel.path, origin: spec.configPath, flags: [], cmdline: '' },
    })),
    ...spec.modules.map(async (m): Promise<LoadedComponent> => {
      // Placement errors point at the key that placed the module; read errors at its path.
      const key = m.address !== undefined ? `${m.key}.address` : m.key;
      const base = { name: m.name, label: `module '${m.name}'`, key, file: m.path, origin: spec.configPath, flags: m.flags, cmdline: m.cmdline };
      if (m.load === 'elf') return { component: { ...base, kind: 'elf', elf: await readElf(m.path, `${m.key}.path`) } };
      const d = await dataInput(m.path, m.decompress, `${m.key}.path`);
      const placement = m.address !== undefined ? { kind: 'fixed' as const, address: m.address } : { kind: 'auto' as const, align: m.align };
      return { component: { ...base, kind: 'data', size: d.size, placement }, data: { file: m.path, compression: d.compression } };
    }),
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
  return settled.map((s) => (s as PromiseFulfilledResult<LoadedComponent>).value);
}

function cpuModeFor(protocol: Protocol, components: readonly ComponentInput[]): CpuMode {
  const kernel = components.find((c) => c.kind === 'elf');
  if (protocol === 'mimg' && kernel?.kind === 'elf' && kernel.elf.class === 64) return 'long64';
  return 'protected32';
}

/** Layout and write. Throws MimgError with every layout issue (the plan is attached for maps). */
export async function assemble(loaded: LoadedComponent[], opts: ImageOptions, output: string, progress?: Progress): Promise<BuildResult> {
  const components = loaded.map((l) => l.component);
  const cpuMode = cpuModeFor(opts.protocol, components);
  const modules = components.filter((c) => c.kind === 'data').map((c) => ({ name: c.name, cmdline: c.cmdline }));
  const hasBootData = components.some((c) => c.kind === 'bootinfo');
  const r = planLayout({
    memory: opts.memory,
    ram: opts.ram,
    components,
    bootInfo: hasBootData ? undefined : { address: opts.bootInfoAddress, size: opts.bootInfoSize ?? bootInfoSize(opts.protocol, { cmdline: opts.cmdline, modules }) },
    entry: opts.entry,
    limit: cpuMode === 'long64' ? 1n << 64n : 1n << 32n,
  });
  if (hasErrors(r.issues) || !r.value) throw new LayoutError(r.issues, r.value);
  const plan = r.value;
  const image = await writeImage(output, plan, loaded, { ...opts, cpuMode }, progress);
  return { output, image, plan };
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

export function memoryOf(spec: BuildSpec): MemoryRegion[] {
  return spec.image.memory.profile === 'pc' ? pcProfile(spec.image.ram) : spec.image.memory.regions;
}

export async function build(configPath: string, output?: string, progress?: Progress): Promise<BuildResult> {
  const spec = await loadConfig(configPath);
  if (spec.image.protocol === 'linux') {
    throw new MimgError(issue('CONFIG_TYPE', 'protocol "linux" needs a bzImage kernel, which this version of mimg does not load yet', { file: configPath, where: 'image.protocol' }));
  }
  const loaded = await loadComponents(spec);
  return assemble(
    loaded,
    {
      protocol: spec.image.protocol,
      cmdline: spec.image.cmdline,
      memory: memoryOf(spec),
      ram: spec.image.ram,
      integrity: spec.image.integrity,
      bootInfoAddress: spec.image.bootInfoAddress,
      bootInfoSize: spec.image.bootInfoSize,
    },
    output ?? spec.image.output,
    progress,
  );
}
