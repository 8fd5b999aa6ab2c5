import { describe, expect, it } from 'vitest';
import { groupCustomers, meanClvOf, predictiveClvInterval } from '../../functions/clv/clvInterval.ts';
import { fitClvModels, scoreCustomers } from '../../functions/clv/fitClvModels.ts';
import { createRng } from '../../functions/random/rng.ts';
import { cdnowCustomersWithSpend } from './cdnowData.ts';

// CDNOW with spend (weeks): BG/NBD and Gamma-Gamma fitted on the published summary.
const customers = cdnowCustomersWithSpend();
const options = { daysPerTimeUnit: 7, horizonMonths: 12, monthlyDiscountRate: 0.01 };
const fitted = fitClvModels(customers);
if (!fitted.ok) throw new Error(fitted.flags.join('; '));
const models = fitted.value;

describe('meanClvOf', () => {
  it('is the mean of the customers’ scored CLVs, computed on (x, t_x, T) groups', () => {
    const scores = scoreCustomers(models, customers, options);
    const direct = scores.clv.reduce((n, v) => n + v, 0) / customers.length;
    const groups = groupCustomers(customers);
    expect(groups.x.length).toBeLessThan(customers.length);
    expect(meanClvOf(groups, models.purchase.model, models.gammaGamma, options)).toBeCloseTo(direct, 9);
  });
});

describe('predictiveClvInterval', () => {
  const interval = predictiveClvInterval(models, customers, options)!;
  const center = meanClvOf(groupCustomers(customers), models.purchase.model, models.gammaGamma, options);

  it('brackets the mean CLV, at 95%', () => {
    expect(interval.basis).toBe('delta_method');
    expect(interval.low).toBeLessThan(center);
    expect(interval.high).toBeGreaterThan(center);
    // Multiplicative: the same ratio below and above.
    expect(center / interval.low).toBeCloseTo(interval.high / center, 9);
  });

  it('agrees with a parametric bootstrap of the fitted parameters (400 draws from their normal approximation)', () => {
    // Prepare: draws of the seven log-parameters from N(estimate, covariance), each block by its Cholesky factor
    const rng = createRng('interval bootstrap');
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const draw = (mean: readonly number[], cov: readonly (readonly number[])[]) => {
      const n = mean.length;
      const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (let j = 0; j < n; j++) {
        let d = cov[j]![j]!;
        for (let k = 0; k < j; k++) d -= l[j]![k]! ** 2;
        l[j]![j] = Math.sqrt(d);
        for (let i = j + 1; i < n; i++) {
          let v = cov[i]![j]!;
          for (let k = 0; k < j; k++) v -= l[i]![k]! * l[j]![k]!;
          l[i]![j] = v / l[j]![j]!;
        }
      }
      const z = mean.map(() => normal());
      return mean.map((m, i) => m + l[i]!.reduce((s, lik, k) => s + lik * z[k]!, 0));
    };
    const groups = groupCustomers(customers);
    const gg = models.gammaGamma;
    const values = Array.from({ length: 400 }, () => {
      const p = draw(models.purchase.logParameters, models.purchase.logCovariance!);
      const s = draw([gg.p, gg.q, gg.gamma].map(Math.log), gg.logCovariance!);
      return meanClvOf(groups, models.purchase.at(p), { p: Math.exp(s[0]!), q: Math.exp(s[1]!), gamma: Math.exp(s[2]!) }, options);
    }).sort((a, b) => a - b);
    const [low, high] = [values[9]!, values[389]!];

    // Assess: both ends within a fifth of the interval's half-width (400 draws leave that much noise)
    const half = (interval.high - interval.low) / 2;
    expect(Math.abs(interval.low - low)).toBeLessThan(0.2 * half);
    expect(Math.abs(interval.high - high)).toBeLessThan(0.2 * half);
  });

  it('is withheld when a fit has no covariance', () => {
    expect(predictiveClvInterval({ ...models, gammaGamma: { ...models.gammaGamma, logCovariance: null } }, customers, options)).toBeNull();
  });
});
