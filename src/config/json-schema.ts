// The JSON Schema of mimg.toml / mimg.json, for editors (`mimg schema`).
// Generated from the zod schema, so it cannot drift from what parseConfig
// accepts; addresses and sizes carry their integer|string form as metadata
// in schema.ts.

import * as z from 'zod';
import { configSchema } from './schema.js';

export function configJsonSchema(): object {
  // "input": the file as written (sizes as "128M"), not the parsed bigints.
  return { ...z.toJSONSchema(configSchema, { io: 'input' }), title: 'mimg config' };
}
