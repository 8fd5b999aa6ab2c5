// How well a forecast ranks customers (docs/metrics.md, "Model report card"): the normalized
// Gini of the cumulative-gain curve and Spearman's rank correlation, over customer groups.

import { columnsOf, orderBy, type Block, type ForecastColumns, type ForecastRow, type Ordered } from './forecastRows.ts';

export type Ranked = { value: number; guard?: undefined } | { value: null; guard: string };

const NOTHING_BOUGHT = 'nobody bought in the holdout: there is nothing to rank';
const ALL_ALIKE = 'every customer did the same in the holdout: there is nothing to rank';

/**
 * Gini of the gain curve: customers in the block order, x = share of customers, y = share of
 * the actual total; 2 × (area under the curve) − 1. A tied block is a straight segment.
 */
function giniOf(blocks: readonly Block[], customers: number, total: number): number {
  let area = 0;
  let y = 0;
  for (const b of blocks) {
    const dx = b.count / customers;
    const dy = b.actual / total;
    area += (dx * (y + y + dy)) / 2;
    y += dy;
  }
  return 2 * area - 1;
}

/**
 * Normalized Gini: the Gini of the actual values ordered by the forecast over the Gini of the
 * same values in their best order (largest first). 1 = perfect ranking, 0 = no better than
 * chance, negative = worse. Undefined when nobody did anything or everybody did the same.
 */
export function normalizedGiniOf(byPredicted: Ordered, byActual: Ordered): Ranked {
  let customers = 0;
  let total = 0;
  for (const b of byActual.blocks) {
    customers += b.count;
    total += b.actual;
  }
  if (customers === 0) return { value: null, guard: 'no customers' };
  if (!(total > 0)) return { value: null, guard: NOTHING_BOUGHT };
  const best = giniOf(byActual.blocks, customers, total);
  if (!(best > 1e-12)) return { value: null, guard: ALL_ALIKE };
  return { value: giniOf(byPredicted.blocks, customers, total) / best };
}

/** Spearman's ρ: Pearson's correlation of the mid-ranks, each group weighted by its customers. */
export function spearmanOf(columns: ForecastColumns, byPredicted: Ordered, byActual: Ordered): Ranked {
  const p = byPredicted.midRank;
  const a = byActual.midRank;
  const w = columns.count;
  let n = 0;
  let meanP = 0;
  let meanA = 0;
  for (let i = 0; i < w.length; i++) {
    n += w[i]!;
    meanP += w[i]! * p[i]!;
    meanA += w[i]! * a[i]!;
  }
  if (n === 0) return { value: null, guard: 'no customers' };
  meanP /= n;
  meanA /= n;
  let cov = 0;
  let varP = 0;
  let varA = 0;
  for (let i = 0; i < w.length; i++) {
    const dp = p[i]! - meanP;
    const da = a[i]! - meanA;
    cov += w[i]! * dp * da;
    varP += w[i]! * dp * dp;
    varA += w[i]! * da * da;
  }
  if (!(varA > 0)) return { value: null, guard: ALL_ALIKE };
  if (!(varP > 0)) return { value: null, guard: 'the forecast is the same for every customer: it ranks no one' };
  return { value: cov / Math.sqrt(varP * varA) };
}

export function normalizedGini(rows: readonly ForecastRow[]): Ranked {
  const c = columnsOf(rows);
  return normalizedGiniOf(orderBy(c, c.predicted), orderBy(c, c.actual));
}

export function spearmanCorrelation(rows: readonly ForecastRow[]): Ranked {
  const c = columnsOf(rows);
  return spearmanOf(c, orderBy(c, c.predicted), orderBy(c, c.actual));
}
