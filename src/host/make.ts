// mimg make: the original mimgmake's argument forms, through the same
// assemble() as mimg build.

import { basename, resolve } from 'node:path';
import { MimgError, hasErrors, type Issue } from '../diagnostics/issue.js';
import { parseMakeArgs } from '../config/make-args.js';
import { assemble, type BuildResult, type ImageOptions, type LoadedComponent } from './build.js';
import { dataInput, readElf } from './files.js';
import type { Progress } from './write.js';

export async function make(output: string, args: readonly string[], opts: Omit<ImageOptions, 'entry'>, progress?: Progress): Promise<BuildResult> {
  const parsed = parseMakeArgs(args);
  if (hasErrors(parsed.issues) || !parsed.value) throw new MimgError(parsed.issues);
  const issues: Issue[] = [];
  const loaded: LoadedComponent[] = [];
  let entry: bigint | undefined;
  for (const a of parsed.value) {
    const key = `argument ${a.index + 1}`;
    const label = `'${args[a.index]}'`;
    const common = { label, key, flags: [], cmdline: '' };
    try {
      if (a.kind === 'entry') entry = a.address;
      else if (a.kind === 'elf') {
        const file = resolve(a.path);
        loaded.push({ component: { ...common, kind: 'elf', name: basename(file), file, elf: await readElf(file, key), noload: a.noload } });
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
  return assemble(loaded, { ...opts, entry }, output, progress);
}
