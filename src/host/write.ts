// Writes a planned image: payloads are streamed into a temporary file beside
// the output while their digests are computed, then the head (header, section
// table, strings — which hold those digests) is written at offset 0 and the
// file is renamed into place. A failure at any point leaves no output behind.

import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { MimgError, issue } from '../diagnostics/issue.js';
import { createDigest, encodeHead, initDigests, layoutFile } from '../formats/mimg/index.js';
import type { CpuMode, MimgImage, MimgSection } from '../formats/mimg/types.js';
import type { Plan, PlannedSection } from '../layout/types.js';
import type { ImageOptions, LoadedComponent } from './build.js';
import { streamRange } from './copy.js';
import { readChunks } from './decompress.js';

/** Called as payload bytes are written: done and total bytes. */
export type Progress = (done: bigint, total: bigint) => void;

function toSection(s: PlannedSection): MimgSection {
  return {
    type: s.type,
    flags: s.flags,
    dest: s.dest,
    memSize: s.memSize,
    fileSize: s.fileSize,
    fileOffset: 0n,
    digest: new Uint8Array(32),
    component: s.component,
    name: s.name,
    cmdline: s.cmdline,
    ...(s.vaddr !== undefined && { vaddr: s.vaddr }),
  };
}

/** The image the plan describes, before payload offsets and digests are known. */
function imageOf(plan: Plan, opts: ImageOptions & { cpuMode: CpuMode }): MimgImage {
  const loaded = plan.sections.filter((s) => s.type !== 'reserved');
  const top = loaded.reduce((m, s) => (s.dest + s.memSize > m ? s.dest + s.memSize : m), 0n);
  return layoutFile({
    header: {
      versionMajor: 1,
      versionMinor: 0, // layoutFile sets the lowest that expresses the image
      protocol: opts.protocol,
      cpuMode: opts.cpuMode,
      digest: opts.integrity,
      entry: plan.entry ?? 0n,
      bootInfoAddr: plan.bootInfo?.start ?? 0n,
      bootInfoSize: plan.bootInfo ? plan.bootInfo.end - plan.bootInfo.start : 0n,
      ramRequired: top,
      cmdline: opts.cmdline,
      fileSize: 0n,
      ...(opts.framebuffer && { framebuffer: opts.framebuffer }),
    },
    sections: plan.sections.map(toSection),
  });
}

/**
 * Writes section `s`'s payload at `offset`, passing every chunk to `seen`;
 * returns the bytes written (size + 1 when the input has grown since it was measured).
 */
async function writePayload(s: PlannedSection, loaded: readonly LoadedComponent[], fh: FileHandle, offset: bigint, size: bigint, seen: (b: Uint8Array) => void): Promise<bigint> {
  const src = s.source;
  if (src.kind === 'bytes') {
    seen(src.bytes);
    await fh.write(src.bytes, 0, src.bytes.length, Number(offset));
    return BigInt(src.bytes.length);
  }
  if (src.kind !== 'component') return 0n;
  const data = loaded[src.component]?.data;
  if (!data) throw new Error(`internal: component ${src.component} has no data source`);
  if (data.compression === undefined) {
    // Plain file: big positional reads and writes, one extra byte asked for to notice growth.
    const input = await open(data.file, 'r');
    try {
      return await streamRange(input, 0n, size + 1n, seen, { fh, offset });
    } finally {
      await input.close();
    }
  }
  let pos = 0n;
  for await (const chunk of readChunks(data.file, data.compression)) {
    if (pos + BigInt(chunk.length) > size) return size + 1n;
    seen(chunk);
    await fh.write(chunk, 0, chunk.length, Number(offset + pos));
    pos += BigInt(chunk.length);
  }
  return pos;
}

export async function writeImage(
  output: string,
  plan: Plan,
  loaded: readonly LoadedComponent[],
  opts: ImageOptions & { cpuMode: CpuMode },
  progress?: Progress,
): Promise<MimgImage> {
  await initDigests();
  const image = imageOf(plan, opts);
  const total = image.sections.reduce((n, s) => n + s.fileSize, 0n);
  const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
  let fh;
  try {
    fh = await open(tmp, 'w');
  } catch (err) {
    throw new MimgError(issue('FILE_WRITE', `cannot create output: ${(err as Error).message}`, { file: output }));
  }
  try {
    let done = 0n;
    for (const [i, s] of image.sections.entries()) {
      const planned = plan.sections[i]!;
      if (s.fileSize === 0n) continue;
      const digest = createDigest(opts.integrity);
      const written = await writePayload(planned, loaded, fh, s.fileOffset, s.fileSize, (chunk) => {
        digest.update(chunk);
        done += BigInt(chunk.length);
        progress?.(done, total);
      });
      if (written !== s.fileSize) {
        throw new MimgError(issue('FILE_READ', `input changed while building: expected ${s.fileSize} bytes, found ${written === s.fileSize + 1n ? 'more' : written}`, { file: planned.file, where: planned.key }));
      }
      s.digest = digest.digest();
    }
    const head = encodeHead(image);
    await fh.write(head, 0, head.length, 0);
    await fh.truncate(Number(image.header.fileSize));
    await fh.close();
    fh = undefined;
    await rename(tmp, output);
    return image;
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    if (err instanceof MimgError) throw err;
    throw new MimgError(issue('FILE_WRITE', `cannot write output: ${(err as Error).message}`, { file: output }));
  }
}
