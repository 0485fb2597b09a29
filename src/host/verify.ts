// Reading and verifying .mimg files from disk. The head is decoded and
// checked in memory; payload digests are computed by streaming, so verifying
// a multi-GiB image needs little memory.

import { open, type FileHandle } from 'node:fs/promises';
import { hex, inFile, issue, type Issue } from '../diagnostics/issue.js';
import { createDigest, decodeHead, headSize, initDigests, verifyStructure, HEADER_SIZE } from '../formats/mimg/index.js';
import type { MimgImage } from '../formats/mimg/types.js';

const CHUNK = 1 << 20;

export interface ImageReport {
  image?: MimgImage;
  issues: Issue[];
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Decode and check an image file; with `digests`, also every payload digest. Every issue names the file. */
export async function readImageFile(file: string, digests: boolean): Promise<ImageReport> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    return { issues: [issue('FILE_READ', `cannot read: ${(err as Error).message}`, { file })] };
  }
  try {
    const length = (await fh.stat()).size;
    const first = await readAt(fh, 0, HEADER_SIZE);
    const need = headSize(first).value;
    const head = need !== undefined && need <= length ? await readAt(fh, 0, need) : first;
    const decoded = decodeHead(head);
    if (!decoded.value) return { issues: inFile(file, decoded.issues) };
    const image = decoded.value;
    const issues = [...decoded.issues, ...verifyStructure(image, BigInt(length))];
    if (digests && issues.length === 0) {
      await initDigests();
      for (const [i, s] of image.sections.entries()) {
        if (s.fileSize === 0n) continue;
        const d = createDigest(image.header.digest);
        for (let done = 0n; done < s.fileSize; ) {
          const n = Number(s.fileSize - done < BigInt(CHUNK) ? s.fileSize - done : BigInt(CHUNK));
          d.update(await readAt(fh, Number(s.fileOffset + done), n));
          done += BigInt(n);
        }
        if (!equal(d.digest(), s.digest)) {
          issues.push(issue('MIMG_DIGEST', `payload of section ${i} '${s.name}' (${s.fileSize} bytes at file offset ${hex(s.fileOffset)}) does not match its ${image.header.digest} digest`, { where: `section ${i} (digest)` }));
        }
      }
    }
    return { image, issues: inFile(file, issues) };
  } finally {
    await fh.close();
  }
}
