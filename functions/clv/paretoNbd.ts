// Pareto/NBD (Schmittlein, Morrison & Colombo 1987): purchases follow a Poisson process with
// rate λ ~ Gamma(r, α) while the customer is alive; the lifetime is exponential with rate
// μ ~ Gamma(s, β), so a customer may leave at any moment, not only after a purchase as in
// BG/NBD. The likelihood and the conditional expectations are those of Fader & Hardie's note
// "A note on deriving the Pareto/NBD model and related expressions" (2005), with A0 from
// 2F1(r+s+x, ·; r+s+x+1; ·) evaluated at t_x and T. That 2F1 depends on x and one time only, so
// a likelihood costs one 2F1 per distinct (x, t) pair, taken as one sequence per x.
//
// The gradient is taken numerically (the 2F1's derivatives in its parameters have no handy
// form); BFGS reads it only for the steps it accepts. Pareto/NBD is fitted as a candidate the
// holdout check judges by its forecasts (purchaseCandidates.ts), and its estimates are not
// published as the CLV's, so the profile-likelihood test of BG/NBD (boundaryOptimum.ts) is not
// run: its profiles take the 2F1 to extreme parameters, seconds each. A Hessian that is not
// positive definite, or a parameter at its limit, still withholds the fit.

import { prepareBgNbdData, type BgNbdData } from './bgnbdLikelihood.ts';
import type { CustomerHistory } from './bgnbd.ts';
import { logHyp2f1, logHyp2f1Sequence } from './hyp2f1.ts';
import { logGamma } from './logGamma.ts';
import { minimizeBfgs } from './minimizeBfgs.ts';
import { forwardGradient, valueHessian } from './numericalDerivatives.ts';
import type { PurchaseModel } from './purchaseModel.ts';
import { invertPositiveDefinite, logScaleStandardErrors, poorlyDeterminedWarnings } from './standardErrors.ts';
import type { RfmTuple } from './tuples.ts';

export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

export interface ParetoNbdFit extends ParetoNbdParams {
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  standardErrors: ParetoNbdParams | null;
  /** Covariance of (ln r, ln α, ln s, ln β): the inverse Hessian of −LL; null with standardErrors. */
  logCovariance: number[][] | null;
  fitMs: number;
  customers: number;
  tuples: number;
  warnings: string[];
}

const NAMES = ['r', 'alpha', 's', 'beta'] as const;
// e^±10 spans 5e-5..2e4: beyond it a shape parameter means "every customer alike" (the
// likelihood's ridge towards a homogeneous limit), and the 2F1 there needs millions of terms.
const LOG_PARAMETER_LIMIT = 10;
/** The numerical gradient of the mean log-likelihood is good to about 1e-8; below 1e-7 BFGS would chase its noise. */
const GRADIENT_TOLERANCE = 1e-7;

/** The 2F1 of A0 takes (r+s+x, b; r+s+x+1; |α−β| / (max(α, β) + t)), b = r+x if α < β, else s+1. */
function a0Shape(p: ParetoNbdParams, x: number): { rsx: number; b: number; max: number; gap: number } {
  const { r, alpha, s, beta } = p;
  return alpha < beta ? { rsx: r + s + x, b: r + x, max: beta, gap: beta - alpha } : { rsx: r + s + x, b: s + 1, max: alpha, gap: alpha - beta };
}

/** ln A0 from the two terms g(t) = ln 2F1(…, z(t)) − (r+s+x) ln(max + t) at t_x and T (−∞ when t_x = T). */
function logA0(gTx: number, gT: number): number {
  return gTx + Math.log1p(-Math.exp(gT - gTx));
}

/** Per customer: ln Γ(r+x) − ln Γ(r) + r ln α + s ln β + ln[ (α+T)^−(r+x) (β+T)^−s + s/(r+s+x) · A0 ]. */
function logLikelihoodTerm(p: ParetoNbdParams, x: number, T: number, logA0Value: number, lgRx: number, lgR: number): number {
  const { r, alpha, s, beta } = p;
  const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const left = Math.log(s) - Math.log(r + s + x) + logA0Value;
  const high = Math.max(alive, left);
  return lgRx - lgR + r * Math.log(alpha) + s * Math.log(beta) + high + Math.log1p(Math.exp(Math.min(alive, left) - high));
}

