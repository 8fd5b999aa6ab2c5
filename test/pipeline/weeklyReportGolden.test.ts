import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { Config } from '../../functions/config/schema.ts';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import type { KpiKey } from '../../functions/kpi/weeklyKpis.ts';
import { openEngine, openMailer, openStores } from '../../functions/pipeline/adapters.ts';
import { writeKpiHistory } from '../../functions/pipeline/kpiHistory.ts';
import { runWeeklyReport, type WeeklyRunResult } from '../../functions/pipeline/weeklyReport.ts';
import type { Report } from '../../functions/report/report.ts';
import { addWeeks, parseWeekId, weekBounds } from '../../functions/time/isoWeek.ts';

// The Report object of test/fixtures/small-shop for 2026-W47 (UTC), every number worked out by
// hand from the CSV files (see test/kpi/weeklyKpis.test.ts for the orders):
//   28-day net revenue 40.00 (c1) + 7.40 (c2, 10,000 KRW × 0.00074) = 47.40; the EUR order has
//   no rate. AOV 47.40 / 2 = 23.70. Active at the window start 1 (c1), at the end 3: ARPU
//   47.40 × 30.4375/28 / 2 = 25.7632. Nobody churned: lifespan capped at 60 months, so the SaaS
//   CLV is 25.7632 × 60 = 1,545.79. CAC 40.00 / 2 = 20.00: LTV:CAC 77.29, payback 0.78 months.
//   Rows read 13 (customers 2, fx 1, spend 2, orders 8), accepted 10 (3 orders rejected).
//   The latest order is o4, 2026-11-19 12:00 UTC: 3.5 days before the week's end, so stale.
// kpi_history is seeded for 2026-W34..W46 with the values below.
const fixtures = path.resolve(import.meta.dirname, '../fixtures/small-shop');
const W47 = parseWeekId('2026-W47');
const SEEDED: Partial<Record<KpiKey, number>> = {
  aov: 20,
  arpu_monthly: 25,
  repeat_purchase_rate: 0.5,
  churn_rate: 0.05,
  retention_rate: 0.95,
  purchase_frequency: 1.1,
  data_accepted_share: 0.8,
};

let root: string;
let config: Config;
let result: WeeklyRunResult;
let report: Report;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-golden-'));
  await cp(fixtures, path.join(root, 'exports'), { recursive: true });
  config = parseConfig({ storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: path.join(root, 'exports') } }, 'test');
  const stores = openStores(config);
  await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date('2026-11-23T00:00:00Z') });
  for (let i = 13; i >= 1; i--) {
    const week = weekBounds(addWeeks(W47, -i), 'UTC');
    // The SaaS CLV was 1,000 in W34, the first week of history, and 1,400 since.
    const rows = [...Object.entries(SEEDED), ['clv_saas', i === 13 ? 1000 : 1400] as const].map(([key, value]) => ({ key: key as KpiKey, unit: 'ratio' as const, value }));
    await writeKpiHistory(stores.lake, week, rows, config);
  }
  // Opened after the history is written: the engine's views are made when it opens.
  const engine = await openEngine(config);
  try {
    result = await runWeeklyReport({ config, engine, lake: stores.lake, reports: stores.reports, mailer: openMailer(config) }, W47, { dryRun: true, now: new Date('2026-11-23T07:00:00Z') });
  } finally {
    await engine.close();
  }
  report = result.report;
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const line = (key: KpiKey) => report.scorecard.stages.flatMap((s) => s.lines).find((l) => l.key === key)!;

