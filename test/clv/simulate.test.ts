import { describe, expect, it } from 'vitest';
import { expectedPurchases } from '../../functions/clv/bgnbd.ts';
import { populationMeanSpend } from '../../functions/clv/gammaGamma.ts';
import { simulateCustomers } from '../../functions/clv/simulate.ts';

const bgnbd = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const gammaGamma = { p: 6.25, q: 3.74, gamma: 15.44 };

describe('simulateCustomers', () => {
  it('is deterministic for a seed and different across seeds', () => {
    const options = { customers: 200, bgnbd, gammaGamma, age: { min: 0, max: 78 }, holdout: 10 };
    expect(simulateCustomers({ ...options, seed: 7 })).toEqual(simulateCustomers({ ...options, seed: 7 }));
    expect(simulateCustomers({ ...options, seed: 8 })).not.toEqual(simulateCustomers({ ...options, seed: 7 }));
  });

  it('produces valid summaries: whole x, 0 ≤ t_x ≤ T within the age range, spend only with repeat purchases', () => {
    for (const c of simulateCustomers({ customers: 5000, seed: 'valid', bgnbd, gammaGamma, age: { min: 10, max: 78 } })) {
      expect(Number.isInteger(c.x) && c.x >= 0).toBe(true);
      expect(c.tx).toBeGreaterThanOrEqual(0);
      expect(c.tx).toBeLessThanOrEqual(c.T);
      expect(c.T).toBeGreaterThanOrEqual(10);
      expect(c.T).toBeLessThanOrEqual(78);
      expect(c.x > 0 ? c.meanSpend > 0 : c.meanSpend === 0 && c.tx === 0).toBe(true);
      expect(c.holdoutPurchases).toBe(0);
    }
  });

  it('rounds times down to whole days when asked (weeks with a 1/7 step)', () => {
    for (const c of simulateCustomers({ customers: 500, seed: 'days', bgnbd, age: { min: 0, max: 78 }, timeStep: 1 / 7 })) {
      expect(Math.abs(c.T * 7 - Math.round(c.T * 7))).toBeLessThan(1e-9);
      expect(Math.abs(c.tx * 7 - Math.round(c.tx * 7))).toBeLessThan(1e-9);
    }
  });

  it('buys as often as BG/NBD says: mean x at T = 52 weeks is E[X(52)] within 4 standard errors', () => {
    const customers = simulateCustomers({ customers: 40_000, seed: 'mean', bgnbd, age: { min: 52, max: 52 } });
    const xs = customers.map((c) => c.x);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
    expect(Math.abs(mean - expectedPurchases(bgnbd, 52))).toBeLessThan((4 * sd) / Math.sqrt(xs.length));
  });

  it('spends as Gamma-Gamma says: the mean of z̄ over repeat customers is pγ/(q − 1) within 4 standard errors', () => {
    const spends = simulateCustomers({ customers: 40_000, seed: 'spend', bgnbd, gammaGamma, age: { min: 52, max: 52 } })
      .filter((c) => c.x > 0)
      .map((c) => c.meanSpend);
    const mean = spends.reduce((s, v) => s + v, 0) / spends.length;
    const sd = Math.sqrt(spends.reduce((s, v) => s + (v - mean) ** 2, 0) / (spends.length - 1));
    expect(Math.abs(mean - populationMeanSpend(gammaGamma))).toBeLessThan((4 * sd) / Math.sqrt(spends.length));
  });
});
