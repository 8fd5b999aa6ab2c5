// The header's column types are what callers (and analysts reading docs/queries.md) rely on:
// check them against the types DuckDB derives for the query on an empty lake, next to the
// names test/engine/queryCatalog.test.ts checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQueryCatalog } from '../../functions/engine/queryCatalog.ts';
import { openEmptyLake, type FixtureLake } from './fixtureLake.ts';

let lake: FixtureLake;

beforeAll(async () => {
  lake = await openEmptyLake();
});

afterAll(async () => {
  await lake?.close();
});

const normalise = (type: string) => type.toLowerCase().replace(/\s+/g, '');

describe('queries/ header column types', () => {
  it('match the types the query returns', async () => {
    for (const query of (await loadQueryCatalog()).values()) {
      // Act
      const described = await lake.engine.sql(`DESCRIBE ${query.sql.replace(/\?/g, () => 'NULL')}`);

      // Assess
      expect(described.map((c) => `${c.column_name} ${normalise(String(c.column_type))}`), query.file).toEqual(
        query.columns.map((c) => `${c.name} ${normalise(c.type)}`),
      );
    }
  });
});
