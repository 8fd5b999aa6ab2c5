import { describe, expect, it } from 'vitest';
import { digamma, logBeta, logGamma } from '../../functions/clv/logGamma.ts';

// Reference values from mpmath 1.3 (loggamma, digamma) at 40 digits, rounded to 20.
const relative = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe('logGamma', () => {
  it('matches factorials and Γ(1/2) = √π exactly enough', () => {
    expect(logGamma(1)).toBe(0);
    expect(logGamma(2)).toBe(0);
    expect(relative(logGamma(10), Math.log(362880))).toBeLessThan(1e-15);
    expect(relative(logGamma(0.5), 0.5 * Math.log(Math.PI))).toBeLessThan(1e-15);
  });

  it.each([
    [1e-8, 18.420680738180208884],
    [1.5, -0.12078223763524522235],
    [3.3, 0.98709857789473440406],
    [100.7, 362.35677520343056205],
    [1e6, 12815504.56914761166],
    [1e15, 33538776394910668.91],
  ])('lnΓ(%d) agrees with mpmath to 1e-14 relative', (x, expected) => {
    expect(relative(logGamma(x), expected)).toBeLessThan(1e-14);
  });

  it('stays accurate next to its zeros at 1 and 2, where Stirling would cancel', () => {
    expect(relative(logGamma(1 + 2 ** -40), -5.2497458900760178148e-13)).toBeLessThan(1e-12);
    expect(relative(logGamma(2 - 2 ** -40), -3.8452011276437938917e-13)).toBeLessThan(1e-12);
  });

  it('satisfies the recurrence lnΓ(x + 1) = lnΓ(x) + ln x across the branch boundaries', () => {
    for (const x of [0.3, 0.5, 1.49, 2.5, 2.51, 9.99, 10, 37.2]) {
      expect(logGamma(x + 1)).toBeCloseTo(logGamma(x) + Math.log(x), 13);
    }
  });

  it('rejects non-positive arguments with a clear error', () => {
    expect(() => logGamma(0)).toThrow(/positive/);
    expect(() => logGamma(-1.5)).toThrow(/positive/);
    expect(() => logGamma(Number.NaN)).toThrow(/positive/);
  });
});

describe('logBeta', () => {
  it('is ln of B(a, b) = Γ(a)Γ(b)/Γ(a+b): B(2, 3) = 1/12, B(1/2, 1/2) = π', () => {
    expect(logBeta(2, 3)).toBeCloseTo(-Math.log(12), 14);
    expect(logBeta(0.5, 0.5)).toBeCloseTo(Math.log(Math.PI), 14);
  });
});

describe('digamma', () => {
  it.each([
    [1e-3, -1000.5755719318102797],
    [0.5, -1.9635100260214234794],
    [1, -0.57721566490153286061],
    [2.5, 0.70315664064524318723],
    [30.2, 3.3911942727415621833],
    [1e5, 11.512920464961895087],
  ])('ψ(%d) agrees with mpmath to 1e-14 relative', (x, expected) => {
    expect(relative(digamma(x), expected)).toBeLessThan(1e-14);
  });
});
