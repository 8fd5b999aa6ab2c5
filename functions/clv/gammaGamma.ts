// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV", and Fader & Hardie's note
// "The Gamma-Gamma Model of Monetary Value"): each purchase value is Gamma(p, ν) around the
// customer's mean, ν ~ Gamma(q, γ) across customers. Fitted on customers with x > 0 using the
// mean of their repeat purchases z̄; it assumes spend is independent of purchase frequency.
//
// Per customer: ln f(z̄ | x) = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln z̄ + px ln x
//                              − (px+q) ln(γ + x z̄).

import { digamma, logGamma } from './logGamma.ts';
import { unidentifiedParameters, unidentifiedWarnings } from './boundaryOptimum.ts';
import { minimizeBfgs } from './minimizeBfgs.ts';
import { numericalHessian } from './numericalDerivatives.ts';
import { invertPositiveDefinite, logScaleStandardErrors, poorlyDeterminedWarnings } from './standardErrors.ts';
import { indexFrequencies, type RfmTuple } from './tuples.ts';

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface GammaGammaFit extends GammaGammaParams {
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  standardErrors: GammaGammaParams | null;
  /** Covariance of (ln p, ln q, ln γ): the inverse Hessian of −LL; null with standardErrors. */
  logCovariance: number[][] | null;
  fitMs: number;
  /** Customers with x > 0 the model was fitted on. */
  customers: number;
  warnings: string[];
}

const LOG_PARAMETER_LIMIT = 25;
const CORRELATION_LIMIT = 0.3;

interface SpendData {
  distinctX: Float64Array;
  countByX: Float64Array;
  xIndex: Int32Array;
  x: Float64Array;
  count: Float64Array;
  /** ln z̄ and ln(x z̄), fixed for the whole fit. */
  logSpend: Float64Array;
  xSpend: Float64Array;
  logXSpend: Float64Array;
  customers: number;
}

function prepare(tuples: readonly RfmTuple[]): SpendData {
  const kept = tuples.filter((t) => t.x > 0);
  kept.forEach((t) => {
    if (!Number.isInteger(t.x)) throw new Error(`x must be a whole number of repeat purchases, got ${t.x}`);
    if (t.meanSpend === undefined || !(t.meanSpend > 0) || !Number.isFinite(t.meanSpend)) {
      throw new Error(`a customer with x = ${t.x} has mean spend ${t.meanSpend}: the spend model needs a positive mean repeat-purchase value for every customer with x > 0 (drop refunds-only customers first)`);
    }
    if (!(t.count > 0)) throw new Error(`count must be a positive number of customers, got ${t.count}`);
  });
  if (kept.length === 0) throw new Error('cannot fit the Gamma-Gamma spend model: no customer made a repeat purchase (x > 0)');
  const n = kept.length;
  const { distinctX, countByX, xIndex } = indexFrequencies(kept);
  const x = new Float64Array(n);
  const count = new Float64Array(n);
  const logSpend = new Float64Array(n);
  const xSpend = new Float64Array(n);
  const logXSpend = new Float64Array(n);
  let customers = 0;
  kept.forEach((t, i) => {
    const spend = t.meanSpend!;
    x[i] = t.x;
    count[i] = t.count;
    logSpend[i] = Math.log(spend);
    xSpend[i] = t.x * spend;
    logXSpend[i] = Math.log(t.x * spend);
    customers += t.count;
  });
  return { distinctX, countByX, xIndex, x, count, logSpend, xSpend, logXSpend, customers };
}

