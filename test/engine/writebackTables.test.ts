import { describe, expect, it } from 'vitest';
import { WRITEBACK_TABLES } from '../../functions/engine/writebackTables.ts';

describe('WRITEBACK_TABLES', () => {
  it('fits the Glue catalog: column comments of at most 255 characters, lower-case names', () => {
    for (const table of Object.values(WRITEBACK_TABLES)) {
      for (const column of table.columns) {
        expect(column.description.length, `${table.name}.${column.name}`).toBeLessThanOrEqual(255);
        expect(column.name).toMatch(/^[a-z][a-z0-9_]*$/);
      }
    }
  });
});
