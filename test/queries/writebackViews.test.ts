import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { param } from '../../functions/engine/queryEngine.ts';
import { WRITEBACK_TABLES } from '../../functions/engine/writebackTables.ts';
import { replaceWeekPartition } from '../../functions/engine/writebackWriter.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';
import { parseWeekId, weekBounds } from '../../functions/time/isoWeek.ts';
import { asText, openEmptyLake, type FixtureLake } from './fixtureLake.ts';

// Write-back tables as the weekly job writes them (one Parquet file per table and week).
// kpi_history, aov: W44 20, W45 25, W46 not run, W47 30, W48 withheld, W49 24; churn_rate beside it.
// clv_scores: bgnbd in W46 (a 10, b 20) and W47 (a 12, c 5, d 5); a method 'other' only in W46.
// model_accuracy: W46 withheld; W47 the card's MAE, Gini and aggregate error of bgnbd and both rules, and a decile row.
const USD = '{"reportCurrency":"USD"}';
const kpi = (weekId: string, key: string, value: number | null, guard: string | null = null) => {
  const week = weekBounds(parseWeekId(weekId), 'UTC');
  return { kpi: key, value, unit: 'money', guard, week_start: week.start, week_end: week.end, settings: USD, report_currency: 'USD' };
};
const score = (customer: string, method: string, clv: number) => ({ customer_id: customer, method, clv, expected_purchases: 1.5, p_alive: 0.9, days_since_last_purchase: 14, spend_basis: 'own', mrr: null, renewals: null, residual_months: null });

const card = (model: string, metric: string, value: number | null, part: string | null = null, guard: string | null = null) => ({
  model,
  metric,
  part,
  value,
  guard,
  customers: 1000,
  holdout_weeks: 13,
  hiatus_days: 180,
  calibration_cutoff: new Date('2026-08-24T00:00:00Z'),
  holdout_end: new Date('2026-11-23T00:00:00Z'),
});

let lake: FixtureLake;

beforeAll(async () => {
  lake = await openEmptyLake();
  const store = new LocalFolderStore(lake.lakeDir);
  const history: [string, number | null, string | null][] = [
    ['2026-W44', 20, null],
    ['2026-W45', 25, null],
    ['2026-W47', 30, null],
    ['2026-W48', null, 'no paid orders in the window'],
    ['2026-W49', 24, null],
  ];
  for (const [weekId, value, guard] of history) {
    await replaceWeekPartition(store, WRITEBACK_TABLES.kpi_history, weekId, [kpi(weekId, 'aov', value, guard), kpi(weekId, 'churn_rate', 0.1)]);
  }
  await replaceWeekPartition(store, WRITEBACK_TABLES.clv_scores, '2026-W46', [score('a', 'bgnbd', 10), score('b', 'bgnbd', 20), score('x', 'other', 7)]);
  await replaceWeekPartition(store, WRITEBACK_TABLES.clv_scores, '2026-W47', [score('a', 'bgnbd', 12), score('d', 'bgnbd', 5), score('c', 'bgnbd', 5)]);
  await replaceWeekPartition(store, WRITEBACK_TABLES.model_accuracy, '2026-W46', [card('bgnbd', 'mae', null, null, 'not enough history')]);
  await replaceWeekPartition(store, WRITEBACK_TABLES.model_accuracy, '2026-W47', [
    card('bgnbd', 'mae', 0.5),
    card('naive', 'mae', 0.7),
    card('hiatus', 'mae', 0.6),
    card('bgnbd', 'normalized_gini', 0.6),
    card('naive', 'normalized_gini', 0.65),
    card('hiatus', 'normalized_gini', 0.5),
    card('bgnbd', 'aggregate_error', 10),
    card('naive', 'aggregate_error', -30),
    card('hiatus', 'aggregate_error', 20),
    card('bgnbd', 'decile_actual', 2.5, '1'),
  ]);
  await lake.engine.refreshViews();
});

afterAll(async () => {
  await lake?.close();
});

