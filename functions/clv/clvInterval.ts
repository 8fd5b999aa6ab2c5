// How sure the model CLVs are (docs/metrics.md, "Uncertainty"): a 95% interval for the mean
// predictive CLV (and, at the end, the sBG CLV) from the fits' standard errors by the delta method. The mean CLV is a smooth function of
// the seven log-parameters (four of the purchase model, three of Gamma-Gamma, fitted apart, so
// their covariance is block-diagonal); its gradient is taken by forward differences and
// var(ln CLV) = gᵀ Σ g / CLV², the interval CLV · exp(±1.96 · se), which stays positive. It is
// the uncertainty of the estimated parameters, the part more data would remove; the mean is
// already an expectation over each customer's own randomness.
//
// The customers are grouped by (x, t_x, T): Gamma-Gamma's expected spend is linear in a
// customer's mean spend, so a group needs only its size, how many use their own mean spend and
// the sum of those means. Each evaluation then costs a pass over the groups and a 2F1 sequence
// per distinct (x, T), not a pass over every customer.
import { spendBasisOf, type ClvModels } from './fitClvModels.ts';
import { conditionalExpectedSpend, populationMeanSpend, type GammaGammaParams } from './gammaGamma.ts';
import { ifAliveCache, type ClvOptions } from './predictiveClv.ts';
import type { PurchaseModel } from './purchaseModel.ts';
import type { CustomerSummary, RfmTuple } from './tuples.ts';
import { subscriberScorer, type ContractualScoreOptions } from './contractualModel.ts';
import type { SbgFit } from './shiftedBetaGeometric.ts';

export interface ClvInterval {
  low: number;
  high: number;
  /** 0.95 */
  level: number;
  basis: 'delta_method';
}

const Z95 = 1.959963984540054;

/** Customers grouped by (x, t_x, T), in order of first appearance (as compressTuples orders them). */
export interface ClvGroups {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  customers: Float64Array;
  /** Customers scored with their own mean spend, and the sum of those means. */
  own: Float64Array;
  ownSpend: Float64Array;
  total: number;
}

export function groupCustomers(customers: readonly CustomerSummary[]): ClvGroups {
  const index = new Map<number, Map<number, Map<number, number>>>();
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const n: number[] = [];
  const own: number[] = [];
  const ownSpend: number[] = [];
  for (const c of customers) {
    let byT = index.get(c.x);
    if (!byT) index.set(c.x, (byT = new Map()));
    let byTx = byT.get(c.T);
    if (!byTx) byT.set(c.T, (byTx = new Map()));
    let k = byTx.get(c.tx);
    if (k === undefined) {
      k = x.length;
      byTx.set(c.tx, k);
      x.push(c.x);
      tx.push(c.tx);
      T.push(c.T);
      n.push(0);
      own.push(0);
      ownSpend.push(0);
    }
    n[k]! += 1;
    if (c.x > 0 && spendBasisOf(c) === 'own') {
      own[k]! += 1;
      ownSpend[k]! += c.meanSpend!;
    }
  }
  return {
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    customers: Float64Array.from(n),
    own: Float64Array.from(own),
    ownSpend: Float64Array.from(ownSpend),
    total: customers.length,
  };
}

/** The groups as weighted (x, t_x, T) tuples, the purchase model's input. */
export function tuplesOf(groups: ClvGroups): RfmTuple[] {
  return Array.from(groups.x, (x, k) => ({ x, tx: groups.tx[k]!, T: groups.T[k]!, count: groups.customers[k]! }));
}

/** Per group: Σ over its customers of E[spend per purchase], as scoreCustomers takes it. */
function spendSums(groups: ClvGroups, spend: GammaGammaParams): Float64Array {
  const population = populationMeanSpend(spend);
  return Float64Array.from(groups.x, (x, k) => {
    const n = groups.customers[k]!;
    const own = groups.own[k]!;
    // Expected spend is linear in the mean spend: the group's sum at the mean of its own means.
    const ownPart = own > 0 ? own * conditionalExpectedSpend(spend, x, groups.ownSpend[k]! / own) : 0;
    return ownPart + (n - own) * (x === 0 ? population : conditionalExpectedSpend(spend, x, population));
  });
}

/** Per group: P(alive) × the discounted purchases expected over the horizon if alive. */
function discountedPurchases(groups: ClvGroups, purchases: PurchaseModel, options: ClvOptions): Float64Array {
  const ifAlive = ifAliveCache(purchases, options);
  const c = { x: 0, tx: 0, T: 0 };
  return Float64Array.from(groups.x, (x, k) => {
    c.x = x;
    c.tx = groups.tx[k]!;
    c.T = groups.T[k]!;
    return purchases.probabilityAlive(c) * ifAlive(x, c.T).discountedPurchases;
  });
}

function meanOf(purchased: Float64Array, spent: Float64Array, total: number): number {
  let sum = 0;
  for (let k = 0; k < purchased.length; k++) sum += purchased[k]! * spent[k]!;
  return sum / total;
}

/** The mean CLV of the grouped customers under the given models, as scoreCustomers scores them. */
export function meanClvOf(groups: ClvGroups, purchases: PurchaseModel, spend: GammaGammaParams, options: ClvOptions): number {
  return meanOf(discountedPurchases(groups, purchases, options), spendSums(groups, spend), groups.total);
}

/** var = gᵀ Σ g for one block of parameters. */
function quadratic(g: readonly number[], covariance: readonly (readonly number[])[]): number {
  let v = 0;
  for (let i = 0; i < g.length; i++) for (let j = 0; j < g.length; j++) v += g[i]! * covariance[i]![j]! * g[j]!;
  return v;
}

