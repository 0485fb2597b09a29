// The .mimg memory-image format: docs/format/mimg.md is the specification.

import { HEADER } from './struct.js';

export type { CpuMode, DigestAlgorithm, MimgHeader, MimgImage, MimgSection, Protocol, SectionFlag, SectionType } from './types.js';
export { layoutFile, encodeHead, encodeImage } from './encode.js';
export { decodeHead, headSize } from './decode.js';
export { verifyStructure, verifyImage, paddingRanges, paddingIssue, digestIssue } from './verify.js';
export { createDigest, initDigests, type Digest } from './digest.js';
export { HEADER, SECTION, MAGIC as MIMG_MAGIC, PAYLOAD_ALIGN, DIGEST_SIZE } from './struct.js';

/** Bytes to read first: headSize() of them tells how many decodeHead() needs. */
export const HEADER_SIZE = HEADER.size;
