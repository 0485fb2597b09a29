// Video modes end to end: an image that asks for a framebuffer (a kernel's
// Multiboot1 video fields, its Multiboot2 framebuffer tag, or [image]
// framebuffer) boots through mimgload on QEMU's std VGA (SeaVGABIOS, Bochs
// VBE), chained by QEMU -kernel and from the BIOS disk. The guest reports
// the framebuffer it was handed, reads the card's DISPI registers (the mode
// the hardware is really in) and writes and reads back its first and last
// pixel; the host compares all of it with the request.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootCaptured, machineArgs, mimgloadPath, qemuArgs, runCaptured, QEMU } from '../../src/host/qemu.js';
import { assertMatches, image, kernels, MEMORY, mimg, report, TIMEOUT_MS } from '../support/bootcheck.js';
import { grubIso } from '../support/grub.js';
import { KERNEL_TOOLS } from '../support/kernels.js';
import type { Report } from '../support/transcript.js';
import { assertScreenShows, errorLine, readPpm } from '../support/screen.js';
import { buildElf, missingTools, readelfSegments, tempDir } from '../support/toolchain.js';

const skip = missingTools(QEMU, ...KERNEL_TOOLS) ?? (existsSync(mimgloadPath()) ? undefined : 'stages/prebuilt/mimgload.elf is not built');

const DISPI_ENABLED = 0x01;
const DISPI_LFB = 0x40;
const MB1_INFO_VBE = 1n << 11n;
const MB1_INFO_FRAMEBUFFER = 1n << 12n;
const ERROR = /mimgload: error/;

interface Mode {
  width: number;
  height: number;
  depth: number;
}

/** stages/README.md's rule, "Video modes": resolution distance first, then depth; 0 is "any", and any depth prefers the deepest. */
function score(want: Mode, got: Mode): number {
  const dist = (w: number, g: number) => (w === 0 ? 0 : Math.abs(w - g));
  return (dist(want.width, got.width) + dist(want.height, got.height)) * 256 + (want.depth ? dist(want.depth, got.depth) : 32 - got.depth);
}

/** The guest got a linear framebuffer, the card is in that mode with its LFB on, and its pixels take writes. */
function assertGraphics(r: Report, serial: string): Mode {
  const fb = r.framebuffer;
  assert.ok(fb, `a framebuffer was reported:\n${serial}`);
  assert.equal(fb.type, 1, 'direct RGB colour');
  // The Multiboot hand-offs carry the VBE blocks too (which the guest checked against the framebuffer); mimg's does not.
  if (r.handoff?.protocol !== 'mimg') assert.ok(r.vbeMode !== undefined, 'VBE information came with it (and agreed with it, in the guest)');
  assert.deepEqual(r.dispi && { xres: r.dispi.xres, yres: r.dispi.yres, bpp: r.dispi.bpp }, { xres: fb.width, yres: fb.height, bpp: fb.bpp }, 'the card is in the reported mode');
  assert.equal(r.dispi!.enable & (DISPI_ENABLED | DISPI_LFB), DISPI_ENABLED | DISPI_LFB, 'VBE on, linear framebuffer on');
  assert.ok(fb.pitch >= (fb.width * fb.bpp) / 8, 'a line holds its pixels');
  const sizes = fb.red[1] + fb.green[1] + fb.blue[1];
  assert.ok(sizes > 0 && sizes <= fb.bpp, 'colour fields inside a pixel');
  assert.ok(r.pixelOk, 'first and last pixel read back');
  if (r.handoff?.protocol === 'multiboot1') {
    assert.equal(r.handoff.flags & (MB1_INFO_VBE | MB1_INFO_FRAMEBUFFER), MB1_INFO_VBE | MB1_INFO_FRAMEBUFFER, 'flags bits 11 and 12');
  }
  return { width: fb.width, height: fb.height, depth: fb.bpp };
}