/** The tuples' times grouped by distinct x, each group's times descending (its 2F1 arguments then ascend). */
interface TimeIndex {
  data: BgNbdData;
  /** Per distinct x: its distinct times, descending. */
  times: Float64Array[];
  /** Per tuple: positions of t_x and T in its x's times. */
  txAt: Int32Array;
  tAt: Int32Array;
}

function indexTimes(tuples: readonly RfmTuple[]): TimeIndex {
  const data = prepareBgNbdData(tuples);
  const sets = Array.from(data.distinctX, () => new Set<number>());
  for (let i = 0; i < data.tuples; i++) {
    const k = data.xIndex[i]!;
    sets[k]!.add(data.tx[i]!);
    sets[k]!.add(data.T[i]!);
  }
  const times = sets.map((set) => Float64Array.from([...set].sort((u, v) => v - u)));
  const positions = times.map((ts) => new Map(Array.from(ts, (t, j) => [t, j] as const)));
  const txAt = new Int32Array(data.tuples);
  const tAt = new Int32Array(data.tuples);
  for (let i = 0; i < data.tuples; i++) {
    const k = data.xIndex[i]!;
    txAt[i] = positions[k]!.get(data.tx[i]!)!;
    tAt[i] = positions[k]!.get(data.T[i]!)!;
  }
  return { data, times, txAt, tAt };
}

function paretoLogLikelihood(index: TimeIndex, p: ParetoNbdParams): number {
  const { data, times, txAt, tAt } = index;
  const lgR = logGamma(p.r);
  const g = times.map((ts, k) => {
    const x = data.distinctX[k]!;
    const { rsx, b, max, gap } = a0Shape(p, x);
    const f = logHyp2f1Sequence(rsx, b, rsx + 1, Array.from(ts, (t) => gap / (max + t)));
    return Float64Array.from(f, (v, j) => v.logAbs - rsx * Math.log(max + ts[j]!));
  });
  const lgRx = Array.from(data.distinctX, (x) => logGamma(p.r + x));
  let ll = 0;
  for (let i = 0; i < data.tuples; i++) {
    const k = data.xIndex[i]!;
    const gk = g[k]!;
    ll += data.count[i]! * logLikelihoodTerm(p, data.x[i]!, data.T[i]!, logA0(gk[txAt[i]!]!, gk[tAt[i]!]!), lgRx[k]!, lgR);
  }
  return ll;
}

/** Total log-likelihood of the tuples (each weighted by its count). */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, tuples: readonly RfmTuple[]): number {
  return paretoLogLikelihood(indexTimes(tuples), params);
}

export function fitParetoNbd(tuples: readonly RfmTuple[], options: { start?: ParetoNbdParams; maxIterations?: number } = {}): ParetoNbdFit {
  const started = performance.now();
  const index = indexTimes(tuples);
  const { data } = index;
  if (data.repeatCustomers === 0) {
    throw new Error(`cannot fit Pareto/NBD: none of the ${data.customers} customers made a repeat purchase (every x = 0), so purchase rates and lifetimes are not identified`);
  }
  const n = data.customers;
  const fromLog = (phi: readonly number[]): ParetoNbdParams => ({ r: Math.exp(phi[0]!), alpha: Math.exp(phi[1]!), s: Math.exp(phi[2]!), beta: Math.exp(phi[3]!) });
  const value = (phi: readonly number[]): number => {
    if (phi.some((v) => Math.abs(v) > LOG_PARAMETER_LIMIT)) return Infinity;
    let ll: number;
    try {
      ll = paretoLogLikelihood(index, fromLog(phi));
    } catch {
      // A 2F1 that does not converge: too far from any usable estimate, as an overflow would be.
      return Infinity;
    }
    return Number.isFinite(ll) ? -ll / n : Infinity;
  };
  const objective = (phi: readonly number[]) => {
    const v = value(phi);
    let gradient: number[] | undefined;
    return {
      value: v,
      get gradient(): number[] {
        gradient ??= Number.isFinite(v) ? forwardGradient(value, phi, v) : phi.map(() => 0);
        return gradient;
      },
    };
  };
  const start = options.start ?? defaultStart(data);
  const result = minimizeBfgs(objective, [Math.log(start.r), Math.log(start.alpha), Math.log(start.s), Math.log(start.beta)], {
    gradientTolerance: GRADIENT_TOLERANCE,
    // Well-determined fits take 20–30 iterations; more means a ridge, where each step costs more.
    maxIterations: options.maxIterations ?? 80,
  });
  const estimate = fromLog(result.x);
  const warnings: string[] = [];
  let converged = result.converged;
  if (!converged) warnings.push(`the optimiser stopped without converging: ${result.message}`);
  const atLimit = result.x.flatMap((v, i) => (Math.abs(v) >= LOG_PARAMETER_LIMIT - 1 ? [NAMES[i]!] : []));
  if (atLimit.length > 0) {
    converged = false;
    warnings.push(`${atLimit.join(', ')} ran off to ${atLimit.length > 1 ? 'extremes' : 'an extreme'}: the data do not identify the model`);
  }
  const values = [estimate.r, estimate.alpha, estimate.s, estimate.beta];
  const hessian = valueHessian((phi) => value(phi) * n, result.x);
  const errors = logScaleStandardErrors(hessian, values);
  const logCovariance = errors ? invertPositiveDefinite(hessian) : null;
  if (!errors) {
    converged = false;
    warnings.push('the likelihood has no proper maximum here (its Hessian is not positive definite): no standard errors');
  } else {
    warnings.push(...poorlyDeterminedWarnings(NAMES, values, errors));
  }
  return {
    ...estimate,
    logLikelihood: -result.value * n,
    iterations: result.iterations,
    converged,
    standardErrors: errors ? { r: errors[0]!, alpha: errors[1]!, s: errors[2]!, beta: errors[3]! } : null,
    logCovariance,
    fitMs: performance.now() - started,
    customers: n,
    tuples: data.tuples,
    warnings,
  };
}