describe('queries/kpi_trend.sql', () => {
  it('shows each KPI over weeks with the change from its own week immediately before', async () => {
    // Act
    const rows = asText(await lake.run('kpi_trend', { from_week: param.varchar('2026-W45'), to_week: param.varchar('2026-W48') }));

    // Assess: W45 compares with W44 (read, not shown); W47 has no week before it; W48 is withheld
    expect(rows.map((r) => [r.kpi, r.week_id, r.value, r.guard, r.previous_value, r.wow_change, r.wow_relative_change])).toEqual([
      ['aov', '2026-W45', '25', null, '20', '5', '0.25'],
      ['aov', '2026-W47', '30', null, null, null, null],
      ['aov', '2026-W48', null, 'no paid orders in the window', '30', null, null],
      ['churn_rate', '2026-W45', '0.1', null, '0.1', '0', '0'],
      ['churn_rate', '2026-W47', '0.1', null, null, null, null],
      ['churn_rate', '2026-W48', '0.1', null, '0.1', '0', '0'],
    ]);
    expect([rows[0]!.week_start, rows[0]!.week_end]).toEqual(['2026-11-02 00:00:00', '2026-11-09 00:00:00']);
  });

  it('gives no change against a withheld week', async () => {
    // Act
    const rows = asText(await lake.run('kpi_trend', { from_week: param.varchar('2026-W49'), to_week: param.varchar('2026-W49') })).filter((r) => r.kpi === 'aov');

    // Assess
    expect(rows.map((r) => [r.week_id, r.value, r.previous_value, r.wow_change])).toEqual([['2026-W49', '24', null, null]]);
  });
});

describe('queries/clv_scores_latest.sql', () => {
  it("gives each method's latest scores, ranked by CLV with ties by customer", async () => {
    // Act
    const rows = asText(await lake.run('clv_scores_latest', { up_to_week: param.varchar('2026-W47') }));

    // Assess: bgnbd from W47; 'other' has no W47 scores, so its W46 scores stand
    expect(rows.map((r) => [r.week_id, r.method, r.customer_id, r.clv, r.clv_rank])).toEqual([
      ['2026-W47', 'bgnbd', 'a', '12', '1'],
      ['2026-W47', 'bgnbd', 'c', '5', '2'],
      ['2026-W47', 'bgnbd', 'd', '5', '3'],
      ['2026-W46', 'other', 'x', '7', '1'],
    ]);
  });

  it('reads no week after up_to_week', async () => {
    // Act
    const rows = asText(await lake.run('clv_scores_latest', { up_to_week: param.varchar('2026-W46') }));

    // Assess
    expect(rows.map((r) => [r.week_id, r.method, r.customer_id, r.clv_rank])).toEqual([
      ['2026-W46', 'bgnbd', 'b', '1'],
      ['2026-W46', 'bgnbd', 'a', '2'],
      ['2026-W46', 'other', 'x', '1'],
    ]);
  });
});

describe('queries/model_accuracy_trend.sql', () => {
  it("gives each week's whole-holdout metrics beside the better rule's: lower errors, higher Gini, aggregate error closer to 0", async () => {
    // Act
    const rows = asText(await lake.run('model_accuracy_trend', { from_week: param.varchar('2026-W46'), to_week: param.varchar('2026-W47') }));

    // Assess: the decile row is left out; W46 says why it has no value
    expect(rows.map((r) => [r.week_id, r.metric, r.model, r.value, r.guard, r.best_rule, r.best_rule_value])).toEqual([
      ['2026-W46', 'mae', 'bgnbd', null, 'not enough history', null, null],
      ['2026-W47', 'aggregate_error', 'bgnbd', '10', null, 'hiatus', '20'],
      ['2026-W47', 'aggregate_error', 'hiatus', '20', null, null, null],
      ['2026-W47', 'aggregate_error', 'naive', '-30', null, null, null],
      ['2026-W47', 'mae', 'bgnbd', '0.5', null, 'hiatus', '0.6'],
      ['2026-W47', 'mae', 'hiatus', '0.6', null, null, null],
      ['2026-W47', 'mae', 'naive', '0.7', null, null, null],
      ['2026-W47', 'normalized_gini', 'bgnbd', '0.6', null, 'naive', '0.65'],
      ['2026-W47', 'normalized_gini', 'hiatus', '0.5', null, null, null],
      ['2026-W47', 'normalized_gini', 'naive', '0.65', null, null, null],
    ]);
  });

  it('reads no week outside from_week..to_week', async () => {
    const rows = asText(await lake.run('model_accuracy_trend', { from_week: param.varchar('2026-W47'), to_week: param.varchar('2026-W47') }));
    expect(new Set(rows.map((r) => r.week_id))).toEqual(new Set(['2026-W47']));
  });
});
