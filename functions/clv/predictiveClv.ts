// Predictive CLV for non-contractual customers (docs/metrics.md, method 4):
//   CLV = Σ_{m=1..H} E[purchases in month m] × E[spend per purchase] × margin / (1 + d)^m
// with E[purchases in month m] the difference of BG/NBD conditional expectations at the
// cumulative month ends. That expectation is P(alive | x, t_x, T) × G(x, T, t), and G (the
// costly part, a 2F1 per month) depends on x and T only, so the discounted monthly sum of G is
// computed once per distinct (x, T) and shared by every tuple and customer with that pair.

import type { BgNbdParams } from './bgnbd.ts';
import { asPurchaseModel, type PurchaseModel } from './purchaseModel.ts';
import { DAYS_PER_MONTH } from './formulas.ts';
import { conditionalExpectedSpend, type GammaGammaParams } from './gammaGamma.ts';
import type { CustomerSummary } from './tuples.ts';

export interface ClvOptions {
  /** Days in one unit of the model's time: 7 when t_x and T are in weeks, 1 for days. */
  daysPerTimeUnit: number;
  /** Monthly discount rate d (0.01 = 1 % a month). */
  monthlyDiscountRate: number;
  /** Months H summed over; 12 unless given. */
  horizonMonths?: number;
  /** Gross margin applied to spend; 1 (revenue-based CLV) unless given. */
  grossMargin?: number;
}

export interface CustomerClv {
  pAlive: number;
  /** Expected purchases over the whole horizon (undiscounted). */
  expectedPurchases: number;
  expectedSpend: number;
  clv: number;
}

/** Scores per tuple, index-aligned with the input. */
export interface TupleScores {
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  expectedSpend: Float64Array;
  clv: Float64Array;
}

export interface IfAlive {
  /** Σ_m ΔG_m · margin / (1 + d)^m */
  discountedPurchases: number;
  /** G at the horizon. */
  purchases: number;
}

/** CLV of every tuple or customer (a count is not needed); those with x > 0 need meanSpend. */
export function scoreTuples(tuples: readonly CustomerSummary[], purchases: PurchaseModel | BgNbdParams, spend: GammaGammaParams, options: ClvOptions): TupleScores {
  const model = asPurchaseModel(purchases);
  const ifAlive = ifAliveCache(model, options);
  const scores: TupleScores = {
    pAlive: new Float64Array(tuples.length),
    expectedPurchases: new Float64Array(tuples.length),
    expectedSpend: new Float64Array(tuples.length),
    clv: new Float64Array(tuples.length),
  };
  tuples.forEach((t, i) => {
    const one = score(t, model, spend, ifAlive(t.x, t.T));
    scores.pAlive[i] = one.pAlive;
    scores.expectedPurchases[i] = one.expectedPurchases;
    scores.expectedSpend[i] = one.expectedSpend;
    scores.clv[i] = one.clv;
  });
  return scores;
}

/** CLV of one customer (for many, scoreTuples shares the work across customers). */
export function customerClv(customer: CustomerSummary, purchases: PurchaseModel | BgNbdParams, spend: GammaGammaParams, options: ClvOptions): CustomerClv {
  const model = asPurchaseModel(purchases);
  return score(customer, model, spend, ifAliveCache(model, options)(customer.x, customer.T));
}

function score(customer: CustomerSummary, model: PurchaseModel, spend: GammaGammaParams, ifAlive: IfAlive): CustomerClv {
  const { x, tx, T, meanSpend } = customer;
  if (!(Number.isInteger(x) && x >= 0 && tx >= 0 && tx <= T && Number.isFinite(T))) {
    throw new Error(`(x, t_x, T) = (${x}, ${tx}, ${T}) is not a customer summary: x must be a whole number ≥ 0 and 0 ≤ t_x ≤ T`);
  }
  if (x > 0 && meanSpend === undefined) throw new Error(`a customer with x = ${x} has no meanSpend: the spend model needs it`);
  const pAlive = model.probabilityAlive(customer);
  const expectedSpend = conditionalExpectedSpend(spend, x, meanSpend ?? 0);
  return {
    pAlive,
    expectedPurchases: pAlive * ifAlive.purchases,
    expectedSpend,
    clv: pAlive * ifAlive.discountedPurchases * expectedSpend,
  };
}

/**
 * Σ_m ΔG_m · margin / (1 + d)^m (discountedPurchases) and G at the horizon (purchases) for a
 * customer alive at T after x repeat purchases, computed once per (x, T).
 */
export function ifAliveCache(model: PurchaseModel, options: ClvOptions): (x: number, T: number) => IfAlive {
  const horizon = options.horizonMonths ?? 12;
  const margin = options.grossMargin ?? 1;
  const d = options.monthlyDiscountRate;
  if (!Number.isInteger(horizon) || horizon < 1) throw new Error(`horizonMonths must be a whole number of months ≥ 1, got ${horizon}`);
  if (!(d > -1) || !Number.isFinite(d)) throw new Error(`monthlyDiscountRate must be a finite rate above −1, got ${d}`);
  if (!(options.daysPerTimeUnit > 0) || !Number.isFinite(options.daysPerTimeUnit)) throw new Error(`daysPerTimeUnit must be positive, got ${options.daysPerTimeUnit}`);
  if (!Number.isFinite(margin)) throw new Error(`grossMargin must be a finite number, got ${margin}`);
  const month = DAYS_PER_MONTH / options.daysPerTimeUnit;
  const monthEnds = Array.from({ length: horizon }, (_, m) => (m + 1) * month);
  const weights = monthEnds.map((_, m) => margin / (1 + d) ** (m + 1));
  const cache = new Map<number, Map<number, IfAlive>>();
  return (x, T) => {
    let byT = cache.get(x);
    if (!byT) cache.set(x, (byT = new Map()));
    let entry = byT.get(T);
    if (!entry) {
      let previous = 0;
      let discounted = 0;
      model.expectedPurchasesIfAliveAt(x, T, monthEnds).forEach((cumulative, m) => {
        discounted += (cumulative - previous) * weights[m]!;
        previous = cumulative;
      });
      entry = { discountedPurchases: discounted, purchases: previous };
      byT.set(T, entry);
    }
    return entry;
  };
}
