import { describe, expect, it } from 'vitest';
import { expectedPurchasesIfAlive, fitParetoNbd, paretoNbdLogLikelihood, paretoNbdModel } from '../../functions/clv/paretoNbd.ts';
import { compressTuples } from '../../functions/clv/tuples.ts';
import { cdnowCustomers } from './cdnowData.ts';

// Fader & Hardie (2005), "A note on deriving the Pareto/NBD model and related expressions", and
// their spreadsheet on the CDNOW calibration sample (weeks): r 0.55, α 10.58, s 0.61, β 11.67, LL −9595.0.
const PUBLISHED = { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };

describe('Pareto/NBD on CDNOW', () => {
  const tuples = compressTuples(cdnowCustomers());

  it('has the published log-likelihood at the published estimates', () => {
    expect(paretoNbdLogLikelihood(PUBLISHED, tuples)).toBeCloseTo(-9595.0, 0);
  });

  it('fits the published estimates', () => {
    const fit = fitParetoNbd(tuples);
    expect(fit.converged).toBe(true);
    expect(fit.r).toBeCloseTo(0.553, 2);
    expect(fit.alpha).toBeCloseTo(10.58, 1);
    expect(fit.s).toBeCloseTo(0.606, 2);
    expect(fit.beta).toBeCloseTo(11.66, 0);
    expect(fit.logLikelihood).toBeCloseTo(-9595.0, 0);
    expect(fit.standardErrors!.r).toBeGreaterThan(0);
  }, 30_000);
});

describe('Pareto/NBD expectations', () => {
  const p = { r: 0.55, alpha: 10.58, s: 0.61, beta: 11.67 };

  it('expects, of a customer alive at T, (r+x)(β+T)/((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)] (hand-computed)', () => {
    // x 2, T 30, t 39: (2.55 · 41.67) / (40.58 · −0.39) · [1 − (41.67/80.67)^−0.39]
    const expected = ((2.55 * 41.67) / (40.58 * -0.39)) * (1 - (41.67 / 80.67) ** -0.39);
    expect(expectedPurchasesIfAlive(p, 2, 30, 39)).toBeCloseTo(expected, 12);
    expect(expectedPurchasesIfAlive({ ...p, s: 1 }, 2, 30, 39)).toBeCloseTo(((2.55 * 41.67) / 40.58) * Math.log(80.67 / 41.67), 12);
  });

  it('gives P(alive) that falls with the time since the last purchase and is 1 − ε right after it', () => {
    const model = paretoNbdModel(p);
    const fresh = model.probabilityAlive({ x: 4, tx: 30, T: 30 });
    const stale = model.probabilityAlive({ x: 4, tx: 5, T: 30 });
    expect(fresh).toBeGreaterThan(0.9);
    expect(stale).toBeLessThan(fresh);
    // The likelihood of a customer is the alive branch over P(alive): P(alive) = L_alive / L.
    const L = Math.exp(paretoNbdLogLikelihood(p, [{ x: 4, tx: 5, T: 30, count: 1 }]));
    const { logGamma } = { logGamma: (v: number) => Math.log(gamma(v)) };
    const alive = Math.exp(logGamma(0.55 + 4) - logGamma(0.55) + 0.55 * Math.log(10.58) + 0.61 * Math.log(11.67) - 4.55 * Math.log(40.58) - 0.61 * Math.log(41.67));
    expect(stale).toBeCloseTo(alive / L, 10);
  });
});

/** Γ by the Lanczos approximation, for the test's own check (g = 7, n = 9). */
function gamma(z: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (z < 0.5) return Math.PI / (Math.sin(Math.PI * z) * gamma(1 - z));
  const x = z - 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return Math.sqrt(2 * Math.PI) * t ** (x + 0.5) * Math.exp(-t) * a;
}
