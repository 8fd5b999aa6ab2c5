// The predictive CLV method (docs/metrics.md, method 4) as the weekly job and the CLI use it:
// BG/NBD on (x, t_x, T) tuples, Gamma-Gamma on the repeat customers whose spend is known, and
// the rule for when a fit is usable. An unusable fit is an outcome carrying its reasons, not an
// exception, so the weekly run can show the method as missing and still send the report.

import { fitBgNbd, type BgNbdFit } from './bgnbd.ts';
import { fitParetoNbd, paretoNbdModel, type ParetoNbdFit } from './paretoNbd.ts';
import { bgnbdModel, MODEL_LABELS, type PurchaseModel, type PurchaseModelName } from './purchaseModel.ts';
import { fitGammaGamma, populationMeanSpend, spendIndependenceWarning, type GammaGammaFit } from './gammaGamma.ts';
import { scoreTuples, type ClvOptions, type TupleScores } from './predictiveClv.ts';
import { compressTuples, type CustomerSummary, type RfmTuple } from './tuples.ts';

/**
 * Four parameters estimated from fewer repeat customers than this are noise: the fit is
 * reported as missing. Between this and the library's own threshold it is shown, flagged.
 */
export const MIN_REPEAT_CUSTOMERS = 10;

export type Outcome<T> = { ok: true; value: T } | { ok: false; flags: string[] };

export interface ClvModels {
  purchase: FittedPurchaseModel;
  gammaGamma: GammaGammaFit;
  /** Warnings of both fits and of the data; shown next to the method. */
  flags: string[];
}

/** A purchase model fitted and ready to score, with the summary the report and the CLI show. */
export interface FittedPurchaseModel {
  name: PurchaseModelName;
  model: PurchaseModel;
  summary: ModelFitSummary<string>;
  warnings: string[];
  /** The estimates' logarithms, in the order of the summary's parameters. */
  logParameters: number[];
  /** Their covariance (inverse Hessian of −LL); null when the fit has no standard errors. */
  logCovariance: number[][] | null;
  /** The same model at other log-parameters, for the delta method (functions/clv/clvInterval.ts). */
  at(logParameters: readonly number[]): PurchaseModel;
}

function tooFewRepeatCustomers(tuples: readonly RfmTuple[], label: string): string | null {
  let repeatCustomers = 0;
  for (const t of tuples) if (t.x > 0) repeatCustomers += t.count;
  return repeatCustomers < MIN_REPEAT_CUSTOMERS
    ? `too few repeat customers to fit ${label}: ${repeatCustomers} made a repeat purchase, at least ${MIN_REPEAT_CUSTOMERS} are needed`
    : null;
}

/** BG/NBD (or MBG/NBD) on weighted tuples, or why it cannot be used. */
export function fitPurchaseModel(tuples: readonly RfmTuple[], variant?: 'mbgnbd'): Outcome<BgNbdFit> {
  const label = MODEL_LABELS[variant ?? 'bgnbd'];
  const tooFew = tooFewRepeatCustomers(tuples, label);
  if (tooFew) return { ok: false, flags: [tooFew] };
  let fit: BgNbdFit;
  try {
    fit = fitBgNbd(tuples, variant ? { variant } : {});
  } catch (err) {
    return { ok: false, flags: [`${label} could not be fitted: ${(err as Error).message}`] };
  }
  if (!fit.converged) return { ok: false, flags: [`${label} did not reach a usable maximum`, ...fit.warnings] };
  return { ok: true, value: fit };
}

