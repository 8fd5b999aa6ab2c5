import { describe, expect, it } from 'vitest';
import { createRng, beta as drawBeta } from '../../functions/random/rng.ts';
import {
  discountedExpectedResidualLifetime,
  expectedLifetime,
  fitShiftedBetaGeometric,
  retentionCurve,
  survivalCurve,
} from '../../functions/clv/shiftedBetaGeometric.ts';

// Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing 21(1),
// Table 1 (data from Berry & Linoff 2004): customers of 1,000 still active at the end of
// years 0..12; the model is fitted on years 0..7 and judged on years 8..12. The paper's
// estimates: regular α = 0.704, β = 1.182; high end α = 0.668, β = 3.806. (The regular
// cohort is the one that keeps only 631 of 1,000 after a year, hence the larger mean churn
// α/(α+β) = 0.37; high end keeps 869, churn 0.15. The same pairing is in public
// replications of the paper, and an independent fit with scipy gives the same optimum and
// log-likelihoods −1680.27 and −1611.16.)
const regular = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173];
const highEnd = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394];

describe('fitShiftedBetaGeometric on the published retention data', () => {
  it.each([
    ['regular', regular, 0.704, 1.182, -1680.27],
    ['high end', highEnd, 0.668, 3.806, -1611.16],
  ])('%s customers: years 0..7 give the published α, β', (_, counts, alpha, beta, logLikelihood) => {
    const fit = fitShiftedBetaGeometric([counts.slice(0, 8)]);
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.alpha - alpha)).toBeLessThan(0.001);
    expect(Math.abs(fit.beta - beta)).toBeLessThan(0.001);
    expect(fit.logLikelihood).toBeCloseTo(logLikelihood, 2);
    expect(fit.standardErrors).not.toBeNull();
  });

  it.each([
    ['regular', regular],
    ['high end', highEnd],
  ])('%s customers: projects years 8..12 within 5 %% of what happened', (_, counts) => {
    const fit = fitShiftedBetaGeometric([counts.slice(0, 8)]);
    const projected = survivalCurve(fit, 12).map((s) => s * 1000);
    for (let year = 8; year <= 12; year++) {
      expect(Math.abs(projected[year]! - counts[year]!) / counts[year]!).toBeLessThan(0.05);
    }
  });
});

describe('fitShiftedBetaGeometric on simulated cohorts', () => {
  // 12 monthly cohorts of 3,000, the oldest observed 12 periods and the youngest 1, each
  // customer churning with its own θ ~ Beta(α, β). Tolerance 4 standard errors, as in the
  // other recovery tests (probability 6e−5 per parameter of failing by chance).
  const truth = { alpha: 1.3, beta: 4.2 };
  const rng = createRng('sbg-cohorts');
  const cohorts = Array.from({ length: 12 }, (_, k) => {
    const periods = 12 - k;
    const survivors = new Array<number>(periods + 1).fill(0);
    for (let i = 0; i < 3000; i++) {
      const churn = drawBeta(rng, truth.alpha, truth.beta);
      let t = 0;
      while (t < periods && rng.next() >= churn) t++;
      // Active at the end of periods 0..t (churned in period t + 1, if observed).
      for (let s = 0; s <= t; s++) survivors[s]!++;
    }
    return survivors;
  });
  const fit = fitShiftedBetaGeometric(cohorts);

  it.each(['alpha', 'beta'] as const)('recovers %s within 4 standard errors', (name) => {
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit[name] - truth[name])).toBeLessThan(4 * fit.standardErrors![name]);
  });
});

describe('projections', () => {
  it('with α = β = 1, S(t) = 1/(t + 1) and retention r(t) = t/(t + 1)', () => {
    const survival = survivalCurve({ alpha: 1, beta: 1 }, 4);
    [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5].forEach((s, t) => expect(survival[t]).toBeCloseTo(s, 15));
    retentionCurve({ alpha: 1, beta: 1 }, 4).forEach((r, i) => expect(r).toBeCloseTo((i + 1) / (i + 2), 15));
  });

  it('expected lifetime is (α + β − 1)/(α − 1), infinite for α ≤ 1', () => {
    expect(expectedLifetime({ alpha: 2, beta: 3 })).toBe(4);
    expect(expectedLifetime({ alpha: 0.704, beta: 1.182 })).toBe(Infinity);
  });
});

describe('discountedExpectedResidualLifetime (Fader & Hardie 2010)', () => {
  // Checked against the defining sum Σ_{t ≥ n} S(t)/S(n−1) / (1+d)^(t−n), truncated where
  // the terms are negligible.
  const bySum = (params: { alpha: number; beta: number }, d: number, renewals: number) => {
    const survival = survivalCurve(params, 20_000);
    let sum = 0;
    for (let t = renewals + 1; t < survival.length; t++) sum += survival[t]! / survival[renewals]! / (1 + d) ** (t - renewals - 1);
    return sum;
  };

  it.each([
    [0.1, 0],
    [0.1, 4],
    [0.01, 0],
  ])('matches the sum for the regular customers at d = %d after %d renewals', (d, renewals) => {
    const params = { alpha: 0.704, beta: 1.182 };
    expect(discountedExpectedResidualLifetime(params, { discountRate: d, renewals })).toBeCloseTo(bySum(params, d, renewals), 9);
  });

  it('grows with tenure: customers who stayed longer are the more loyal ones', () => {
    const params = { alpha: 0.668, beta: 3.806 };
    const derl = [0, 1, 5, 20].map((renewals) => discountedExpectedResidualLifetime(params, { discountRate: 0.1, renewals }));
    derl.slice(1).forEach((v, i) => expect(v).toBeGreaterThan(derl[i]!));
  });

  it('rejects a zero discount rate, for which the sum may diverge', () => {
    expect(() => discountedExpectedResidualLifetime({ alpha: 0.7, beta: 1.2 }, { discountRate: 0, renewals: 0 })).toThrow(/discountRate must be positive/);
  });
});

describe('fitShiftedBetaGeometric on degenerate data', () => {
  it('flags a cohort that never churns instead of returning nonsense', () => {
    const fit = fitShiftedBetaGeometric([[100, 100, 100]]);
    expect(fit.converged).toBe(false);
    expect(fit.warnings.length).toBeGreaterThan(0);
    expect([fit.alpha, fit.beta, fit.logLikelihood].every(Number.isFinite)).toBe(true);
  });

  it('flags identical customers (plain geometric churn, no heterogeneity to estimate)', () => {
    // Exactly halving every period: α, β → ∞ along α = β, a ridge with no finite maximum.
    const fit = fitShiftedBetaGeometric([[1600, 800, 400, 200, 100]]);
    expect(fit.warnings.join(' ')).toMatch(/alpha is poorly determined.*beta is poorly determined/);
  });

  it('rejects counts that increase or a cohort without a later period', () => {
    expect(() => fitShiftedBetaGeometric([[100, 120]])).toThrow(/exceed the previous period/);
    expect(() => fitShiftedBetaGeometric([[100]])).toThrow(/at least one later count/);
    expect(() => fitShiftedBetaGeometric([])).toThrow(/no cohorts/);
  });
});
