import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderIssue } from '../diagnostics/issue.js';
import { configJsonSchema } from './json-schema.js';
import { formatOf, keyPath, parseConfig } from './parse.js';
import type { BuildSpec } from './types.js';

const PATH = '/cfg/hello.toml';

function parse(text: string, format: 'toml' | 'json' = 'toml', path = PATH) {
  return parseConfig(text, { path, format });
}

function valueOf(text: string, format: 'toml' | 'json' = 'toml'): BuildSpec {
  const r = parse(text, format);
  assert.deepEqual(r.issues, []);
  assert.ok(r.value);
  return r.value;
}

/** `[code, where]` of every issue, in order. */
function problems(text: string, format: 'toml' | 'json' = 'toml'): [string, string | undefined][] {
  const r = parse(text, format);
  assert.equal(r.value, undefined, 'no spec when there are errors');
  return r.issues.map((i) => [i.code, i.where]);
}

const MINIMAL = '[image]\nprotocol = "mimg"\n[kernel]\npath = "kernel.elf"\n';

const FULL_TOML = `
[image]
protocol      = "multiboot2"
cmdline       = "console=ttyS0"
memory        = "custom"
ram           = "256M"
integrity     = "fast"
bootinfo      = 0x10000
bootinfo_size = "16K"
output        = "out/hello.mimg"

[kernel]
path = "kernel.elf"

[[module]]
name    = "init"
path    = "bin/init.elf"
load    = "elf"
flags   = ["ro", "preload"]
cmdline = "-v"

[[module]]
path       = "/abs/data.bin"
address    = 0x800000
align      = 0x200000
flags      = ["rw"]
decompress = true

[[memory]]
start = 0
end   = 0x9fc00

[[memory]]
start = 0x100000
size  = "255M"
type  = "usable"
name  = "main"

[media]
type         = "disk"
firmware     = ["bios", "uefi"]
partitioning = "gpt"
output       = "disk.img"
size         = "64M"

[[range]]
name  = "rootfs"
path  = "rootfs.img"
flags = ["preload", "ro"]

[[range]]
path = "/abs/scratch.bin"
`;

const FULL_JSON = JSON.stringify({
  image: {
    protocol: 'multiboot2',
    cmdline: 'console=ttyS0',
    memory: 'custom',
    ram: '256M',
    integrity: 'fast',
    bootinfo: 65536,
    bootinfo_size: '16K',
    output: 'out/hello.mimg',
  },
  kernel: { path: 'kernel.elf' },
  module: [
    { name: 'init', path: 'bin/init.elf', load: 'elf', flags: ['ro', 'preload'], cmdline: '-v' },
    { path: '/abs/data.bin', address: '0x800000', align: 0x200000, flags: ['rw'], decompress: true },
  ],
  memory: [
    { start: 0, end: '0x9fc00' },
    { start: '0x100000', size: '255M', type: 'usable', name: 'main' },
  ],
  media: { type: 'disk', firmware: ['bios', 'uefi'], partitioning: 'gpt', output: 'disk.img', size: '64M' },
  range: [{ name: 'rootfs', path: 'rootfs.img', flags: ['preload', 'ro'] }, { path: '/abs/scratch.bin' }],
});

