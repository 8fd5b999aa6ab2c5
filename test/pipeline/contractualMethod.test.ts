import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residualMonths } from '../../functions/clv/shiftedBetaGeometric.ts';
import { parseConfig } from '../../functions/config/load.ts';
import type { Config } from '../../functions/config/schema.ts';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import type { QueryEngine } from '../../functions/engine/queryEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { openEngine, openMailer, openStores } from '../../functions/pipeline/adapters.ts';
import { holdoutMonthsOf, runContractualMethod, type ContractualRun } from '../../functions/pipeline/contractualMethod.ts';
import { runWeeklyReport } from '../../functions/pipeline/weeklyReport.ts';
import { beta as drawBeta, createRng, integerBetween } from '../../functions/random/rng.ts';
import { parseWeekId, weekBounds } from '../../functions/time/isoWeek.ts';

// A simulated subscription business: 18 monthly cohorts of 250 (January 2025 to June 2026),
// each subscriber with their own monthly churn probability θ ~ Beta(1.2, 5), starting on a day
// 1..28 of their month and ending t months later on the same day when they churn after t
// renewals. The week 2026-W27 ends on 2026-07-06, so June 2026 is the last complete month.
const TRUTH = { alpha: 1.2, beta: 5 };
const WEEK = weekBounds(parseWeekId('2026-W27'), 'UTC');

interface Simulated {
  customer: string;
  cohort: number;
  mrr: number;
  startedAt: Date;
  endedAt: Date | null;
}

function simulate(): Simulated[] {
  const rng = createRng('sbg-lake');
  const subscribers: Simulated[] = [];
  for (let cohort = 0; cohort < 18; cohort++) {
    for (let i = 0; i < 250; i++) {
      const churn = drawBeta(rng, TRUTH.alpha, TRUTH.beta);
      let renewals = 0;
      while (rng.next() >= churn && renewals < 120) renewals++;
      const day = integerBetween(rng, 1, 28);
      const startedAt = new Date(Date.UTC(2025, cohort, day, 9));
      const endedAt = new Date(Date.UTC(2025, cohort + renewals + 1, day, 9));
      subscribers.push({
        customer: `s${cohort}-${i}`,
        cohort,
        mrr: rng.next() < 0.5 ? 20 : 55.5,
        startedAt,
        endedAt: endedAt < WEEK.end ? endedAt : null,
      });
    }
  }
  return subscribers;
}

let root: string;
let engine: QueryEngine;
let config: Config;
let subscribers: Simulated[];
let run: ContractualRun;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-contractual-'));
  subscribers = simulate();
  await mkdir(path.join(root, 'exports'), { recursive: true });
  const lines = subscribers.map((s, i) => `sub${i},${s.customer},basic,${s.mrr.toFixed(2)},USD,${s.startedAt.toISOString()},${s.endedAt?.toISOString() ?? ''}`);
  await writeFile(path.join(root, 'exports', 'subscriptions.csv'), `subscription_id,customer_id,plan,mrr,currency,started_at,ended_at\n${lines.join('\n')}\n`);
  // A shop beside it, ordering every day to the week's end, so the week's data is complete.
  const orders = Array.from({ length: 180 }, (_, day) => `o${day},p${day % 60},${new Date(Date.UTC(2026, 0, 7 + day, 12)).toISOString()},25.00,,USD,paid`);
  await writeFile(path.join(root, 'exports', 'orders.csv'), `order_id,customer_id,ordered_at,amount,refunded_amount,currency,status\n${orders.join('\n')}\n`);
  config = parseConfig({ storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: path.join(root, 'exports') }, grossMargin: 0.8 }, 'test');
  const stores = openStores(config);
  await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: WEEK.end });
  engine = await openEngine(config);
  run = await runContractualMethod(engine, WEEK, config);
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await rm(root, { recursive: true, force: true });
});

describe('runContractualMethod on a simulated subscription business', () => {
  it('recovers the churn distribution the subscribers were drawn from', () => {
    // Assess: within 4 standard errors (probability 6e−5 per parameter of failing by chance)
    const model = run.summary!.model!;
    expect(model.customers).toBe(17 * 250);
    expect(model.cohorts).toBe(17);
    for (const name of ['alpha', 'beta'] as const) {
      expect(Math.abs(model.parameters[name] - TRUTH[name])).toBeLessThan(4 * model.standardErrors![name]);
    }
  });

  it('predicts the held-out months’ paying subscribers close to how many paid', () => {
    // Assess: the report's 13 weeks are 3 months; about 1,300 subscribers a month are followed,
    // so a few percent is sampling noise, and a wrong survival definition is off by far more
    const accuracy = run.summary!.accuracy!;
    expect(holdoutMonthsOf(config)).toBe(3);
    expect(accuracy.months.map((m) => m.month)).toEqual(['2026-04-01', '2026-05-01', '2026-06-01']);
    expect(accuracy.subscribers).toBe(14 * 250);
    expect(Math.abs(accuracy.relativeError!)).toBeLessThan(0.05);
  });

  it('values every subscriber paying at the week’s end by MRR × margin × the months the fit expects', () => {
    // Prepare: the paying subscribers and their renewals to June 2026, from the simulation itself
    const paying = subscribers.filter((s) => s.startedAt < WEEK.end && s.endedAt === null);
    const model = run.summary!.model!;

    // Assess
    expect(run.scores).toHaveLength(paying.length);
    expect(run.summary!.subscribers).toBe(paying.length);
    const byCustomer = new Map(run.scores.map((r) => [r.customer_id, r]));
    let total = 0;
    for (const s of paying) {
      const renewals = Math.max(0, 17 - s.cohort);
      const months = residualMonths(model.parameters, { renewals, horizonMonths: 12, monthlyDiscountRate: 0.01 });
      const row = byCustomer.get(s.customer)!;
      expect(row).toMatchObject({ method: 'sbg', mrr: s.mrr, renewals, residual_months: expect.closeTo(months, 12), p_alive: null, spend_basis: null });
      expect(row.clv).toBeCloseTo(s.mrr * 0.8 * months, 9);
      total += s.mrr * 0.8 * months;
    }
    expect(run.result).toEqual({
      method: 'sbg',
      value: expect.closeTo(total / paying.length, 6),
      flags: [],
      interval: { low: expect.any(Number), high: expect.any(Number), level: 0.95, basis: 'delta_method' },
    });
    expect(run.result!.interval!.low).toBeLessThan(run.result!.value!);
    expect(run.result!.interval!.high).toBeGreaterThan(run.result!.value!);
    expect(run.summary!.totalClv).toBeCloseTo(total, 6);
  });

  it('expects more months of a long-standing subscriber than of a new one: retention rises with tenure', () => {
    const months = (renewals: number) => run.scores.find((r) => r.renewals === renewals)!.residual_months as number;
    expect(months(17)).toBeGreaterThan(months(0));
  });
});

