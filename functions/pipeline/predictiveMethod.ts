// The week's predictive CLV (docs/metrics.md, method 4 and "Model accuracy"): fit BG/NBD and
// Gamma-Gamma on the model inputs at the week's end, score every customer, and validate the
// purchase model on a holdout. A model that cannot be fitted makes the method missing and
// flagged; it never fails the weekly run.
import {
  fitClvModels,
  spendBasisOf,
  scoreCustomers,
  summariseGammaGamma,
  type HoldoutTuple,
  type Outcome,
} from '../clv/fitClvModels.ts';
import { cardOf, forecastAccuracy, modelForecasts, prepareHoldout, type ModelCard } from '../clv/card/modelCard.ts';
import { holdoutFits } from '../clv/purchaseCandidates.ts';
import { MODEL_LABELS } from '../clv/purchaseModel.ts';
import { groupCustomers, predictiveClvInterval, tuplesOf } from '../clv/clvInterval.ts';
import type { ClvResult } from '../clv/formulas.ts';
import type { HoldoutAccuracy } from '../clv/holdoutAccuracy.ts';
import type { TupleScores } from '../clv/predictiveClv.ts';
import type { Config } from '../config/schema.ts';
import type { QueryEngine, QueryStats } from '../engine/queryEngine.ts';
import type { WritebackRow } from '../engine/writebackWriter.ts';
import type { ReportModelChoice, ReportPredictiveClv } from '../report/report.ts';
import { shiftCivilDays, type WeekBounds } from '../time/isoWeek.ts';
import { readHoldoutTracking, readHoldoutTuples, readModelInputs, type HoldoutDay, type ModelCustomer } from './modelInputs.ts';
import { settleAll } from './settleAll.ts';

const DAY_MS = 86_400_000;

export interface PredictiveRun {
  result: ClvResult;
  summary: ReportPredictiveClv;
  /** clv_scores rows of the week, one per model customer; empty when not fitted. */
  scores: WritebackRow[];
  stats: QueryStats[];
}

/** End of the holdout validation's calibration period: holdoutWeeks before the week's end. */
export function calibrationCutoffOf(week: WeekBounds, config: Config): Date {
  return shiftCivilDays(week.end, -7 * config.holdoutWeeks, config.timeZone);
}

export async function runPredictiveMethod(engine: QueryEngine, week: WeekBounds, config: Config): Promise<PredictiveRun> {
  const calibrationCutoff = calibrationCutoffOf(week, config);
  const [inputs, holdout, tracking] = await settleAll([
    readModelInputs(engine, week.end, config.reportCurrency),
    readHoldoutTuples(engine, calibrationCutoff, week.end),
    readHoldoutTracking(engine, calibrationCutoff, week.end),
  ]);
  const stats = [inputs.stats, holdout.stats, tracking.stats];
  const customers = inputs.customers;
  const checked = validate(holdout.tuples, tracking.days, (week.end.getTime() - calibrationCutoff.getTime()) / DAY_MS, config);

  const base = {
    method: 'bgnbd' as const,
    cutoff: week.end.toISOString(),
    timeUnit: 'day' as const,
    customers: customers.length,
    repeatCustomers: customers.filter((c) => c.x > 0).length,
    horizonMonths: config.clv.horizonMonths,
    monthlyDiscountRate: config.clv.monthlyDiscountRate,
    grossMargin: config.grossMargin,
    purchaseModel: config.clv.purchaseModel,
    accuracy: checked.ok ? { ...checked.value.accuracy, holdoutWeeks: config.holdoutWeeks, calibrationCutoff: calibrationCutoff.toISOString() } : null,
    card: checked.ok ? checked.value.card : null,
    modelChoice: checked.ok ? checked.value.choice : null,
    ...(checked.ok ? {} : { accuracyGuard: checked.flags.join('; ') }),
  };
  const missing = (flags: string[]): PredictiveRun => ({
    result: { method: 'bgnbd', value: null, flags },
    summary: { ...base, models: null, totalClv: null, meanPAlive: null, scoresWritten: 0, flags },
    scores: [],
    stats,
  });

  // One grouping of the customers serves the fit and the interval.
  const groups = groupCustomers(customers);
  const fitted = fitClvModels(customers, config.clv.purchaseModel, tuplesOf(groups));
  if (!fitted.ok) return missing(fitted.flags);
  const models = fitted.value;
  const options = {
    daysPerTimeUnit: 1,
    horizonMonths: config.clv.horizonMonths,
    monthlyDiscountRate: config.clv.monthlyDiscountRate,
    grossMargin: config.grossMargin,
  };
  const scores = scoreCustomers(models, customers, options);
  const nonFinite = scores.clv.filter((v) => !Number.isFinite(v)).length;
  if (nonFinite > 0) return missing([`the fitted models give no finite CLV for ${nonFinite} customers`, ...models.flags]);

  let totalClv = 0;
  let totalPAlive = 0;
  for (let i = 0; i < customers.length; i++) {
    totalClv += scores.clv[i]!;
    totalPAlive += scores.pAlive[i]!;
  }
  const interval = predictiveClvInterval(models, groups, options, totalClv / customers.length);
  return {
    result: { method: 'bgnbd', value: totalClv / customers.length, flags: models.flags, ...(interval ? { interval } : {}) },
    summary: {
      ...base,
      models: { purchase: { ...models.purchase.summary, model: models.purchase.name }, gammaGamma: summariseGammaGamma(models.gammaGamma) },
      totalClv,
      meanPAlive: totalPAlive / customers.length,
      scoresWritten: customers.length,
      flags: models.flags,
    },
    scores: scoreRows(customers, scores),
    stats,
  };
}

