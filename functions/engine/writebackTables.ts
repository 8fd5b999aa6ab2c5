// Tables the weekly job writes back into the lake for analysts (kpi_history, clv_scores,
// model_accuracy).
// Declared here once so the writer, the DuckDB views and the Glue catalog agree.

export interface WritebackColumn {
  name: string;
  sqlType: string;
  description: string;
}

export interface WritebackTable {
  name: 'kpi_history' | 'clv_scores' | 'model_accuracy';
  description: string;
  columns: readonly WritebackColumn[];
  /** Partition column in the lake path; one partition per report week. */
  partition: { name: 'week_id' };
}

export const WRITEBACK_TABLES: Readonly<Record<WritebackTable['name'], WritebackTable>> = {
  kpi_history: {
    name: 'kpi_history',
    description: 'One row per report week and KPI, rewritten whole when a week is re-run.',
    partition: { name: 'week_id' },
    columns: [
      { name: 'kpi', sqlType: 'VARCHAR', description: 'KPI key, as in docs/metrics.md.' },
      { name: 'value', sqlType: 'DOUBLE', description: 'Value for the week; NULL when a guard withheld it.' },
      { name: 'unit', sqlType: 'VARCHAR', description: 'ratio, multiple, money, count, months or orders.' },
      { name: 'guard', sqlType: 'VARCHAR', description: 'Why the value is NULL or capped, if it is.' },
      { name: 'week_start', sqlType: 'TIMESTAMP', description: 'Start of the report week (UTC instant).' },
      { name: 'week_end', sqlType: 'TIMESTAMP', description: 'End of the report week, exclusive (UTC instant).' },
      {
        name: 'settings',
        sqlType: 'VARCHAR',
        description: 'JSON of the settings the value was computed with (docs/metrics.md, "History"); NULL in rows written before it was recorded.',
      },
      { name: 'report_currency', sqlType: 'VARCHAR', description: 'Currency of money values (also in settings); NULL in rows written before it was recorded.' },
    ],
  },
  clv_scores: {
    name: 'clv_scores',
    description: 'Per-customer CLV scores of the week, one row per customer and method.',
    partition: { name: 'week_id' },
    columns: [
      { name: 'customer_id', sqlType: 'VARCHAR', description: 'Customer key.' },
      { name: 'method', sqlType: 'VARCHAR', description: 'CLV method (see docs/metrics.md).' },
      { name: 'clv', sqlType: 'DOUBLE', description: 'CLV in the report currency.' },
      { name: 'expected_purchases', sqlType: 'DOUBLE', description: 'Expected purchases over the horizon, when the method predicts them.' },
      {
        name: 'p_alive',
        sqlType: 'DOUBLE',
        description: 'Probability the customer is still active, when the method estimates it; 1 for every one-time buyer under BG/NBD (docs/metrics.md).',
      },
      {
        name: 'days_since_last_purchase',
        sqlType: 'DOUBLE',
        description: 'Whole days from the last purchase day to the last observed day (T − t_x); read beside p_alive. NULL in rows written before it was recorded.',
      },
      {
        name: 'spend_basis',
        sqlType: 'VARCHAR',
        description: 'Whose mean spend the CLV uses: own, or the population mean for no_repeats, no_fx_rate, not_positive (docs/metrics.md). NULL in rows written before it was recorded.',
      },
      {
        name: 'mrr',
        sqlType: 'DOUBLE',
        description: 'sbg: the subscriber’s MRR at the week’s end in the report currency (NULL when a subscription had no fx rate); NULL for other methods.',
      },
      {
        name: 'renewals',
        sqlType: 'DOUBLE',
        description: 'sbg: monthly renewals the subscriber is known to have made, from the acquisition month to the last complete month; NULL for other methods.',
      },
      {
        name: 'residual_months',
        sqlType: 'DOUBLE',
        description: 'sbg: discounted months of payment the model expects over the horizon (docs/metrics.md, method 5); NULL for other methods.',
      },
    ],
  },
  model_accuracy: {
    name: 'model_accuracy',
    description: 'The model report card of the week (docs/metrics.md, "Model report card"): one row per forecaster, metric and part.',
    partition: { name: 'week_id' },
    columns: [
      {
        name: 'model',
        sqlType: 'VARCHAR',
        description: 'Who forecast: a purchase model (bgnbd, the CLV\'s; mbgnbd, pareto_nbd, the candidates beside it) or the simple rules naive and hiatus.',
      },
      {
        name: 'metric',
        sqlType: 'VARCHAR',
        description: 'mae, rmse, aggregate_error, relative_aggregate_error, normalized_gini, spearman, decile_mape, brier, log_likelihood, chosen (1 = lowest MAE); per part: decile_*, reliability_*, tracking_* (docs/metrics.md).',
      },
      {
        name: 'part',
        sqlType: 'VARCHAR',
        description: 'Which part a per-part metric is of: the decile (1 = highest forecasts), the P(alive) band\'s lower edge (0.0 … 0.9) or the holdout week (1 …); NULL for whole-holdout metrics.',
      },
      { name: 'value', sqlType: 'DOUBLE', description: 'The metric; NULL when a guard withheld it.' },
      { name: 'guard', sqlType: 'VARCHAR', description: 'Why value is NULL, if it is.' },
      { name: 'customers', sqlType: 'DOUBLE', description: 'Customers the holdout check was run on (for a decile or a band, those in it).' },
      { name: 'holdout_weeks', sqlType: 'DOUBLE', description: 'Length of the holdout in weeks (the holdoutWeeks setting).' },
      { name: 'hiatus_days', sqlType: 'DOUBLE', description: 'The hiatus rule\'s N: active = a purchase in the last N days (the clv.hiatusDays setting).' },
      { name: 'calibration_cutoff', sqlType: 'TIMESTAMP', description: 'End of the calibration period and start of the holdout (UTC instant).' },
      { name: 'holdout_end', sqlType: 'TIMESTAMP', description: 'End of the holdout, exclusive: the report week\'s end (UTC instant).' },
    ],
  },
};

/** A write-back partition takes only an ISO week id (2026-W47): it names a folder and, on Athena, goes into DDL. */
export function assertWeekId(table: WritebackTable, weekId: string): void {
  if (!/^\d{4}-W\d{2}$/.test(weekId)) throw new Error(`${table.name}: "${weekId}" is not an ISO week id like 2026-W47`);
}
