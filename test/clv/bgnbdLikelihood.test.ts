import { describe, expect, it } from 'vitest';
import { bgnbdLogLikelihood, bgnbdLogLikelihoodAndGradient, prepareBgNbdData, type BgNbdParams } from '../../functions/clv/bgnbdLikelihood.ts';
import { numericalGradient } from '../../functions/clv/numericalDerivatives.ts';

const unit: BgNbdParams = { r: 1, alpha: 1, a: 1, b: 1 };

describe('bgnbdLogLikelihood (FHL 2005, eq. 6)', () => {
  it('for x = 0 is r·ln(α/(α+T)): ln ½ at r = α = T = 1', () => {
    expect(bgnbdLogLikelihood(unit, [{ x: 0, tx: 0, T: 1, count: 1 }])).toBeCloseTo(Math.log(0.5), 15);
  });

  it('for x = 1, t_x = 1, T = 2 with r = α = a = b = 1 is ln(13/72), worked by hand', () => {
    // B(1,2)/B(1,1) · Γ(2)/Γ(1) · [3^−2 + (a/(b+x−1)) · 2^−2] = ½ · (1/9 + 1/4) = 13/72
    expect(bgnbdLogLikelihood(unit, [{ x: 1, tx: 1, T: 2, count: 1 }])).toBeCloseTo(Math.log(13 / 72), 14);
  });

  it('weights each tuple by its count, so tuples give the same answer as customers', () => {
    const params = { r: 0.3, alpha: 5, a: 0.8, b: 2.5 };
    const one = { x: 3, tx: 20.5, T: 30, count: 1 };
    const zero = { x: 0, tx: 0, T: 12, count: 1 };
    const perCustomer = bgnbdLogLikelihood(params, [one, one, one, zero, zero]);
    const perTuple = bgnbdLogLikelihood(params, [
      { ...one, count: 3 },
      { ...zero, count: 2 },
    ]);
    expect(perTuple).toBeCloseTo(perCustomer, 10);
  });

  it('stays finite for 10,000 purchases (log-sum-exp, no overflow)', () => {
    const ll = bgnbdLogLikelihood({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, [{ x: 10_000, tx: 38, T: 38.86, count: 1 }]);
    expect(Number.isFinite(ll)).toBe(true);
  });
});

describe('bgnbdLogLikelihoodAndGradient', () => {
  it('has the gradient of the log-likelihood with respect to the log-parameters', () => {
    const data = prepareBgNbdData([
      { x: 0, tx: 0, T: 38.86, count: 1411 },
      { x: 1, tx: 1.71, T: 38.86, count: 3 },
      { x: 2, tx: 30.43, T: 38.86, count: 2 },
      { x: 7, tx: 35.1, T: 36, count: 1 },
      { x: 4, tx: 20, T: 20, count: 5 },
    ]);
    const phi = [Math.log(0.243), Math.log(4.414), Math.log(0.793), Math.log(2.426)];
    const params = (p: readonly number[]) => ({ r: Math.exp(p[0]!), alpha: Math.exp(p[1]!), a: Math.exp(p[2]!), b: Math.exp(p[3]!) });
    const analytic = bgnbdLogLikelihoodAndGradient(data, params(phi)).gradient;
    const numeric = numericalGradient((p) => bgnbdLogLikelihoodAndGradient(data, params(p)).logLikelihood, phi);
    analytic.forEach((g, i) => expect(g).toBeCloseTo(numeric[i]!, 4));
  });
});
