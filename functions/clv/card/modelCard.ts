// The model report card (docs/metrics.md, "Model report card"): the purchase model's holdout
// forecasts scored beside two simple rules on accuracy, ranking and calibration, its P(alive)
// scored against who bought, and the holdout tracked week by week. Everything is computed on
// the holdout tuples (customers sharing x, t_x, T and their holdout purchases), exactly as on
// the customers they stand for.

import type { BgNbdParams } from '../bgnbd.ts';
import { asPurchaseModel, type PurchaseModel } from '../purchaseModel.ts';
import type { HoldoutTuple } from '../fitClvModels.ts';
import { holdoutAccuracy } from '../holdoutAccuracy.ts';
import { hiatusForecast, isActiveByHiatus, naiveForecast } from './baselines.ts';
import { brierScore, type BrierScore } from './brierScore.ts';
import { decileCalibration, type DecileCalibration } from './decileCalibration.ts';
import type { ForecastRow } from './forecastRows.ts';
import { normalizedGini, spearmanCorrelation, type Ranked } from './ranking.ts';

export const FORECASTERS = ['model', 'naive', 'hiatus'] as const;
export type Forecaster = (typeof FORECASTERS)[number];

export interface ForecasterScore {
  forecaster: Forecaster;
  mae: number;
  rmse: number;
  /** Total predicted − total actual holdout purchases. */
  aggregateError: number;
  relativeAggregateError: number | null;
  gini: Ranked;
  spearman: Ranked;
  deciles: DecileCalibration | null;
  /**
   * Who is active against who bought in the holdout: the model's P(alive), the hiatus rule's
   * 1 or 0. Null for the naive rule, which says nothing about being active.
   */
  activity: BrierScore | null;
}

export interface TrackingWeek {
  /** 1 = the first week of the holdout. */
  week: number;
  predicted: number;
  actual: number;
  cumulativePredicted: number;
  cumulativeActual: number;
}

export interface ModelCard {
  holdoutDays: number;
  hiatusDays: number;
  customers: number;
  scores: ForecasterScore[];
  /** Null, with trackingGuard, when the day-by-day purchases do not add up to the holdout's. */
  tracking: TrackingWeek[] | null;
  trackingGuard?: string;
  /** Which forecast came closest per customer (lowest MAE), and the model's MAE against the better rule's. */
  purchases: { winner: Forecaster; baseline: Exclude<Forecaster, 'model'>; modelMae: number; baselineMae: number };
  /** Which tells active from lapsed customers better (lower Brier score). */
  activity: { winner: 'model' | 'hiatus'; modelBrier: number; hiatusBrier: number } | null;
}

export interface ModelCardInput {
  /** The purchase model fitted on the calibration period (BG/NBD parameters stand for BG/NBD). */
  fit: PurchaseModel | BgNbdParams;
  tuples: readonly HoldoutTuple[];
  /** Holdout length in the tuples' unit (days). */
  holdoutDays: number;
  hiatusDays: number;
  /** Holdout purchases by day after the last calibration day (queries/holdout_tracking.sql). */
  days?: readonly { day: number; purchases: number }[];
}

const DAYS_PER_WEEK = 7;

/**
 * Week ends of the holdout in days after T: 7, 14, …, the last at its length (whole weeks in
 * the configured time zone, so an hour off 7 × weeks across a change of summer time).
 */
function weekEnds(holdoutDays: number): number[] {
  const weeks = Math.max(1, Math.round(holdoutDays / DAYS_PER_WEEK));
  return Array.from({ length: weeks }, (_, w) => (w + 1 === weeks ? holdoutDays : (w + 1) * DAYS_PER_WEEK));
}

