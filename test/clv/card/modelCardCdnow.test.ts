// The report card on the published CDNOW sample (39-week calibration to 1997-09-30, 39-week
// holdout to 1998-06-30), through the lake and both holdout queries, against an independent
// per-customer computation from the raw transaction log: each customer's forecast from the same
// fit, then the Gini by its mid-rank formula, the deciles by position and the Brier score by its
// definition, with no customer grouping.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PurchaseModel } from '../../../functions/clv/purchaseModel.ts';
import { modelCard, type ModelCard } from '../../../functions/clv/card/modelCard.ts';
import { holdoutModelAccuracy, type HoldoutCheck } from '../holdoutCheck.ts';
import { DuckDbEngine } from '../../../functions/engine/duckdbEngine.ts';
import { ingestExports } from '../../../functions/ingest/ingestExports.ts';
import { readHoldoutTracking, readHoldoutTuples } from '../../../functions/pipeline/modelInputs.ts';
import { LocalFolderStore } from '../../../functions/storage/localFolderStore.ts';
import { cdnowOrdersCsv } from '../cdnowData.ts';

const CUTOFF = new Date('1997-10-01T00:00:00Z');
const HOLDOUT_END = new Date('1998-07-01T00:00:00Z');
const HOLDOUT_DAYS = 273;
const DAY = 86_400_000;

interface Customer {
  x: number;
  tx: number;
  T: number;
  actual: number;
}

/** Straight from CDNOW_sample.txt: purchase days before and after the cut-off, per customer. */
async function customersFromLog(): Promise<Customer[]> {
  const log = await readFile(path.resolve(import.meta.dirname, '../../fixtures/cdnow/CDNOW_sample.txt'), 'utf8');
  const days = new Map<string, Set<number>>();
  for (const line of log.trim().split('\n')) {
    const [, id, d] = line.trim().split(/\s+/);
    const day = Date.UTC(Number(d!.slice(0, 4)), Number(d!.slice(4, 6)) - 1, Number(d!.slice(6, 8))) / DAY;
    if (!days.has(id!)) days.set(id!, new Set());
    days.get(id!)!.add(day);
  }
  const lastCalibrationDay = CUTOFF.getTime() / DAY - 1;
  return [...days.values()].flatMap((set) => {
    const all = [...set].sort((p, q) => p - q);
    const before = all.filter((d) => d <= lastCalibrationDay);
    if (before.length === 0) return [];
    return [{ x: before.length - 1, tx: before.at(-1)! - before[0]!, T: lastCalibrationDay - before[0]!, actual: all.filter((d) => d > lastCalibrationDay && d < HOLDOUT_END.getTime() / DAY).length }];
  });
}

/** E[purchases in the holdout | x, t_x, T], straight from the model's two parts. */
const forecast = (model: PurchaseModel, c: Customer) => model.probabilityAlive(c) * model.expectedPurchasesIfAliveAt(c.x, c.T, [HOLDOUT_DAYS])[0]!;

let root: string;
let check: HoldoutCheck;
let card: ModelCard;
let customers: Customer[];

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-card-cdnow-'));
  await mkdir(path.join(root, 'exports'));
  await writeFile(path.join(root, 'exports', 'orders.csv'), cdnowOrdersCsv());
  await ingestExports({
    exports: new LocalFolderStore(path.join(root, 'exports')),
    lake: new LocalFolderStore(path.join(root, 'lake')),
    sourceTimeZone: 'UTC',
    now: new Date('2026-11-23T00:00:00Z'),
  });
  const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'lake') });
  try {
    const { tuples } = await readHoldoutTuples(engine, CUTOFF, HOLDOUT_END);
    const { days } = await readHoldoutTracking(engine, CUTOFF, HOLDOUT_END);
    const outcome = holdoutModelAccuracy(tuples, HOLDOUT_DAYS);
    if (!outcome.ok) throw new Error(outcome.flags.join('; '));
    check = outcome.value;
    card = modelCard({ fit: check.fit.model, tuples, holdoutDays: HOLDOUT_DAYS, hiatusDays: 180, days });
  } finally {
    await engine.close();
  }
  customers = await customersFromLog();
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const model = () => card.scores.find((s) => s.forecaster === 'model')!;

