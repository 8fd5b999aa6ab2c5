// BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): purchases
// follow a Poisson process with rate λ ~ Gamma(r, α) while the customer is alive; after each
// repeat purchase the customer drops out with probability p ~ Beta(a, b). Time is in whatever
// unit the tuples use (weeks for the published CDNOW results); α carries that unit.

import { bgnbdLogLikelihood, bgnbdLogLikelihoodAndGradient, dropoutShift, prepareBgNbdData, type BgNbdParams } from './bgnbdLikelihood.ts';
import { logHyp2f1Sequence } from './hyp2f1.ts';
import { logBeta, logGamma } from './logGamma.ts';
import { unidentifiedParameters, unidentifiedWarnings } from './boundaryOptimum.ts';
import { minimizeBfgs } from './minimizeBfgs.ts';
import { numericalHessian } from './numericalDerivatives.ts';
import { invertPositiveDefinite, logScaleStandardErrors, poorlyDeterminedWarnings } from './standardErrors.ts';
import type { RfmTuple } from './tuples.ts';

export { bgnbdLogLikelihood, type BgNbdParams };

export interface BgNbdFit extends BgNbdParams {
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  /** From the inverse Hessian of the log-likelihood, by the delta method; null if not available. */
  standardErrors: BgNbdParams | null;
  /** Covariance of (ln r, ln α, ln a, ln b): the inverse Hessian of −LL; null with standardErrors. */
  logCovariance: number[][] | null;
  fitMs: number;
  customers: number;
  tuples: number;
  warnings: string[];
}

export interface CustomerHistory {
  x: number;
  tx: number;
  T: number;
}

export interface BgNbdFitOptions {
  start?: BgNbdParams;
  maxIterations?: number;
  /** 'mbgnbd' fits MBG/NBD (bgnbdLikelihood.ts); BG/NBD when absent. */
  variant?: 'mbgnbd';
}

const NAMES = ['r', 'alpha', 'a', 'b'] as const;
// e^±25 spans 1e-11..7e10 in any time unit: a log-parameter beyond that means the data do not
// pin the parameter down (the likelihood keeps improving towards a limit), not a real estimate.
const LOG_PARAMETER_LIMIT = 25;
const FEW_REPEAT_CUSTOMERS = 30;