/** Log-likelihood and its gradient with respect to (ln p, ln q, ln γ). */
function logLikelihoodAndGradient(data: SpendData, { p, q, gamma }: GammaGammaParams): { logLikelihood: number; gradient: number[] } {
  const lgQ = logGamma(q);
  const psiQ = digamma(q);
  const logGammaParam = Math.log(gamma);
  const kx = data.distinctX.length;
  const psiPxQ = new Float64Array(kx);
  const psiPx = new Float64Array(kx);
  let ll = 0;
  let gP = 0;
  let gQ = 0;
  let gG = 0;
  for (let k = 0; k < kx; k++) {
    const x = data.distinctX[k]!;
    const w = data.countByX[k]!;
    ll += w * (logGamma(p * x + q) - logGamma(p * x) - lgQ + q * logGammaParam);
    psiPxQ[k] = digamma(p * x + q);
    psiPx[k] = digamma(p * x);
    gQ += w * (psiPxQ[k]! - psiQ + logGammaParam);
    gG += (w * q) / gamma;
  }
  for (let i = 0; i < data.x.length; i++) {
    const w = data.count[i]!;
    const x = data.x[i]!;
    const px = p * x;
    const denominator = gamma + data.xSpend[i]!;
    const logDenominator = Math.log(denominator);
    const k = data.xIndex[i]!;
    ll += w * ((px - 1) * data.logSpend[i]! + px * Math.log(x) - (px + q) * logDenominator);
    gP += w * x * (psiPxQ[k]! - psiPx[k]! + data.logXSpend[i]! - logDenominator);
    gQ -= w * logDenominator;
    gG -= (w * (px + q)) / denominator;
  }
  return { logLikelihood: ll, gradient: [gP * p, gQ * q, gG * gamma] };
}

