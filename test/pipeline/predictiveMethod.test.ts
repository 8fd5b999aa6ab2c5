import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { Config } from '../../functions/config/schema.ts';
import type { QueryEngine } from '../../functions/engine/queryEngine.ts';
import { WRITEBACK_TABLES } from '../../functions/engine/writebackTables.ts';
import { replaceWeekPartition } from '../../functions/engine/writebackWriter.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { openEngine, openMailer, openStores } from '../../functions/pipeline/adapters.ts';
import { runPredictiveMethod } from '../../functions/pipeline/predictiveMethod.ts';
import { runWeeklyReport } from '../../functions/pipeline/weeklyReport.ts';
import { parseWeekId, weekBounds } from '../../functions/time/isoWeek.ts';

// test/fixtures/small-shop has three customers and one repeat purchase: far too little for the
// models. The week must still be reported, with the predictive method missing and saying why.

const fixtures = path.resolve(import.meta.dirname, '../fixtures/small-shop');
let root: string;
let config: Config;
let engine: QueryEngine;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-predictive-'));
  await cp(fixtures, path.join(root, 'exports'), { recursive: true });
  config = parseConfig(
    { storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: path.join(root, 'exports') }, headlineClvMethod: 'bgnbd' },
    'test',
  );
  const stores = openStores(config);
  await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date('2026-11-23T00:00:00Z') });
  engine = await openEngine(config);
});

afterAll(async () => {
  await engine?.close();
  await rm(root, { recursive: true, force: true });
});

describe('runPredictiveMethod on too little data', () => {
  it('returns the method as missing with the reasons, and no scores', async () => {
    // Act
    const run = await runPredictiveMethod(engine, weekBounds(parseWeekId('2026-W47'), 'UTC'), config);

    // Assess: c1 (Oct 1 and Nov 18) is the one repeat customer; c3 has no EUR rate but still counts
    expect(run.result).toEqual({
      method: 'bgnbd',
      value: null,
      flags: ['too few repeat customers to fit BG/NBD: 1 made a repeat purchase, at least 10 are needed'],
    });
    expect(run.scores).toEqual([]);
    expect(run.summary).toMatchObject({ customers: 3, repeatCustomers: 1, models: null, totalClv: null, scoresWritten: 0, accuracy: null });
    expect(run.summary.accuracyGuard).toBe("not enough history: the holdout check needs purchases from at least 26 weeks before the week's end");
  });
});

describe('the weekly run when the model cannot be fitted', () => {
  it('still reports the week, shows the headline as missing with its flags and clears stale scores', async () => {
    // Prepare: scores left by an earlier run of the same week on other data
    const stores = openStores(config);
    await replaceWeekPartition(stores.lake, WRITEBACK_TABLES.clv_scores, '2026-W47', [
      { customer_id: 'old', method: 'bgnbd', clv: 1, expected_purchases: 1, p_alive: 1, days_since_last_purchase: 3, spend_basis: 'own', mrr: null, renewals: null, residual_months: null },
    ]);

    // Act
    const result = await runWeeklyReport(
      { config, engine, lake: stores.lake, reports: stores.reports, mailer: openMailer(config) },
      parseWeekId('2026-W47'),
      { dryRun: true, now: new Date('2026-11-23T07:00:00Z') },
    );

    // Assess
    expect(result.report.headline).toMatchObject({ method: 'bgnbd', value: null });
    expect(result.report.verdict).toBe('Headline CLV could not be computed this week: too few repeat customers to fit BG/NBD: 1 made a repeat purchase, at least 10 are needed.');
    expect(result.report.kpis.find((k) => k.key === 'ltv_to_cac')).toMatchObject({ value: null, guard: 'headline CLV unknown' });
    expect(result.report.clv.map((c) => c.method)).toEqual(['saas', 'purchase', 'cohort', 'bgnbd']);
    expect(await readdir(path.join(root, 'out', 'lake', 'clv_scores')).catch(() => [])).toEqual([]);
  });
});
