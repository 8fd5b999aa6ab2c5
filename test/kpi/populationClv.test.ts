import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { QueryEngine } from '../../functions/engine/queryEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { blendedSaasClv, populationClvs, type PopulationInputs } from '../../functions/kpi/populationClv.ts';
import { computeWeeklyKpis, type WeeklyInputs } from '../../functions/kpi/weeklyKpis.ts';
import { openEngine, openStores } from '../../functions/pipeline/adapters.ts';
import { gatherWeeklyInputs, windowsFor } from '../../functions/pipeline/gatherInputs.ts';
import { parseWeekId, weekBounds } from '../../functions/time/isoWeek.ts';

// test/fixtures/subscription-business, week 2026-W47 in UTC: the 28-day window is
// [2026-10-26, 2026-11-23). Worked out by hand:
//   a 50.00 USD and b 20.00 USD running; c 20.00 ended 2026-11-10 (churned in the window);
//   d on a 0.00 free plan (no paying subscription: never active); e 30.00 EUR from 2026-10-05
//   at that day's 1.1 = 33.00. MRR at the week's end 50 + 20 + 33 = 103.00 over 3 paying
//   subscribers: ARPU 34.3333. Active at the window start a b c e, at its end a b e: churn 1/4
//   in 28 days, monthly 1 − 0.75^(30.4375/28) = 0.268550, lifespan 3.7237 months.
// test/fixtures/mixed-business adds orders: a's invoice inv1 (a subscriber: in no purchase
// number), n1 40.00 and 20.00 in the window, n2 30.00 on 2026-10-01 before it.
const roots: string[] = [];
const engines: QueryEngine[] = [];

async function weekInputs(fixture: string): Promise<{ inputs: WeeklyInputs; config: ReturnType<typeof parseConfig> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), `ltv-${fixture}-`));
  roots.push(root);
  await cp(path.resolve(import.meta.dirname, '../fixtures', fixture), path.join(root, 'exports'), { recursive: true });
  const config = parseConfig({ storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: path.join(root, 'exports') } }, 'test');
  const stores = openStores(config);
  await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date('2026-11-23T00:00:00Z') });
  const engine = await openEngine(config);
  engines.push(engine);
  const week = weekBounds(parseWeekId('2026-W47'), 'UTC');
  return { inputs: (await gatherWeeklyInputs(engine, windowsFor(week, config), config)).inputs, config };
}