describe('the report of small-shop for 2026-W47', () => {
  it('has the hand-computed headline, its change from 1,400 and its doubling target from the 13-week mean', () => {
    const arpu = (47.4 * (30.4375 / 28)) / 2;
    expect(report.headline).toMatchObject({ method: 'saas', label: 'SaaS formula (ARPU × margin ÷ monthly churn)' });
    expect(report.headline.value).toBeCloseTo(arpu * 60, 8);
    expect(report.headline.value).toBeCloseTo(1545.79, 2);
    expect(report.headline.wow.previous).toBe(1400);
    expect(report.headline.wow.relativeChange).toBeCloseTo((arpu * 60) / 1400 - 1, 10);
    // Anchor W46, the last week of the first 13: (1,000 + 12 × 1,400) / 13 = 1,369.23; a week on,
    // 1,369.23 × 2^(1 week / (365.2425 / 7) / 5 years) = 1,372.87, against this week's 13-week
    // mean (12 × 1,400 + 1,545.79) / 13 = 1,411.21
    expect(line('headline_clv').reference).toMatchObject({ kind: 'trajectory', anchorWeek: '2026-W46', weeks: 13 });
    expect(line('headline_clv').reference).toMatchObject({ anchorValue: expect.closeTo(17_800 / 13, 8), smoothed: expect.closeTo((16_800 + arpu * 60) / 13, 8) });
    expect(line('headline_clv').reference!.value).toBeCloseTo(1372.87, 2);
    expect(line('headline_clv').status).toBe('on_track');
    expect(report.trajectory!.points).toHaveLength(14);
  });

  it('rates every scorecard KPI by the rule, from the seeded history', () => {
    expect(line('aov').value).toBeCloseTo(23.7, 10);
    expect(line('aov')).toMatchObject({ baseline: { value: 20, weeks: 13 }, status: 'on_track', wow: { previous: 20 } });
    expect(line('aov').wow.relativeChange).toBeCloseTo(0.185, 10);
    expect(line('repeat_purchase_rate').gap).toBeCloseTo(1 / 3, 10); // 1/3 against 0.5
    expect(line('repeat_purchase_rate').status).toBe('off_track');
    expect(line('purchase_frequency')).toMatchObject({ value: 1, status: 'at_risk' }); // 3 orders / 3 customers, 9.1% under 1.1
    expect(line('churn_rate')).toMatchObject({ value: 0, status: 'on_track' });
    expect(line('data_accepted_share').value).toBeCloseTo(10 / 13, 12);
    expect(line('data_accepted_share').status).toBe('on_track'); // 3.8% under 0.8
    expect(line('data_freshness_days')).toMatchObject({ value: 3.5, status: 'off_track', gap: 2.5 });
    expect(line('ltv_to_cac').value).toBeCloseTo(1545.79 / 20, 2);
    expect(line('cac_payback_months').value).toBeCloseTo(20 / ((47.4 * (30.4375 / 28)) / 2), 10);
    expect(line('core_segment_customer_share')).toMatchObject({ status: 'not_rated', notRated: { code: 'short_history', weeks: 0 } });
    expect(line('early_churn_rate')).toMatchObject({ value: null, guard: "no customers were acquired 90 to 62 days before the week's end" });
    expect(line('grr')).toMatchObject({ value: null, guard: 'no subscriptions: MRR movements need a subscriptions export' });
    expect(line('model_mae')).toMatchObject({ value: null, status: 'not_rated' });
    expect(report.scorecard.stages.map((s) => s.status)).toEqual(['off_track', 'on_track', 'off_track', 'on_track', 'on_track']);
    // The week's data is incomplete (below), so the verdict gives no status: the stages are still rated.
    expect(report.verdict).toBe('Not rated: this week’s data is incomplete (see above), so no status is given.');
  });

  it('places the three customers in RFM segments and names who moved since the week before', () => {
    // R by last order: c2 (Nov 17) 1, c1 (Nov 18) 2, c3 (Nov 19) 3. F: c2 1, c3 1, c1 2 orders: 1, 2, 3.
    // M: c3 0 (no EUR rate), c2 7.40, c1 140.00: 1, 2, 3. c1: R 2, FM 3 = Loyal; c2: R 1, FM 1.5 =
    // Lost; c3: R 3, FM 1.5 = Promising. A week earlier only c1 had ordered in the window: Lost.
    const segments = new Map(report.rfm.segments.map((s) => [s.segment, s]));
    expect([...segments.values()].filter((s) => s.customers > 0).map((s) => [s.segment, s.customers, s.revenue])).toEqual([
      ['Loyal', 1, 140],
      ['Promising', 1, 0],
      ['Lost', 1, 7.4],
    ]);
    expect(line('core_segment_customer_share').value).toBeCloseTo(1 / 3, 12);
    expect(line('core_segment_revenue_share').value).toBeCloseTo(140 / 147.4, 12);
    expect(report.rfm.movements).toEqual([
      { from: null, to: 'Lost', customers: 1 },
      { from: null, to: 'Promising', customers: 1 },
      { from: 'Lost', to: 'Loyal', customers: 1 },
    ]);
    expect(report.rfm.clvGuard).toBe('too few repeat customers to fit BG/NBD: 1 made a repeat purchase, at least 10 are needed');
  });

  it('says the data is incomplete and why, with the ingest counts', () => {
    expect(report.dataQuality).toMatchObject({
      rowsRead: 13,
      accepted: 10,
      rejected: 3,
      missingTables: [],
      // o4 is the latest order; c3's EUR order has no rate: 1 of the 3 paid orders of the 28 days
      // (1 of 4 in the 365 days), and 1 of the 2 spend rows.
      incomplete: [
        { code: 'data_ends_early', latestOrderAt: '2026-11-19T12:00:00.000Z', weekEnd: '2026-11-23T00:00:00.000Z', days: 3.5, toleranceHours: 24 },
        { code: 'unconverted_orders', window: 'rate', orders: 1, share: 1 / 3, limit: 0.02 },
        { code: 'unconverted_orders', window: 'activity', orders: 1, share: 1 / 4, limit: 0.02 },
        { code: 'unconverted_spend', rows: 1, share: 1 / 2, limit: 0.02 },
      ],
      staleness:
        'Order data ends at Nov 19, 2026, 12:00 PM, 3.5 days before the end of 2026-W47: this week’s numbers are incomplete. ' +
        '33.3% of the paid orders of the last 28 days have no exchange rate into USD and are left out of revenue: revenue-based numbers are incomplete. ' +
        '25.0% of the paid orders of the last 365 days have no exchange rate into USD and are left out of revenue: revenue-based numbers are incomplete. ' +
        '50.0% of the marketing-spend rows have no exchange rate into USD and are left out of spend: CAC-based numbers are incomplete.',
      excluded: [
        { what: 'paid order (28 days)', count: 1, why: 'no fx rate into the report currency for their day' },
        { what: 'marketing spend row (28 days)', count: 1, why: 'no fx rate into the report currency for their day' },
      ],
    });
    expect(report.runCost).toBeNull(); // DuckDB reports no bytes scanned
  });

  it('shows the cohort matrix of cohort_retention: c1 in October, c2 and c3 in November', () => {
    // c1 ordered in October and November: active in both; of c2 and c3 both ordered in November.
    expect(report.cohorts).toEqual({
      cohorts: [
        { cohortMonth: '2026-10-01', size: 1, retention: [1, 1], cumulativeRevenuePerCustomer: [100, 140] },
        { cohortMonth: '2026-11-01', size: 2, retention: [1], cumulativeRevenuePerCustomer: [3.7] },
      ],
      lastMonthInProgress: true,
    });
  });

  it('writes the week’s 43 KPIs (the 12 of the two lines of business among them) to kpi_history, replacing the week’s partition', async () => {
    // Act: read the lake back through a fresh engine
    const lake = await DuckDbEngine.open({ lakeDir: path.join(root, 'out', 'lake') });
    const rows = await lake.sql("select kpi, value, guard from kpi_history where week_id = '2026-W47' order by kpi");
    await lake.close();

    // Assess
    expect(rows).toHaveLength(report.kpis.length);
    expect(report.kpis).toHaveLength(43);
    expect(rows.find((r) => r.kpi === 'aov')!.value).toBeCloseTo(23.7, 10);
    expect(rows.find((r) => r.kpi === 'grr')).toEqual({ kpi: 'grr', value: null, guard: 'no subscriptions: MRR movements need a subscriptions export' });
    expect(await readdir(path.join(root, 'out', 'lake', 'kpi_history', 'week_id=2026-W47'))).toEqual(['data.parquet']);
  });

  it('archives the report in the configured locale and sends nothing on a dry run', async () => {
    const archived = JSON.parse(await readFile(path.join(root, 'out', 'reports', '2026-W47', 'report.json'), 'utf8')) as Report;
    expect(archived.schemaVersion).toBe(2);
    expect(archived.verdict).toBe(report.verdict);
    expect(result.deliveries).toEqual([]);
    expect(result.archived?.otherLocales).toEqual({});
  });
});