test('a full TOML config and the same in JSON give the same BuildSpec', () => {
  const expected: BuildSpec = {
    configPath: '/cfg/hello.toml',
    image: {
      protocol: 'multiboot2',
      cmdline: 'console=ttyS0',
      memory: {
        profile: 'custom',
        regions: [
          { start: 0n, end: 0x9fc00n, type: 'usable', name: 'usable 0' },
          { start: 0x100000n, end: 0x100000n + 255n * 1024n * 1024n, type: 'usable', name: 'main' },
        ],
      },
      ram: 256n << 20n,
      integrity: 'xxh64',
      bootInfoAddress: 0x10000n,
      bootInfoSize: 0x4000n,
      output: '/cfg/out/hello.mimg',
    },
    kernel: { path: '/cfg/kernel.elf', key: 'kernel.path' },
    modules: [
      { name: 'init', path: '/cfg/bin/init.elf', load: 'elf', align: 0x1000n, flags: ['ro', 'preload'], decompress: false, cmdline: '-v', key: 'module[0]' },
      { name: 'data.bin', path: '/abs/data.bin', load: 'data', address: 0x800000n, align: 0x200000n, flags: ['rw'], decompress: true, cmdline: '', key: 'module[1]' },
    ],
    ranges: [
      { name: 'rootfs', path: '/cfg/rootfs.img', flags: ['preload', 'ro'], key: 'range[0]' },
      { name: 'scratch.bin', path: '/abs/scratch.bin', flags: [], key: 'range[1]' },
    ],
    media: { type: 'disk', firmware: ['bios', 'uefi'], partitioning: 'gpt', output: '/cfg/disk.img', size: 64n << 20n },
  };
  assert.deepEqual(valueOf(FULL_TOML), expected);
  assert.deepEqual(valueOf(FULL_JSON, 'json'), expected);
});

test('defaults', () => {
  assert.deepEqual(valueOf(MINIMAL + '[[module]]\npath = "m/initrd.cpio"\n[media]\n'), {
    configPath: '/cfg/hello.toml',
    image: { protocol: 'mimg', cmdline: '', memory: { profile: 'pc' }, ram: 0x8000000n, integrity: 'sha256', output: '/cfg/hello.mimg' },
    kernel: { path: '/cfg/kernel.elf', key: 'kernel.path' },
    modules: [{ name: 'initrd.cpio', path: '/cfg/m/initrd.cpio', load: 'data', align: 0x1000n, flags: [], decompress: false, cmdline: '', key: 'module[0]' }],
    ranges: [],
    media: { type: 'disk', firmware: ['bios'], partitioning: 'gpt', output: '/cfg/hello.img' },
  } satisfies BuildSpec);
});

test('[[memory]] entries without image.memory mean a custom map', () => {
  const spec = valueOf(MINIMAL + '[[memory]]\nstart = 0x100000\nsize = "1M"\ntype = "reserved"\n');
  assert.deepEqual(spec.image.memory, { profile: 'custom', regions: [{ start: 0x100000n, end: 0x200000n, type: 'reserved', name: 'reserved 0' }] });
});

test('initrd with protocol "linux"', () => {
  const spec = valueOf('[image]\nprotocol = "linux"\n[kernel]\npath = "bzImage"\ninitrd = "../initrd.img"\n');
  assert.deepEqual(spec.kernel, { path: '/cfg/bzImage', initrd: '/initrd.img', key: 'kernel.path' });
  const entry = valueOf('[image]\nprotocol = "linux"\n[kernel]\npath = "bzImage"\nlinux_entry = "16"\n');
  assert.equal(entry.kernel.linuxEntry, '16');
});

test('sizes and addresses: suffixes, hex, bigint exactness', () => {
  const ram = (v: string) => valueOf(MINIMAL.replace('[kernel]', `ram = ${v}\n[kernel]`)).image.ram;
  assert.equal(ram('"1G"'), 1073741824n);
  assert.equal(ram('"4096K"'), 4096n * 1024n);
  assert.equal(ram('"128m"'), 128n << 20n);
  assert.equal(ram('"0x100000"'), 0x100000n);
  assert.equal(ram('1_048_576'), 1048576n);
  const address = (v: string, format: 'toml' | 'json' = 'toml') => {
    const text = format === 'toml' ? `${MINIMAL}[[module]]\npath = "m"\naddress = ${v}\n` : JSON.stringify({ image: { protocol: 'mimg' }, kernel: { path: 'k' }, module: [{ path: 'm', address: v }] });
    return valueOf(text, format).modules[0]?.address;
  };
  assert.equal(address('0x20000000000001'), 0x20000000000001n, 'TOML hex above 2^53 stays exact');
  assert.equal(address('0xffffffffffffffff'), 0xffffffffffffffffn);
  assert.equal(address('0x100000000', 'json'), 0x100000000n, 'JSON string');
});

