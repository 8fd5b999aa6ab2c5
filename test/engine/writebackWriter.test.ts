import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { WRITEBACK_TABLES } from '../../functions/engine/writebackTables.ts';
import { replaceWeekPartition } from '../../functions/engine/writebackWriter.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';

let lakeDir: string;
let lake: LocalFolderStore;
const table = WRITEBACK_TABLES.clv_scores;
const score = (customer: string, clv: number) => ({ customer_id: customer, method: 'bgnbd', clv, expected_purchases: 1.5, p_alive: null, days_since_last_purchase: null, spend_basis: null, mrr: null, renewals: null, residual_months: null });

async function readScores(): Promise<Record<string, unknown>[]> {
  const engine = await DuckDbEngine.open({ lakeDir });
  try {
    return await engine.sql('select week_id, customer_id, clv, p_alive from clv_scores order by week_id, customer_id');
  } finally {
    await engine.close();
  }
}

beforeAll(async () => {
  lakeDir = await mkdtemp(path.join(os.tmpdir(), 'ltv-writeback-'));
  lake = new LocalFolderStore(lakeDir);
});

afterAll(async () => {
  await rm(lakeDir, { recursive: true, force: true });
});

describe('replaceWeekPartition', () => {
  it('writes one Parquet file per week that the DuckDB view reads', async () => {
    // Act
    const key = await replaceWeekPartition(lake, table, '2026-W46', [score('a', 10.25), score('b', 0)]);

    // Assess
    expect(key).toBe('clv_scores/week_id=2026-W46/data.parquet');
    expect(await readScores()).toEqual([
      { week_id: '2026-W46', customer_id: 'a', clv: 10.25, p_alive: null },
      { week_id: '2026-W46', customer_id: 'b', clv: 0, p_alive: null },
    ]);
  });

  it('replaces the week when it is written again, leaving other weeks alone', async () => {
    // Prepare
    await replaceWeekPartition(lake, table, '2026-W47', [score('a', 1)]);

    // Act
    await replaceWeekPartition(lake, table, '2026-W47', [score('a', 2), score('c', 3)]);

    // Assess
    expect(await readScores()).toEqual([
      { week_id: '2026-W46', customer_id: 'a', clv: 10.25, p_alive: null },
      { week_id: '2026-W46', customer_id: 'b', clv: 0, p_alive: null },
      { week_id: '2026-W47', customer_id: 'a', clv: 2, p_alive: null },
      { week_id: '2026-W47', customer_id: 'c', clv: 3, p_alive: null },
    ]);
    expect(await readdir(path.join(lakeDir, 'clv_scores', 'week_id=2026-W47'))).toEqual(['data.parquet']);
  });

  it('removes the week when there are no rows', async () => {
    // Act
    const key = await replaceWeekPartition(lake, table, '2026-W47', []);

    // Assess
    expect(key).toBeNull();
    expect((await readScores()).map((r) => r.week_id)).toEqual(['2026-W46', '2026-W46']);
  });

  it('names the row and column of a value that does not fit', async () => {
    await expect(replaceWeekPartition(lake, table, '2026-W48', [score('a', Number.NaN)])).rejects.toThrow('clv_scores row 1, clv: NaN is not a valid DOUBLE');
    await expect(replaceWeekPartition(lake, table, '2026-W48', [{ customer_id: 'a' }])).rejects.toThrow('clv_scores row 1, method: missing');
    await expect(replaceWeekPartition(lake, table, '../x', [])).rejects.toThrow('not an ISO week id');
  });
});

describe('registering a written week with the DuckDB engine', () => {
  it('lets an engine opened on an empty table read the week written after it opened', async () => {
    // Prepare: the engine opens before the table has any week, as a backfill's first week does
    const freshDir = await mkdtemp(path.join(os.tmpdir(), 'ltv-writeback-register-'));
    const engine = await DuckDbEngine.open({ lakeDir: freshDir });
    const count = async () => Number((await engine.sql('select count(*) as n from kpi_history'))[0]!.n);
    try {
      await replaceWeekPartition(new LocalFolderStore(freshDir), WRITEBACK_TABLES.kpi_history, '2026-W46', [
        { kpi: 'aov', value: 50, unit: 'money', guard: null, week_start: new Date('2026-11-09T00:00:00Z'), week_end: new Date('2026-11-16T00:00:00Z'), settings: null, report_currency: null },
      ]);
      const beforeRegistering = await count();

      // Act
      const stats = await engine.registerWeekPartition(WRITEBACK_TABLES.kpi_history);

      // Assess
      expect(stats).toBeNull();
      expect([beforeRegistering, await count()]).toEqual([0, 1]);
    } finally {
      await engine.close();
      await rm(freshDir, { recursive: true, force: true });
    }
  });
});
