import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { computeWeeklyKpis, type WeeklyInputs } from '../../functions/kpi/weeklyKpis.ts';
import { openEngine, openStores } from '../../functions/pipeline/adapters.ts';
import { gatherWeeklyInputs, windowsFor } from '../../functions/pipeline/gatherInputs.ts';
import { parseWeekId, weekBounds } from '../../functions/time/isoWeek.ts';
import type { QueryEngine } from '../../functions/engine/queryEngine.ts';

// test/fixtures/small-shop, week 2026-W47 in UTC: the 28-day window is [2026-10-26, 2026-11-23),
// the 365-day activity window [2025-11-23, 2026-11-23). Expected values worked out by hand:
//   o1 c1 2026-10-01 100.00 USD            before the 28-day window, inside the activity window
//   o2 c1 2026-11-18  50.00 - 10.00 USD    net 40.00
//   o3 c2 2026-11-17T09:00+09:00 10000 KRW at 0.00074 USD                      = 7.40
//   o4 c3 2026-11-19 30.00 EUR             no EUR rate: counted, but in no revenue sum
//   o5 cancelled; o6 future-dated, o7 no customer, o8 bad amount: rejected at ingest

const fixtures = path.resolve(import.meta.dirname, '../fixtures/small-shop');
let root: string;
let engine: QueryEngine;
let inputs: WeeklyInputs;
const config = () => parseConfig({ storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: path.join(root, 'exports') } }, 'test');

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-kpi-'));
  await cp(fixtures, path.join(root, 'exports'), { recursive: true });
  const stores = openStores(config());
  await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date('2026-11-23T00:00:00Z') });
  engine = await openEngine(config());
  const week = weekBounds(parseWeekId('2026-W47'), 'UTC');
  inputs = (await gatherWeeklyInputs(engine, windowsFor(week, config()), config())).inputs;
});

afterAll(async () => {
  await engine?.close();
  await rm(root, { recursive: true, force: true });
});

describe('weekly KPI inputs from the SQL', () => {
  it('counts paid orders and converts revenue exactly in the 28-day window', () => {
    expect(inputs.window).toEqual({ population: 'all', paid_orders: 3, purchasing_customers: 3, repeat_customers: 0, net_revenue: 474_000n, unconverted_orders: 1 });
  });

  it('uses the activity window for annual frequency and repeat purchases', () => {
    expect(inputs.activityWindow).toEqual({ population: 'all', paid_orders: 4, purchasing_customers: 3, repeat_customers: 1, net_revenue: 1_474_000n, unconverted_orders: 1 });
  });

  it('finds who was active at the start and end of the window', () => {
    // Active at 2026-10-26: c1 (o1). Active at 2026-11-23: c1, c2, c3.
    expect(inputs.activity).toEqual({
      active_at_start: 1,
      active_at_end: 3,
      retained: 1,
      contractual: { active_at_start: 0, active_at_end: 0, retained: 0 },
      nonContractual: { active_at_start: 1, active_at_end: 3, retained: 1 },
    });
    // No subscriptions: the purchasers' orders are all the orders, and nobody pays MRR
    expect(inputs.purchasers.window).toEqual({ ...inputs.window, population: 'non_contractual' });
    expect(inputs.subscriberMrr).toEqual({ paying_subscribers: 0, mrr: 0n, unconverted_subscriptions: 0 });
  });

  it('attributes acquisitions and spend to channels, keeping unconvertible spend out of sums', () => {
    expect(inputs.acquisition).toEqual([
      { channel: 'email', acquired_customers: 0, marketing_spend: 400_000n, converted_spend_rows: 1, unconverted_spend_rows: 0 },
      { channel: 'social', acquired_customers: 1, marketing_spend: 0n, converted_spend_rows: 0, unconverted_spend_rows: 1 },
      { channel: 'unknown', acquired_customers: 1, marketing_spend: 0n, converted_spend_rows: 0, unconverted_spend_rows: 0 },
    ]);
  });

  it('builds cohorts by month of first paid order', () => {
    expect(inputs.cohorts).toEqual([
      { cohort_month: '2026-10-01', month_offset: 0, cohort_size: 1, active_customers: 1, net_revenue: 1_000_000n },
      { cohort_month: '2026-10-01', month_offset: 1, cohort_size: 1, active_customers: 1, net_revenue: 400_000n },
      { cohort_month: '2026-11-01', month_offset: 0, cohort_size: 2, active_customers: 1, net_revenue: 74_000n },
    ]);
  });
});

