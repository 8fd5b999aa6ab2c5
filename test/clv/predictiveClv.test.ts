import { describe, expect, it } from 'vitest';
import { conditionalExpectedPurchases, probabilityAlive } from '../../functions/clv/bgnbd.ts';
import { conditionalExpectedSpend } from '../../functions/clv/gammaGamma.ts';
import { customerClv, scoreTuples } from '../../functions/clv/predictiveClv.ts';

// CDNOW's published parameters; time in weeks, so a month is 30.4375 / 7 weeks.
const bgnbd = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const spend = { p: 6.25, q: 3.74, gamma: 15.44 };
const month = 30.4375 / 7;
const customer = { x: 2, tx: 30.43, T: 38.86, meanSpend: 22.35 };

describe('customerClv', () => {
  it('without discounting telescopes to E[Y(H months)] × E[spend] × margin', () => {
    const clv = customerClv(customer, bgnbd, spend, { daysPerTimeUnit: 7, monthlyDiscountRate: 0, horizonMonths: 12, grossMargin: 0.4 });
    const purchases = conditionalExpectedPurchases(bgnbd, customer, 12 * month);
    const perPurchase = conditionalExpectedSpend(spend, 2, 22.35);
    expect(clv.expectedPurchases).toBeCloseTo(purchases, 12);
    expect(clv.expectedSpend).toBe(perPurchase);
    expect(clv.clv).toBeCloseTo(purchases * perPurchase * 0.4, 10);
    expect(clv.pAlive).toBe(probabilityAlive(bgnbd, customer));
  });

  it('discounts each month’s purchases by (1 + d)^m', () => {
    const d = 0.01;
    const clv = customerClv(customer, bgnbd, spend, { daysPerTimeUnit: 7, monthlyDiscountRate: d, horizonMonths: 3 });
    const cumulative = [0, 1, 2, 3].map((m) => conditionalExpectedPurchases(bgnbd, customer, m * month));
    const perPurchase = conditionalExpectedSpend(spend, 2, 22.35);
    const expected = [1, 2, 3].reduce((sum, m) => sum + ((cumulative[m]! - cumulative[m - 1]!) * perPurchase) / (1 + d) ** m, 0);
    expect(clv.clv).toBeCloseTo(expected, 10);
  });

  it('uses 12 months and a margin of 1 by default', () => {
    const explicit = customerClv(customer, bgnbd, spend, { daysPerTimeUnit: 7, monthlyDiscountRate: 0.01, horizonMonths: 12, grossMargin: 1 });
    expect(customerClv(customer, bgnbd, spend, { daysPerTimeUnit: 7, monthlyDiscountRate: 0.01 })).toEqual(explicit);
  });

  it('gives the same CLV whether the model runs in weeks or in days', () => {
    const inWeeks = customerClv(customer, bgnbd, spend, { daysPerTimeUnit: 7, monthlyDiscountRate: 0.01 });
    const inDays = customerClv(
      { x: 2, tx: 30.43 * 7, T: 38.86 * 7, meanSpend: 22.35 },
      { ...bgnbd, alpha: bgnbd.alpha * 7 },
      spend,
      { daysPerTimeUnit: 1, monthlyDiscountRate: 0.01 },
    );
    expect(inDays.clv).toBeCloseTo(inWeeks.clv, 9);
  });

  it('values a customer without repeat purchases at the population mean spend', () => {
    const clv = customerClv({ x: 0, tx: 0, T: 20 }, bgnbd, spend, { daysPerTimeUnit: 7, monthlyDiscountRate: 0 });
    expect(clv.pAlive).toBe(1);
    expect(clv.expectedSpend).toBeCloseTo((6.25 * 15.44) / 2.74, 12);
    expect(clv.clv).toBeCloseTo(conditionalExpectedPurchases(bgnbd, { x: 0, tx: 0, T: 20 }, 12 * month) * clv.expectedSpend, 10);
  });

  it('explains what is wrong with its inputs', () => {
    const options = { daysPerTimeUnit: 7, monthlyDiscountRate: 0.01 };
    expect(() => customerClv({ x: 2, tx: 3, T: 5 }, bgnbd, spend, options)).toThrow(/has no meanSpend/);
    expect(() => customerClv({ x: 2, tx: 6, T: 5, meanSpend: 10 }, bgnbd, spend, options)).toThrow(/0 ≤ t_x ≤ T/);
    expect(() => customerClv(customer, bgnbd, spend, { ...options, horizonMonths: 0 })).toThrow(/horizonMonths/);
    expect(() => customerClv(customer, bgnbd, spend, { ...options, monthlyDiscountRate: -1 })).toThrow(/monthlyDiscountRate/);
    expect(() => customerClv(customer, bgnbd, spend, { ...options, daysPerTimeUnit: 0 })).toThrow(/daysPerTimeUnit/);
  });
});

describe('scoreTuples', () => {
  it('scores each tuple as customerClv would, sharing the 2F1 work between equal (x, T)', () => {
    const tuples = [
      { x: 2, tx: 30.43, T: 38.86, count: 3, meanSpend: 22.35 },
      { x: 2, tx: 10, T: 38.86, count: 1, meanSpend: 40 },
      { x: 0, tx: 0, T: 38.86, count: 50 },
      { x: 7, tx: 38, T: 38.86, count: 1, meanSpend: 12.5 },
    ];
    const options = { daysPerTimeUnit: 7, monthlyDiscountRate: 0.01, grossMargin: 0.3 };
    const scores = scoreTuples(tuples, bgnbd, spend, options);
    tuples.forEach((t, i) => {
      const one = customerClv(t, bgnbd, spend, options);
      expect(scores.pAlive[i]).toBe(one.pAlive);
      expect(scores.expectedPurchases[i]).toBe(one.expectedPurchases);
      expect(scores.expectedSpend[i]).toBe(one.expectedSpend);
      expect(scores.clv[i]).toBe(one.clv);
    });
    // Same x and T, older last purchase: less likely alive, so fewer expected purchases.
    expect(scores.pAlive[1]).toBeLessThan(scores.pAlive[0]!);
  });
});
