// How sure the predictive CLV is (docs/metrics.md, "Uncertainty"): a 95% interval for the mean
// CLV from the fits' standard errors by the delta method. The mean CLV is a smooth function of
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
import type { CustomerSummary } from './tuples.ts';

export interface ClvInterval {
  low: number;
  high: number;
  /** 0.95 */
  level: number;
  basis: 'delta_method';
}

const Z95 = 1.959963984540054;

interface ClvGroups {
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

/** The mean CLV of the grouped customers under the given models, as scoreCustomers scores them. */
export function meanClvOf(groups: ClvGroups, purchases: PurchaseModel, spend: GammaGammaParams, options: ClvOptions): number {
  const ifAlive = ifAliveCache(purchases, options);
  const population = populationMeanSpend(spend);
  let sum = 0;
  for (let k = 0; k < groups.x.length; k++) {
    const x = groups.x[k]!;
    const c = { x, tx: groups.tx[k]!, T: groups.T[k]! };
    const n = groups.customers[k]!;
    const own = groups.own[k]!;
    // Expected spend is linear in the mean spend: the group's sum at the mean of its own means.
    const ownPart = own > 0 ? own * conditionalExpectedSpend(spend, x, groups.ownSpend[k]! / own) : 0;
    const spendSum = ownPart + (n - own) * (x === 0 ? population : conditionalExpectedSpend(spend, x, population));
    sum += purchases.probabilityAlive(c) * ifAlive(x, c.T).discountedPurchases * spendSum;
  }
  return sum / groups.total;
}

/** var = gᵀ Σ g for one block of parameters. */
function quadratic(g: readonly number[], covariance: readonly (readonly number[])[]): number {
  let v = 0;
  for (let i = 0; i < g.length; i++) for (let j = 0; j < g.length; j++) v += g[i]! * covariance[i]![j]! * g[j]!;
  return v;
}

/** The 95% interval of the mean predictive CLV, or null when a fit has no covariance (no proper maximum) or the CLV is not positive. */
export function predictiveClvInterval(models: ClvModels, customers: readonly CustomerSummary[], options: ClvOptions): ClvInterval | null {
  const purchase = models.purchase;
  const spend = models.gammaGamma;
  if (!purchase.logCovariance || !spend.logCovariance) return null;
  const groups = groupCustomers(customers);
  const center = meanClvOf(groups, purchase.model, spend, options);
  if (!(center > 0) || !Number.isFinite(center)) return null;
  const step = (v: number) => 1e-5 * Math.max(1, Math.abs(v));
  const purchaseGradient = purchase.logParameters.map((v, i) => {
    const phi = [...purchase.logParameters];
    phi[i] = v + step(v);
    return (meanClvOf(groups, purchase.at(phi), spend, options) - center) / (phi[i]! - v);
  });
  const spendPhi = [spend.p, spend.q, spend.gamma].map(Math.log);
  const spendGradient = spendPhi.map((v, i) => {
    const phi = [...spendPhi];
    phi[i] = v + step(v);
    const at = { p: Math.exp(phi[0]!), q: Math.exp(phi[1]!), gamma: Math.exp(phi[2]!) };
    return (meanClvOf(groups, purchase.model, at, options) - center) / (phi[i]! - v);
  });
  const variance = quadratic(purchaseGradient, purchase.logCovariance) + quadratic(spendGradient, spend.logCovariance);
  if (!Number.isFinite(variance) || variance < 0) return null;
  const se = Math.sqrt(variance) / center;
  return { low: center * Math.exp(-Z95 * se), high: center * Math.exp(Z95 * se), level: 0.95, basis: 'delta_method' };
}