/** Above this many distinct (x, T) the gradient is taken on a fixed share of them (see below). */
export const GRADIENT_PAIRS = 4_000;

/**
 * The groups of every k-th distinct (x, T), in order of first appearance, with k chosen so
 * about GRADIENT_PAIRS remain; their sums scaled by k estimate the whole population's (each
 * pair is kept with probability 1/k, independently of its customers' behaviour). A purchase
 * parameter's difference costs a 2F1 sequence per distinct (x, T), so at a million customers
 * this takes the gradient's cost from seconds to a fraction; the gradient's sampling error is
 * a few per cent of the standard error, far inside the delta method's own approximation.
 */
function gradientSample(groups: ClvGroups): { groups: ClvGroups; scale: number } {
  const pairOf = new Map<number, Map<number, number>>();
  const pair = new Int32Array(groups.x.length);
  let pairs = 0;
  groups.x.forEach((x, k) => {
    let byT = pairOf.get(x);
    if (!byT) pairOf.set(x, (byT = new Map()));
    let p = byT.get(groups.T[k]!);
    if (p === undefined) byT.set(groups.T[k]!, (p = pairs++));
    pair[k] = p;
  });
  const every = Math.max(1, Math.ceil(pairs / GRADIENT_PAIRS));
  if (every === 1) return { groups, scale: 1 };
  const kept = Array.from(groups.x.keys()).filter((k) => pair[k]! % every === 0);
  const pick = (column: Float64Array) => Float64Array.from(kept, (k) => column[k]!);
  return {
    groups: { x: pick(groups.x), tx: pick(groups.tx), T: pick(groups.T), customers: pick(groups.customers), own: pick(groups.own), ownSpend: pick(groups.ownSpend), total: groups.total },
    scale: every,
  };
}

/**
 * The 95% interval of a mean predictive CLV `value` (the scored customers' mean), or null when
 * a fit has no covariance (no proper maximum) or the CLV is not positive. A purchase parameter
 * moves only the purchases, a spend parameter only the spend, so each difference recomputes one
 * of the two factors.
 */
export function predictiveClvInterval(models: ClvModels, groups: ClvGroups, options: ClvOptions, value: number): ClvInterval | null {
  const purchase = models.purchase;
  const spend = models.gammaGamma;
  if (!purchase.logCovariance || !spend.logCovariance) return null;
  if (!(value > 0) || !Number.isFinite(value)) return null;
  const { groups: sample, scale } = gradientSample(groups);
  const purchased = discountedPurchases(sample, purchase.model, options);
  const spent = spendSums(sample, spend);
  const base = meanOf(purchased, spent, sample.total);
  const step = (v: number) => 1e-5 * Math.max(1, Math.abs(v));
  const purchaseGradient = purchase.logParameters.map((v, i) => {
    const phi = [...purchase.logParameters];
    phi[i] = v + step(v);
    return (scale * (meanOf(discountedPurchases(sample, purchase.at(phi), options), spent, sample.total) - base)) / (phi[i]! - v);
  });
  const spendPhi = [spend.p, spend.q, spend.gamma].map(Math.log);
  const spendGradient = spendPhi.map((v, i) => {
    const phi = [...spendPhi];
    phi[i] = v + step(v);
    const at = { p: Math.exp(phi[0]!), q: Math.exp(phi[1]!), gamma: Math.exp(phi[2]!) };
    return (scale * (meanOf(purchased, spendSums(sample, at), sample.total) - base)) / (phi[i]! - v);
  });
  return logNormalInterval(value, quadratic(purchaseGradient, purchase.logCovariance) + quadratic(spendGradient, spend.logCovariance));
}

/** value · exp(±1.96 · √variance / value): the delta method on ln value, so the interval stays positive. */
function logNormalInterval(value: number, variance: number): ClvInterval | null {
  if (!Number.isFinite(variance) || variance < 0) return null;
  const se = Math.sqrt(variance) / value;
  return { low: value * Math.exp(-Z95 * se), high: value * Math.exp(Z95 * se), level: 0.95, basis: 'delta_method' };
}

/**
 * The 95% interval of the mean sBG CLV `value` over the subscribers with a known MRR, from the
 * fit's (ln α, ln β) covariance the same way: the mean is Σ over tenures of the tenure's MRR
 * times margin times its expected months, so a difference costs one residualMonths per tenure.
 */
export function contractualClvInterval(fit: SbgFit, subscribers: readonly { renewals: number; mrr: number | null }[], options: ContractualScoreOptions, value: number): ClvInterval | null {
  if (!fit.logCovariance || !(value > 0) || !Number.isFinite(value)) return null;
  const mrrByRenewals = new Map<number, number>();
  let scored = 0;
  for (const s of subscribers) {
    if (s.mrr === null) continue;
    mrrByRenewals.set(s.renewals, (mrrByRenewals.get(s.renewals) ?? 0) + s.mrr);
    scored++;
  }
  if (scored === 0) return null;
  const meanAt = (phi: readonly number[]) => {
    const score = subscriberScorer({ alpha: Math.exp(phi[0]!), beta: Math.exp(phi[1]!) }, options);
    let sum = 0;
    for (const [renewals, mrr] of mrrByRenewals) sum += score({ renewals, mrr }).clv!;
    return sum / scored;
  };
  const at = [Math.log(fit.alpha), Math.log(fit.beta)];
  const center = meanAt(at);
  const gradient = at.map((v, i) => {
    const phi = [...at];
    phi[i] = v + 1e-5 * Math.max(1, Math.abs(v));
    return (meanAt(phi) - center) / (phi[i]! - v);
  });
  return logNormalInterval(value, quadratic(gradient, fit.logCovariance));
}
