import { describe, expect, it } from 'vitest';
import { conditionalExpectedSpend, fitGammaGamma, populationMeanSpend, spendIndependenceWarning } from '../../functions/clv/gammaGamma.ts';
import { simulateCustomers } from '../../functions/clv/simulate.ts';
import { compressTuples } from '../../functions/clv/tuples.ts';
import { cdnowCustomersWithSpend } from './cdnowData.ts';

describe('fitGammaGamma on CDNOW (946 customers with x > 0, z̄ = mean repeat spend)', () => {
  const tuples = compressTuples(cdnowCustomersWithSpend(), { includeSpend: true });
  const fit = fitGammaGamma(tuples);

  it('uses only the customers with repeat purchases', () => {
    expect(fit.customers).toBe(946);
  });

  it('reproduces the published p = 6.25, q = 3.74, γ = 15.44 within 0.01', () => {
    expect(fit.converged).toBe(true);
    expect(fit.warnings).toEqual([]);
    expect(Math.abs(fit.p - 6.25)).toBeLessThan(0.01);
    expect(Math.abs(fit.q - 3.74)).toBeLessThan(0.01);
    expect(Math.abs(fit.gamma - 15.44)).toBeLessThan(0.01);
    expect(fit.standardErrors).not.toBeNull();
  });

  it('finds frequency and spend close enough to independent (r ≈ 0.11) to raise no warning', () => {
    expect(spendIndependenceWarning(tuples)).toBeNull();
  });
});

describe('conditionalExpectedSpend', () => {
  const params = { p: 6.25, q: 3.74, gamma: 15.44 };

  it('shrinks a customer mean towards the population mean: x = 2, z̄ = 22.35', () => {
    // (γ + x z̄) p / (p x + q − 1) = (15.44 + 44.70) · 6.25 / (12.50 + 2.74) = 375.875 / 15.24
    expect(conditionalExpectedSpend(params, 2, 22.35)).toBeCloseTo(375.875 / 15.24, 12);
  });

  it('is the population mean pγ/(q − 1) = 96.5/2.74 for a customer without repeat purchases', () => {
    expect(populationMeanSpend(params)).toBeCloseTo(96.5 / 2.74, 12);
    expect(conditionalExpectedSpend(params, 0, 0)).toBe(populationMeanSpend(params));
  });

  it('approaches the customer own mean as x grows', () => {
    expect(conditionalExpectedSpend(params, 10_000, 50)).toBeCloseTo(50, 1);
  });

  it('refuses a population mean when q ≤ 1 (it is infinite)', () => {
    expect(populationMeanSpend({ p: 2, q: 0.9, gamma: 10 })).toBe(Infinity);
    expect(() => conditionalExpectedSpend({ p: 2, q: 0.9, gamma: 10 }, 0, 0)).toThrow(/no finite mean/);
  });
});

describe('spendIndependenceWarning', () => {
  it('warns when frequency and spend are correlated beyond ±0.3 (here r = 1)', () => {
    const tuples = [1, 2, 3, 4, 5].map((x) => ({ x, tx: 1, T: 10, count: 1, meanSpend: 10 * x }));
    expect(spendIndependenceWarning(tuples)).toMatch(/Pearson r = 1\.00.*assumes they are independent/);
  });

  it('weights by count and ignores customers without repeat purchases', () => {
    // Spend falls with frequency for 10 + 10 customers: r = −1; the x = 0 tuple would break that.
    const tuples = [
      { x: 1, tx: 1, T: 10, count: 10, meanSpend: 40 },
      { x: 3, tx: 2, T: 10, count: 10, meanSpend: 20 },
      { x: 0, tx: 0, T: 10, count: 1000, meanSpend: 0 },
    ];
    expect(spendIndependenceWarning(tuples)).toMatch(/r = -1\.00/);
  });

  it('says nothing when there is no variation to correlate', () => {
    expect(spendIndependenceWarning([{ x: 2, tx: 1, T: 10, count: 5, meanSpend: 10 }])).toBeNull();
  });
});

describe('fitGammaGamma on degenerate data', () => {
  it('refuses data without repeat purchases', () => {
    expect(() => fitGammaGamma([{ x: 0, tx: 0, T: 10, count: 3 }])).toThrow(/no customer made a repeat purchase/);
  });

  it('refuses a repeat customer with zero or missing spend, saying what is needed', () => {
    expect(() => fitGammaGamma([{ x: 2, tx: 1, T: 10, count: 1, meanSpend: 0 }])).toThrow(/positive mean repeat-purchase value/);
    expect(() => fitGammaGamma([{ x: 2, tx: 1, T: 10, count: 1 }])).toThrow(/positive mean repeat-purchase value/);
  });

  it('flags identical spends for everyone (no variance to fit) without NaN', () => {
    const fit = fitGammaGamma([1, 2, 3].map((x) => ({ x, tx: 1, T: 10, count: 10, meanSpend: 25 })));
    expect(fit.converged).toBe(false);
    expect(fit.warnings.length).toBeGreaterThan(0);
    expect([fit.p, fit.q, fit.gamma, fit.logLikelihood].every(Number.isFinite)).toBe(true);
  });
});

describe('fitGammaGamma parameter recovery', () => {
  // As for BG/NBD: the MLE is asymptotically normal around the truth with the reported SE,
  // so 4 SE fails by chance with probability 6e−5 per parameter (and the seed is fixed).
  const truth = { p: 6, q: 4, gamma: 15 };
  const customers = simulateCustomers({
    customers: 50_000,
    seed: 'gamma-gamma-recovery',
    bgnbd: { r: 0.5, alpha: 8, a: 0.8, b: 2.5 },
    gammaGamma: truth,
    age: { min: 20, max: 80 },
  });
  const fit = fitGammaGamma(compressTuples(customers, { includeSpend: true }));

  it.each(['p', 'q', 'gamma'] as const)('recovers %s within 4 standard errors', (name) => {
    expect(fit.converged).toBe(true);
    const se = fit.standardErrors![name];
    expect(se / truth[name]).toBeLessThan(0.06);
    expect(Math.abs(fit[name] - truth[name])).toBeLessThan(4 * se);
  });
});
