// The simple rules the model is measured against (docs/metrics.md, "Model report card").
//   naive:  each customer goes on buying at their calibration-period repeat rate, x / T;
//   hiatus: a customer is active when their last purchase lies within `hiatusDays` of the
//           cut-off; active customers buy at their rate, the others not at all.
// Research on retail panels (Wübben & Wangenheim 2008) finds the hiatus rule hard to beat at
// telling active from lapsed customers, which is why the card shows it beside the model.

import type { CustomerHistory } from '../bgnbd.ts';

/** Repeat purchases per day over the calibration period; 0 for a customer first seen on the last day. */
function repeatRate(c: CustomerHistory): number {
  return c.T > 0 ? c.x / c.T : 0;
}

export function naiveForecast(c: CustomerHistory, holdoutDays: number): number {
  return repeatRate(c) * holdoutDays;
}

/** Days since the last purchase, T − t_x (for a one-time buyer, since the first). */
export function isActiveByHiatus(c: CustomerHistory, hiatusDays: number): boolean {
  return c.T - c.tx <= hiatusDays;
}

export function hiatusForecast(c: CustomerHistory, holdoutDays: number, hiatusDays: number): number {
  return isActiveByHiatus(c, hiatusDays) ? naiveForecast(c, holdoutDays) : 0;
}
