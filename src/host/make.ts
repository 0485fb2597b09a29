// mimg make: the original mimgmake's argument forms, through the same
// assemble() as mimg build. The first loaded executable is the kernel: it is
// read for the protocol (its Multiboot header), the others as plain ELF.

import { basename, resolve } from 'node:path';
import { MimgError, hasErrors, type Issue } from '../diagnostics/issue.js';
import { parseMakeArgs } from '../config/make-args.js';
import { assemble, type BuildResult, type ImageOptions, type LoadedComponent } from './build.js';
import { dataInput, readElf, readKernel } from './files.js';
import type { Kernel } from './kernel.js';
import type { Progress } from './write.js';

export async function make(output: string, args: readonly string[], opts: Omit<ImageOptions, 'entry' | 'pageAlignModules'>, progress?: Progress): Promise<BuildResult> {
  const parsed = parseMakeArgs(args);
  if (hasErrors(parsed.issues) || !parsed.value) throw new MimgError(parsed.issues);
  const issues: Issue[] = [];
  const loaded: LoadedComponent[] = [];
  let entry: bigint | undefined;
  let kernel: Kernel | undefined;
  let kernelSeen = false;
  for (const a of parsed.value) {
    const key = `argument ${a.index + 1}`;
    const label = `'${args[a.index]}'`;
    const common = { label, key, flags: [], cmdline: '' };
    try {
      if (a.kind === 'entry') entry = a.address;
      else if (a.kind === 'elf') {
        const file = resolve(a.path);
        const component = { ...common, kind: 'elf' as const, name: basename(file), file, noload: a.noload };
        if (kernelSeen || a.noload) {
          loaded.push({ component: { ...component, elf: await readElf(file, key) } });
        } else {
          kernelSeen = true;
          const k = await readKernel(file, opts.protocol, key);
          kernel = k.kernel;
          loaded.push({ component: { ...component, elf: k.kernel.elf }, warnings: k.warnings });
        }
      } else if (a.kind === 'data') {
        const file = resolve(a.path);
        const d = await dataInput(file, false, key);
        loaded.push({ component: { ...common, kind: 'data', name: basename(file), file, size: d.size, placement: a.placement }, data: { file } });
      } else {
        loaded.push({ component: { ...common, kind: a.kind, name: a.kind, range: { start: a.start, end: a.end } } });
      }
    } catch (err) {
      if (!(err instanceof MimgError)) throw err;
      issues.push(...err.issues);
    }
  }
  if (issues.length) throw new MimgError(issues);
  const framebuffer = kernel?.framebuffer; // the kernel header's video request, as under mimg build
  return assemble(loaded, { ...opts, entry: entry ?? kernel?.entry, pageAlignModules: kernel?.pageAlignModules, ...(framebuffer && { framebuffer }) }, output, progress);
}