function validate(
  tuples: readonly HoldoutTuple[],
  days: readonly HoldoutDay[],
  holdoutDays: number,
  config: Config,
): Outcome<{ accuracy: HoldoutAccuracy; card: ModelCard; choice: ReportModelChoice }> {
  // A calibration period shorter than the holdout says little about how customers drop out.
  const longest = tuples.reduce((max, t) => Math.max(max, t.T), 0);
  if (longest < holdoutDays) {
    return { ok: false, flags: [`not enough history: the holdout check needs purchases from at least ${2 * config.holdoutWeeks} weeks before the week's end`] };
  }
  const { fits, sampledCustomers } = holdoutFits(tuples);
  // The card is the model the CLV uses (clv.purchaseModel); the others are measured beside it (docs/metrics.md, "Model choice").
  const usedName = config.clv.purchaseModel;
  const usedFit = fits.find((c) => c.name === usedName)!.outcome;
  if (!usedFit.ok) return { ok: false, flags: [`the calibration fit failed: ${usedFit.flags.join('; ')}`] };
  const h = prepareHoldout(tuples, holdoutDays, config.clv.hiatusDays);
  const usedForecasts = modelForecasts(usedFit.value.model, h);
  // The card's model column and the method's accuracy are the same figures, computed once.
  const accuracy = forecastAccuracy(h, usedForecasts.predicted);
  const card = cardOf(h, usedForecasts, days, accuracy);
  const scored = fits.map(({ name, outcome }) => {
    if (!outcome.ok) return { name, outcome, score: null };
    if (name === usedName) return { name, outcome, score: card.scores[0]! };
    const { mae, rmse, aggregateError, relativeAggregateError } = forecastAccuracy(h, modelForecasts(outcome.value.model, h).predicted);
    return { name, outcome, score: { mae, rmse, aggregateError, relativeAggregateError } };
  });
  const maeOf = (c: (typeof scored)[number]) => c.score?.mae ?? Infinity;
  // Lowest holdout MAE wins; on a tie the simpler model, in the order of PURCHASE_MODELS.
  const winner = scored.reduce((best, c) => (maeOf(c) < maeOf(best) ? c : best));
  const choice: ReportModelChoice = {
    rule: 'lowest_holdout_mae',
    winner: winner.name,
    used: usedName,
    sampledCustomers,
    candidates: scored.map((c) => ({
      model: c.name,
      label: MODEL_LABELS[c.name],
      score: c.score,
      parameters: c.outcome.ok ? c.outcome.value.summary.parameters : null,
      logLikelihood: c.outcome.ok ? c.outcome.value.summary.logLikelihood : null,
      ...(c.outcome.ok ? {} : { guard: c.outcome.flags.join('; ') }),
    })),
  };
  return { ok: true, value: { accuracy, card, choice } };
}

function scoreRows(customers: readonly ModelCustomer[], scores: TupleScores): WritebackRow[] {
  return customers.map((c, i) => ({
    customer_id: c.customerId,
    method: 'bgnbd',
    clv: scores.clv[i]!,
    expected_purchases: scores.expectedPurchases[i]!,
    p_alive: scores.pAlive[i]!,
    days_since_last_purchase: c.T - c.tx,
    spend_basis: spendBasisOf(c),
    mrr: null,
    renewals: null,
    residual_months: null,
  }));
}
