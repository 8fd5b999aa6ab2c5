import { describe, expect, it } from 'vitest';
import {
  bgnbdLogLikelihood,
  conditionalExpectedPurchases,
  expectedPurchases,
  expectedPurchasesIfAlive,
  expectedPurchasesIfAliveAt,
  fitBgNbd,
  probabilityAlive,
  probabilityOfPurchases,
} from '../../functions/clv/bgnbd.ts';
import { simulateCustomers } from '../../functions/clv/simulate.ts';
import { compressTuples } from '../../functions/clv/tuples.ts';
import { cdnowCustomers } from './cdnowData.ts';

// Published BG/NBD estimates for CDNOW (Fader, Hardie & Lee 2005, and test/fixtures/cdnow/README.md).
const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const relative = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe('fitBgNbd on CDNOW (2,357 customers, weeks)', () => {
  const tuples = compressTuples(cdnowCustomers());
  const fit = fitBgNbd(tuples);

  it('runs on distinct tuples, not customers', () => {
    expect(fit.customers).toBe(2357);
    expect(fit.tuples).toBe(tuples.length);
    expect(tuples.length).toBeLessThan(1100);
  });

  it('reproduces the published estimates r = 0.243, α = 4.414, a = 0.793, b = 2.426 within 0.001', () => {
    expect(fit.converged).toBe(true);
    expect(fit.warnings).toEqual([]);
    expect(Math.abs(fit.r - published.r)).toBeLessThan(0.001);
    expect(Math.abs(fit.alpha - published.alpha)).toBeLessThan(0.001);
    expect(Math.abs(fit.a - published.a)).toBeLessThan(0.001);
    expect(Math.abs(fit.b - published.b)).toBeLessThan(0.001);
  });

  it('reaches the published log-likelihood −9582.4, above that of the rounded published values', () => {
    expect(Math.abs(fit.logLikelihood - -9582.4)).toBeLessThan(0.1);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgnbdLogLikelihood(published, tuples));
  });

  it('gives standard errors from the inverse Hessian (lifetimes reports 0.013, 0.378, 0.186, 0.705)', () => {
    expect(fit.standardErrors!.r).toBeCloseTo(0.0126, 3);
    expect(fit.standardErrors!.alpha).toBeCloseTo(0.378, 2);
    expect(fit.standardErrors!.a).toBeCloseTo(0.186, 2);
    expect(fit.standardErrors!.b).toBeCloseTo(0.705, 2);
  });

  it.each([
    [0.1429, 0.0078],
    [1, 0.0532],
    [3, 0.1506],
    [31.8571, 1.0405],
    [32, 1.0437],
    [78, 1.8576],
  ])('E[X(%d)] is the published %d to 3 decimals', (t, expected) => {
    expect(Math.abs(expectedPurchases(fit, t) - expected)).toBeLessThan(0.0005);
  });

  it('expects 1.226 purchases in the next 39 weeks from x = 2, t_x = 30.43, T = 38.86', () => {
    expect(Math.abs(conditionalExpectedPurchases(fit, { x: 2, tx: 30.43, T: 38.86 }, 39) - 1.226)).toBeLessThan(0.0005);
  });
});

describe('BG/NBD predictions against mpmath 1.3 at the published parameters', () => {
  it('E[X(78)] = 1.8605190579427686 and, with z near 1, E[X(10⁴)] = 15.067913315055178', () => {
    expect(relative(expectedPurchases(published, 78), 1.8605190579427686)).toBeLessThan(1e-12);
    expect(relative(expectedPurchases(published, 1e4), 15.067913315055178)).toBeLessThan(1e-11);
    expect(relative(expectedPurchases(published, 1e6), 53.540478253014578)).toBeLessThan(1e-9);
  });

  it('P(alive | 2, 30.43, 38.86) = 0.72657857008067291 and E[Y(39) | …] = 1.2260281747671444', () => {
    const customer = { x: 2, tx: 30.43, T: 38.86 };
    expect(relative(probabilityAlive(published, customer), 0.72657857008067291)).toBeLessThan(1e-13);
    expect(relative(conditionalExpectedPurchases(published, customer, 39), 1.2260281747671444)).toBeLessThan(1e-12);
  });

  it('E[Y(39) | x = 0, T = 38.86] = 0.19509805201126264, and P(alive) = 1 without repeat purchases', () => {
    expect(probabilityAlive(published, { x: 0, tx: 0, T: 38.86 })).toBe(1);
    expect(relative(conditionalExpectedPurchases(published, { x: 0, tx: 0, T: 38.86 }, 39), 0.19509805201126264)).toBeLessThan(1e-12);
  });

  it('handles T = t_x: E[Y(10) | 3, 20, 20] = 1.0199862296157758', () => {
    expect(relative(conditionalExpectedPurchases(published, { x: 3, tx: 20, T: 20 }, 10), 1.0199862296157758)).toBeLessThan(1e-12);
  });

  it('handles 10,000 purchases: E[Y(39) | 10000, 78, 78] = 4034.0069386194304, and ≈ 1.89e−19 after half a week of silence', () => {
    expect(relative(conditionalExpectedPurchases(published, { x: 10_000, tx: 78, T: 78 }, 39), 4034.0069386194304)).toBeLessThan(1e-10);
    expect(relative(conditionalExpectedPurchases(published, { x: 10_000, tx: 77.5, T: 78 }, 39), 1.8937481388990629e-19)).toBeLessThan(1e-8);
    expect(conditionalExpectedPurchases(published, { x: 10_000, tx: 70, T: 78 }, 39)).toBe(0);
  });

  it.each([
    [0, 0.57378635209600941],
    [1, 0.19939528083591146],
    [2, 0.085429759539060759],
    [5, 0.017965493866579044],
    [20, 0.00039869209414220939],
  ])('P(X(39) = %d) = %d (FHL 2005, eq. 8)', (n, expected) => {
    expect(relative(probabilityOfPurchases(published, n, 39), expected)).toBeLessThan(1e-12);
  });
});

