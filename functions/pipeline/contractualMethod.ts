// The week's contractual CLV (docs/metrics.md, method 5): fit the sBG retention model to the
// monthly survival of subscription cohorts at the week's end, check it on the last months it
// was not fitted on, and value every paying subscriber by their MRR. A model that cannot be
// fitted makes the method missing and flagged; it never fails the weekly run.
import { contractualClvInterval } from '../clv/clvInterval.ts';
import { fitSurvivalModel, subscriberScorer, summariseSbg, survivalHoldout, type SurvivalCohort } from '../clv/contractualModel.ts';
import { DAYS_PER_MONTH, type ClvResult } from '../clv/formulas.ts';
import type { SbgFit } from '../clv/shiftedBetaGeometric.ts';
import type { Config } from '../config/schema.ts';
import { getQuery } from '../engine/queryCatalog.ts';
import { param, runQuery, type ParameterValues, type QueryEngine, type QueryStats } from '../engine/queryEngine.ts';
import type { WritebackRow } from '../engine/writebackWriter.ts';
import { payingSubscriberRow, subscriptionSurvivalRow, type PayingSubscriberRow, type SubscriptionSurvivalRow } from '../kpi/queryRows.ts';
import { moneyToNumber } from '../money/decimal.ts';
import type { ReportContractualClv } from '../report/report.ts';
import type { WeekBounds } from '../time/isoWeek.ts';
import { settleAll } from './settleAll.ts';

export interface ContractualRun {
  /** Null when the lake has no paying subscription at all: the method is not shown. */
  result: ClvResult | null;
  summary: ReportContractualClv | null;
  /** clv_scores rows of the week (method sbg); empty when not fitted. */
  scores: WritebackRow[];
  stats: QueryStats[];
}

/** The parameters of queries/subscription_survival.sql at the week's end. */
export function survivalParameters(end: Date): ParameterValues {
  return { data_end: param.timestamp(end) };
}

/** The parameters of queries/paying_subscribers.sql at the week's end. */
export function payingSubscriberParameters(end: Date, reportCurrency: string): ParameterValues {
  return { at: param.timestamp(end), report_currency: param.varchar(reportCurrency) };
}

/** The holdout in whole months: holdoutWeeks rounded to months, at least one. */
export function holdoutMonthsOf(config: Config): number {
  return Math.max(1, Math.round((config.holdoutWeeks * 7) / DAYS_PER_MONTH));
}

/** Survival rows (ordered by cohort and period) as cohorts; a gap in the periods is a broken query. */
function cohortsOfRows(rows: readonly SubscriptionSurvivalRow[]): SurvivalCohort[] {
  const cohorts = new Map<string, SurvivalCohort>();
  for (const row of rows) {
    const cohort = cohorts.get(row.cohort_month) ?? { cohort: row.cohort_month, survivors: [] };
    if (row.period !== cohort.survivors.length) throw new Error(`subscription_survival: cohort ${row.cohort_month} has period ${row.period} after ${cohort.survivors.length} periods`);
    cohort.survivors.push(row.survivors);
    cohorts.set(row.cohort_month, cohort);
  }
  return [...cohorts.values()];
}

export interface LakeSurvival {
  cohorts: SurvivalCohort[];
  /** What the survival data say about the model's assumptions (returns after a lapse). */
  flags: string[];
  stats: QueryStats;
}

/** The monthly survival of the lake's subscription cohorts at `end` (queries/subscription_survival.sql). */
export async function readSurvival(engine: QueryEngine, end: Date): Promise<LakeSurvival> {
  const { rows, stats } = await runQuery(engine, await getQuery('subscription_survival'), survivalParameters(end), subscriptionSurvivalRow);
  return { cohorts: cohortsOfRows(rows), flags: survivalDataFlags(rows), stats };
}