export function fitBgNbd(tuples: readonly RfmTuple[], options: BgNbdFitOptions = {}): BgNbdFit {
  const started = performance.now();
  const data = prepareBgNbdData(tuples);
  const variant = options.variant;
  const name = variant === 'mbgnbd' ? 'MBG/NBD' : 'BG/NBD';
  if (data.repeatCustomers === 0) {
    throw new Error(
      `cannot fit ${name}: none of the ${data.customers} customers made a repeat purchase (every x = 0), ` +
        'so purchase rates and dropout are not identified; use a longer calibration period or a formula CLV',
    );
  }
  const warnings: string[] = [];
  if (data.repeatCustomers < FEW_REPEAT_CUSTOMERS) {
    warnings.push(`only ${data.repeatCustomers} customer${data.repeatCustomers === 1 ? '' : 's'} with repeat purchases: the estimates are unreliable`);
  }
  const n = data.customers;
  const fromLog = (phi: readonly number[]): BgNbdParams => ({
    r: Math.exp(phi[0]!),
    alpha: Math.exp(phi[1]!),
    a: Math.exp(phi[2]!),
    b: Math.exp(phi[3]!),
    ...(variant ? { variant } : {}),
  });
  // Mean negative log-likelihood per customer keeps the tolerances independent of data size.
  const objective = (phi: readonly number[]) => {
    if (phi.some((v) => Math.abs(v) > LOG_PARAMETER_LIMIT)) return { value: Infinity, gradient: phi.map(() => 0) };
    const { logLikelihood, gradient } = bgnbdLogLikelihoodAndGradient(data, fromLog(phi));
    return { value: -logLikelihood / n, gradient: gradient.map((g) => -g / n) };
  };
  const start = options.start ?? defaultStart(tuples);
  const result = minimizeBfgs(objective, [Math.log(start.r), Math.log(start.alpha), Math.log(start.a), Math.log(start.b)], {
    gradientTolerance: 1e-9,
    maxIterations: options.maxIterations ?? 300,
  });
  const estimate = fromLog(result.x);
  let converged = result.converged;
  if (!converged) warnings.push(`the optimiser stopped without converging: ${result.message}`);
  const atLimit = result.x.flatMap((v, i) => (Math.abs(v) >= LOG_PARAMETER_LIMIT - 1 ? [NAMES[i]!] : []));
  if (atLimit.length > 0) {
    converged = false;
    warnings.push(`${atLimit.join(', ')} ran off to ${atLimit.length > 1 ? 'extremes' : 'an extreme'}: the data do not identify the model (too few or too uniform customers)`);
  }
  const hessian = numericalHessian((phi) => objective(phi).gradient.map((g) => g * n), result.x);
  const errors = logScaleStandardErrors(hessian, [estimate.r, estimate.alpha, estimate.a, estimate.b]);
  const logCovariance = errors ? invertPositiveDefinite(hessian) : null;
  if (!errors) {
    // A flat or saddle-shaped likelihood: the estimate is a point on a ridge, not a maximum.
    converged = false;
    warnings.push('the likelihood has no proper maximum here (its Hessian is not positive definite), typically because it keeps rising towards a limiting case (such as no dropout, or all customers alike): no standard errors');
  } else {
    warnings.push(...poorlyDeterminedWarnings(NAMES, [estimate.r, estimate.alpha, estimate.a, estimate.b], errors));
  }
  if (converged) {
    const values = [estimate.r, estimate.alpha, estimate.a, estimate.b];
    const unidentified = unidentifiedParameters({
      objective,
      scale: n,
      estimate: result.x,
      names: NAMES,
      logErrors: errors ? errors.map((e, k) => e / values[k]!) : null,
      limit: LOG_PARAMETER_LIMIT,
    });
    if (unidentified.length > 0) {
      converged = false;
      warnings.push(...unidentifiedWarnings(unidentified));
    }
  }
  return {
    ...estimate,
    logLikelihood: -result.value * n,
    iterations: result.iterations,
    converged,
    standardErrors: errors ? { r: errors[0]!, alpha: errors[1]!, a: errors[2]!, b: errors[3]! } : null,
    logCovariance,
    fitMs: performance.now() - started,
    customers: n,
    tuples: data.tuples,
    warnings,
  };
}

/** r = 1 with α matching the observed purchase rate; a = 1, b = 3 (mean dropout 1/4). */
function defaultStart(tuples: readonly RfmTuple[]): BgNbdParams {
  let purchases = 0;
  let exposure = 0;
  for (const t of tuples) {
    purchases += t.count * t.x;
    exposure += t.count * t.T;
  }
  const alpha = exposure > 0 && purchases > 0 ? exposure / purchases : 1;
  return { r: 1, alpha, a: 1, b: 3 };
}

/** E[X(t)]: expected repeat purchases in (0, t] of a customer who made a first purchase at 0. */
export function expectedPurchases(params: BgNbdParams, t: number): number {
  return expectedPurchasesIfAlive(params, 0, 0, t);
}

/**
 * P(alive at T | x, t_x, T). Under BG/NBD customers without repeat purchases cannot have
 * dropped out yet; under MBG/NBD they can (right after their first purchase).
 */
export function probabilityAlive(params: BgNbdParams, customer: CustomerHistory): number {
  const { r, alpha, a, b } = params;
  const m = dropoutShift(params);
  const { x, tx, T } = customer;
  if (x === 0 && m === 0) return 1;
  const logOdds = Math.log(a) - Math.log(b + x - 1 + m) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return logOdds > 0 ? Math.exp(-logOdds) / (1 + Math.exp(-logOdds)) : 1 / (1 + Math.exp(logOdds));
}

/** E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] (FHL 2005, eq. 10). */
export function conditionalExpectedPurchases(params: BgNbdParams, customer: CustomerHistory, t: number): number {
  return probabilityAlive(params, customer) * expectedPurchasesIfAlive(params, customer.x, customer.T, t);
}

