// BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6) and its gradient, evaluated on
// distinct (x, t_x, T) tuples weighted by their customer counts; with variant 'mbgnbd', the
// MBG/NBD of Batislam, Denizel & Filiztekin (2007), in which a customer may also drop out right
// after the first purchase: the same sums with b + x + 1 for b + x, and the dropout branch for
// every customer, not only those with a repeat purchase. Everything that depends on x
// alone (the log-gammas and digammas) is computed once per distinct x, so a tuple costs two
// logarithms, an exponential and a log1p.
//
// Per customer, with A = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b):
//   LL = A + ln[ (α+T)^−(r+x) + δ(x>0) · a/(b+x−1) · (α+t_x)^−(r+x) ]
// and for MBG/NBD, with ln B(a, b+x+1) in A:
//   LL = A + ln[ (α+T)^−(r+x) + a/(b+x) · (α+t_x)^−(r+x) ]
// summed as a log-sum-exp so neither power underflows for large x or long histories.

import { digamma, logGamma } from './logGamma.ts';
import { indexFrequencies, totalCount, validateTuples, type RfmTuple } from './tuples.ts';

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
  /** 'mbgnbd' for MBG/NBD (dropout also possible at the first purchase); BG/NBD when absent. */
  variant?: 'mbgnbd';
}

/** 1 for MBG/NBD, whose beta terms run one purchase ahead of BG/NBD's; 0 for BG/NBD. */
export function dropoutShift(params: Pick<BgNbdParams, 'variant'>): 0 | 1 {
  return params.variant === 'mbgnbd' ? 1 : 0;
}

/** Column copy of the tuples with the distinct x values indexed. */
export interface BgNbdData {
  tuples: number;
  customers: number;
  repeatCustomers: number;
  distinctX: Float64Array;
  /** Customers per distinct x. */
  countByX: Float64Array;
  xIndex: Int32Array;
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  count: Float64Array;
}

export function prepareBgNbdData(tuples: readonly RfmTuple[]): BgNbdData {
  validateTuples(tuples);
  const n = tuples.length;
  const { distinctX, countByX, xIndex } = indexFrequencies(tuples);
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const count = new Float64Array(n);
  let repeatCustomers = 0;
  tuples.forEach((t, i) => {
    x[i] = t.x;
    tx[i] = t.tx;
    T[i] = t.T;
    count[i] = t.count;
    if (t.x > 0) repeatCustomers += t.count;
  });
  return {
    tuples: n,
    customers: totalCount(tuples),
    repeatCustomers,
    distinctX,
    countByX,
    xIndex,
    x,
    tx,
    T,
    count,
  };
}

export interface LogLikelihoodAndGradient {
  logLikelihood: number;
  /** d LL / d ln θ for θ = (r, alpha, a, b). */
  gradient: [number, number, number, number];
}

export function bgnbdLogLikelihoodAndGradient(data: BgNbdData, params: BgNbdParams): LogLikelihoodAndGradient {
  const { r, alpha, a, b } = params;
  const m = dropoutShift(params);
  const kx = data.distinctX.length;
  const logA4ByX = new Float64Array(kx);
  const invBx1ByX = new Float64Array(kx);
  const logAlpha = Math.log(alpha);
  const lgR = logGamma(r);
  const lgAB = logGamma(a + b);
  const lgB = logGamma(b);
  const psiR = digamma(r);
  const psiAB = digamma(a + b);
  const psiB = digamma(b);
  const logOfA = Math.log(a);
  let ll = 0;
  let gR = 0;
  let gAlpha = 0;
  let gA = 0;
  let gB = 0;
  for (let k = 0; k < kx; k++) {
    const x = data.distinctX[k]!;
    const w = data.countByX[k]!;
    ll += w * (logGamma(r + x) - lgR + r * logAlpha + lgAB + logGamma(b + x + m) - lgB - logGamma(a + b + x + m));
    gR += w * (digamma(r + x) - psiR + logAlpha);
    gAlpha += (w * r) / alpha;
    gA += w * (psiAB - digamma(a + b + x + m));
    gB += w * (psiAB + digamma(b + x + m) - psiB - digamma(a + b + x + m));
    if (x > 0 || m === 1) {
      logA4ByX[k] = logOfA - Math.log(b + x - 1 + m);
      invBx1ByX[k] = 1 / (b + x - 1 + m);
    }
  }
  const { xIndex, x, tx, T, count } = data;
  for (let i = 0; i < data.tuples; i++) {
    const w = count[i]!;
    const rx = r + x[i]!;
    const alphaT = alpha + T[i]!;
    const lT = Math.log(alphaT);
    const a3 = -rx * lT;
    if (x[i] === 0 && m === 0) {
      ll += w * a3;
      gR -= w * lT;
      gAlpha -= (w * rx) / alphaT;
      continue;
    }
    const alphaTx = alpha + tx[i]!;
    const lTx = Math.log(alphaTx);
    const k = xIndex[i]!;
    const a4 = logA4ByX[k]! - rx * lTx;
    const d = a4 - a3;
    // w4 is the share of the "dropped out after the last purchase" branch.
    let lse: number;
    let w4: number;
    if (d > 0) {
      const e = Math.exp(-d);
      lse = a4 + Math.log1p(e);
      w4 = 1 / (1 + e);
    } else {
      const e = Math.exp(d);
      lse = a3 + Math.log1p(e);
      w4 = e / (1 + e);
    }
    const w3 = 1 - w4;
    ll += w * lse;
    gR -= w * (w3 * lT + w4 * lTx);
    gAlpha -= w * rx * (w3 / alphaT + w4 / alphaTx);
    gA += (w * w4) / a;
    gB -= w * w4 * invBx1ByX[k]!;
  }
  return { logLikelihood: ll, gradient: [gR * r, gAlpha * alpha, gA * a, gB * b] };
}

/** Total log-likelihood of the tuples (each weighted by its count) under the parameters. */
export function bgnbdLogLikelihood(params: BgNbdParams, tuples: readonly RfmTuple[]): number {
  return bgnbdLogLikelihoodAndGradient(prepareBgNbdData(tuples), params).logLikelihood;
}
