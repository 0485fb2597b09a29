// parseTranscript: the typed report from a test kernel's serial output, and
// a TranscriptError naming the line for every way a MIMGTEST line can break
// the format (test/kernels/README.md).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TranscriptError, parseTranscript } from '../support/transcript.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = '0123456789abcdef'.repeat(4);

/** A Multiboot2 report as mimgload would be followed by it, CRLF line ends. */
const MB2_PIE = [
  'mimgload: image ok, 7 sections',
  'MIMGTEST begin kernel=mb2-pie',
  'MIMGTEST base=0x200000 link=0x0',
  'MIMGTEST reloc ok',
  'MIMGTEST magic=0x36d76289 info=0x10a000 size=0x1e8',
  'MIMGTEST cmdline="console=ttyS0 q=\\x22 b=\\x5c t=\\x09 \\xc3\\xa9"',
  'MIMGTEST loader="mimgload"',
  'MIMGTEST tag type=0x15 size=0xc',
  'MIMGTEST module index=0x0 start=0x109000 end=0x10a388 string="init arg" sha256=' + SHA_A,
  'MIMGTEST module index=0x1 start=0x10b000 end=0x10b011 string="" sha256=' + SHA_B,
  'MIMGTEST meminfo lower=0x27f upper=0xfb80',
  'MIMGTEST mmap base=0x0 length=0x9fc00 type=0x1',
  'MIMGTEST mmap base=0xfd00000000 length=0x300000000 type=0x2',
  'MIMGTEST rsdp version=0x1 address=0x3fe1ad8',
  'MIMGTEST second present',
  'MIMGTEST end',
  '',
].join('\r\n');