type Case = {
  name: string;
  protocol: 'multiboot1' | 'multiboot2' | 'mimg';
  kernel: () => string;
  keys?: string;
  /** What the image must hold (mimg inspect --json). */
  request: Mode & { required: boolean; text: boolean };
  check: (r: Report, serial: string, request: Mode) => void;
};

const exact = (r: Report, serial: string, want: Mode) =>
  assert.deepEqual(assertGraphics(r, serial), { width: want.width, height: want.height, depth: want.depth }, 'exactly the mode asked for');

/** 80x25 VGA text: the EGA text framebuffer, VBE off, and its first and last cell take writes. */
const text = (r: Report, serial: string) => {
  assert.deepEqual(r.framebuffer, { addr: 0xb8000n, pitch: 160, width: 80, height: 25, bpp: 16, type: 2, red: [0, 0], green: [0, 0], blue: [0, 0] }, serial);
  assert.equal(r.vbeMode, undefined);
  assert.equal(r.dispi!.enable & DISPI_ENABLED, 0, 'VBE off: VGA text mode');
  assert.ok(r.pixelOk);
};

const CASES: Case[] = [
  { name: 'mb1-header', protocol: 'multiboot1', kernel: () => kernels().mb1Video, request: { width: 1024, height: 768, depth: 32, required: false, text: false }, check: exact },
  { name: 'mb2-tag', protocol: 'multiboot2', kernel: () => kernels().mb2Video, request: { width: 800, height: 600, depth: 32, required: true, text: false }, check: exact },
  {
    name: 'config',
    protocol: 'multiboot2',
    kernel: () => kernels().mb2,
    keys: 'framebuffer = "640x480x16"\nframebuffer_required = true\n',
    request: { width: 640, height: 480, depth: 16, required: true, text: false },
    check: exact,
  },
  {
    name: 'closest',
    protocol: 'multiboot1',
    kernel: () => kernels().mb1Video, // the config's best-effort request replaces the header's
    keys: 'framebuffer = "1000x700x32"\n',
    request: { width: 1000, height: 700, depth: 32, required: false, text: false },
    check: (r, serial, want) => {
      const got = assertGraphics(r, serial);
      assert.notDeepEqual(got, { width: want.width, height: want.height, depth: want.depth }, 'the firmware has no such mode');
      // 1024x768x32 exists (case mb1-header sets it): the mode picked is at least as close.
      assert.ok(score(want, got) <= score(want, { width: 1024, height: 768, depth: 32 }), `closest mode: got ${got.width}x${got.height}x${got.depth}`);
      assert.match(serial, new RegExp(`mimgload: video mode ${got.width}x${got.height}x${got.depth} .*asked for 1000x700x32`));
    },
  },
  {
    name: 'mimg64',
    protocol: 'mimg',
    kernel: () => kernels().mimg64, // long mode: the framebuffer is reached through the loader's identity map
    keys: 'framebuffer = "800x600x32"\n',
    request: { width: 800, height: 600, depth: 32, required: false, text: false },
    check: exact,
  },
  {
    name: 'mimg32-text',
    protocol: 'mimg',
    kernel: () => kernels().mimg32,
    keys: 'framebuffer = "text"\n',
    request: { width: 0, height: 0, depth: 0, required: false, text: true },
    check: text,
  },
  {
    name: 'text',
    protocol: 'multiboot1',
    kernel: () => kernels().mb1,
    keys: 'framebuffer = "text"\n',
    request: { width: 0, height: 0, depth: 0, required: false, text: true },
    check: text,
  },
];

/** mb2-video requires 800x600x32 in its header; the config's required mode, which the firmware lacks, replaces it. */
const IMPOSSIBLE = 'framebuffer = "1000x700x32"\nframebuffer_required = true\n';
const IMPOSSIBLE_ERROR = /mimgload: error: video mode 1000x700x32 is required; the closest the firmware has is \d+x\d+x\d+/;

