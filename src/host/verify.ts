// Reading and verifying .mimg files from disk. The head is decoded and
// checked in memory; payload digests are computed by streaming, so verifying
// a multi-GiB image needs little memory.

import { open, type FileHandle } from 'node:fs/promises';
import { inFile, issue, type Issue } from '../diagnostics/issue.js';
import { createDigest, decodeHead, digestIssue, headSize, initDigests, paddingIssue, paddingRanges, verifyStructure, HEADER_SIZE } from '../formats/mimg/index.js';
import type { DigestAlgorithm, MimgImage } from '../formats/mimg/types.js';
import { streamRange } from './copy.js';

export interface ImageReport {
  image?: MimgImage;
  issues: Issue[];
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

/** The digest of `size` bytes of the file from `offset`, read in chunks. */
async function digestAt(fh: FileHandle, alg: DigestAlgorithm, offset: bigint, size: bigint): Promise<Uint8Array> {
  const d = createDigest(alg);
  await streamRange(fh, offset, size, (b) => d.update(b));
  return d.digest();
}

/**
 * Decode and check an image file with the same rules as verifyImage; with
 * `payloads`, also the padding and every payload digest (streamed, so a large
 * image needs little memory). Every issue names the file.
 */
export async function readImageFile(file: string, payloads: boolean): Promise<ImageReport> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    return { issues: [issue('FILE_READ', `cannot read: ${(err as Error).message}`, { file })] };
  }
  try {
    const length = BigInt((await fh.stat()).size);
    const first = await readAt(fh, 0, HEADER_SIZE);
    const need = headSize(first).value;
    const head = need !== undefined && BigInt(need) <= length ? await readAt(fh, 0, need) : first;
    const decoded = decodeHead(head);
    if (!decoded.value) return { issues: inFile(file, decoded.issues) };
    const image = decoded.value;
    const issues = [...decoded.issues, ...verifyStructure(image, length)];
    if (payloads && issues.length === 0) {
      for (const r of paddingRanges(image, BigInt(need!), length)) {
        const bad = paddingIssue(r, await readAt(fh, Number(r.start), Number(r.end - r.start)));
        if (bad) issues.push(bad);
      }
      await initDigests();
      for (const [i, s] of image.sections.entries()) {
        if (s.fileSize === 0n) continue;
        const bad = digestIssue(image, i, await digestAt(fh, image.header.digest, s.fileOffset, s.fileSize));
        if (bad) issues.push(bad);
      }
    }
    return { image, issues: inFile(file, issues) };
  } finally {
    await fh.close();
  }
}
