// The contractual CLV method (docs/metrics.md, method 5) as the weekly job and the CLI use it:
// the shifted-beta-geometric model fitted to the monthly survival of subscription acquisition
// cohorts, its holdout check, and a subscriber's CLV as MRR × gross margin × the discounted
// months of payment the model expects over the horizon. An unusable fit is an outcome carrying
// its reasons, as for the purchase models (fitClvModels.ts).
import type { Outcome } from './fitClvModels.ts';
import { MIN_REPEAT_CUSTOMERS } from './fitClvModels.ts';
import { fitShiftedBetaGeometric, residualMonths, survivalCurve, type SbgFit, type SbgParams } from './shiftedBetaGeometric.ts';

/** One acquisition cohort: survivors[t] of its customers still paying after t renewals (survivors[0] = its size). */
export interface SurvivalCohort {
  /** First day of the acquisition month, YYYY-MM-DD (any label for cohorts not tied to a calendar). */
  cohort: string;
  survivors: number[];
}

/**
 * Two parameters from fewer subscribers than this are noise: the fit is reported as missing,
 * as a purchase model on fewer repeat customers is.
 */
export const MIN_SUBSCRIBERS = MIN_REPEAT_CUSTOMERS;

/** sBG on the cohorts observed for at least one renewal, or why it cannot be used. */
export function fitSurvivalModel(cohorts: readonly SurvivalCohort[]): Outcome<SbgFit> {
  const observed = cohorts.filter((c) => c.survivors.length >= 2 && c.survivors[0]! > 0);
  const subscribers = observed.reduce((n, c) => n + c.survivors[0]!, 0);
  if (subscribers < MIN_SUBSCRIBERS) {
    return {
      ok: false,
      flags: [`too few subscribers to fit the sBG retention model: ${subscribers} acquired in months that have ended, at least ${MIN_SUBSCRIBERS} are needed`],
    };
  }
  if (observed.every((c) => c.survivors.at(-1) === c.survivors[0])) {
    return { ok: false, flags: ['no subscriber has lapsed yet: the sBG retention model cannot tell how fast subscribers churn'] };
  }
  let fit: SbgFit;
  try {
    fit = fitShiftedBetaGeometric(observed.map((c) => c.survivors));
  } catch (err) {
    return { ok: false, flags: [`the sBG retention model could not be fitted: ${(err as Error).message}`] };
  }
  if (!fit.converged) return { ok: false, flags: ['the sBG retention model did not reach a usable maximum', ...fit.warnings] };
  return { ok: true, value: fit };
}

export interface SurvivalHoldoutMonth {
  /** Months after the calibration's last month (1 = the first held-out month). */
  offset: number;
  /** First day of the month, when the cohorts are calendar months (YYYY-MM-DD). */
  month: string | null;
  predicted: number;
  actual: number;
}

export interface SurvivalHoldout {
  holdoutMonths: number;
  /** The fit on the calibration months the prediction comes from. */
  calibration: SbgParams;
  /** Subscribers of the calibration cohorts, the ones the check follows. */
  subscribers: number;
  months: SurvivalHoldoutMonth[];
  totalPredicted: number;
  totalActual: number;
  /** totalPredicted / totalActual − 1; null when nobody was left to count. */
  relativeError: number | null;
  /** Mean over the held-out months of |predicted − actual| / actual (months with actual > 0). */
  mape: number | null;
}

/**
 * Fit on all but the last `holdoutMonths` months of every cohort and compare the subscribers
 * it expects to still pay in those months with how many did. The cohorts end in the same
 * month (the last complete one), so cohort k's period t lies t − (its length − 1) months from
 * the end. A cohort acquired in the held-out months is not followed; one observed for less
 * than a renewal before them is not either.
 */
