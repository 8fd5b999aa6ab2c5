// Shifted-beta-geometric model of contractual retention (Fader & Hardie 2007, "How to project
// customer retention", J. Interactive Marketing 21(1)): each customer renews every period with
// their own churn probability θ ~ Beta(α, β), so the cohort's retention rises over time as the
// likely churners leave. Periods are whatever the survival counts are counted in (years in the
// paper, months for monthly cohorts).
//
//   P(T = t) = B(α + 1, β + t − 1) / B(α, β),  S(t) = B(α, β + t) / B(α, β),
//   retention r(t) = S(t) / S(t − 1) = (β + t − 1) / (α + β + t − 1).

import { unidentifiedParameters, unidentifiedWarnings } from './boundaryOptimum.ts';
import { digamma, logBeta } from './logGamma.ts';
import { hyp2f1 } from './hyp2f1.ts';
import { minimizeBfgs } from './minimizeBfgs.ts';
import { numericalHessian } from './numericalDerivatives.ts';
import { invertPositiveDefinite, logScaleStandardErrors, poorlyDeterminedWarnings } from './standardErrors.ts';

export interface SbgParams {
  alpha: number;
  beta: number;
}

export interface SbgFit extends SbgParams {
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  standardErrors: SbgParams | null;
  /** Covariance of (ln α, ln β): the inverse Hessian of −LL; null with standardErrors. */
  logCovariance: number[][] | null;
  warnings: string[];
}

/** Customers of one cohort still active at the end of periods 0, 1, 2, … (period 0 is the cohort size). */
export type SurvivorCounts = readonly number[];

const LOG_PARAMETER_LIMIT = 25;

/**
 * Maximum-likelihood (α, β) from one or more cohorts' survivor counts (cohorts may have been
 * observed for different numbers of periods). Customers lost in period t contribute
 * ln P(T = t), those still active at the last observed period ln S(last).
 */
export function fitShiftedBetaGeometric(cohorts: readonly SurvivorCounts[]): SbgFit {
  checkCohorts(cohorts);
  const customers = cohorts.reduce((n, c) => n + c[0]!, 0);
  const objective = (phi: readonly number[]) => {
    if (phi.some((v) => Math.abs(v) > LOG_PARAMETER_LIMIT)) return { value: Infinity, gradient: phi.map(() => 0) };
    const { logLikelihood, gradient } = logLikelihoodAndGradient(cohorts, { alpha: Math.exp(phi[0]!), beta: Math.exp(phi[1]!) });
    return { value: -logLikelihood / customers, gradient: gradient.map((g) => -g / customers) };
  };
  const result = minimizeBfgs(objective, [0, 0], { gradientTolerance: 1e-10 });
  const alpha = Math.exp(result.x[0]!);
  const beta = Math.exp(result.x[1]!);
  const warnings: string[] = [];
  let converged = result.converged;
  if (!converged) warnings.push(`the optimiser stopped without converging: ${result.message}`);
  if (result.x.some((v) => Math.abs(v) >= LOG_PARAMETER_LIMIT - 1)) {
    converged = false;
    warnings.push('alpha or beta ran off to an extreme: the survival counts do not identify the model (e.g. no churn at all, or everyone churned at once)');
  }
  const hessian = numericalHessian((phi) => objective(phi).gradient.map((g) => g * customers), result.x);
  const errors = logScaleStandardErrors(hessian, [alpha, beta]);
  const logCovariance = errors ? invertPositiveDefinite(hessian) : null;
  if (!errors) {
    // A flat or saddle-shaped likelihood: the estimate is a point on a ridge, not a maximum.
    converged = false;
    warnings.push('the likelihood has no proper maximum here (its Hessian is not positive definite), typically because it keeps rising towards a limiting case (such as no dropout, or all customers alike): no standard errors');
  } else {
    warnings.push(...poorlyDeterminedWarnings(['alpha', 'beta'], [alpha, beta], errors));
  }
  if (converged) {
    // The same rule as BG/NBD and Gamma-Gamma (boundaryOptimum.ts): cohorts that barely churn
    // let β run towards infinity with α/β fixed, and such a fit is withheld every week alike.
    const unidentified = unidentifiedParameters({
      objective,
      scale: customers,
      estimate: result.x,
      names: ['alpha', 'beta'],
      logErrors: errors ? [errors[0]! / alpha, errors[1]! / beta] : null,
      limit: LOG_PARAMETER_LIMIT,
    });
    if (unidentified.length > 0) {
      converged = false;
      warnings.push(...unidentifiedWarnings(unidentified));
    }
  }
  return {
    alpha,
    beta,
    logLikelihood: -result.value * customers,
    iterations: result.iterations,
    converged,
    standardErrors: errors ? { alpha: errors[0]!, beta: errors[1]! } : null,
    logCovariance,
    warnings,
  };
}

function checkCohorts(cohorts: readonly SurvivorCounts[]): void {
  if (cohorts.length === 0) throw new Error('no cohorts: give at least one list of survivor counts');
  cohorts.forEach((counts, i) => {
    if (counts.length < 2) throw new Error(`cohort ${i}: needs the initial size and at least one later count`);
    counts.forEach((n, t) => {
      if (!Number.isFinite(n) || n < 0) throw new Error(`cohort ${i}, period ${t}: survivor count must be a non-negative number, got ${n}`);
      if (t > 0 && n > counts[t - 1]!) throw new Error(`cohort ${i}, period ${t}: survivors (${n}) exceed the previous period's (${counts[t - 1]}); counts must not increase`);
    });
    if (!(counts[0]! > 0)) throw new Error(`cohort ${i}: the initial cohort size must be positive`);
  });
}

