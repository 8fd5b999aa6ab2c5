// One sentence on the predictive model's holdout accuracy (docs/metrics.md, "Model accuracy"),
// shared by the HTML and the text part so both say the same.
import type { Formatter } from './format.ts';
import type { ReportPredictiveClv } from './report.ts';

export function accuracyNote(predictive: ReportPredictiveClv, fmt: Formatter): string {
  const a = predictive.accuracy;
  if (!a) return `Model accuracy (BG/NBD holdout): not measured this week: ${predictive.accuracyGuard ?? 'no data'}.`;
  const purchases = (value: number) => fmt.kpi({ unit: 'orders', value });
  const relative = a.relativeAggregateError === null ? '' : ` (${a.relativeAggregateError > 0 ? '+' : ''}${fmt.percent(a.relativeAggregateError)})`;
  return (
    `Model accuracy (BG/NBD fitted on data to ${fmt.date(a.calibrationCutoff)}, checked on the ${a.holdoutWeeks} weeks after): ` +
    `MAE ${purchases(a.mae)} and RMSE ${purchases(a.rmse)} purchases per customer over ${fmt.count(a.customers)} customers; ` +
    `${fmt.count(a.totalPredicted)} purchases predicted, ${fmt.count(a.totalActual)} made${relative}.`
  );
}
