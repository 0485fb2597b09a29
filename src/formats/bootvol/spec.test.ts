// Keeps docs/format/boot-volume.md in step with the code: its structure
// tables are generated here from struct.ts and ../mbr/struct.ts
// (test/support/spec-doc.ts checks the blocks; MIMG_UPDATE_DOCS=1 rewrites them).

import { test } from 'node:test';
import { MBR, PARTITION_ENTRY } from '../mbr/struct.js';
import { PATCH, PATCH_AT, RANGE, RANGE_FLAG, RANGE_TABLE, RANGE_TYPE, VOLUME_HEADER, VOLUME_HEADER_AT } from './struct.js';
import { checkGeneratedBlocks, enumTable, flagTable, structTable } from '../../../test/support/spec-doc.js';
import type { Enum } from '../../bytes/table.js';

const DOC = new URL('../../../../docs/format/boot-volume.md', import.meta.url);

test('docs/format/boot-volume.md: generated blocks match struct.ts', () => {
  checkGeneratedBlocks(DOC, {
    'mbr-table': () => structTable(MBR),
    'mbr-partition-table': () => structTable(PARTITION_ENTRY),
    'patch-table': () => structTable(PATCH, PATCH_AT),
    'volume-header-table': () => structTable(VOLUME_HEADER, VOLUME_HEADER_AT),
    'range-table-table': () => structTable(RANGE_TABLE),
    'range-table': () => structTable(RANGE),
    'range-enums': () =>
      [enumTable(RANGE_TYPE as Enum<string>), flagTable('`flags` (every other bit must be 0, and `ro` and `rw` must not both be set):', RANGE_FLAG)].join('\n\n'),
  });
});