describe('BG/NBD prediction identities', () => {
  it('P(X(t) = n) sums to 1 and has mean E[X(t)]', () => {
    let total = 0;
    let mean = 0;
    for (let n = 0; n <= 400; n++) {
      const p = probabilityOfPurchases(published, n, 52);
      total += p;
      mean += n * p;
    }
    expect(total).toBeCloseTo(1, 10);
    expect(mean).toBeCloseTo(expectedPurchases(published, 52), 6);
  });

  it('E[X(t)] is E[Y(t)] of a customer with no history (x = 0, T = 0), and zero at t = 0', () => {
    expect(expectedPurchases(published, 26)).toBe(conditionalExpectedPurchases(published, { x: 0, tx: 0, T: 0 }, 26));
    expect(expectedPurchases(published, 0)).toBe(0);
    expect(probabilityOfPurchases(published, 0, 0)).toBe(1);
  });

  it('is finite and continuous at a = 1, where (a+b+x−1)/(a−1) meets a vanishing bracket', () => {
    // mpmath at a = 1 + 1e−40 (60 digits): 1.9542062442556202
    const at = (a: number) => expectedPurchasesIfAlive({ ...published, a }, 2, 30, 39);
    expect(relative(at(1), 1.9542062442556202)).toBeLessThan(1e-9);
    expect(relative(at(1 + 5e-6), at(1))).toBeLessThan(1e-5);
    expect(relative(at(1 - 2e-5), at(1))).toBeLessThan(1e-5);
  });

  it('evaluates a whole horizon at once with the same values as one at a time', () => {
    const horizons = [4.35, 8.7, 13.04, 26.1, 52.2, 104.4, 400];
    const together = expectedPurchasesIfAliveAt(published, 3, 10, horizons);
    horizons.forEach((t, i) => expect(together[i]).toBeCloseTo(expectedPurchasesIfAlive(published, 3, 10, t), 12));
  });
});

describe('fitBgNbd on degenerate data', () => {
  it('refuses data without any repeat purchase, saying what to do', () => {
    expect(() => fitBgNbd([{ x: 0, tx: 0, T: 39, count: 500 }])).toThrow(/none of the 500 customers made a repeat purchase.*longer calibration period/);
  });

  it('flags a single customer as not identified instead of returning NaN', () => {
    const fit = fitBgNbd([{ x: 2, tx: 30, T: 39, count: 1 }]);
    expect(fit.converged).toBe(false);
    expect(fit.warnings.join(' ')).toMatch(/only 1 customer with repeat purchases/);
    expect([fit.r, fit.alpha, fit.a, fit.b, fit.logLikelihood].every(Number.isFinite)).toBe(true);
  });

  it('flags data where every last purchase is at T (no sign of dropout) as having no proper maximum', () => {
    const fit = fitBgNbd(compressTuples(cdnowCustomers().map((c) => ({ ...c, tx: c.x > 0 ? c.T : 0 }))));
    expect(fit.converged).toBe(false);
    expect(fit.standardErrors).toBeNull();
    expect(fit.warnings.join(' ')).toMatch(/no proper maximum/);
  });

  it('fits when one customer has 10,000 purchases', () => {
    const fit = fitBgNbd([...compressTuples(cdnowCustomers()), { x: 10_000, tx: 38, T: 38.86, count: 1 }]);
    expect(fit.converged).toBe(true);
    expect([fit.r, fit.alpha, fit.a, fit.b, fit.logLikelihood].every(Number.isFinite)).toBe(true);
  });

  it('rejects impossible tuples before fitting', () => {
    expect(() => fitBgNbd([{ x: 2, tx: 40, T: 39, count: 1 }])).toThrow(/t_x must lie between 0 and T/);
  });
});

describe('fitBgNbd parameter recovery', () => {
  // 50,000 simulated customers (continuous time, so the likelihood is exact) from known
  // parameters. Each estimate is asymptotically normal around the truth with the reported
  // standard error, so |estimate − truth| < 4 SE fails by chance with probability 6e−5 per
  // parameter; the seed is fixed, so the test is deterministic either way. The SEs must
  // also be small (under 5 % of the value), or "within 4 SE" would prove little.
  const truth = { r: 0.5, alpha: 8, a: 0.8, b: 2.5 };
  const customers = simulateCustomers({ customers: 50_000, seed: 'bgnbd-recovery', bgnbd: truth, age: { min: 20, max: 80 } });
  const fit = fitBgNbd(compressTuples(customers));

  it.each(['r', 'alpha', 'a', 'b'] as const)('recovers %s within 4 standard errors', (name) => {
    expect(fit.converged).toBe(true);
    const se = fit.standardErrors![name];
    expect(se / truth[name]).toBeLessThan(0.05);
    expect(Math.abs(fit[name] - truth[name])).toBeLessThan(4 * se);
  });
});
