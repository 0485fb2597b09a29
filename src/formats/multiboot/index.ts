// The Multiboot header reader's public API.

export { parseMultiboot1, parseMultiboot2 } from './parse.js';
export { encodeMultiboot1, encodeMultiboot2 } from './encode.js';
export { addressLoadedKernel } from './image.js';
export { multibootJson, multibootText, scanMultiboot, type MultibootScan } from './describe.js';
export type { AddressFields, AddressLoad, Multiboot1Header, Multiboot2Header, Multiboot2Tag } from './types.js';
