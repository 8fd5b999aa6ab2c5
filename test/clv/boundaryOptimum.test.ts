import { describe, expect, it } from 'vitest';
import { PROFILE_DROP, PROFILE_STEP, unidentifiedParameters, unidentifiedWarnings } from '../../functions/clv/boundaryOptimum.ts';
import { fitSpendModel } from '../../functions/clv/fitClvModels.ts';
import { fitGammaGamma } from '../../functions/clv/gammaGamma.ts';
import { compressTuples } from '../../functions/clv/tuples.ts';
import { cdnowCustomersWithSpend } from './cdnowData.ts';

/** A small linear congruential generator: the same "weeks" on every machine. */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('the profile-likelihood test for a fit without an interior maximum', () => {
  it('finds no unidentified parameter where the likelihood has a clear peak', () => {
    // Prepare: −ln L = 50 (x − 1)², peaked at x = 1; a thousandfold away costs 50 · ln(1000)² ≈ 2386
    const objective = (x: readonly number[]) => ({ value: 50 * (x[0]! - 1) ** 2, gradient: [100 * (x[0]! - 1)] });

    // Act
    const found = unidentifiedParameters({ objective, scale: 1, estimate: [1], names: ['x'], logErrors: null, limit: 25 });

    // Assess
    expect(found).toEqual([]);
  });

  it('finds the limit a likelihood keeps rising towards, and only that one', () => {
    // Prepare: −ln L = ln(1 + e^−x) + (y − 2)², which keeps falling as x grows; an optimiser
    // stopped at x = 5. At x = 5 + ln 1000 it is lower still (drop 0); at 5 − ln 1000 it is
    // ln(1 + e^(ln 1000 − 5)) − ln(1 + e^−5) = ln 7.7378 − 0.0067 = 2.0394 higher, beyond 1.92.
    const objective = (v: readonly number[]) => {
      const [x, y] = [v[0]!, v[1]!];
      return { value: Math.log1p(Math.exp(-x)) + (y - 2) ** 2, gradient: [-1 / (1 + Math.exp(x)), 2 * (y - 2)] };
    };
    const smaller = Math.log1p(Math.exp(PROFILE_STEP - 5)) - Math.log1p(Math.exp(-5));
    expect(smaller).toBeCloseTo(2.0394, 4);

    // Act
    const found = unidentifiedParameters({ objective, scale: 1, estimate: [5, 2], names: ['x', 'y'], logErrors: [3, 0.7], limit: 25 });

    // Assess: y's profile is the same parabola whatever x is, so y is identified
    expect(found).toEqual([{ name: 'x', towards: 'larger', drop: 0 }]);
    expect(unidentifiedWarnings(found)).toEqual([
      `x is not identified: with x a thousand times larger the likelihood is within ${PROFILE_DROP} of its maximum (a profile-likelihood test), so the fit has no interior maximum and is withheld`,
    ]);
  });

  it('withholds the spend model every week when each customer always spends the same (p → ∞), never in some weeks only', () => {
    // Prepare: 14 weeks of 40 repeat customers each, every repeat purchase of a customer at
    // their own fixed amount: the Gamma-Gamma likelihood rises without bound as p → ∞. Where
    // the optimiser stops varies; before this rule 7 of these 14 fits were published.
    const weeks = Array.from({ length: 14 }, (_, week) => {
      const next = uniform(1000 + week);
      return Array.from({ length: 40 }, () => ({ x: 1 + Math.floor(next() * 4), tx: 5, T: 10, meanSpend: Math.round((10 + 60 * next() ** 2) * 100) / 100 }));
    });

    // Act
    const outcomes = weeks.map((customers) => fitSpendModel(customers));

    // Assess
    expect(outcomes.map((o) => o.ok)).toEqual(Array.from({ length: 14 }, () => false));
  });

  it('leaves a well-determined fit alone: CDNOW’s spend model is published with its estimates', () => {
    // Act
    const fit = fitGammaGamma(compressTuples(cdnowCustomersWithSpend(), { includeSpend: true }));

    // Assess: p = 6.25, q = 3.74, γ = 15.44 (Fader, Hardie & Lee 2005)
    expect(fit.converged).toBe(true);
    expect(fit.warnings.filter((w) => w.includes('not identified'))).toEqual([]);
  });
});