/** r = 1 with α matching the observed purchase rate; s = 1 with β a lifetime of ten times the mean age. */
function defaultStart(data: BgNbdData): ParetoNbdParams {
  let purchases = 0;
  let exposure = 0;
  for (let i = 0; i < data.tuples; i++) {
    purchases += data.count[i]! * data.x[i]!;
    exposure += data.count[i]! * data.T[i]!;
  }
  const meanAge = exposure > 0 ? exposure / data.customers : 1;
  return { r: 1, alpha: exposure > 0 && purchases > 0 ? exposure / purchases : 1, s: 1, beta: 10 * Math.max(1, meanAge) };
}

/** The fitted model for scoring; the 2F1 terms of P(alive) are kept per (x, t), shared by every customer. */
export function paretoNbdModel(p: ParetoNbdParams): PurchaseModel {
  const memo = new Map<number, Map<number, number>>();
  const g = (x: number, t: number): number => {
    let byT = memo.get(x);
    if (!byT) memo.set(x, (byT = new Map()));
    let v = byT.get(t);
    if (v === undefined) {
      const { rsx, b, max, gap } = a0Shape(p, x);
      v = logHyp2f1(rsx, b, rsx + 1, gap / (max + t)).logAbs - rsx * Math.log(max + t);
      byT.set(t, v);
    }
    return v;
  };
  return {
    name: 'pareto_nbd',
    probabilityAlive: (c: CustomerHistory) => {
      const { r, alpha, s, beta } = p;
      const logOdds = Math.log(s) - Math.log(r + s + c.x) + (r + c.x) * Math.log(alpha + c.T) + s * Math.log(beta + c.T) + logA0(g(c.x, c.tx), g(c.x, c.T));
      return logOdds > 0 ? Math.exp(-logOdds) / (1 + Math.exp(-logOdds)) : 1 / (1 + Math.exp(logOdds));
    },
    expectedPurchasesIfAliveAt: (x, T, ts) => ts.map((t) => expectedPurchasesIfAlive(p, x, T, t)),
  };
}

/** (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)], its limit (r+x)(β+T)/(α+T) · ln((β+T+t)/(β+T)) at s = 1. */
export function expectedPurchasesIfAlive(p: ParetoNbdParams, x: number, T: number, t: number): number {
  const { r, alpha, s, beta } = p;
  const logRatio = Math.log(beta + T) - Math.log(beta + T + t);
  const lifetime = Math.abs(s - 1) < 1e-9 ? -logRatio : -Math.expm1((s - 1) * logRatio) / (s - 1);
  return ((r + x) * (beta + T) * lifetime) / (alpha + T);
}
