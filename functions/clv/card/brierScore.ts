// P(alive) scored against what customers did (docs/metrics.md, "Model report card"): the Brier
// score, mean (p − 1[bought in the holdout])², and a reliability table of the predicted against
// the observed share in ten bands of p.

import { checkRows, type ForecastRow } from './forecastRows.ts';

export interface ReliabilityBand {
  /** Lower edge of the band: 0, 0.1, …, 0.9; the top band includes p = 1. */
  from: number;
  to: number;
  customers: number;
  meanPredicted: number;
  /** Share of the band's customers who bought in the holdout. */
  observed: number;
}

export interface BrierScore {
  brier: number;
  /** Share of customers who bought in the holdout: the Brier score of always saying that share is base × (1 − base). */
  base: number;
  reliability: ReliabilityBand[];
}

const BANDS = 10;

/** Rows with `predicted` a probability and `actual` 1 (bought in the holdout) or 0. */
export function brierScore(rows: readonly ForecastRow[]): BrierScore | null {
  checkRows(rows);
  rows.forEach((r, i) => {
    if (r.predicted < 0 || r.predicted > 1) throw new Error(`forecast row ${i}: a probability must lie in [0, 1], got ${r.predicted}`);
    if (r.actual !== 0 && r.actual !== 1) throw new Error(`forecast row ${i}: the outcome must be 0 or 1, got ${r.actual}`);
  });
  let customers = 0;
  let squared = 0;
  let bought = 0;
  const bands = Array.from({ length: BANDS }, () => ({ customers: 0, predicted: 0, observed: 0 }));
  for (const r of rows) {
    customers += r.count;
    squared += r.count * (r.predicted - r.actual) ** 2;
    bought += r.count * r.actual;
    const band = bands[Math.min(BANDS - 1, Math.floor(r.predicted * BANDS))]!;
    band.customers += r.count;
    band.predicted += r.count * r.predicted;
    band.observed += r.count * r.actual;
  }
  if (customers === 0) return null;
  return {
    brier: squared / customers,
    base: bought / customers,
    reliability: bands.flatMap((b, k) =>
      b.customers > 0 ? [{ from: k / BANDS, to: (k + 1) / BANDS, customers: b.customers, meanPredicted: b.predicted / b.customers, observed: b.observed / b.customers }] : [],
    ),
  };
}
