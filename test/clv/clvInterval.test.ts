import { describe, expect, it } from 'vitest';
import { GRADIENT_PAIRS, groupCustomers, meanClvOf, predictiveClvInterval, tuplesOf } from '../../functions/clv/clvInterval.ts';
import { compressTuples } from '../../functions/clv/tuples.ts';
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

  it('gives the fit the tuples compressTuples would, in the same order', () => {
    expect(tuplesOf(groupCustomers(customers))).toEqual(compressTuples(customers));
  });
});

describe('predictiveClvInterval', () => {
  const center = meanClvOf(groupCustomers(customers), models.purchase.model, models.gammaGamma, options);
  const interval = predictiveClvInterval(models, groupCustomers(customers), options, center)!;

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
    expect(predictiveClvInterval({ ...models, gammaGamma: { ...models.gammaGamma, logCovariance: null } }, groupCustomers(customers), options, center)).toBeNull();
  });
});

describe('the gradient on a share of the (x, T) pairs', () => {
  it('gives the interval of the whole population within a few per cent of its width (simulated 200,000 customers)', async () => {
    const { simulateCustomers } = await import('../../functions/clv/simulate.ts');
    const many = simulateCustomers({ customers: 200_000, seed: 'gradient sample', bgnbd: { r: 0.243, alpha: 30.9, a: 0.793, b: 2.426 }, gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 }, age: { min: 1, max: 730 }, timeStep: 1 });
    const fit = fitClvModels(many);
    if (!fit.ok) throw new Error(fit.flags.join('; '));
    const days = { daysPerTimeUnit: 1, horizonMonths: 12, monthlyDiscountRate: 0.01 };
    const groups = groupCustomers(many);
    const center = meanClvOf(groups, fit.value.purchase.model, fit.value.gammaGamma, days);
    const sampled = predictiveClvInterval(fit.value, groups, days, center)!;
    // The same without sampling: a population with fewer pairs than GRADIENT_PAIRS is taken whole.
    const pairs = new Set(Array.from(groups.x, (x, k) => `${x} ${groups.T[k]}`)).size;
    expect(pairs).toBeGreaterThan(GRADIENT_PAIRS);
    const whole = predictiveClvIntervalWhole(fit.value, groups, days, center);
    const width = whole.high - whole.low;
    expect(Math.abs(sampled.low - whole.low)).toBeLessThan(0.05 * width);
    expect(Math.abs(sampled.high - whole.high)).toBeLessThan(0.05 * width);
  }, 60_000);
});

/** The interval with the gradient on every group: forward differences of meanClvOf, as the module's definition. */
function predictiveClvIntervalWhole(m: typeof models, groups: ReturnType<typeof groupCustomers>, o: typeof options, center: number) {
  const step = (v: number) => 1e-5 * Math.max(1, Math.abs(v));
  const gp = m.purchase.logParameters.map((v, i) => {
    const phi = [...m.purchase.logParameters];
    phi[i] = v + step(v);
    return (meanClvOf(groups, m.purchase.at(phi), m.gammaGamma, o) - center) / (phi[i]! - v);
  });
  const sp = [m.gammaGamma.p, m.gammaGamma.q, m.gammaGamma.gamma].map(Math.log);
  const gs = sp.map((v, i) => {
    const phi = [...sp];
    phi[i] = v + step(v);
    return (meanClvOf(groups, m.purchase.model, { p: Math.exp(phi[0]!), q: Math.exp(phi[1]!), gamma: Math.exp(phi[2]!) }, o) - center) / (phi[i]! - v);
  });
  const q = (g: number[], c: number[][]) => g.reduce((n, gi, i) => n + g.reduce((k, gj, j) => k + gi * c[i]![j]! * gj, 0), 0);
  const se = Math.sqrt(q(gp, m.purchase.logCovariance!) + q(gs, m.gammaGamma.logCovariance!)) / center;
  return { low: center * Math.exp(-1.959963984540054 * se), high: center * Math.exp(1.959963984540054 * se) };
}

describe('contractualClvInterval', () => {
  it('agrees with a parametric bootstrap of the sBG fit (the published Regular cohort, 400 draws)', async () => {
    const { fitShiftedBetaGeometric } = await import('../../functions/clv/shiftedBetaGeometric.ts');
    const { contractualClvInterval } = await import('../../functions/clv/clvInterval.ts');
    const { subscriberScorer } = await import('../../functions/clv/contractualModel.ts');
    // Fader & Hardie (2007): α 0.704, β 1.182 on 1,000 customers over 7 years.
    const fit = fitShiftedBetaGeometric([[1000, 631, 468, 382, 326, 289, 262, 241]]);
    expect(fit.alpha).toBeCloseTo(0.704, 2);
    const subscribers = Array.from({ length: 80 }, (_, i) => ({ renewals: i % 8, mrr: 20 + (i % 5) * 10 }));
    const scoring = { horizonMonths: 24, monthlyDiscountRate: 0.01, grossMargin: 0.6 };
    const meanAt = (alpha: number, beta: number) => {
      const score = subscriberScorer({ alpha, beta }, scoring);
      return subscribers.reduce((n, s) => n + score(s).clv!, 0) / subscribers.length;
    };
    const value = meanAt(fit.alpha, fit.beta);
    const interval = contractualClvInterval(fit, subscribers, scoring, value)!;
    expect(interval.low).toBeLessThan(value);
    expect(interval.high).toBeGreaterThan(value);

    const rng = createRng('sbg bootstrap');
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const c = fit.logCovariance!;
    const l11 = Math.sqrt(c[0]![0]!);
    const l21 = c[1]![0]! / l11;
    const l22 = Math.sqrt(c[1]![1]! - l21 * l21);
    const values = Array.from({ length: 400 }, () => {
      const [z1, z2] = [normal(), normal()];
      return meanAt(fit.alpha * Math.exp(l11 * z1), fit.beta * Math.exp(l21 * z1 + l22 * z2));
    }).sort((a, b) => a - b);
    const half = (interval.high - interval.low) / 2;
    expect(Math.abs(interval.low - values[9]!)).toBeLessThan(0.2 * half);
    expect(Math.abs(interval.high - values[389]!)).toBeLessThan(0.2 * half);
  });
});
