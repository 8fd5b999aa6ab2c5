// Reads the predictive models' inputs from the lake (queries/model_inputs.sql and
// model_input_tuples.sql) and turns them into customer summaries in days. T is computed here
// from the first purchase day and the cut-off, so the cut-off is bound only in WHERE clauses.
import type { HoldoutTuple } from '../clv/fitClvModels.ts';
import type { CustomerSummary } from '../clv/tuples.ts';
import { getQuery } from '../engine/queryCatalog.ts';
import { param, runQuery, type ParameterValues, type QueryEngine, type QueryStats } from '../engine/queryEngine.ts';
import { holdoutTrackingRow, modelInputRow, modelInputTupleRow, type ModelInputRow } from '../kpi/queryRows.ts';
import { moneyToNumber } from '../money/decimal.ts';
import { lastMonthBefore } from './gatherInputs.ts';

const DAY_MS = 86_400_000;

export interface ModelCustomer extends CustomerSummary {
  customerId: string;
}

/**
 * The customer's T in whole days: from the first purchase day (YYYY-MM-DD, UTC) to the last
 * day observed, the UTC day holding the last instant before the cut-off. Purchases are counted
 * in whole days, so T is too, as in Fader-Hardie and lifetimes (whose CDNOW summary this
 * reproduces): a customer whose first purchase falls on the last observed day has T = 0.
 */
export function observedDays(date: string, cutoff: Date): number {
  return Math.floor((cutoff.getTime() - 1) / DAY_MS) - Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

/** A customer summary in days; the mean spend is unknown when a repeat order had no fx rate. */
function customerOfRow(row: ModelInputRow, cutoff: Date): ModelCustomer {
  const known = row.frequency > 0 && row.unconverted_repeat_orders === 0;
  return {
    customerId: row.customer_id,
    x: row.frequency,
    tx: row.recency_days,
    T: observedDays(row.first_purchase_date, cutoff),
    ...(known ? { meanSpend: moneyToNumber(row.repeat_spend) / row.frequency } : {}),
  };
}

/** The parameters of queries/model_inputs.sql at `cutoff`. */
export function modelInputParameters(cutoff: Date, reportCurrency: string): ParameterValues {
  return { to_month: param.varchar(lastMonthBefore(cutoff)), cutoff: param.timestamp(cutoff), report_currency: param.varchar(reportCurrency) };
}

/** The parameters of queries/model_input_tuples.sql and holdout_tracking.sql: calibration up to `cutoff`, holdout [cutoff, holdoutEnd). */
export function holdoutTupleParameters(cutoff: Date, holdoutEnd: Date): ParameterValues {
  return { to_month: param.varchar(lastMonthBefore(holdoutEnd)), holdout_end: param.timestamp(holdoutEnd), cutoff: param.timestamp(cutoff) };
}

export async function readModelInputs(
  engine: QueryEngine,
  cutoff: Date,
  reportCurrency: string,
): Promise<{ customers: ModelCustomer[]; stats: QueryStats }> {
  const { rows, stats } = await runQuery(engine, await getQuery('model_inputs'), modelInputParameters(cutoff, reportCurrency), modelInputRow);
  return { customers: rows.map((r) => customerOfRow(r, cutoff)), stats };
}

/** Calibration tuples at `cutoff` (T in days) with the purchases of [cutoff, holdoutEnd). */
export async function readHoldoutTuples(
  engine: QueryEngine,
  cutoff: Date,
  holdoutEnd: Date,
): Promise<{ tuples: HoldoutTuple[]; stats: QueryStats }> {
  const { rows, stats } = await runQuery(engine, await getQuery('model_input_tuples'), holdoutTupleParameters(cutoff, holdoutEnd), modelInputTupleRow);
  return {
    tuples: rows.map((r) => ({
      x: r.frequency,
      tx: r.recency_days,
      T: observedDays(r.first_purchase_date, cutoff),
      count: r.customers,
      actual: r.holdout_purchases,
    })),
    stats,
  };
}

/** Holdout purchases per day after the last calibration day (day 0 is that day's part after the cut-off). */
export interface HoldoutDay {
  day: number;
  purchases: number;
}

/** The holdout's purchases day by day (queries/holdout_tracking.sql), as days after the last day observed at `cutoff`. */
export async function readHoldoutTracking(
  engine: QueryEngine,
  cutoff: Date,
  holdoutEnd: Date,
): Promise<{ days: HoldoutDay[]; stats: QueryStats }> {
  const { rows, stats } = await runQuery(engine, await getQuery('holdout_tracking'), holdoutTupleParameters(cutoff, holdoutEnd), holdoutTrackingRow);
  return { days: rows.map((r) => ({ day: -observedDays(r.purchase_date, cutoff), purchases: r.purchases })), stats };
}
