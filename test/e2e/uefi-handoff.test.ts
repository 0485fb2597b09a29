// What kernels get when OVMF boots a mimg UEFI disk (BOOTX64.EFI, then
// mimgload): the mimg protocol in long mode with the firmware's framebuffer,
// the Multiboot2 EFI tags passed on, and Debian's Linux by its 64-bit entry;
// the Linux 16-bit entry, which needs a BIOS, is refused before any jump.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOOT_MEMORY_TYPE } from '../../src/formats/mimgboot/struct.js';
import { diskArgs, ovmfAvailable, runCaptured, withUefiVars, QEMU } from '../../src/host/qemu.js';
import { assertMatches, image, kernels, mimg, report, TIMEOUT_MS } from '../support/bootcheck.js';
import { KERNEL_TOOLS } from '../support/kernels.js';
import { debianKernel, linuxMissing, MARKER, parseLinuxReport, writeInitramfs } from '../support/linux.js';
import { missingTools, tempDir } from '../support/toolchain.js';

const BOOTX64 = new URL('../../../stages/prebuilt/BOOTX64.EFI', import.meta.url).pathname;
const skip =
  missingTools(QEMU, ...KERNEL_TOOLS) ??
  (ovmfAvailable() ? undefined : 'OVMF is not installed (Debian package ovmf)') ??
  (existsSync(BOOTX64) ? undefined : 'stages/prebuilt/BOOTX64.EFI is missing');

const UEFI_MEMORY = '256M';
const UEFI_DISK = '[media]\nfirmware = ["uefi"]\n';
const MEM_SECTION = BOOT_MEMORY_TYPE.code('section');
const MB2_TAG_EFI64 = 12;
const MB2_TAG_EFI_MMAP = 17;
/** The Bochs VBE enable register: on, with the linear framebuffer. */
const DISPI_ON = 0x01 | 0x40;

const bootUefi = (disk: string, stopWhen?: RegExp, timeout = TIMEOUT_MS) =>
  withUefiVars((uefiVars) => runCaptured(diskArgs({ disk, bus: 'virtio', memory: UEFI_MEMORY, uefiVars }), timeout, stopWhen));

