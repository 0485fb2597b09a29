// A real GRUB as the chain loader: a BIOS-bootable ISO made by Debian's
// grub-mkrescue whose grub.cfg loads mimgload with `multiboot` (or
// `multiboot2`) and the image as its module, with no menu delay.

import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempDir } from './toolchain.js';

export interface GrubIsoOptions {
  /** Unique within the process. */
  name: string;
  loader: string;
  image: string;
  protocol: 'multiboot' | 'multiboot2';
  /** mimgload's command line. */
  loaderCmdline?: string;
  /** The module's string as GRUB passes it (after the path). */
  moduleString?: string;
}

export function grubIso(o: GrubIsoOptions): string {
  const root = join(tempDir(), `${o.name}-iso`);
  mkdirSync(join(root, 'boot', 'grub'), { recursive: true });
  copyFileSync(o.loader, join(root, 'boot', 'mimgload.elf'));
  copyFileSync(o.image, join(root, 'boot', 'image.mimg'));
  const module = o.protocol === 'multiboot' ? 'module' : 'module2';
  writeFileSync(
    join(root, 'boot', 'grub', 'grub.cfg'),
    [
      'set timeout=0',
      'set default=0',
      'menuentry "mimg" {',
      `  ${o.protocol} /boot/mimgload.elf ${o.loaderCmdline ?? ''}`,
      `  ${module} /boot/image.mimg ${o.moduleString ?? ''}`,
      '  boot',
      '}',
      '',
    ].join('\n'),
  );
  const iso = join(tempDir(), `${o.name}.iso`);
  run('grub-mkrescue', ['-o', iso, root]);
  return iso;
}
