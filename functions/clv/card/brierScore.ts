// P(alive) scored against what customers did (docs/metrics.md, "Model report card"): the Brier
// score, mean (p − 1[bought in the holdout])², and a reliability table of the predicted against
// the observed share in ten bands of p.

import { checkRows, columnsOf, type ForecastColumns, type ForecastRow } from './forecastRows.ts';

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
  return brierScoreOf(columnsOf(rows));
}

/** The same on columns already checked. */
export function brierScoreOf(c: ForecastColumns): BrierScore | null {
  let customers = 0;
  let squared = 0;
  let bought = 0;
  const bands = Array.from({ length: BANDS }, () => ({ customers: 0, predicted: 0, observed: 0 }));
  for (let i = 0; i < c.count.length; i++) {
    const [p, y, w] = [c.predicted[i]!, c.actual[i]!, c.count[i]!];
    customers += w;
    squared += w * (p - y) ** 2;
    bought += w * y;
    const band = bands[Math.min(BANDS - 1, Math.floor(p * BANDS))]!;
    band.customers += w;
    band.predicted += w * p;
    band.observed += w * y;
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
