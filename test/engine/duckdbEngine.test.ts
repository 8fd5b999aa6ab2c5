import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { getQuery } from '../../functions/engine/queryCatalog.ts';
import { param } from '../../functions/engine/queryEngine.ts';

let lakeDir: string;

beforeAll(async () => {
  lakeDir = await mkdtemp(path.join(os.tmpdir(), 'ltv-duckdb-engine-'));
});

afterAll(async () => {
  await rm(lakeDir, { recursive: true, force: true });
});

const trendParameters = { to_week: param.varchar('2026-W47'), from_week: param.varchar('2026-W01') };

describe('DuckDbEngine', () => {
  it('runs queries issued together one after another, and closes only after those already queued', async () => {
    // Prepare
    const engine = await DuckDbEngine.open({ lakeDir });
    const trend = await getQuery('kpi_trend');

    // Act: three queries in flight, then close, then one more
    const queued = [1, 2, 3].map(() => engine.runRaw(trend, trendParameters));
    const closing = engine.close();
    const late = engine.runRaw(trend, trendParameters);

    // Assess
    expect((await Promise.all(queued)).map((r) => r.rows.length)).toEqual([0, 0, 0]);
    await closing;
    await expect(late).rejects.toThrow('queries/kpi_trend.sql: the DuckDB engine was closed before the query could run');
  });
});