function build(c: Pick<Case, 'name' | 'protocol' | 'kernel' | 'keys'>, media = '') {
  return image(`video-${c.name}`, c.protocol, c.kernel(), media, undefined, c.keys ?? '');
}

const bootDisk = (disk: string, stopWhen?: RegExp) => runCaptured(['-drive', `file=${disk},format=raw,if=ide`, ...machineArgs(MEMORY)], TIMEOUT_MS, stopWhen);

describe('video modes, chained by QEMU -kernel', { skip, concurrency: 2 }, () => {
  for (const c of CASES) {
    test(`${c.name}: ${c.request.text ? 'text' : `${c.request.width}x${c.request.height}x${c.request.depth}`}, ${c.request.required ? 'required' : 'best-effort'}`, async () => {
      const img = build(c);
      assert.deepEqual(img.inspect.framebuffer, c.request, 'the request in the image');
      const shown = c.request.text ? 'text' : `${c.request.width}x${c.request.height}x${c.request.depth}`;
      assert.match(mimg('inspect', img.path), new RegExp(`^framebuffer: ${shown}, ${c.request.required ? 'required' : 'best-effort'}$`, 'm'));
      const b = await bootCaptured({ image: img.path, memory: MEMORY }, TIMEOUT_MS);
      const r = report(b);
      assertMatches(r, img, b);
      c.check(r, b.serial, c.request);
    });
  }

  test('a reserved section over the real-mode area the VBE calls need: an error naming it, and no jump', async () => {
    // mimg make takes the request from mb1-video's header, as mimg build does.
    const path = join(tempDir(), 'video-reserved.mimg');
    mimg('make', '--protocol', 'multiboot1', path, kernels().mb1Video, 'reserved:0x1800-0x1900');
    const b = await bootCaptured({ image: path, memory: MEMORY }, TIMEOUT_MS, ERROR);
    assert.equal(b.timedOut, false, b.serial);
    assert.match(b.serial, /mimgload: error: video mode: the BIOS call area \[0x1000,0x2300\) holds 'reserved'/, b.serial);
    assert.doesNotMatch(b.serial, /MIMGTEST begin/);
  });

  // SeaBIOS's map for -m 128M: usable RAM [1 MiB, 0x7fe0000). A zero-filled section over all of it after the
  // kernel leaves mimgload no room for its staging area: an error after it has set the mode.
  const RAM_END = 0x7fe0000n;
  for (const [mode, bits] of [['640x480x16', [5, 6, 5]], ['800x600x24', [8, 8, 8]], ['1024x768x32', [8, 8, 8]]] as const) {
    test(`an error after the mode is set (${mode}): the serial line, drawn on the framebuffer`, async () => {
      const dir = join(tempDir(), `video-fbcon-${mode}`);
      mkdirSync(dir, { recursive: true });
      const kernel = kernels().mb2;
      const end = readelfSegments(kernel).reduce((e, s) => (s.type === 'LOAD' && s.paddr + s.memsz > e ? s.paddr + s.memsz : e), 0n);
      const fillStart = (end + 0xfffn) & ~0xfffn;
      const fill = buildElf({
        name: `fill-${mode}`,
        bits: 32,
        asm: `.bss\n.space 0x${(RAM_END - fillStart).toString(16)}\n`,
        linkerScript: `SECTIONS { . = 0x${fillStart.toString(16)}; .bss : { *(.bss) } }\n`,
      });
      writeFileSync(
        join(dir, 'mimg.toml'),
        `[image]\nprotocol = "multiboot2"\nram = "${MEMORY}"\nbootinfo = 0x20000\nframebuffer = "${mode}"\nframebuffer_required = true\n` +
          `[kernel]\npath = "${kernel}"\n[[module]]\nname = "fill"\npath = "${fill}"\nload = "elf"\n`,
      );
      mimg('build', join(dir, 'mimg.toml'));
      const shot = join(dir, 'screen.ppm');
      const b = await runCaptured(qemuArgs({ image: join(dir, 'mimg.mimg'), memory: MEMORY }), TIMEOUT_MS, ERROR, shot);
      assert.match(b.serial, new RegExp(`mimgload: video mode ${mode} \\(VBE mode`), b.serial);
      assert.match(b.serial, /mimgload: error: no room for staging/, b.serial);
      const screen = readPpm(shot);
      assert.equal(`${screen.width}x${screen.height}`, mode.replace(/x\d+$/, ''));
      assertScreenShows(screen, errorLine(b.serial, 'mimgload'), bits);
    });
  }

  test('a required mode the firmware lacks: an error on screen and serial, and no jump', async () => {
    const img = build({ name: 'impossible', protocol: 'multiboot2', kernel: () => kernels().mb2Video, keys: IMPOSSIBLE });
    const b = await bootCaptured({ image: img.path, memory: MEMORY }, TIMEOUT_MS, ERROR);
    assert.equal(b.timedOut, false, b.serial);
    assert.match(b.serial, IMPOSSIBLE_ERROR, b.serial);
    assert.doesNotMatch(b.serial, /MIMGTEST begin/, 'no jump into the kernel');
  });
});