export async function runContractualMethod(engine: QueryEngine, week: WeekBounds, config: Config): Promise<ContractualRun> {
  const [survival, paying] = await settleAll([
    readSurvival(engine, week.end),
    runQuery(engine, await getQuery('paying_subscribers'), payingSubscriberParameters(week.end, config.reportCurrency), payingSubscriberRow),
  ]);
  const stats = [survival.stats, paying.stats];
  const subscribers = paying.rows;
  const { cohorts, flags: dataFlags } = survival;
  if (cohorts.length === 0 && subscribers.length === 0) return { result: null, summary: null, scores: [], stats };

  const holdout = survivalHoldout(cohorts, holdoutMonthsOf(config));
  const base = {
    method: 'sbg' as const,
    cutoff: week.end.toISOString(),
    cohorts: cohorts.filter((c) => c.survivors.length >= 2).length,
    subscribers: subscribers.length,
    horizonMonths: config.clv.horizonMonths,
    monthlyDiscountRate: config.clv.monthlyDiscountRate,
    grossMargin: config.grossMargin,
    accuracy: holdout.ok ? holdout.value : null,
    ...(holdout.ok ? {} : { accuracyGuard: holdout.flags.join('; ') }),
  };
  const missing = (flags: string[]): ContractualRun => ({
    result: { method: 'sbg', value: null, flags },
    summary: { ...base, model: null, totalClv: null, meanResidualMonths: null, scoresWritten: 0, flags },
    scores: [],
    stats,
  });

  const fitted = fitSurvivalModel(cohorts);
  if (!fitted.ok) return missing([...fitted.flags, ...dataFlags]);
  if (subscribers.length === 0) return missing(['no subscriber pays at the week’s end: nobody to value', ...dataFlags]);
  const valued = valueSubscribers(fitted.value, subscribers, config);
  const flags = [...fitted.value.warnings, ...dataFlags, ...valued.flags];
  if (valued.scored === 0) return missing(flags);
  const interval = contractualClvInterval(
    fitted.value,
    subscribers.map((s) => ({ renewals: s.renewals, mrr: s.unconverted_subscriptions > 0 ? null : moneyToNumber(s.mrr) })),
    { horizonMonths: config.clv.horizonMonths, monthlyDiscountRate: config.clv.monthlyDiscountRate, grossMargin: config.grossMargin },
    valued.totalClv / valued.scored,
  );
  return {
    result: { method: 'sbg', value: valued.totalClv / valued.scored, flags, ...(interval ? { interval } : {}) },
    summary: {
      ...base,
      model: summariseSbg(fitted.value, cohorts),
      totalClv: valued.totalClv,
      meanResidualMonths: valued.totalMonths / subscribers.length,
      scoresWritten: valued.rows.length,
      flags,
    },
    scores: valued.rows,
    stats,
  };
}

/** Every paying subscriber's clv_scores row; their CLV is averaged over those with a known MRR. */
function valueSubscribers(fit: SbgFit, subscribers: readonly PayingSubscriberRow[], config: Config) {
  const options = { horizonMonths: config.clv.horizonMonths, monthlyDiscountRate: config.clv.monthlyDiscountRate, grossMargin: config.grossMargin };
  let totalClv = 0;
  let totalMonths = 0;
  let scored = 0;
  let unconverted = 0;
  const score = subscriberScorer(fit, options);
  const rows: WritebackRow[] = subscribers.map((s) => {
    const mrr = s.unconverted_subscriptions > 0 ? null : moneyToNumber(s.mrr);
    const value = score({ renewals: s.renewals, mrr });
    totalMonths += value.residualMonths;
    if (value.clv === null) unconverted++;
    else {
      totalClv += value.clv;
      scored++;
    }
    return {
      customer_id: s.customer_id,
      method: 'sbg',
      clv: value.clv,
      expected_purchases: null,
      p_alive: null,
      days_since_last_purchase: null,
      spend_basis: null,
      mrr,
      renewals: s.renewals,
      residual_months: value.residualMonths,
    };
  });
  const flags =
    unconverted > 0
      ? [`${unconverted} subscriber${unconverted === 1 ? ' has' : 's have'} a subscription without an fx rate: no CLV, left out of the mean`]
      : [];
  return { rows, totalClv, totalMonths, scored, flags };
}

/** What the survival data say about the model's assumption that a lapsed subscriber is gone. */
function survivalDataFlags(rows: readonly SubscriptionSurvivalRow[]): string[] {
  const returned = new Map<string, number>();
  for (const r of rows) returned.set(r.cohort_month, r.returned_after_lapse);
  const total = [...returned.values()].reduce((n, v) => n + v, 0);
  return total > 0
    ? [`${total} subscriber${total === 1 ? '' : 's'} paid again after lapsing: the model counts each as lost at their first lapse`]
    : [];
}