/** Maximum-likelihood (p, q, γ) from the customers with x > 0 (x = 0 tuples are skipped). */
export function fitGammaGamma(tuples: readonly RfmTuple[], options: { start?: GammaGammaParams; maxIterations?: number } = {}): GammaGammaFit {
  const started = performance.now();
  const data = prepare(tuples);
  const n = data.customers;
  const fromLog = (phi: readonly number[]): GammaGammaParams => ({ p: Math.exp(phi[0]!), q: Math.exp(phi[1]!), gamma: Math.exp(phi[2]!) });
  const objective = (phi: readonly number[]) => {
    if (phi.some((v) => Math.abs(v) > LOG_PARAMETER_LIMIT)) return { value: Infinity, gradient: phi.map(() => 0) };
    const { logLikelihood, gradient } = logLikelihoodAndGradient(data, fromLog(phi));
    return { value: -logLikelihood / n, gradient: gradient.map((g) => -g / n) };
  };
  const start = options.start ?? defaultStart(data);
  const result = minimizeBfgs(objective, [Math.log(start.p), Math.log(start.q), Math.log(start.gamma)], {
    gradientTolerance: 1e-9,
    maxIterations: options.maxIterations ?? 300,
  });
  const estimate = fromLog(result.x);
  const warnings: string[] = [];
  let converged = result.converged;
  if (!converged) warnings.push(`the optimiser stopped without converging: ${result.message}`);
  const atLimit = result.x.flatMap((v, i) => (Math.abs(v) >= LOG_PARAMETER_LIMIT - 1 ? [(['p', 'q', 'gamma'] as const)[i]!] : []));
  if (atLimit.length > 0) {
    converged = false;
    warnings.push(`${atLimit.join(', ')} ran off to an extreme: the spend data do not identify the model (too few customers, or identical spends)`);
  }
  if (estimate.q <= 1) warnings.push(`q = ${estimate.q.toFixed(3)} ≤ 1: the population mean spend is infinite, so customers without repeat purchases get no spend estimate`);
  const hessian = numericalHessian((phi) => objective(phi).gradient.map((g) => g * n), result.x);
  const errors = logScaleStandardErrors(hessian, [estimate.p, estimate.q, estimate.gamma]);
  const logCovariance = errors ? invertPositiveDefinite(hessian) : null;
  if (!errors) {
    // A flat or saddle-shaped likelihood: the estimate is a point on a ridge, not a maximum.
    converged = false;
    warnings.push('the likelihood has no proper maximum here (its Hessian is not positive definite), typically because it keeps rising towards a limiting case (such as no dropout, or all customers alike): no standard errors');
  } else {
    warnings.push(...poorlyDeterminedWarnings(['p', 'q', 'gamma'], [estimate.p, estimate.q, estimate.gamma], errors));
  }
  if (converged) {
    const values = [estimate.p, estimate.q, estimate.gamma];
    const unidentified = unidentifiedParameters({
      objective,
      scale: n,
      estimate: result.x,
      names: ['p', 'q', 'gamma'],
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
    standardErrors: errors ? { p: errors[0]!, q: errors[1]!, gamma: errors[2]! } : null,
    logCovariance,
    fitMs: performance.now() - started,
    customers: n,
    warnings,
  };
}

/** Method of moments on the customer means, assuming q = 4, as a start that is in the right scale. */
function defaultStart(data: SpendData): GammaGammaParams {
  let sum = 0;
  let sumSquares = 0;
  let n = 0;
  for (let i = 0; i < data.x.length; i++) {
    const spend = data.xSpend[i]! / data.x[i]!;
    sum += data.count[i]! * spend;
    sumSquares += data.count[i]! * spend * spend;
    n += data.count[i]!;
  }
  const mean = sum / n;
  const variance = Math.max(sumSquares / n - mean * mean, 1e-12 * mean * mean);
  // Mean of z̄ is pγ/(q−1); with q = 4 take p from the squared coefficient of variation.
  const q = 4;
  const p = Math.min(Math.max((mean * mean) / variance, 0.1), 100);
  return { p, q, gamma: (mean * (q - 1)) / p };
}

/** Population mean spend per purchase, pγ/(q − 1); infinite when q ≤ 1. */
export function populationMeanSpend(params: GammaGammaParams): number {
  return params.q > 1 ? (params.p * params.gamma) / (params.q - 1) : Infinity;
}

/**
 * E[spend per purchase | x, z̄] = (γ + x z̄) p / (px + q − 1): a weighted average of the
 * population mean and the customer's own mean. For x = 0 it is the population mean.
 */
export function conditionalExpectedSpend(params: GammaGammaParams, x: number, meanSpend: number): number {
  const { p, q, gamma } = params;
  if (x === 0) {
    if (q <= 1) throw new Error(`q = ${q} ≤ 1: the spend model has no finite mean for customers without repeat purchases`);
    return populationMeanSpend(params);
  }
  return ((gamma + x * meanSpend) * p) / (p * x + q - 1);
}

/**
 * The model assumes purchase frequency and spend per purchase are independent. Returns a
 * warning when the count-weighted Pearson correlation between x and mean spend (customers with
 * x > 0) exceeds 0.3 in magnitude, else null.
 */
export function spendIndependenceWarning(tuples: readonly RfmTuple[]): string | null {
  const spenders = tuples.filter((t): t is RfmTuple & { meanSpend: number } => t.x > 0 && t.meanSpend !== undefined);
  let n = 0;
  let meanX = 0;
  let meanSpend = 0;
  for (const t of spenders) {
    n += t.count;
    meanX += t.count * t.x;
    meanSpend += t.count * t.meanSpend;
  }
  if (n < 2) return null;
  meanX /= n;
  meanSpend /= n;
  // Centred second pass: one-pass moments cancel badly when spends are large and alike.
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const t of spenders) {
    const dx = t.x - meanX;
    const dy = t.meanSpend - meanSpend;
    sxx += t.count * dx * dx;
    syy += t.count * dy * dy;
    sxy += t.count * dx * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return null;
  const correlation = sxy / Math.sqrt(sxx * syy);
  if (Math.abs(correlation) <= CORRELATION_LIMIT) return null;
  return `frequency and mean spend are correlated (Pearson r = ${correlation.toFixed(2)}, beyond ±${CORRELATION_LIMIT}): the Gamma-Gamma model assumes they are independent, so its spend predictions may be biased`;
}