/** The named purchase model on weighted tuples, or why it cannot be used. */
export function fitNamedPurchaseModel(tuples: readonly RfmTuple[], name: PurchaseModelName): Outcome<FittedPurchaseModel> {
  if (name !== 'pareto_nbd') {
    const fitted = fitPurchaseModel(tuples, name === 'mbgnbd' ? 'mbgnbd' : undefined);
    if (!fitted.ok) return fitted;
    const f = fitted.value;
    const variant = f.variant ? { variant: f.variant } : {};
    return {
      ok: true,
      value: {
        name,
        model: bgnbdModel(f),
        summary: summariseBgNbd(f),
        warnings: f.warnings,
        logParameters: [f.r, f.alpha, f.a, f.b].map(Math.log),
        logCovariance: f.logCovariance,
        at: (phi) => bgnbdModel({ r: Math.exp(phi[0]!), alpha: Math.exp(phi[1]!), a: Math.exp(phi[2]!), b: Math.exp(phi[3]!), ...variant }),
      },
    };
  }
  const label = MODEL_LABELS.pareto_nbd;
  const tooFew = tooFewRepeatCustomers(tuples, label);
  if (tooFew) return { ok: false, flags: [tooFew] };
  let fit: ParetoNbdFit;
  try {
    fit = fitParetoNbd(tuples);
  } catch (err) {
    return { ok: false, flags: [`${label} could not be fitted: ${(err as Error).message}`] };
  }
  if (!fit.converged) return { ok: false, flags: [`${label} did not reach a usable maximum`, ...fit.warnings] };
  const { r, alpha, s, beta } = fit;
  return {
    ok: true,
    value: {
      name,
      model: paretoNbdModel(fit),
      summary: { parameters: { r, alpha, s, beta }, standardErrors: fit.standardErrors ? { ...fit.standardErrors } : null, logLikelihood: fit.logLikelihood, iterations: fit.iterations, fitMs: fit.fitMs, customers: fit.customers },
      warnings: fit.warnings,
      logParameters: [r, alpha, s, beta].map(Math.log),
      logCovariance: fit.logCovariance,
      at: (phi) => paretoNbdModel({ r: Math.exp(phi[0]!), alpha: Math.exp(phi[1]!), s: Math.exp(phi[2]!), beta: Math.exp(phi[3]!) }),
    },
  };
}

/**
 * Whose mean repeat spend a customer is scored with (docs/metrics.md, method 4): their own, or
 * the population's when they made no repeat purchase, when a repeat order had no fx rate, or
 * when their repeats brought no money (zero-amount repeat orders: the Gamma model has
 * no zero spend, and one such customer would otherwise refuse the whole fit).
 */
export type SpendBasis = 'own' | 'no_repeats' | 'no_fx_rate' | 'not_positive';

export function spendBasisOf(customer: CustomerSummary): SpendBasis {
  if (customer.x === 0) return 'no_repeats';
  if (customer.meanSpend === undefined) return 'no_fx_rate';
  return customer.meanSpend > 0 && Number.isFinite(customer.meanSpend) ? 'own' : 'not_positive';
}

/**
 * Gamma-Gamma on the customers scored with their own mean spend. The others get the
 * population mean pγ/(q − 1), so it must be finite (q > 1).
 */
export function fitSpendModel(customers: readonly CustomerSummary[]): Outcome<GammaGammaFit> {
  const spenders = customers.filter((c) => spendBasisOf(c) === 'own');
  if (spenders.length < MIN_REPEAT_CUSTOMERS) {
    return {
      ok: false,
      flags: [`too few repeat customers with a known spend to fit Gamma-Gamma: ${spenders.length}, at least ${MIN_REPEAT_CUSTOMERS} are needed`],
    };
  }
  let fit: GammaGammaFit;
  try {
    fit = fitGammaGamma(compressTuples(spenders, { includeSpend: true }));
  } catch (err) {
    return { ok: false, flags: [`the Gamma-Gamma spend model could not be fitted: ${(err as Error).message}`] };
  }
  if (!fit.converged) return { ok: false, flags: ['the Gamma-Gamma spend model did not reach a usable maximum', ...fit.warnings] };
  if (!Number.isFinite(populationMeanSpend(fit))) {
    return { ok: false, flags: ['the Gamma-Gamma spend model has no finite population mean spend', ...fit.warnings] };
  }
  return { ok: true, value: fit };
}