// Below this distance from a = 1 the factor 1/(a − 1) meets a bracket that vanishes at a = 1;
// the product is smooth in a, so it is interpolated from a = 1 ± A_NEAR_ONE instead.
const A_NEAR_ONE = 1e-5;

/**
 * Expected purchases in (T, T + t] of a customer known to be alive at T after x repeat
 * purchases: (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))].
 * Does not depend on t_x, which only enters P(alive).
 */
export function expectedPurchasesIfAlive(params: BgNbdParams, x: number, T: number, t: number): number {
  return expectedPurchasesIfAliveAt(params, x, T, [t])[0]!;
}

/**
 * expectedPurchasesIfAlive at several non-decreasing horizons ts, sharing the 2F1 work. For
 * MBG/NBD it is the BG/NBD expression with b + 1 for b (Batislam et al. 2007).
 */
export function expectedPurchasesIfAliveAt(params: BgNbdParams, x: number, T: number, ts: readonly number[]): number[] {
  if (params.variant === 'mbgnbd') {
    const { variant: _, ...bg } = params;
    return expectedPurchasesIfAliveAt({ ...bg, b: bg.b + 1 }, x, T, ts);
  }
  const { a } = params;
  if (Math.abs(a - 1) >= A_NEAR_ONE) return ifAliveAwayFromAEqualsOne(params, x, T, ts);
  const below = ifAliveAwayFromAEqualsOne({ ...params, a: 1 - A_NEAR_ONE }, x, T, ts);
  const above = ifAliveAwayFromAEqualsOne({ ...params, a: 1 + A_NEAR_ONE }, x, T, ts);
  const share = (a - (1 - A_NEAR_ONE)) / (2 * A_NEAR_ONE);
  return below.map((v, i) => v + share * (above[i]! - v));
}

function ifAliveAwayFromAEqualsOne(params: BgNbdParams, x: number, T: number, ts: readonly number[]): number[] {
  const { r, alpha, a, b } = params;
  const logAge = Math.log(alpha + T);
  const values = logHyp2f1Sequence(
    r + x,
    b + x,
    a + b + x - 1,
    ts.map((t) => t / (alpha + T + t)),
  );
  return values.map((f, i) => {
    if (ts[i] === 0) return 0;
    const logProduct = (r + x) * (logAge - Math.log(alpha + T + ts[i]!)) + f.logAbs;
    const oneMinusProduct = f.sign > 0 ? -Math.expm1(logProduct) : 1 + Math.exp(logProduct);
    return ((a + b + x - 1) / (a - 1)) * oneMinusProduct;
  });
}

/** P(X(t) = n): probability of exactly n repeat purchases in (0, t] for a new customer (FHL 2005, eq. 8). */
export function probabilityOfPurchases(params: BgNbdParams, n: number, t: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative whole number, got ${n}`);
  if (t === 0) return n === 0 ? 1 : 0;
  const { r, alpha, a, b } = params;
  const logStay = Math.log(alpha) - Math.log(alpha + t);
  const logBuy = Math.log(t) - Math.log(alpha + t);
  const logNbd = (j: number) => logGamma(r + j) - logGamma(r) - logGamma(j + 1) + r * logStay + j * logBuy;
  const aliveTerm = Math.exp(logBeta(a, b + n) - logBeta(a, b) + logNbd(n));
  if (n === 0) return aliveTerm;
  return aliveTerm + Math.exp(logBeta(a + 1, b + n - 1) - logBeta(a, b)) * nbdUpperTail(n, r, logNbd, Math.exp(logBuy));
}

/** P(N ≥ n) for the NBD: 1 − CDF when that is not small, else summed directly (no cancellation). */
function nbdUpperTail(n: number, r: number, logNbd: (j: number) => number, q: number): number {
  let cdf = 0;
  for (let j = 0; j < n; j++) cdf += Math.exp(logNbd(j));
  if (cdf < 0.5) return 1 - cdf;
  let term = Math.exp(logNbd(n));
  let tail = 0;
  for (let j = n; term > 1e-17 * tail || tail === 0; j++) {
    tail += term;
    if (term === 0) break;
    term *= ((r + j) / (j + 1)) * q;
  }
  return tail;
}
