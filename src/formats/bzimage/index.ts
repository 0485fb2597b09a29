// The bzImage (Linux x86 boot protocol) reader's public API.

export { isBzImage, parseBzImage, versionString } from './parse.js';
export { bzImageJson, bzImageText } from './describe.js';
export * from './struct.js';
export type { BzImage } from './types.js';
