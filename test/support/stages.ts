// Stand-in BIOS stages for tests of the disk writer and installer, so they
// run before (and independently of) the real stage 1 and stage 2: sectors
// that spin in place, shaped as the writer requires (docs/format/boot-volume.md
// section 6), beside the real mimgload. Tests that boot use stages/prebuilt/.

import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PREBUILT, STAGE_FILES } from '../../src/host/stages.js';
import { tempDir } from './toolchain.js';

const MIMGLOAD = join(PREBUILT, STAGE_FILES.loader);

/** Why stand-in stages cannot be made (mimgload is not built), or undefined. */
export const noStandInStages = existsSync(MIMGLOAD) ? undefined : `${MIMGLOAD} is not built`;

/** Why the real stages are not there, or undefined: pass as node:test's `skip`. */
export function missingPrebuiltStages(): string | undefined {
  const missing = Object.values(STAGE_FILES).filter((f) => !existsSync(join(PREBUILT, f)));
  return missing.length === 0 ? undefined : `stages/prebuilt/ lacks ${missing.join(', ')} (the BIOS stages are not built yet)`;
}

/** A directory holding stand-in mbr.bin, pbr.bin and stage2.bin (`stage2Bytes` long) and the real mimgload.elf. */
export function standInStages(stage2Bytes = 5000): string {
  const dir = join(tempDir(), `stages-${stage2Bytes}`);
  mkdirSync(dir, { recursive: true });
  const sector = (code: number[], at = 0): Uint8Array => {
    const s = new Uint8Array(512);
    s.set(code, at);
    s[510] = 0x55;
    s[511] = 0xaa;
    return s;
  };
  writeFileSync(join(dir, STAGE_FILES.mbr), sector([0xeb, 0xfe])); // jmp $
  const pbr = sector([0xeb, 0xfe], 0x27); // jmp $, after the volume header
  pbr.set([0xeb, 0x25, 0x90]); // jmp short 0x27; nop
  writeFileSync(join(dir, STAGE_FILES.pbr), pbr);
  writeFileSync(join(dir, STAGE_FILES.stage2), Uint8Array.from({ length: stage2Bytes }, (_, i) => (i * 13 + 7) & 0xff));
  copyFileSync(MIMGLOAD, join(dir, STAGE_FILES.loader));
  return dir;
}
