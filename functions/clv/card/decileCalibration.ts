// Calibration by decile (docs/metrics.md, "Model report card"): customers sorted by forecast,
// highest first, cut into ten groups of equal size; mean forecast against mean outcome in each,
// and the decile MAPE, the mean over the deciles of |forecast − outcome| / outcome.

import { columnsOf, orderBy, type Block, type ForecastRow } from './forecastRows.ts';

export const DECILES = 10;

export interface Decile {
  /** 1 = the tenth with the highest forecasts. */
  decile: number;
  /** Customers in the decile: a tenth of all, possibly fractional when the total is not a multiple of ten. */
  customers: number;
  meanPredicted: number;
  meanActual: number;
}

export interface DecileCalibration {
  deciles: Decile[];
  /** Null when no decile has a positive outcome to divide by. */
  mape: number | null;
  /** Deciles left out of the MAPE because nobody in them did anything (outcome 0). */
  decilesWithoutOutcome: number;
}

/**
 * A tied block straddling a cut is shared between the two deciles pro rata: its customers are
 * interchangeable, so each decile gets the block's mean forecast and outcome for its share.
 */
export function decileCalibration(rows: readonly ForecastRow[]): DecileCalibration | null {
  const c = columnsOf(rows);
  return decileCalibrationOf(orderBy(c, c.predicted).blocks);
}

/** From the groups' blocks in descending order of the forecast. */
export function decileCalibrationOf(blocks: readonly Block[]): DecileCalibration | null {
  let customers = 0;
  for (const b of blocks) customers += b.count;
  if (customers < DECILES) return null;
  const size = customers / DECILES;
  const sums = Array.from({ length: DECILES }, () => ({ customers: 0, predicted: 0, actual: 0 }));
  let d = 0;
  for (const b of blocks) {
    let left = b.count;
    while (left > 1e-9 * size && d < DECILES) {
      const room = size - sums[d]!.customers;
      const take = Math.min(left, room);
      sums[d]!.customers += take;
      sums[d]!.predicted += (take / b.count) * b.predicted;
      sums[d]!.actual += (take / b.count) * b.actual;
      left -= take;
      if (sums[d]!.customers >= size * (1 - 1e-12)) d++;
    }
  }
  const deciles = sums.map((s, k) => ({ decile: k + 1, customers: s.customers, meanPredicted: s.predicted / s.customers, meanActual: s.actual / s.customers }));
  const scored = deciles.filter((x) => x.meanActual > 0);
  return {
    deciles,
    mape: scored.length > 0 ? scored.reduce((sum, x) => sum + Math.abs(x.meanPredicted - x.meanActual) / x.meanActual, 0) / scored.length : null,
    decilesWithoutOutcome: DECILES - scored.length,
  };
}