test('each kind of error: code and key path', () => {
  const cases: [string, string, string, string][] = [
    ['typo key', MINIMAL + '[[module]]\npath = "m"\nadress = 0x800000\n', 'CONFIG_KEY', 'module[0].adress'],
    ['wrong enum', MINIMAL.replace('"mimg"', '"multboot2"'), 'CONFIG_TYPE', 'image.protocol'],
    ['wrong type', MINIMAL + '[[module]]\npath = "m"\ndecompress = "yes"\n', 'CONFIG_TYPE', 'module[0].decompress'],
    ['missing kernel.path', '[image]\nprotocol = "mimg"\n[kernel]\n', 'CONFIG_MISSING', 'kernel.path'],
    ['missing protocol', '[image]\n[kernel]\npath = "k"\n', 'CONFIG_MISSING', 'image.protocol'],
    ['initrd without linux', MINIMAL + 'initrd = "i"\n', 'CONFIG_TYPE', 'kernel.initrd'],
    ['linux_entry without linux', MINIMAL + 'linux_entry = "32"\n', 'CONFIG_TYPE', 'kernel.linux_entry'],
    ['linux_entry unknown', MINIMAL.replace('"mimg"', '"linux"') + 'linux_entry = "8"\n', 'CONFIG_TYPE', 'kernel.linux_entry'],
    ['duplicate module names', MINIMAL + '[[module]]\npath = "a/init"\n[[module]]\nname = "init"\npath = "b"\n', 'CONFIG_TYPE', 'module[1].name'],
    ['ro and rw', MINIMAL + '[[module]]\npath = "m"\nflags = ["ro", "rw"]\n', 'CONFIG_TYPE', 'module[0].flags'],
    ['flag twice', MINIMAL + '[[module]]\npath = "m"\nflags = ["ro", "ro"]\n', 'CONFIG_TYPE', 'module[0].flags[1]'],
    ['address on an ELF module', MINIMAL + '[[module]]\npath = "m"\nload = "elf"\naddress = 0x800000\n', 'CONFIG_TYPE', 'module[0].address'],
    ['align not a power of two', MINIMAL + '[[module]]\npath = "m"\nalign = 0x3000\n', 'CONFIG_TYPE', 'module[0].align'],
    ['end and size', MINIMAL + '[[memory]]\nstart = 0\nend = 0x1000\nsize = "4K"\n', 'CONFIG_TYPE', 'memory[0].size'],
    ['neither end nor size', MINIMAL + '[[memory]]\nstart = 0\n', 'CONFIG_MISSING', 'memory[0].end'],
    ['end not above start', MINIMAL + '[[memory]]\nstart = 0x2000\nend = 0x1000\n', 'CONFIG_TYPE', 'memory[0].end'],
    ['custom map without entries', MINIMAL.replace('[kernel]', 'memory = "custom"\n[kernel]'), 'CONFIG_MISSING', 'memory'],
    ['pc with entries', MINIMAL.replace('[kernel]', 'memory = "pc"\n[kernel]') + '[[memory]]\nstart = 0\nsize = 1\n', 'CONFIG_TYPE', 'image.memory'],
    ['unknown suffix', MINIMAL.replace('[kernel]', 'ram = "128X"\n[kernel]'), 'CONFIG_TYPE', 'image.ram'],
    ['negative', MINIMAL.replace('[kernel]', 'ram = -1\n[kernel]'), 'CONFIG_TYPE', 'image.ram'],
    ['not an integer', MINIMAL.replace('[kernel]', 'ram = 1.5\n[kernel]'), 'CONFIG_TYPE', 'image.ram'],
    ['zero size', MINIMAL.replace('[kernel]', 'ram = 0\n[kernel]'), 'CONFIG_TYPE', 'image.ram'],
    ['above 64 bits', MINIMAL.replace('[kernel]', 'bootinfo = "0x10000000000000000"\n[kernel]'), 'CONFIG_TYPE', 'image.bootinfo'],
    ['array of tables expected', MINIMAL + '[module]\npath = "m"\n', 'CONFIG_TYPE', 'module'],
    ['empty firmware list', MINIMAL + '[media]\nfirmware = []\n', 'CONFIG_TYPE', 'media.firmware'],
    ['partition size not in sectors', MINIMAL + '[media]\nsize = 1000\n', 'CONFIG_TYPE', 'media.size'],
    ['range without a disk', MINIMAL + '[[range]]\npath = "r"\n', 'CONFIG_TYPE', 'range'],
    ['range on media "none"', MINIMAL + '[media]\ntype = "none"\n[[range]]\npath = "r"\n', 'CONFIG_TYPE', 'range'],
    ['range name with a space', MINIMAL + '[media]\n[[range]]\nname = "my disk"\npath = "r"\n', 'CONFIG_TYPE', 'range[0].name'],
    ['range name too long', MINIMAL + `[media]\n[[range]]\npath = "${'x'.repeat(32)}"\n`, 'CONFIG_TYPE', 'range[0].path'],
    ['duplicate range names', MINIMAL + '[media]\n[[range]]\npath = "a/r"\n[[range]]\nname = "r"\npath = "b"\n', 'CONFIG_TYPE', 'range[1].name'],
    ['range flag unknown', MINIMAL + '[media]\n[[range]]\npath = "r"\nflags = ["x"]\n', 'CONFIG_TYPE', 'range[0].flags[0]'],
    ['range key unknown', MINIMAL + '[media]\n[[range]]\npath = "r"\nadress = 1\n', 'CONFIG_KEY', 'range[0].adress'],
    ['TOML syntax', '[image]\nprotocol = "mimg\n', 'CONFIG_SYNTAX', '2:17'],
  ];
  for (const [name, text, code, where] of cases) {
    assert.deepEqual(problems(text), [[code, where]], name);
  }
});