afterAll(async () => {
  for (const engine of engines) await engine.close();
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

const subscriberLifespan = 1 / (1 - 0.75 ** (30.4375 / 28));

describe('the formula CLVs of a business whose exports are subscriptions, with an empty orders export', () => {
  it('values subscribers by MRR per paying subscriber and their churn, not by orders they do not have', async () => {
    // Prepare
    const { inputs, config } = await weekInputs('subscription-business');

    // Act
    const weekly = computeWeeklyKpis(inputs, config);

    // Assess
    expect(inputs.subscriberMrr).toEqual({ paying_subscribers: 3, mrr: 1_030_000n, unconverted_subscriptions: 0 });
    expect(inputs.activity.contractual).toEqual({ active_at_start: 4, active_at_end: 3, retained: 3 });
    expect(subscriberLifespan).toBeCloseTo(3.7237, 4);
    const { contractual, nonContractual } = weekly.populations;
    expect(contractual).toMatchObject({ customers: 3, arpuMonthly: { value: 103 / 3 }, lifespan: { months: expect.closeTo(subscriberLifespan, 10) } });
    expect(contractual.saas.value).toBeCloseTo((103 / 3) * subscriberLifespan, 8);
    expect(weekly.headline).toMatchObject({ method: 'saas', value: expect.closeTo((103 / 3) * subscriberLifespan, 8) });
    expect(weekly.kpis.find((k) => k.key === 'arpu_monthly')!.value).toBeCloseTo(103 / 3, 10);
    expect(nonContractual.purchase.value).toBeNull();
    expect(weekly.clv.find((c) => c.method === 'purchase')!.flags).toContain('non-contractual customers only: subscribers are valued by the SaaS formula');
  });
});

describe('the formula CLVs of a business with subscribers and other customers', () => {
  it("counts a subscriber's invoices in neither the non-contractual ARPU nor its AOV, and blends the two populations by their numbers", async () => {
    // Prepare
    const { inputs, config } = await weekInputs('mixed-business');

    // Act
    const weekly = computeWeeklyKpis(inputs, config);

    // Assess: orders by population in the rate window
    expect([inputs.window, inputs.purchasers.window].map((r) => [r.paid_orders, r.purchasing_customers, r.net_revenue])).toEqual([
      [3, 2, 1_100_000n],
      [2, 1, 600_000n],
    ]);
    // non-contractual: n2 active at the start (2026-10-01 order), n1 and n2 at the end: no churn,
    // lifespan capped at 60; ARPU 60.00 × 30.4375/28 / 1.5; AOV 60 / 2; 3 orders a year by 2 buyers
    const arpuN = (60 * (30.4375 / 28)) / 1.5;
    const { nonContractual, contractual } = weekly.populations;
    expect(nonContractual).toMatchObject({ customers: 2, meanActive: 1.5, aov: { value: 30 }, annualFrequency: { value: 1.5 }, lifespan: { months: 60 } });
    expect(nonContractual.arpuMonthly.value).toBeCloseTo(arpuN, 10);
    expect(nonContractual.purchase.value).toBeCloseTo(30 * 1.5 * 5, 10);
    expect(nonContractual.saas.value).toBeCloseTo(arpuN * 60, 8);
    expect(contractual.saas.value).toBeCloseTo((103 / 3) * subscriberLifespan, 8);
    expect(weekly.headline.value).toBeCloseTo((3 * (103 / 3) * subscriberLifespan + 1.5 * arpuN * 60) / 4.5, 8);
    expect(weekly.kpis.find((k) => k.key === 'arpu_monthly')!.value).toBeCloseTo((103 + arpuN * 1.5) / 4.5, 10);
  });
});

describe('blendedSaasClv', () => {
  const base = (overrides: Partial<PopulationInputs> = {}): PopulationInputs => ({
    contractual: { active_at_start: 3, active_at_end: 3, retained: 3 },
    nonContractual: { active_at_start: 10, active_at_end: 10, retained: 10 },
    subscriberMrr: { paying_subscribers: 3, mrr: 900_000n, unconverted_subscriptions: 0 },
    purchasers: {
      window: { population: 'non_contractual', paid_orders: 20, purchasing_customers: 10, repeat_customers: 5, net_revenue: 2_800_000n, unconverted_orders: 0 },
      activityWindow: { population: 'non_contractual', paid_orders: 120, purchasing_customers: 40, repeat_customers: 20, net_revenue: 9_000_000n, unconverted_orders: 0 },
    },
    rateWindowDays: 28,
    activityWindowDays: 365,
    grossMargin: 1,
    maxLifespanMonths: 60,
    minCustomers: 1,
    ...overrides,
  });

  it('weights each population by its customers: (3 × 30 × 60 + 10 × 30.4375 × 60) / 13', () => {
    // Act: nobody churned, so both lifespans are the 60-month cap; ARPU 90 / 3 and 280 × 30.4375/28 / 10
    const clv = blendedSaasClv(populationClvs(base()));

    // Assess
    expect(clv.value).toBeCloseTo((3 * 1800 + 10 * 1826.25) / 13, 9);
    expect(clv.flags).toContain('subscribers and non-contractual customers blended by their numbers');
  });

  it('withholds the blend when a population with customers has no value, rather than pass a part off as the whole', () => {
    // Act: one running subscription has no exchange rate, so the subscribers' ARPU is unknown
    const populations = populationClvs(base({ subscriberMrr: { paying_subscribers: 3, mrr: 600_000n, unconverted_subscriptions: 1 } }));
    const clv = blendedSaasClv(populations);

    // Assess
    expect(populations.contractual.arpuMonthly).toEqual({ value: null, guard: '1 running subscription has no fx rate' });
    expect(clv.value).toBeNull();
    expect(clv.flags).toContain('the SaaS-formula CLV of the subscribers is unknown');
  });
});
