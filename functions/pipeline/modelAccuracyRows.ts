// The week's model report card as rows of the model_accuracy write-back table (one per
// forecaster, metric and part), so analysts can follow it across weeks. A card withheld for
// the week still leaves a row saying why, so an empty week is never mistaken for a missing run.
import type { Decile } from '../clv/card/decileCalibration.ts';
import type { ForecasterScore, ModelCard } from '../clv/card/modelCard.ts';
import type { Ranked } from '../clv/card/ranking.ts';
import type { Config } from '../config/schema.ts';
import type { WritebackRow } from '../engine/writebackWriter.ts';
import type { ReportModelChoice, ReportPredictiveClv } from '../report/report.ts';
import type { WeekBounds } from '../time/isoWeek.ts';
import { calibrationCutoffOf } from './predictiveMethod.ts';

interface Metric {
  model: string;
  metric: string;
  part?: string;
  value: number | null;
  guard?: string;
  customers: number;
}

/** The forecaster's name in the table: the purchase model by its method key, the rules by theirs. */
function modelName(score: ForecasterScore, purchaseModel: string): string {
  return score.forecaster === 'model' ? purchaseModel : score.forecaster;
}

const ranked = (model: string, metric: string, r: Ranked, customers: number): Metric => ({ model, metric, value: r.value, ...(r.guard ? { guard: r.guard } : {}), customers });

function forecasterMetrics(score: ForecasterScore, model: string, customers: number): Metric[] {
  const whole = (metric: string, value: number | null, guard?: string): Metric => ({ model, metric, value, ...(value === null && guard ? { guard } : {}), customers });
  const metrics: Metric[] = [
    whole('mae', score.mae),
    whole('rmse', score.rmse),
    whole('aggregate_error', score.aggregateError),
    whole('relative_aggregate_error', score.relativeAggregateError, 'nobody bought in the holdout'),
    ranked(model, 'normalized_gini', score.gini, customers),
    ranked(model, 'spearman', score.spearman, customers),
    whole('decile_mape', score.deciles?.mape ?? null, score.deciles ? 'nobody bought in any decile' : 'fewer than ten customers'),
  ];
  const perDecile = (metric: string, pick: (d: Decile) => number) =>
    (score.deciles?.deciles ?? []).map((d): Metric => ({ model, metric, part: String(d.decile), value: pick(d), customers: d.customers }));
  metrics.push(...perDecile('decile_predicted', (d) => d.meanPredicted), ...perDecile('decile_actual', (d) => d.meanActual));
  if (score.activity) {
    metrics.push(whole('brier', score.activity.brier));
    for (const band of score.activity.reliability) {
      const part = band.from.toFixed(1);
      metrics.push(
        { model, metric: 'reliability_predicted', part, value: band.meanPredicted, customers: band.customers },
        { model, metric: 'reliability_observed', part, value: band.observed, customers: band.customers },
        { model, metric: 'reliability_customers', part, value: band.customers, customers: band.customers },
      );
    }
  }
  return metrics;
}

function cardMetrics(card: ModelCard, purchaseModel: string): Metric[] {
  const metrics = card.scores.flatMap((s) => forecasterMetrics(s, modelName(s, purchaseModel), card.customers));
  if (card.tracking) {
    for (const w of card.tracking) {
      metrics.push(
        { model: purchaseModel, metric: 'tracking_predicted', part: String(w.week), value: w.predicted, customers: card.customers },
        { model: purchaseModel, metric: 'tracking_actual', part: String(w.week), value: w.actual, customers: card.customers },
      );
    }
  } else {
    metrics.push({ model: purchaseModel, metric: 'tracking_actual', value: null, guard: card.trackingGuard ?? 'not tracked', customers: card.customers });
  }
  return metrics;
}

/** The other candidate purchase models (the card holds the one the CLV uses): their accuracy, likelihood and which won. */
function choiceMetrics(choice: ReportModelChoice, customers: number): Metric[] {
  return choice.candidates.flatMap((c): Metric[] => {
    const chosen: Metric = { model: c.model, metric: 'chosen', value: c.model === choice.winner ? 1 : 0, customers };
    if (!c.score) return [{ model: c.model, metric: 'mae', value: null, guard: c.guard ?? 'not fitted', customers }, chosen];
    const metric = (name: string, value: number | null): Metric => ({ model: c.model, metric: name, value, ...(value === null ? { guard: 'nobody bought in the holdout' } : {}), customers });
    const s = c.score;
    const scores =
      c.model === choice.used
        ? []
        : [metric('mae', s.mae), metric('rmse', s.rmse), metric('aggregate_error', s.aggregateError), metric('relative_aggregate_error', s.relativeAggregateError)];
    return [...scores, { model: c.model, metric: 'log_likelihood', value: c.logLikelihood, customers }, chosen];
  });
}

export function modelAccuracyRows(predictive: ReportPredictiveClv, week: WeekBounds, config: Config): WritebackRow[] {
  const purchaseModel = predictive.method;
  const metrics = predictive.card
    ? [...cardMetrics(predictive.card, purchaseModel), ...(predictive.modelChoice ? choiceMetrics(predictive.modelChoice, predictive.card.customers) : [])]
    : [{ model: purchaseModel, metric: 'mae', value: null, guard: predictive.accuracyGuard ?? 'the holdout check was not run', customers: 0 }];
  const calibrationCutoff = calibrationCutoffOf(week, config);
  return metrics.map((m) => ({
    model: m.model,
    metric: m.metric,
    part: m.part ?? null,
    value: m.value,
    guard: m.guard ?? null,
    customers: m.customers,
    holdout_weeks: config.holdoutWeeks,
    hiatus_days: config.clv.hiatusDays,
    calibration_cutoff: calibrationCutoff,
    holdout_end: week.end,
  }));
}