test('JSON errors: syntax position, unsafe numbers', () => {
  assert.deepEqual(problems('{\n  "image": {"protocol": "mimg",}\n}', 'json'), [['CONFIG_SYNTAX', '2:32']]);
  assert.deepEqual(problems('{"image": ', 'json'), [['CONFIG_SYNTAX', '1:11']]);
  assert.deepEqual(problems('{"kernel": {"path": "k"}} x', 'json'), [['CONFIG_SYNTAX', '1:27']]);
  const big = '{"image": {"protocol": "mimg", "bootinfo": 9007199254740993}, "kernel": {"path": "k"}}';
  assert.deepEqual(problems(big, 'json'), [['CONFIG_TYPE', 'image.bootinfo']]);
});

test('messages say what was found, and suggest near misses', () => {
  const message = (text: string) => parse(text).issues.map((i) => i.message);
  assert.deepEqual(message(MINIMAL.replace('"mimg"', '"multboot2"')), [
    'expected one of multiboot1, multiboot2, linux, mimg, got "multboot2"; did you mean "multiboot2"?',
  ]);
  assert.deepEqual(message(MINIMAL + '[[module]]\npath = "m"\nadress = 1\n'), ['unknown key "adress"; did you mean "address"?']);
  assert.deepEqual(message(MINIMAL + '[[module]]\npath = "m"\nzzz = 1\n'), ['unknown key "zzz"']);
  assert.deepEqual(message(MINIMAL.replace('[kernel]', 'cmdline = 5\n[kernel]')), ['expected a string, got 5']);
});

test('every problem in a file is reported, not just the first', () => {
  const text = `
[image]
protocl = "mimg"
ram = "lots"

[kernel]

[[module]]
path = "init"
load = "elf"
address = 0x800000
flags = ["ro", "rw"]

[[memory]]
start = 0
end = 0x1000
size = 0x1000
`;
  assert.deepEqual(problems(text), [
    ['CONFIG_MISSING', 'image.protocol'],
    ['CONFIG_TYPE', 'image.ram'],
    ['CONFIG_KEY', 'image.protocl'],
    ['CONFIG_MISSING', 'kernel.path'],
    ['CONFIG_TYPE', 'module[0].flags'],
    ['CONFIG_TYPE', 'module[0].address'],
    ['CONFIG_TYPE', 'memory[0].size'],
  ]);
});

