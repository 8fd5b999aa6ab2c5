// One sentence on the predictive model's holdout accuracy (docs/metrics.md, "Model accuracy"),
// shared by the HTML and the text part so both say the same.
import { MODEL_LABELS } from '../clv/purchaseModel.ts';
import type { Formatter } from './format.ts';
import type { Messages } from './messages/messages.ts';
import type { ReportContractualClv, ReportPredictiveClv } from './report.ts';

export function accuracyNote(predictive: ReportPredictiveClv, fmt: Formatter, m: Messages): string {
  const a = predictive.accuracy;
  const model = MODEL_LABELS[predictive.purchaseModel];
  if (!a) return m.methods.accuracyMissing(predictive.accuracyGuard ?? 'no data', model);
  const purchases = (value: number) => fmt.kpi({ unit: 'orders', value });
  return m.methods.accuracy({
    model,
    cutoff: fmt.date(a.calibrationCutoff),
    weeks: a.holdoutWeeks,
    mae: purchases(a.mae),
    rmse: purchases(a.rmse),
    customers: fmt.count(a.customers),
    predicted: fmt.count(a.totalPredicted),
    actual: fmt.count(a.totalActual),
    relative: a.relativeAggregateError === null ? '' : fmt.signedPercent(a.relativeAggregateError),
  });
}

/** The same for the contractual model's holdout (docs/metrics.md, method 5); null when there is no such model. */
export function survivalAccuracyNote(contractual: ReportContractualClv | null, fmt: Formatter, m: Messages): string | null {
  if (!contractual) return null;
  const a = contractual.accuracy;
  if (!a) return m.methods.survivalAccuracyMissing(contractual.accuracyGuard ?? 'no data');
  const first = a.months[0]!.month;
  return m.methods.survivalAccuracy({
    months: a.holdoutMonths,
    from: first ? fmt.civilDate(first) : '—',
    subscribers: fmt.count(a.subscribers),
    predicted: fmt.count(a.totalPredicted),
    actual: fmt.count(a.totalActual),
    relative: a.relativeError === null ? '' : fmt.signedPercent(a.relativeError),
    mape: a.mape === null ? '' : fmt.percent(a.mape),
  });
}