export function modelCard(input: ModelCardInput): ModelCard {
  const { tuples, holdoutDays, hiatusDays } = input;
  const model = asPurchaseModel(input.fit);
  if (tuples.length === 0) throw new Error('no customers to score: the report card needs the holdout tuples');
  const ends = weekEnds(holdoutDays);
  // The conditional expectation at each week end is P(alive) × G(x, T, t); G is shared by every tuple with that (x, T).
  const ifAlive = new Map<string, number[]>();
  const cumulative = new Float64Array(ends.length);
  const rows: Record<Forecaster, ForecastRow[]> = { model: [], naive: [], hiatus: [] };
  const activity: Record<'model' | 'hiatus', ForecastRow[]> = { model: [], hiatus: [] };
  for (const t of tuples) {
    const key = `${t.x} ${t.T}`;
    let g = ifAlive.get(key);
    if (!g) ifAlive.set(key, (g = model.expectedPurchasesIfAliveAt(t.x, t.T, ends)));
    const pAlive = model.probabilityAlive(t);
    g.forEach((v, w) => (cumulative[w]! += t.count * pAlive * v));
    const bought = t.actual > 0 ? 1 : 0;
    rows.model.push({ predicted: pAlive * g.at(-1)!, actual: t.actual, count: t.count });
    rows.naive.push({ predicted: naiveForecast(t, holdoutDays), actual: t.actual, count: t.count });
    rows.hiatus.push({ predicted: hiatusForecast(t, holdoutDays, hiatusDays), actual: t.actual, count: t.count });
    activity.model.push({ predicted: pAlive, actual: bought, count: t.count });
    activity.hiatus.push({ predicted: isActiveByHiatus(t, hiatusDays) ? 1 : 0, actual: bought, count: t.count });
  }
  const scores = FORECASTERS.map((forecaster): ForecasterScore => {
    const r = rows[forecaster];
    const accuracy = holdoutAccuracy(r.map((row, i) => ({ ...row, calibrationFrequency: tuples[i]!.x })));
    return {
      forecaster,
      mae: accuracy.mae,
      rmse: accuracy.rmse,
      aggregateError: accuracy.aggregateError,
      relativeAggregateError: accuracy.relativeAggregateError,
      gini: normalizedGini(r),
      spearman: spearmanCorrelation(r),
      deciles: decileCalibration(r),
      activity: forecaster === 'naive' ? null : brierScore(activity[forecaster]),
    };
  });
  const byName = (f: Forecaster) => scores.find((s) => s.forecaster === f)!;
  const baseline = byName('hiatus').mae < byName('naive').mae ? 'hiatus' : 'naive';
  const modelMae = byName('model').mae;
  const baselineMae = byName(baseline).mae;
  const modelBrier = byName('model').activity;
  const hiatusBrier = byName('hiatus').activity;
  const tracked = trackingOf(ends, cumulative, input.days, rows.model.reduce((n, r) => n + r.count * r.actual, 0));
  return {
    holdoutDays,
    hiatusDays,
    customers: tuples.reduce((n, t) => n + t.count, 0),
    scores,
    ...tracked,
    purchases: { winner: modelMae <= baselineMae ? 'model' : baseline, baseline, modelMae, baselineMae },
    activity: modelBrier && hiatusBrier ? { winner: modelBrier.brier <= hiatusBrier.brier ? 'model' : 'hiatus', modelBrier: modelBrier.brier, hiatusBrier: hiatusBrier.brier } : null,
  };
}

function trackingOf(
  ends: readonly number[],
  cumulative: Float64Array,
  days: ModelCardInput['days'],
  totalActual: number,
): Pick<ModelCard, 'tracking' | 'trackingGuard'> {
  if (!days) return { tracking: null, trackingGuard: 'the holdout was not read day by day' };
  const dayByDay = days.reduce((n, d) => n + d.purchases, 0);
  if (dayByDay !== totalActual) {
    return { tracking: null, trackingGuard: `the holdout's purchases day by day (${dayByDay}) do not add up to those of the holdout check (${totalActual})` };
  }
  const actual = new Float64Array(ends.length);
  for (const d of days) {
    // Day 0 is the part of the last calibration day after the cut-off: it opens week 1.
    const week = Math.min(ends.length, Math.max(1, Math.ceil(d.day / DAYS_PER_WEEK)));
    actual[week - 1]! += d.purchases;
  }
  let cumulativeActual = 0;
  return {
    tracking: ends.map((_, w) => {
      cumulativeActual += actual[w]!;
      return {
        week: w + 1,
        predicted: cumulative[w]! - (w > 0 ? cumulative[w - 1]! : 0),
        actual: actual[w]!,
        cumulativePredicted: cumulative[w]!,
        cumulativeActual,
      };
    }),
  };
}