/** Both models on per-customer summaries; meanSpend undefined with x > 0 means "spend unknown". */
export function fitClvModels(
  customers: readonly CustomerSummary[],
  purchaseModel: PurchaseModelName = 'bgnbd',
  /** The customers as (x, t_x, T) tuples, when the caller has them already. */
  tuples: readonly RfmTuple[] = compressTuples(customers),
): Outcome<ClvModels> {
  const purchases = fitNamedPurchaseModel(tuples, purchaseModel);
  // Without a purchase model there is no CLV, and the spend model's troubles would only add noise.
  if (!purchases.ok) return purchases;
  const spend = fitSpendModel(customers);
  if (!spend.ok) return spend;
  const flags = [...purchases.value.warnings, ...spend.value.warnings, ...spendDataFlags(customers)];
  return { ok: true, value: { purchase: purchases.value, gammaGamma: spend.value, flags } };
}

/** What the spend data say about the spend model's assumptions and coverage. */
export function spendDataFlags(customers: readonly CustomerSummary[]): string[] {
  const flags: string[] = [];
  const independence = spendIndependenceWarning(compressTuples(customers.filter((c) => spendBasisOf(c) === 'own'), { includeSpend: true }));
  if (independence) flags.push(independence);
  let unknownSpend = 0;
  let notPositive = 0;
  for (const c of customers) {
    const basis = spendBasisOf(c);
    if (basis === 'no_fx_rate') unknownSpend++;
    else if (basis === 'not_positive') notPositive++;
  }
  if (unknownSpend > 0) {
    flags.push(`${unknownSpend} repeat customer${unknownSpend === 1 ? ' has' : 's have'} no known mean spend (repeat orders without an fx rate): scored with the population mean spend`);
  }
  if (notPositive > 0) {
    flags.push(
      `${notPositive} repeat customer${notPositive === 1 ? "'s" : "s'"} repeat orders brought no money (zero-amount orders): left out of the spend fit and scored with the population mean spend`,
    );
  }
  return flags;
}

/** A fit as the report and `ltv clv fit --json` show it. */
export interface ModelFitSummary<P extends string> {
  parameters: Record<P, number>;
  /** Null when the likelihood has no proper maximum to take them from. */
  standardErrors: Record<P, number> | null;
  logLikelihood: number;
  iterations: number;
  fitMs: number;
  /** Customers the model was fitted on. */
  customers: number;
}

export function summariseBgNbd(fit: BgNbdFit): ModelFitSummary<'r' | 'alpha' | 'a' | 'b'> {
  const se = fit.standardErrors;
  return {
    parameters: { r: fit.r, alpha: fit.alpha, a: fit.a, b: fit.b },
    standardErrors: se ? { r: se.r, alpha: se.alpha, a: se.a, b: se.b } : null,
    logLikelihood: fit.logLikelihood,
    iterations: fit.iterations,
    fitMs: fit.fitMs,
    customers: fit.customers,
  };
}

export function summariseGammaGamma(fit: GammaGammaFit): ModelFitSummary<'p' | 'q' | 'gamma'> {
  return {
    parameters: { p: fit.p, q: fit.q, gamma: fit.gamma },
    standardErrors: fit.standardErrors,
    logLikelihood: fit.logLikelihood,
    iterations: fit.iterations,
    fitMs: fit.fitMs,
    customers: fit.customers,
  };
}

/**
 * Scores per customer, index-aligned. A repeat customer not scored with their own mean spend
 * (spendBasisOf) is given the population mean as their own, which makes the Gamma-Gamma
 * expectation exactly that mean.
 */
export function scoreCustomers(models: ClvModels, customers: readonly CustomerSummary[], options: ClvOptions): TupleScores {
  const populationMean = populationMeanSpend(models.gammaGamma);
  const complete = customers.map((c) => (c.x > 0 && spendBasisOf(c) !== 'own' ? { ...c, meanSpend: populationMean } : c));
  return scoreTuples(complete, models.purchase.model, models.gammaGamma, options);
}

export interface HoldoutTuple extends RfmTuple {
  /** Purchases the customers of this tuple made in the holdout. */
  actual: number;
}
