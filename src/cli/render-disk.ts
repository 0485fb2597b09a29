// Text and JSON renderings of a disk image: its partitions, stage 1's patch
// block and the boot volume's ranges. As elsewhere, numbers are hex and JSON
// carries them as "0x..." strings.

import { hex } from '../diagnostics/issue.js';
import type { DiskReport } from '../media/index.js';
import { table } from './render.js';

const SECTOR = 512n;

function describeType(p: { type: string; typeName?: string }): string {
  return p.typeName === undefined ? p.type : `${p.type} (${p.typeName})`;
}

export function diskText(file: string, d: DiskReport): string {
  const id = d.gpt ? `disk GUID ${d.gpt.diskGuid}` : `disk signature ${hex(d.mbr.diskSignature)}`;
  const lines = [
    `${file}: ${d.partitioning.toUpperCase()} disk, ${hex(d.sectors * SECTOR)} bytes (${hex(d.sectors)} sectors), ${id}`,
    '',
    table([
      ['#', 'first LBA', 'sectors', 'size', 'boot', 'type', ...(d.gpt ? ['name'] : [])],
      ...d.partitions.map((p) => [String(p.number), hex(p.firstLba), hex(p.sectors), hex(p.sectors * SECTOR), p.bootable ? '*' : '', describeType(p), ...(p.name !== undefined ? [JSON.stringify(p.name)] : [])]),
    ]),
    '',
    d.patch
      ? `stage 1 (MBR): boots the volume at LBA ${hex(d.patch.volumeLba)}, stage 2 at +${hex(d.patch.stage2Lba)} (${hex(d.patch.stage2Sectors)} sectors)`
      : 'stage 1 (MBR): not installed (no patch block)',
  ];
  const v = d.volume;
  if (v) {
    const h = v.header;
    lines.push(
      `boot volume at LBA ${hex(v.lba)}${v.partition !== undefined ? ` (partition ${v.partition})` : ''}: version ${h.version}, stage 2 at +${hex(h.stage2Lba)} (${hex(h.stage2Sectors)} sectors), range table at +${hex(h.rangesLba)} (${hex(h.rangesSectors)} sectors)`,
    );
    if (v.ranges) {
      lines.push(
        '',
        table([
          ['#', 'type', 'flags', 'lba', 'size', 'load address', 'entry', 'name'],
          ...v.ranges.map((r, i) => [
            String(i),
            r.type,
            r.flags.join(',') || '-',
            hex(r.lba),
            hex(r.size),
            r.type === 'loader' ? hex(r.loadAddress) : '-',
            r.type === 'loader' ? hex(r.entry) : '-',
            r.name,
          ]),
        ]),
      );
    }
  }
  const e = d.esp;
  if (e) {
    lines.push(
      '',
      `EFI system partition (partition ${e.partition}, LBA ${hex(e.lba)}): FAT32, ${e.fat.clusters} clusters of ${e.fat.clusterBytes} bytes, volume ID ${hex(e.fat.volumeId)}`,
      '',
      table([
        ['size', 'disk offset', 'path'],
        ...e.fat.entries.filter((f) => !f.directory).map((f) => [hex(f.size), hex(e.lba * SECTOR + f.offset), f.path]),
      ]),
    );
  }
  return lines.join('\n') + '\n';
}

export function diskJson(d: DiskReport): object {
  const v = d.volume;
  return {
    kind: 'disk',
    size: hex(d.sectors * SECTOR),
    partitioning: d.partitioning,
    ...(d.gpt ? { diskGuid: d.gpt.diskGuid } : { diskSignature: hex(d.mbr.diskSignature) }),
    partitions: d.partitions.map((p) => ({
      number: p.number,
      firstLba: hex(p.firstLba),
      sectors: hex(p.sectors),
      type: p.type,
      typeName: p.typeName ?? null,
      ...(p.name !== undefined && { name: p.name }),
      bootable: p.bootable,
    })),
    stage1: d.patch ? { volumeLba: hex(d.patch.volumeLba), stage2Lba: hex(d.patch.stage2Lba), stage2Sectors: d.patch.stage2Sectors } : null,
    volume: v
      ? {
          partition: v.partition ?? null,
          lba: hex(v.lba),
          version: v.header.version,
          stage2Lba: hex(v.header.stage2Lba),
          stage2Sectors: v.header.stage2Sectors,
          rangesLba: hex(v.header.rangesLba),
          rangesSectors: hex(v.header.rangesSectors),
          ranges: (v.ranges ?? []).map((r) => ({
            name: r.name,
            type: r.type,
            flags: r.flags,
            lba: hex(r.lba),
            size: hex(r.size),
            loadAddress: hex(r.loadAddress),
            entry: hex(r.entry),
            // where its bytes are in the disk image
            offset: hex((v.lba + r.lba) * SECTOR),
          })),
        }
      : null,
    esp: d.esp
      ? {
          partition: d.esp.partition,
          lba: hex(d.esp.lba),
          clusterBytes: d.esp.fat.clusterBytes,
          clusters: d.esp.fat.clusters,
          volumeId: hex(d.esp.fat.volumeId),
          // files only; offset: where a contiguous file's bytes are in the disk image
          files: d.esp.fat.entries.filter((f) => !f.directory).map((f) => ({ path: f.path, size: hex(f.size), offset: f.contiguous ? hex(d.esp!.lba * SECTOR + f.offset) : null })),
        }
      : null,
  };
}