describe('the contractual method in the weekly report', () => {
  it('shows the sBG CLV beside BG/NBD, its holdout check, and writes one sbg score per paying subscriber', async () => {
    // Prepare
    const stores = openStores(config);

    // Act
    const { report, outcome } = await runWeeklyReport({ config, engine, lake: stores.lake, reports: stores.reports, mailer: openMailer(config) }, parseWeekId('2026-W27'), {
      now: WEEK.end,
    });
    const lakeEngine = await DuckDbEngine.open({ lakeDir: path.join(root, 'out', 'lake') });
    const [scores] = await lakeEngine
      .sql("select count(*) as n, avg(clv) as mean_clv, max(abs(clv - mrr * 0.8 * residual_months)) as worst from clv_scores where week_id = '2026-W27' and method = 'sbg'")
      .finally(() => lakeEngine.close());

    // Assess
    expect(outcome).toBe('sent');
    const sbg = report.clv.find((c) => c.method === 'sbg')!;
    expect(sbg.value).toBeCloseTo(run.result!.value!, 9);
    expect(report.contractualClv).toEqual(run.summary);
    expect(Number(scores!.n)).toBe(run.scores.length);
    expect(scores!.mean_clv).toBeCloseTo(sbg.value!, 6);
    expect(scores!.worst).toBeLessThan(1e-9);
    const text = await readFile(path.join(root, 'out', 'reports', '2026-W27', 'email.txt'), 'utf8');
    const shown = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(sbg.value!);
    expect(text).toContain(`sBG retention × MRR (predictive, per paying subscriber): ${shown}`);
    expect(text).toContain("Retention model accuracy (sBG fitted on each cohort's months before Apr 1, 2026, checked on the 3 months from then): of 3,500 subscribers followed");
  });
});

describe('runContractualMethod without enough subscribers', () => {
  it('shows no contractual method for a business without subscriptions', async () => {
    // Prepare: the lake of another business, orders only
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ltv-contractual-none-'));
    try {
      await mkdir(path.join(dir, 'exports'));
      await writeFile(path.join(dir, 'exports', 'orders.csv'), 'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status\no1,c1,2026-06-01T10:00:00Z,10.00,,USD,paid\n');
      const settings = parseConfig({ storage: { kind: 'local', root: path.join(dir, 'out') }, exports: { dir: path.join(dir, 'exports') } }, 'test');
      const stores = openStores(settings);
      await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: WEEK.end });
      const shop = await openEngine(settings);

      // Act
      const none = await runContractualMethod(shop, WEEK, settings).finally(() => shop.close());

      // Assess
      expect(none).toMatchObject({ result: null, summary: null, scores: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports the method as missing, saying why, when the cohorts are too small', async () => {
    // Prepare: 3 subscribers
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ltv-contractual-few-'));
    try {
      await mkdir(path.join(dir, 'exports'));
      await writeFile(
        path.join(dir, 'exports', 'subscriptions.csv'),
        'subscription_id,customer_id,plan,mrr,currency,started_at,ended_at\n' +
          'a,c1,basic,10.00,USD,2026-01-05T00:00:00Z,\nb,c2,basic,10.00,USD,2026-01-06T00:00:00Z,2026-03-06T00:00:00Z\nc,c3,basic,10.00,USD,2026-02-01T00:00:00Z,\n',
      );
      const settings = parseConfig({ storage: { kind: 'local', root: path.join(dir, 'out') }, exports: { dir: path.join(dir, 'exports') } }, 'test');
      const stores = openStores(settings);
      await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: WEEK.end });
      const few = await openEngine(settings);

      // Act
      const missing = await runContractualMethod(few, WEEK, settings).finally(() => few.close());

      // Assess
      expect(missing.result).toEqual({ method: 'sbg', value: null, flags: [expect.stringMatching(/too few subscribers to fit the sBG retention model: 3 acquired/)] });
      expect(missing.summary).toMatchObject({ model: null, totalClv: null, scoresWritten: 0, subscribers: 2, accuracy: null });
      expect(missing.summary!.accuracyGuard).toMatch(/calibration fit failed: too few subscribers/);
      expect(missing.scores).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