test('issues name the config file as given', () => {
  const r = parse('[image]\n', 'toml', 'examples/mimg.toml');
  assert.ok(r.issues.length > 0);
  assert.ok(r.issues.every((i) => i.file === 'examples/mimg.toml'));
});

test('docs/config.md quotes real output', () => {
  const rendered = (text: string) => parse(text, 'toml', 'mimg.toml').issues.map(renderIssue);
  const lines = [
    ...rendered(MINIMAL.replace('"mimg"', '"multboot2"')),
    ...rendered(MINIMAL + '[[module]]\npath = "init.elf"\nload = "elf"\nadress = 0x800000\n'),
    ...rendered(MINIMAL + '[[module]]\npath = "init.elf"\nload = "elf"\naddress = 0x800000\n'),
    ...rendered(MINIMAL + '[[memory]]\nstart = 0x100000\nend = 0x8000000\nsize = "127M"\n'),
  ];
  const doc = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8');
  for (const line of lines) assert.ok(doc.includes(line), `docs/config.md lacks: ${line}`);
});

test('formatOf and keyPath', () => {
  assert.equal(formatOf('a/mimg.json'), 'json');
  assert.equal(formatOf('a/mimg.JSON'), 'json');
  assert.equal(formatOf('a/mimg.toml'), 'toml');
  assert.equal(formatOf('mimg'), 'toml');
  assert.equal(keyPath(['module', 1, 'address']), 'module[1].address');
  assert.equal(keyPath(['image', 'a.b']), 'image."a.b"');
  assert.equal(keyPath([]), '');
});

test('the JSON Schema is strict and lists every table', () => {
  const schema = configJsonSchema() as { type: string; properties: Record<string, { items?: { properties: Record<string, unknown> } }>; additionalProperties: boolean; required: string[] };
  assert.equal(schema.type, 'object');
  assert.deepEqual(Object.keys(schema.properties).sort(), ['image', 'kernel', 'media', 'memory', 'module', 'range']);
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required.sort(), ['image', 'kernel']);
  assert.deepEqual(schema.properties['module']?.items?.properties['address'], {
    description: 'Fixed physical address, data modules only (default: placed by the layout rule)',
    type: ['integer', 'string'],
    minimum: 0,
    pattern: '^(?:0[xX][0-9a-fA-F]+|([0-9]+)([KMGkmg]?))$',
  });
  assert.doesNotThrow(() => JSON.stringify(schema), 'no bigints in the schema');
});

test('[image] framebuffer: modes, text, required; malformed and misplaced requests', () => {
  const fb = (keys: string, protocol = 'mimg') => valueOf(`[image]\nprotocol = "${protocol}"\n${keys}\n[kernel]\npath = "k.elf"\n`).image.framebuffer;
  assert.deepEqual(fb('framebuffer = "1024x768x32"'), { width: 1024, height: 768, depth: 32, required: false, text: false });
  assert.deepEqual(fb('framebuffer = "800x600"\nframebuffer_required = true', 'multiboot2'), { width: 800, height: 600, depth: 0, required: true, text: false });
  assert.deepEqual(fb('framebuffer = "text"', 'multiboot1'), { width: 0, height: 0, depth: 0, required: false, text: true });
  assert.equal(fb(''), undefined);
  const bad = (keys: string, protocol = 'mimg') => problems(`[image]\nprotocol = "${protocol}"\n${keys}\n[kernel]\npath = "k.elf"\n`);
  assert.deepEqual(bad('framebuffer = "1024x768x7"'), [['CONFIG_TYPE', 'image.framebuffer']]);
  assert.deepEqual(bad('framebuffer = "0x768"'), [['CONFIG_TYPE', 'image.framebuffer']]);
  assert.deepEqual(bad('framebuffer_required = true'), [['CONFIG_TYPE', 'image.framebuffer_required']]);
  assert.deepEqual(bad('framebuffer = "640x480"', 'linux'), [['CONFIG_TYPE', 'image.framebuffer']]);
});
