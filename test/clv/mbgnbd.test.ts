import { describe, expect, it } from 'vitest';
import { expectedPurchasesIfAliveAt, fitBgNbd, probabilityAlive } from '../../functions/clv/bgnbd.ts';
import { bgnbdLogLikelihood, bgnbdLogLikelihoodAndGradient, prepareBgNbdData } from '../../functions/clv/bgnbdLikelihood.ts';
import { hyp2f1 } from '../../functions/clv/hyp2f1.ts';
import { numericalGradient } from '../../functions/clv/numericalDerivatives.ts';
import { compressTuples } from '../../functions/clv/tuples.ts';
import { cdnowCustomers } from './cdnowData.ts';

// MBG/NBD (Batislam, Denizel & Filiztekin 2007): BG/NBD in which a customer may also drop out
// right after the first purchase. Hand-computed at r 1, α 2, a 1, b 3.
const P = { r: 1, alpha: 2, a: 1, b: 3, variant: 'mbgnbd' as const };

describe('MBG/NBD likelihood', () => {
  it('gives a one-time buyer the chance of having left: ln(2 · B(1,4)/B(1,3) · [1/12 + (1/3) · 1/2]) = ln(3/8)', () => {
    expect(bgnbdLogLikelihood(P, [{ x: 0, tx: 0, T: 10, count: 1 }])).toBeCloseTo(Math.log(3 / 8), 12);
  });

  it('gives a repeat buyer ln(Γ(3) · 2 · B(1,6)/B(1,3) · [12^−3 + (1/5) · 7^−3])', () => {
    expect(bgnbdLogLikelihood(P, [{ x: 2, tx: 5, T: 10, count: 1 }])).toBeCloseTo(Math.log(2 * 2 * 0.5 * (1 / 1728 + 1 / (5 * 343))), 12);
  });

  it('has the analytic gradient of its numerical one', () => {
    const tuples = compressTuples(cdnowCustomers());
    const data = prepareBgNbdData(tuples);
    const at = [Math.log(0.5), Math.log(6), Math.log(0.9), Math.log(1.6)];
    const params = (phi: readonly number[]) => ({ r: Math.exp(phi[0]!), alpha: Math.exp(phi[1]!), a: Math.exp(phi[2]!), b: Math.exp(phi[3]!), variant: 'mbgnbd' as const });
    const analytic = bgnbdLogLikelihoodAndGradient(data, params(at)).gradient;
    const numeric = numericalGradient((phi) => bgnbdLogLikelihoodAndGradient(data, params(phi)).logLikelihood, at);
    analytic.forEach((g, i) => expect(g).toBeCloseTo(numeric[i]!, 3));
  });
});

describe('MBG/NBD predictions', () => {
  it('P(alive) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)), also for a one-time buyer (1/3 here)', () => {
    expect(probabilityAlive(P, { x: 0, tx: 0, T: 10 })).toBeCloseTo(1 / 3, 12);
    expect(probabilityAlive(P, { x: 2, tx: 5, T: 10 })).toBeCloseTo(1 / (1 + (1 / 5) * (12 / 7) ** 3), 12);
  });

  it('expects of a customer alive at T (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))]', () => {
    const p = { r: 0.5, alpha: 6, a: 0.9, b: 1.6, variant: 'mbgnbd' as const };
    const [x, T, t] = [2, 30, 39];
    const z = t / (p.alpha + T + t);
    const expected = ((p.a + p.b + x) / (p.a - 1)) * (1 - ((p.alpha + T) / (p.alpha + T + t)) ** (p.r + x) * hyp2f1(p.r + x, p.b + x + 1, p.a + p.b + x, z));
    expect(expectedPurchasesIfAliveAt(p, x, T, [t])[0]).toBeCloseTo(expected, 10);
  });

  it('fits CDNOW, converging within a few log-likelihood units of BG/NBD (−9582.4)', () => {
    const tuples = compressTuples(cdnowCustomers());
    const mbg = fitBgNbd(tuples, { variant: 'mbgnbd' });
    const bg = fitBgNbd(tuples);
    expect(mbg.converged).toBe(true);
    expect(mbg.variant).toBe('mbgnbd');
    // Both have four parameters; on CDNOW the two likelihoods are within a few units.
    expect(Math.abs(mbg.logLikelihood - bg.logLikelihood)).toBeLessThan(20);
    expect(bg.logLikelihood).toBeCloseTo(-9582.4, 0);
  });
});