describe('kernels booted by UEFI (OVMF, BOOTX64.EFI, mimgload)', { skip, concurrency: 2 }, () => {
  test('mimg protocol, 64-bit higher-half kernel: its boot information, and the firmware framebuffer for a best-effort request', async () => {
    const img = image('uefi-mimg64', 'mimg', kernels().mimg64, UEFI_DISK, undefined, `framebuffer = "1024x768x32"\n`);
    const b = await bootUefi(join(img.dir, 'mimg.img'));
    const r = report(b);
    assertMatches(r, img, b);
    assert.match(b.serial, /mimg uefi: boot services exited/);
    // Long mode at its virtual addresses, entered with the information in RDI.
    assert.equal(r.handoff?.info, BigInt(img.inspect.bootInfo.start));
    const exec = img.inspect.sections.filter((s) => s.type === 'exec' && s.vaddr !== undefined);
    assert.ok(r.long && exec.some((s) => BigInt(s.vaddr!) <= r.long!.rip && r.long!.rip < BigInt(s.vaddr!) + BigInt(s.end) - BigInt(s.start)), `RIP in a vaddr range:\n${b.serial}`);
    // Every section of the image is typed section in the map it got.
    for (const s of img.inspect.sections.filter((x) => x.type !== 'reserved')) {
      const [start, end] = [BigInt(s.start), BigInt(s.end)];
      assert.ok(r.mmap.some((e) => e.type === MEM_SECTION && e.base <= start && end <= e.base + e.length), `section [${s.start}, ${s.end}) typed section`);
    }
    assert.ok(r.cpus.length >= 1, 'the CPU list from the MADT');
    assert.equal(r.rsdp.length, 1, 'the RSDP from the configuration table');
    // No BIOS to set 1024x768: the firmware's mode is passed on, and the card really is in it.
    const fb = r.framebuffer;
    assert.ok(fb && fb.type === 1, `a direct-colour framebuffer:\n${b.serial}`);
    assert.match(b.serial, new RegExp(`mimgload: video mode ${fb.width}x${fb.height}x${fb.bpp} \\(the firmware's mode 0x0\\)`));
    assert.deepEqual([r.dispi?.xres, r.dispi?.yres, r.dispi?.bpp], [fb.width, fb.height, fb.bpp], 'the card is in the reported mode');
    assert.equal((r.dispi?.enable ?? 0) & DISPI_ON, DISPI_ON);
    assert.ok(r.pixelOk, 'first and last pixel read back');
  });

  test('Multiboot2: the EFI system table and EFI memory map tags reach the kernel; a required mode the firmware cannot set stops before the jump', async () => {
    const img = image('uefi-mb2-efi', 'multiboot2', kernels().mb2, UEFI_DISK, undefined);
    const b = await bootUefi(join(img.dir, 'mimg.img'));
    const r = report(b);
    assertMatches(r, img, b);
    const table = r.otherTags.filter((t) => t.type === MB2_TAG_EFI64);
    assert.deepEqual(table.map((t) => t.size), [16], 'one EFI 64-bit system table tag');
    const map = r.otherTags.filter((t) => t.type === MB2_TAG_EFI_MMAP);
    assert.equal(map.length, 1, 'one EFI memory map tag');
    const descriptors = Number(/memory map: (\d+) firmware descriptors/.exec(b.serial)?.[1]);
    const descriptorSize = (map[0]!.size - 16) / descriptors;
    assert.ok(Number.isInteger(descriptorSize) && descriptorSize >= 40, `the tag holds the ${descriptors} descriptors OVMF gave (${map[0]!.size} bytes)`);

    const required = image('uefi-mb2-required', 'multiboot2', kernels().mb2, UEFI_DISK, undefined, `framebuffer = "800x600x32"\nframebuffer_required = true\n`);
    const e = await bootUefi(join(required.dir, 'mimg.img'), /mimgload: error/);
    assert.match(e.serial, /mimgload: error: video mode 800x600x32 is required, but there is no BIOS to set it/);
    assert.doesNotMatch(e.serial, /MIMGTEST begin/);
  });

  describe('Linux', { skip: linuxMissing() }, () => {
    for (const entry of ['64', '16'] as const) {
      test(`Debian's kernel by the ${entry}-bit entry`, async () => {
        const dir = join(tempDir(), `uefi-linux-${entry}`);
        mkdirSync(dir, { recursive: true });
        const initrd = join(dir, 'initrd.gz');
        writeInitramfs(initrd);
        const cmdline = `console=ttyS0 quiet panic=-1 mimgtest=uefi-${entry}`;
        const config = join(dir, 'mimg.toml');
        writeFileSync(
          config,
          `[image]\nprotocol = "linux"\ncmdline = "${cmdline}"\nram = "${UEFI_MEMORY}"\nintegrity = "fast"\n` +
            `[kernel]\npath = "${debianKernel()}"\ninitrd = "initrd.gz"\nlinux_entry = "${entry}"\n${UEFI_DISK}`,
        );
        mimg('build', config);
        const disk = join(dir, 'mimg.img');
        if (entry === '16') {
          const b = await bootUefi(disk, /mimgload: error/);
          assert.match(b.serial, /mimgload: error: the Linux 16-bit entry needs a BIOS, and this machine booted by UEFI/, b.serial);
          assert.doesNotMatch(b.serial, /mimgload: entering/);
          return;
        }
        const b = await bootUefi(disk, new RegExp(`^(${MARKER} end|mimgload: error)`), 180_000);
        const got = parseLinuxReport(b.serial);
        assert.ok(got, `no complete ${MARKER} report:\n${b.serial.slice(-3000)}`);
        assert.equal(got.cmdline, cmdline);
        assert.equal(got.ramdiskSize, BigInt(statSync(initrd).size), 'ramdisk_size is the initrd file');
        assert.equal(got.loaderType, 0xff);
        assert.match(b.serial, /mimgload: entering 0x[0-9a-f]+ \(linux\)/);
      });
    }
  });
});