export function survivalHoldout(cohorts: readonly SurvivalCohort[], holdoutMonths: number): Outcome<SurvivalHoldout> {
  if (!Number.isInteger(holdoutMonths) || holdoutMonths < 1) throw new Error(`holdoutMonths must be a positive whole number, got ${holdoutMonths}`);
  const followed = cohorts.filter((c) => c.survivors.length - 1 - holdoutMonths >= 1 && c.survivors[0]! > 0);
  if (followed.length === 0) {
    return { ok: false, flags: [`not enough history: the holdout check needs cohorts followed for more than ${holdoutMonths + 1} months`] };
  }
  const calibration = followed.map((c) => ({ cohort: c.cohort, survivors: c.survivors.slice(0, c.survivors.length - holdoutMonths) }));
  const fit = fitSurvivalModel(calibration);
  if (!fit.ok) return { ok: false, flags: [`the calibration fit failed: ${fit.flags.join('; ')}`] };
  const months = Array.from({ length: holdoutMonths }, (_, i) => ({ offset: i + 1, month: calendarMonth(cohorts, i + 1, holdoutMonths), predicted: 0, actual: 0 }));
  const curve = survivalCurve(fit.value, Math.max(...followed.map((c) => c.survivors.length - 1)));
  for (const c of followed) {
    const last = c.survivors.length - 1 - holdoutMonths;
    for (const m of months) {
      m.predicted += (c.survivors[last]! * curve[last + m.offset]!) / curve[last]!;
      m.actual += c.survivors[last + m.offset]!;
    }
  }
  const totalPredicted = months.reduce((s, m) => s + m.predicted, 0);
  const totalActual = months.reduce((s, m) => s + m.actual, 0);
  const counted = months.filter((m) => m.actual > 0);
  return {
    ok: true,
    value: {
      holdoutMonths,
      calibration: { alpha: fit.value.alpha, beta: fit.value.beta },
      subscribers: followed.reduce((n, c) => n + c.survivors[0]!, 0),
      months,
      totalPredicted,
      totalActual,
      relativeError: totalActual > 0 ? totalPredicted / totalActual - 1 : null,
      mape: counted.length > 0 ? counted.reduce((s, m) => s + Math.abs(m.predicted - m.actual) / m.actual, 0) / counted.length : null,
    },
  };
}

/** The calendar month `offset` months into the holdout, when cohorts are named by their first day. */
function calendarMonth(cohorts: readonly SurvivalCohort[], offset: number, holdoutMonths: number): string | null {
  const first = cohorts[0];
  const match = first && /^(\d{4})-(\d{2})-01$/.exec(first.cohort);
  if (!match) return null;
  const index = Number(match[1]) * 12 + Number(match[2]) - 1 + first.survivors.length - 1 - holdoutMonths + offset;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

export interface ContractualScoreOptions {
  horizonMonths: number;
  monthlyDiscountRate: number;
  grossMargin: number;
}

/**
 * A paying subscriber's contractual CLV: MRR × gross margin × the discounted months of payment
 * the fit expects after `renewals` renewals (residualMonths). Null MRR (no fx rate) gives none.
 */
export function subscriberClv(
  params: SbgParams,
  subscriber: { renewals: number; mrr: number | null },
  options: ContractualScoreOptions,
): { residualMonths: number; clv: number | null } {
  return subscriberScorer(params, options)(subscriber);
}

/**
 * subscriberClv for many subscribers: the expected months depend on renewals alone, so they are
 * computed once per tenure, not once per subscriber.
 */
export function subscriberScorer(params: SbgParams, options: ContractualScoreOptions): (subscriber: { renewals: number; mrr: number | null }) => { residualMonths: number; clv: number | null } {
  const monthsByRenewals = new Map<number, number>();
  return ({ renewals, mrr }) => {
    let months = monthsByRenewals.get(renewals);
    if (months === undefined) {
      months = residualMonths(params, { renewals, horizonMonths: options.horizonMonths, monthlyDiscountRate: options.monthlyDiscountRate });
      monthsByRenewals.set(renewals, months);
    }
    return { residualMonths: months, clv: mrr === null ? null : mrr * options.grossMargin * months };
  };
}

/** A fit as the report and `ltv clv fit --json` show it. */
export interface SbgFitSummary {
  parameters: SbgParams;
  /** Null when the likelihood has no proper maximum to take them from. */
  standardErrors: SbgParams | null;
  logLikelihood: number;
  iterations: number;
  /** Cohorts and subscribers the model was fitted on. */
  cohorts: number;
  customers: number;
  /** Mean churn probability of a new subscriber, α / (α + β). */
  meanChurn: number;
}

export function summariseSbg(fit: SbgFit, cohorts: readonly SurvivalCohort[]): SbgFitSummary {
  const fitted = cohorts.filter((c) => c.survivors.length >= 2 && c.survivors[0]! > 0);
  return {
    parameters: { alpha: fit.alpha, beta: fit.beta },
    standardErrors: fit.standardErrors,
    logLikelihood: fit.logLikelihood,
    iterations: fit.iterations,
    cohorts: fitted.length,
    customers: fitted.reduce((n, c) => n + c.survivors[0]!, 0),
    meanChurn: fit.alpha / (fit.alpha + fit.beta),
  };
}