describe('weekly KPIs', () => {
  it('computes ratios with their guards visible', () => {
    // Act
    const { kpis, headline } = computeWeeklyKpis(inputs, config());
    const value = (key: string) => kpis.find((k) => k.key === key)!;

    // Assess
    expect(value('retention_rate').value).toBe(1);
    expect(value('lifespan_months')).toMatchObject({ value: 60, guard: 'zero churn: lifespan capped at 60 months' });
    expect(value('arpu_monthly').value).toBeCloseTo((47.4 * (30.4375 / 28)) / 2, 10);
    expect(value('aov').value).toBeCloseTo(47.4 / 2, 10); // the EUR order has no rate
    expect(value('annual_purchase_frequency').value).toBeCloseTo(4 / 3, 10);
    expect(value('repeat_purchase_rate').value).toBeCloseTo(1 / 3, 10);
    expect(value('cac').value).toBe(20); // 40.00 spend / 2 acquired
    expect(headline.method).toBe('saas');
    expect(headline.value).toBeCloseTo(((47.4 * (30.4375 / 28)) / 2) * 60, 8);
    expect(headline.flags).toContain('only 1 customer (fewer than 30): treat as indicative');
    expect(value('clv_cohort')).toMatchObject({ value: null, guard: 'no cohort has 12 complete months of data yet' });
  });

  it('withholds the CAC of a channel without spend rows instead of calling it free', () => {
    // Act
    const { channels } = computeWeeklyKpis(inputs, config());

    // Assess: email spent 40.00 and acquired nobody; social's spend has no fx rate; nobody
    // exported spend for 'unknown', so its one customer did not cost $0
    expect(channels).toEqual([
      { channel: 'email', acquiredCustomers: 0, marketingSpend: 40, cac: { value: null, guard: 'no customers acquired' } },
      { channel: 'social', acquiredCustomers: 1, marketingSpend: 0, cac: { value: null, guard: '1 spend row has no fx rate' } },
      { channel: 'unknown', acquiredCustomers: 1, marketingSpend: 0, cac: { value: null, guard: 'no spend recorded' } },
    ]);
  });

  it('gives a channel whose spend rows add up to 0 a CAC of 0', () => {
    // Prepare
    const organic = { ...inputs, acquisition: [{ channel: 'organic', acquired_customers: 4, marketing_spend: 0n, converted_spend_rows: 3, unconverted_spend_rows: 0 }] };

    // Act
    const { channels } = computeWeeklyKpis(organic, config());

    // Assess
    expect(channels[0]!.cac).toEqual({ value: 0 });
  });

  it('withholds rates instead of dividing by zero when nothing happened', () => {
    // Prepare
    const none = { population: 'all' as const, paid_orders: 0, purchasing_customers: 0, repeat_customers: 0, net_revenue: 0n, unconverted_orders: 0 };
    const nobody = { active_at_start: 0, active_at_end: 0, retained: 0 };
    const empty: WeeklyInputs = {
      window: none,
      activityWindow: none,
      purchasers: { window: none, activityWindow: none },
      activity: { ...nobody, contractual: nobody, nonContractual: nobody },
      subscriberMrr: { paying_subscribers: 0, mrr: 0n, unconverted_subscriptions: 0 },
      acquisition: [],
      cohorts: [],
      currentMonth: '2026-11-01',
    };

    // Act
    const { kpis } = computeWeeklyKpis(empty, config());

    // Assess
    for (const k of kpis) {
      if (k.value !== null) expect(Number.isFinite(k.value)).toBe(true);
    }
    expect(kpis.find((k) => k.key === 'retention_rate')).toMatchObject({ value: null, guard: 'no customers were active at the window start' });
    expect(kpis.find((k) => k.key === 'aov')).toMatchObject({ value: null, guard: 'no paid orders in the window' });
    expect(kpis.find((k) => k.key === 'cac')).toMatchObject({ value: null, guard: 'no marketing spend data for the window' });
  });
});