describe('video modes, from the BIOS disk (stage 2 hands mimgload a Multiboot2 information)', { skip: skip ?? missingTools('sfdisk'), concurrency: 2 }, () => {
  const disk = (c: Pick<Case, 'name' | 'protocol' | 'kernel' | 'keys'>) => {
    const img = build({ ...c, name: `disk-${c.name}` }, '[media]\ntype = "disk"\npartitioning = "mbr"\n');
    return { ...img, disk: join(img.dir, 'mimg.img') };
  };
  for (const c of CASES.filter((x) => ['mb1-header', 'mb2-tag', 'closest'].includes(x.name))) {
    test(`${c.name}`, async () => {
      const img = disk(c);
      const b = await bootDisk(img.disk);
      const r = report(b);
      assertMatches(r, img, b);
      assert.match(b.serial, /mimg bios: entering the loader/);
      c.check(r, b.serial, c.request);
    });
  }

  test('a required mode the firmware lacks', async () => {
    const img = disk({ name: 'impossible', protocol: 'multiboot2', kernel: () => kernels().mb2Video, keys: IMPOSSIBLE });
    const b = await bootDisk(img.disk, ERROR);
    assert.equal(b.timedOut, false, b.serial);
    assert.match(b.serial, IMPOSSIBLE_ERROR, b.serial);
    assert.doesNotMatch(b.serial, /MIMGTEST begin/);
  });
});

describe('video modes, chained by GRUB', { skip: skip ?? missingTools('grub-mkrescue', 'xorriso'), concurrency: 2 }, () => {
  // GRUB hands mimgload its EGA text screen as a framebuffer: Multiboot1 flags bit 12, Multiboot2 tag 8.
  for (const [name, grub] of [['mb1-header', 'multiboot2'], ['text', 'multiboot'], ['text', 'multiboot2']] as const) {
    test(`GRUB ${grub} -> mimgload -> ${name}`, async () => {
      const c = CASES.find((x) => x.name === name)!;
      const img = build({ ...c, name: `grub-${grub}-${name}` });
      const iso = grubIso({ name: `video-grub-${grub}-${name}`, loader: mimgloadPath(), image: img.path, protocol: grub });
      const b = await runCaptured(['-cdrom', iso, ...machineArgs(MEMORY)], TIMEOUT_MS);
      const r = report(b);
      assertMatches(r, img, b);
      c.check(r, b.serial, c.request);
      // Already the mode asked for: mimgload passes GRUB's on.
      if (name === 'text') assert.match(b.serial, /mimgload: video mode 80x25x16 \(the chain loader's mode 0x0\) at 0xb8000/);
    });
  }
});
