// The model report card (docs/metrics.md, "Model report card"): the purchase model's holdout
// forecasts scored beside two simple rules on accuracy, ranking and calibration, its P(alive)
// scored against who bought, and the holdout tracked week by week. Everything is computed on
// the holdout tuples (customers sharing x, t_x, T and their holdout purchases), exactly as on
// the customers they stand for.

import type { BgNbdParams } from '../bgnbd.ts';
import { asPurchaseModel, type PurchaseModel } from '../purchaseModel.ts';
import type { HoldoutTuple } from '../fitClvModels.ts';
import { holdoutAccuracyOf, type HoldoutAccuracy } from '../holdoutAccuracy.ts';
import { hiatusForecast, isActiveByHiatus, naiveForecast } from './baselines.ts';
import { brierScoreOf, type BrierScore } from './brierScore.ts';
import { decileCalibrationOf, type DecileCalibration } from './decileCalibration.ts';
import { orderBy, type ForecastColumns, type Ordered } from './forecastRows.ts';
import { normalizedGiniOf, spearmanOf, type Ranked } from './ranking.ts';

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

/** The holdout as every forecaster is scored on it: the outcomes in columns, ordered once. */
export interface PreparedHoldout {
  tuples: readonly HoldoutTuple[];
  holdoutDays: number;
  hiatusDays: number;
  /** Week ends of the holdout, in days after T. */
  ends: number[];
  /** actual and count per tuple; predicted is each forecaster's own. */
  outcome: ForecastColumns;
  byActual: Ordered;
  /** 1 where the tuple's customers bought in the holdout. */
  bought: Float64Array;
  /** x of each tuple, for the calibration table. */
  frequency: Float64Array;
  customers: number;
  totalActual: number;
}

export function prepareHoldout(tuples: readonly HoldoutTuple[], holdoutDays: number, hiatusDays: number): PreparedHoldout {
  if (tuples.length === 0) throw new Error('no customers to score: the report card needs the holdout tuples');
  const outcome = { predicted: new Float64Array(tuples.length), actual: Float64Array.from(tuples, (t) => t.actual), count: Float64Array.from(tuples, (t) => t.count) };
  let customers = 0;
  let totalActual = 0;
  for (const t of tuples) {
    customers += t.count;
    totalActual += t.count * t.actual;
  }
  return {
    tuples,
    holdoutDays,
    hiatusDays,
    ends: weekEnds(holdoutDays),
    outcome,
    byActual: orderBy(outcome, outcome.actual),
    bought: Float64Array.from(tuples, (t) => (t.actual > 0 ? 1 : 0)),
    frequency: Float64Array.from(tuples, (t) => t.x),
    customers,
    totalActual,
  };
}

/** A purchase model's holdout forecasts: per tuple P(alive) and the purchases expected by the holdout's end, and the total by each week's end. */
export interface ModelForecasts {
  pAlive: Float64Array;
  predicted: Float64Array;
  cumulative: Float64Array;
}

export function modelForecasts(model: PurchaseModel, h: PreparedHoldout): ModelForecasts {
  // The conditional expectation at each week end is P(alive) × G(x, T, t); G is shared by every tuple with that (x, T).
  const ifAlive = new Map<number, Map<number, number[]>>();
  const pAlive = new Float64Array(h.tuples.length);
  const predicted = new Float64Array(h.tuples.length);
  const cumulative = new Float64Array(h.ends.length);
  h.tuples.forEach((t, i) => {
    let byT = ifAlive.get(t.x);
    if (!byT) ifAlive.set(t.x, (byT = new Map()));
    let g = byT.get(t.T);
    if (!g) byT.set(t.T, (g = model.expectedPurchasesIfAliveAt(t.x, t.T, h.ends)));
    const p = model.probabilityAlive(t);
    pAlive[i] = p;
    predicted[i] = p * g.at(-1)!;
    for (let w = 0; w < g.length; w++) cumulative[w]! += t.count * p * g[w]!;
  });
  return { pAlive, predicted, cumulative };
}

/** MAE, RMSE, aggregate error and the calibration table by frequency of one forecast. */
export function forecastAccuracy(h: PreparedHoldout, predicted: Float64Array): HoldoutAccuracy {
  return holdoutAccuracyOf({ predicted, actual: h.outcome.actual, frequency: h.frequency, count: h.outcome.count });
}

/** Every metric of one forecaster; `active` is its P(alive) or yes/no, null when it has none. */
export function scoreForecast(
  h: PreparedHoldout,
  forecaster: Forecaster,
  predicted: Float64Array,
  active: Float64Array | null,
  accuracy: HoldoutAccuracy = forecastAccuracy(h, predicted),
): ForecasterScore {
  const columns = { ...h.outcome, predicted };
  const byPredicted = orderBy(columns, predicted);
  return {
    forecaster,
    mae: accuracy.mae,
    rmse: accuracy.rmse,
    aggregateError: accuracy.aggregateError,
    relativeAggregateError: accuracy.relativeAggregateError,
    gini: normalizedGiniOf(byPredicted, h.byActual),
    spearman: spearmanOf(columns, byPredicted, h.byActual),
    deciles: decileCalibrationOf(byPredicted.blocks),
    activity: active ? brierScoreOf({ predicted: active, actual: h.bought, count: h.outcome.count }) : null,
  };
}

/** The card of the model the CLV uses, with both rules beside it. */
export function cardOf(h: PreparedHoldout, forecasts: ModelForecasts, days?: ModelCardInput['days'], modelAccuracy?: HoldoutAccuracy): ModelCard {
  const { tuples, holdoutDays, hiatusDays } = h;
  const naive = Float64Array.from(tuples, (t) => naiveForecast(t, holdoutDays));
  const hiatus = Float64Array.from(tuples, (t) => hiatusForecast(t, holdoutDays, hiatusDays));
  const active = Float64Array.from(tuples, (t) => (isActiveByHiatus(t, hiatusDays) ? 1 : 0));
  const scores = [
    scoreForecast(h, 'model', forecasts.predicted, forecasts.pAlive, modelAccuracy),
    scoreForecast(h, 'naive', naive, null),
    scoreForecast(h, 'hiatus', hiatus, active),
  ];
  const byName = (f: Forecaster) => scores.find((s) => s.forecaster === f)!;
  const baseline = byName('hiatus').mae < byName('naive').mae ? 'hiatus' : 'naive';
  const modelMae = byName('model').mae;
  const baselineMae = byName(baseline).mae;
  const modelBrier = byName('model').activity;
  const hiatusBrier = byName('hiatus').activity;
  return {
    holdoutDays,
    hiatusDays,
    customers: h.customers,
    scores,
    ...trackingOf(h.ends, forecasts.cumulative, days, h.totalActual),
    purchases: { winner: modelMae <= baselineMae ? 'model' : baseline, baseline, modelMae, baselineMae },
    activity: modelBrier && hiatusBrier ? { winner: modelBrier.brier <= hiatusBrier.brier ? 'model' : 'hiatus', modelBrier: modelBrier.brier, hiatusBrier: hiatusBrier.brier } : null,
  };
}

export function modelCard(input: ModelCardInput): ModelCard {
  const h = prepareHoldout(input.tuples, input.holdoutDays, input.hiatusDays);
  return cardOf(h, modelForecasts(asPurchaseModel(input.fit), h), input.days);
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