/** Log-likelihood and its gradient with respect to (ln α, ln β). */
function logLikelihoodAndGradient(cohorts: readonly SurvivorCounts[], { alpha, beta }: SbgParams): { logLikelihood: number; gradient: number[] } {
  const base = logBeta(alpha, beta);
  const psiAB = digamma(alpha + beta);
  const dBaseA = digamma(alpha) - psiAB;
  const dBaseB = digamma(beta) - psiAB;
  let ll = 0;
  let gA = 0;
  let gB = 0;
  for (const counts of cohorts) {
    for (let t = 1; t < counts.length; t++) {
      const lost = counts[t - 1]! - counts[t]!;
      if (lost === 0) continue;
      // ln P(T = t) = ln B(α+1, β+t−1) − ln B(α, β)
      const psi = digamma(alpha + beta + t);
      ll += lost * (logBeta(alpha + 1, beta + t - 1) - base);
      gA += lost * (digamma(alpha + 1) - psi - dBaseA);
      gB += lost * (digamma(beta + t - 1) - psi - dBaseB);
    }
    const last = counts.length - 1;
    const survivors = counts[last]!;
    if (survivors > 0) {
      // ln S(t) = ln B(α, β+t) − ln B(α, β)
      const psi = digamma(alpha + beta + last);
      ll += survivors * (logBeta(alpha, beta + last) - base);
      gA += survivors * (digamma(alpha) - psi - dBaseA);
      gB += survivors * (digamma(beta + last) - psi - dBaseB);
    }
  }
  return { logLikelihood: ll, gradient: [gA * alpha, gB * beta] };
}

/** S(0..periods): share of a new cohort still active after each period. */
export function survivalCurve(params: SbgParams, periods: number): number[] {
  const curve = [1];
  for (let t = 1; t <= periods; t++) curve.push(curve[t - 1]! * retentionRate(params, t));
  return curve;
}

/** r(t) for t = 1..periods: share of those active at t − 1 who renew for period t. */
export function retentionCurve(params: SbgParams, periods: number): number[] {
  return Array.from({ length: periods }, (_, i) => retentionRate(params, i + 1));
}

function retentionRate({ alpha, beta }: SbgParams, t: number): number {
  return (beta + t - 1) / (alpha + beta + t - 1);
}

/**
 * Expected lifetime in periods of a new customer, E[T] = E[1/θ] = (α + β − 1)/(α − 1).
 * Infinite when α ≤ 1: enough customers have a churn probability near 0 that the mean diverges
 * (use the discounted version, which is always finite for a positive discount rate).
 */
export function expectedLifetime({ alpha, beta }: SbgParams): number {
  return alpha > 1 ? (alpha + beta - 1) / (alpha - 1) : Infinity;
}

/**
 * Discounted expected residual lifetime (Fader & Hardie 2010, "Customer-base valuation in a
 * contractual setting", eq. 6): expected discounted number of future renewal payments of a
 * customer who has made `renewals` renewals so far (0 for one just acquired), the next payment
 * undiscounted:  DERL = (β + n − 1)/(α + β + n − 1) · 2F1(1, β + n; α + β + n; 1/(1 + d)),
 * n = renewals + 1.
 */
export function discountedExpectedResidualLifetime(params: SbgParams, options: { discountRate: number; renewals: number }): number {
  const { alpha, beta } = params;
  const { discountRate: d, renewals } = options;
  if (!(d > 0) || !Number.isFinite(d)) throw new Error(`discountRate must be positive (the undiscounted sum may diverge), got ${d}`);
  if (!Number.isInteger(renewals) || renewals < 0) throw new Error(`renewals must be a non-negative whole number, got ${renewals}`);
  const n = renewals + 1;
  return ((beta + n - 1) / (alpha + beta + n - 1)) * hyp2f1(1, beta + n, alpha + beta + n, 1 / (1 + d));
}

/**
 * Expected discounted months of payment left over a horizon, for a customer who has made
 * `renewals` renewals (survived period `renewals`): the next period's payment undiscounted,
 * each later one discounted a month more, each weighted by the chance of surviving to it,
 *   Σ_{k=1..H} S(n + k)/S(n) / (1 + d)^(k−1),  n = renewals.
 * As H grows it tends to discountedExpectedResidualLifetime; unlike that, d may be 0.
 */
export function residualMonths(params: SbgParams, options: { renewals: number; horizonMonths: number; monthlyDiscountRate: number }): number {
  const { renewals, horizonMonths, monthlyDiscountRate } = options;
  if (!Number.isInteger(renewals) || renewals < 0) throw new Error(`renewals must be a non-negative whole number, got ${renewals}`);
  if (!Number.isInteger(horizonMonths) || horizonMonths < 1) throw new Error(`horizonMonths must be a positive whole number, got ${horizonMonths}`);
  if (!(monthlyDiscountRate >= 0) || !Number.isFinite(monthlyDiscountRate)) throw new Error(`monthlyDiscountRate must be 0 or more, got ${monthlyDiscountRate}`);
  let survival = 1;
  let discount = 1;
  let total = 0;
  for (let k = 1; k <= horizonMonths; k++) {
    survival *= retentionRate(params, renewals + k);
    total += survival * discount;
    discount /= 1 + monthlyDiscountRate;
  }
  return total;
}