describe('parseTranscript', () => {
  test('reads every record of a complete report into typed fields, skipping other lines', () => {
    const r = parseTranscript(MB2_PIE);
    assert.equal(r.kernel, 'mb2-pie');
    assert.deepEqual(r.handoff, { protocol: 'multiboot2', magic: 0x36d76289n, info: 0x10a000n, size: 0x1e8n });
    assert.equal(r.cmdline, 'console=ttyS0 q=" b=\\ t=\t é');
    assert.equal(r.loader, 'mimgload');
    assert.deepEqual(r.meminfo, { lower: 0x27fn, upper: 0xfb80n });
    assert.deepEqual(r.mmap, [
      { base: 0n, length: 0x9fc00n, type: 1 },
      { base: 0xfd00000000n, length: 0x300000000n, type: 2 },
    ]);
    assert.deepEqual(r.modules, [
      { index: 0, start: 0x109000n, end: 0x10a388n, string: 'init arg', sha256: SHA_A },
      { index: 1, start: 0x10b000n, end: 0x10b011n, string: '', sha256: SHA_B },
    ]);
    assert.deepEqual(r.rsdp, [{ version: 1, address: 0x3fe1ad8n }]);
    assert.deepEqual(r.otherTags, [{ type: 0x15, size: 0xc }]);
    assert.deepEqual(r.relocation, { base: 0x200000n, link: 0n });
    assert.equal(r.relocOk, true);
    assert.equal(r.secondPresent, true);
    assert.deepEqual(r.failures, []);
    assert.equal(r.complete, true);
  });

  test('the framebuffer, VBE, DISPI and pixel records', () => {
    const r = parseTranscript([
      'MIMGTEST begin kernel=mb1-video',
      'MIMGTEST framebuffer addr=0xfd000000 pitch=0x1000 width=0x400 height=0x300 bpp=0x20 type=0x1 red_pos=0x10 red_size=0x8 green_pos=0x8 green_size=0x8 blue_pos=0x0 blue_size=0x8',
      'MIMGTEST vbe mode=0x144',
      'MIMGTEST dispi id=0xb0c5 xres=0x400 yres=0x300 bpp=0x20 enable=0x41',
      'MIMGTEST pixel ok',
      '',
    ].join('\n'));
    assert.deepEqual(r.framebuffer, { addr: 0xfd000000n, pitch: 0x1000, width: 1024, height: 768, bpp: 32, type: 1, red: [16, 8], green: [8, 8], blue: [0, 8] });
    assert.equal(r.vbeMode, 0x144);
    assert.deepEqual(r.dispi, { id: 0xb0c5, xres: 1024, yres: 768, bpp: 32, enable: 0x41 });
    assert.equal(r.pixelOk, true);
    assert.equal(parseTranscript('MIMGTEST begin kernel=mb1\n').framebuffer, undefined);
    assert.throws(() => parseTranscript('MIMGTEST begin kernel=mb1\nMIMGTEST vbe mode=0x144\nMIMGTEST vbe mode=0x144\n'), /line 3: second "vbe" record/);
  });

  test('a Multiboot1 magic line carries flags', () => {
    const r = parseTranscript('MIMGTEST begin kernel=mb1\nMIMGTEST magic=0x2badb002 info=0x9500 flags=0x24f\n');
    assert.deepEqual(r.handoff, { protocol: 'multiboot1', magic: 0x2badb002n, info: 0x9500n, flags: 0x24fn });
    assert.equal(r.complete, false);
  });

  test('a mimg-protocol report: long-mode state, module details, CPUs, boot device, framebuffer, the touched address', () => {
    const r = parseTranscript(
      [
        'MIMGTEST begin kernel=mimg64',
        'MIMGTEST long rip=0xffffffff80102d60 rsp=0x7fdf7a0 cr3=0x7fcd000',
        'MIMGTEST magic=0x4d494d47 info=0x602000 size=0x299',
        `MIMGTEST module index=0x0 start=0x601000 end=0x601005 string="m a b" sha256=${SHA_A}`,
        'MIMGTEST modinfo index=0x0 flags=0x5 section=0x3',
        'MIMGTEST cpu apic=0x0',
        'MIMGTEST cpu apic=0x1',
        'MIMGTEST bootdev drive=0x80 partition=0xffffffff sub=0xffffffff',
        'MIMGTEST framebuffer addr=0xfd000000 pitch=0x1000 width=0x320 height=0x258 bpp=0x20 type=0x1 red_pos=0x10 red_size=0x8 green_pos=0x8 green_size=0x8 blue_pos=0x0 blue_size=0x8',
        'MIMGTEST touched address=0x7fdfff8',
        'MIMGTEST end',
        '',
      ].join('\n'),
    );
    assert.deepEqual(r.handoff, { protocol: 'mimg', magic: 0x4d494d47n, info: 0x602000n, size: 0x299n });
    assert.deepEqual(r.long, { rip: 0xffffffff80102d60n, rsp: 0x7fdf7a0n, cr3: 0x7fcd000n });
    assert.deepEqual(r.moduleInfo, [{ index: 0, flags: 5, section: 3n }]);
    assert.deepEqual(r.cpus, [0n, 1n]);
    assert.deepEqual(r.bootDevice, { drive: 0x80n, partition: 0xffffffffn, sub: 0xffffffffn });
    assert.deepEqual(r.framebuffer, { addr: 0xfd000000n, pitch: 0x1000, width: 800, height: 600, bpp: 32, type: 1, red: [16, 8], green: [8, 8], blue: [0, 8] });
    assert.equal(r.touched, 0x7fdfff8n);
    assert.equal(r.complete, true);
  });

  test('a failing kernel: the reason, and no end', () => {
    const r = parseTranscript('MIMGTEST begin kernel=mb2\nMIMGTEST fail mb2 tag size below 8 or past total_size type=0x1 offset=0x8 size=0x4\n');
    assert.deepEqual(r.failures, ['mb2 tag size below 8 or past total_size type=0x1 offset=0x8 size=0x4']);
    assert.equal(r.complete, false);
  });

  test('no MIMGTEST line at all (the loader stopped first): an empty, incomplete report', () => {
    const r = parseTranscript('mimgload: error: image: bad magic\r\nMIMGTESTbegin\n');
    assert.equal(r.kernel, undefined);
    assert.equal(r.complete, false);
  });

  const BEGIN = 'MIMGTEST begin kernel=mb2\n';
  const rejects: [string, string, RegExp][] = [
    ['unknown record', 'MIMGTEST frobnicate x=0x1\n', /line 2: unknown record/],
    ['prototype name as a record', 'MIMGTEST constructor\n', /line 2: unknown record/],
    ['upper-case hex', 'MIMGTEST meminfo lower=0x27F upper=0x1\n', /line 2: malformed "meminfo" record/],
    ['hex with a leading zero', 'MIMGTEST meminfo lower=0x027f upper=0x1\n', /malformed "meminfo"/],
    ['decimal', 'MIMGTEST meminfo lower=639 upper=0x1\n', /malformed "meminfo"/],
    ['fields out of order', 'MIMGTEST meminfo upper=0x1 lower=0x1\n', /malformed "meminfo"/],
    ['a missing field', 'MIMGTEST mmap base=0x0 length=0x1\n', /malformed "mmap"/],
    ['an extra field', 'MIMGTEST end now=0x1\n', /malformed "end"/],
    ['two spaces', 'MIMGTEST reloc  ok\n', /malformed "reloc"/],
    ['a raw quote in a string', 'MIMGTEST cmdline="a"b"\n', /malformed "cmdline"/],
    ['a raw backslash in a string', 'MIMGTEST cmdline="a\\b"\n', /malformed "cmdline"/],
    ['a raw control character in a string', 'MIMGTEST cmdline="a\tb"\n', /malformed "cmdline"/],
    ['an escaped printable character', 'MIMGTEST cmdline="\\x41"\n', /line 2: \\x41 escapes a printable character/],
    ['a string that is not UTF-8', 'MIMGTEST loader="\\xc3"\n', /line 2: string is not UTF-8/],
    ['a short SHA-256', `MIMGTEST module index=0x0 start=0x1 end=0x2 string="" sha256=${'a'.repeat(63)}\n`, /malformed "module"/],
    ['modules out of sequence', `MIMGTEST module index=0x1 start=0x1 end=0x2 string="" sha256=${SHA_A}\n`, /module index 1, expected 0/],
    ['flags with the Multiboot2 magic', 'MIMGTEST magic=0x36d76289 info=0x8 flags=0x1\n', /flags= belongs to the Multiboot1 magic/],
    ['size with the Multiboot1 magic', 'MIMGTEST magic=0x2badb002 info=0x8 size=0x10\n', /size= belongs to the Multiboot2 or the mimg magic/],
    ['modinfo for another module', `MIMGTEST module index=0x0 start=0x1 end=0x2 string="" sha256=${SHA_A}\nMIMGTEST modinfo index=0x1 flags=0x0 section=0x3\n`, /modinfo index 1 does not follow module 0/],
    ['a second long record', 'MIMGTEST long rip=0x1 rsp=0x2 cr3=0x3\nMIMGTEST long rip=0x1 rsp=0x2 cr3=0x3\n', /line 3: second "long" record/],
    ['an RSDP version other than 1 or 2', 'MIMGTEST rsdp version=0x3 address=0x1\n', /rsdp version 3/],
    ['a second cmdline', 'MIMGTEST cmdline=""\nMIMGTEST cmdline=""\n', /line 3: second "cmdline" record/],
    ['a second begin', BEGIN, /line 2: second "begin" record/],
    ['a line after end', 'MIMGTEST end\nMIMGTEST second present\n', /line 3: after "MIMGTEST end"/],
    ['a line after fail', 'MIMGTEST fail no\nMIMGTEST end\n', /line 3: after "MIMGTEST fail"/],
    ['an empty fail reason', 'MIMGTEST fail \n', /malformed "fail"/],
    ['an unterminated last line', 'MIMGTEST second pres', /line 2: unterminated line/],
  ];
  for (const [what, lines, message] of rejects) {
    test(`rejects ${what}`, () => {
      assert.throws(() => parseTranscript(BEGIN + lines), (e: unknown) => e instanceof TranscriptError && message.test(e.message));
    });
  }

  test('rejects a record before begin, naming the line', () => {
    assert.throws(
      () => parseTranscript('GRUB loading\nMIMGTEST end\n'),
      (e: unknown) => e instanceof TranscriptError && e.line === 2 && e.text === 'MIMGTEST end' && /before "MIMGTEST begin"/.test(e.message),
    );
  });
});
