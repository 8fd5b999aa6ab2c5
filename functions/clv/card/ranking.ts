// How well a forecast ranks customers (docs/metrics.md, "Model report card"): the normalized
// Gini of the cumulative-gain curve and Spearman's rank correlation, over customer groups.

import { blocksBy, checkRows, type Block, type ForecastRow } from './forecastRows.ts';

export type Ranked = { value: number; guard?: undefined } | { value: null; guard: string };

/**
 * Gini of the gain curve: customers in the block order, x = share of customers, y = share of
 * the actual total; 2 × (area under the curve) − 1. A tied block is a straight segment.
 */
function giniOf(blocks: readonly Block[], customers: number, total: number): number {
  let area = 0;
  let x = 0;
  let y = 0;
  for (const b of blocks) {
    const dx = b.count / customers;
    const dy = b.actual / total;
    area += dx * (y + y + dy) / 2;
    x += dx;
    y += dy;
  }
  return 2 * area - 1;
}

/**
 * Normalized Gini: the Gini of the actual values ordered by the forecast over the Gini of the
 * same values in their best order (largest first). 1 = perfect ranking, 0 = no better than
 * chance, negative = worse. Undefined when nobody did anything or everybody did the same.
 */
export function normalizedGini(rows: readonly ForecastRow[]): Ranked {
  checkRows(rows);
  let customers = 0;
  let total = 0;
  for (const r of rows) {
    customers += r.count;
    total += r.count * r.actual;
  }
  if (customers === 0) return { value: null, guard: 'no customers' };
  if (!(total > 0)) return { value: null, guard: 'nobody bought in the holdout: there is nothing to rank' };
  const best = giniOf(blocksBy(rows, 'actual'), customers, total);
  if (!(best > 1e-12)) return { value: null, guard: 'every customer did the same in the holdout: there is nothing to rank' };
  return { value: giniOf(blocksBy(rows, 'predicted'), customers, total) / best };
}

/** Mid-ranks (1 = smallest) of each row's value, ties sharing the mean of their ranks. */
function midRanks(rows: readonly ForecastRow[], by: 'predicted' | 'actual'): Float64Array {
  const order = rows.map((_, i) => i).sort((i, j) => rows[i]![by] - rows[j]![by]);
  const ranks = new Float64Array(rows.length);
  let below = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    let tied = 0;
    while (end < order.length && rows[order[end]!]![by] === rows[order[start]!]![by]) tied += rows[order[end++]!]!.count;
    const rank = below + (tied + 1) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    below += tied;
    start = end;
  }
  return ranks;
}

/** Spearman's ρ: Pearson's correlation of the mid-ranks, each group weighted by its customers. */
export function spearmanCorrelation(rows: readonly ForecastRow[]): Ranked {
  checkRows(rows);
  const p = midRanks(rows, 'predicted');
  const a = midRanks(rows, 'actual');
  let n = 0;
  let meanP = 0;
  let meanA = 0;
  rows.forEach((r, i) => {
    n += r.count;
    meanP += r.count * p[i]!;
    meanA += r.count * a[i]!;
  });
  if (n === 0) return { value: null, guard: 'no customers' };
  meanP /= n;
  meanA /= n;
  let cov = 0;
  let varP = 0;
  let varA = 0;
  rows.forEach((r, i) => {
    const dp = p[i]! - meanP;
    const da = a[i]! - meanA;
    cov += r.count * dp * da;
    varP += r.count * dp * dp;
    varA += r.count * da * da;
  });
  if (!(varA > 0)) return { value: null, guard: 'every customer did the same in the holdout: there is nothing to rank' };
  if (!(varP > 0)) return { value: null, guard: 'the forecast is the same for every customer: it ranks no one' };
  return { value: cov / Math.sqrt(varP * varA) };
}