describe('the report card on CDNOW', () => {
  it('fits the published parameters on the 2,357 customers and tracks all 1,882 holdout purchase days', () => {
    expect(customers).toHaveLength(2357);
    expect(card.customers).toBe(2357);
    const actual = customers.reduce((n, c) => n + c.actual, 0);
    expect(card.tracking!.at(-1)!.cumulativeActual).toBe(actual);
    expect(actual).toBe(1882);
    // FHL 2005: r 0.243, α 4.414 (weeks), a 0.793, b 2.426.
    expect(check.fit.summary.parameters.r!).toBeCloseTo(0.243, 2);
    expect(check.fit.summary.parameters.alpha! / 7).toBeCloseTo(4.414, 2);
    expect(check.fit.summary.parameters.a!).toBeCloseTo(0.793, 2);
    expect(check.fit.summary.parameters.b!).toBeCloseTo(2.426, 2);
  });

  it('gives the Gini of the per-customer computation', () => {
    const rows = customers.map((c) => ({ p: forecast(check.fit.model, c), a: c.actual }));
    const n = rows.length;
    const total = rows.reduce((s, r) => s + r.a, 0);
    // Area under the gain curve = Σ a_j (n − k_j + ½) / (n · total), k_j the 1-based mid-rank in descending order.
    const giniBy = (key: (r: (typeof rows)[number]) => number) => {
      const sorted = [...rows].sort((u, v) => key(v) - key(u));
      let area = 0;
      for (let i = 0; i < n; ) {
        let j = i;
        while (j < n && key(sorted[j]!) === key(sorted[i]!)) j++;
        const midRank = (i + 1 + j) / 2;
        for (let k = i; k < j; k++) area += (sorted[k]!.a * (n - midRank + 0.5)) / (n * total);
        i = j;
      }
      return 2 * area - 1;
    };
    expect(model().gini.value).toBeCloseTo(giniBy((r) => r.p) / giniBy((r) => r.a), 9);
  });

  it('gives the deciles and decile MAPE of the per-customer computation', () => {
    const rows = customers.map((c) => ({ p: forecast(check.fit.model, c), a: c.actual }));
    rows.sort((u, v) => v.p - u.p);
    // Tied forecasts share their mean outcome; customer k (0-based) covers [k, k + 1) of the n positions.
    for (let i = 0; i < rows.length; ) {
      let j = i;
      while (j < rows.length && rows[j]!.p === rows[i]!.p) j++;
      const mean = rows.slice(i, j).reduce((s, r) => s + r.a, 0) / (j - i);
      for (let k = i; k < j; k++) rows[k]!.a = mean;
      i = j;
    }
    const size = rows.length / 10;
    const deciles = Array.from({ length: 10 }, (_, d) => {
      let w = 0, p = 0, a = 0;
      rows.forEach((r, k) => {
        const overlap = Math.max(0, Math.min(k + 1, (d + 1) * size) - Math.max(k, d * size));
        w += overlap;
        p += overlap * r.p;
        a += overlap * r.a;
      });
      return { p: p / w, a: a / w };
    });
    model().deciles!.deciles.forEach((d, k) => {
      expect(d.meanPredicted).toBeCloseTo(deciles[k]!.p, 9);
      expect(d.meanActual).toBeCloseTo(deciles[k]!.a, 9);
    });
    const scored = deciles.filter((d) => d.a > 0);
    expect(model().deciles!.mape).toBeCloseTo(scored.reduce((s, d) => s + Math.abs(d.p - d.a) / d.a, 0) / scored.length, 9);
  });

  it('gives the Brier score of P(alive) of the per-customer computation', () => {
    const brier = customers.reduce((s, c) => s + (check.fit.model.probabilityAlive(c) - (c.actual > 0 ? 1 : 0)) ** 2, 0) / customers.length;
    expect(model().activity!.brier).toBeCloseTo(brier, 12);
  });
});
