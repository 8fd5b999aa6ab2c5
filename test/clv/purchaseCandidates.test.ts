import { describe, expect, it } from 'vitest';
import { holdoutFits, sampleTuples } from '../../functions/clv/purchaseCandidates.ts';
import { holdoutModelAccuracy } from './holdoutCheck.ts';
import { forecastAccuracy, modelForecasts, prepareHoldout } from '../../functions/clv/card/modelCard.ts';
import { simulateCustomers } from '../../functions/clv/simulate.ts';

describe('sampleTuples', () => {
  const tuples = [
    { x: 0, tx: 0, T: 10, count: 150_000 },
    { x: 2, tx: 5, T: 10, count: 50_000 },
  ];

  it('keeps about limit customers, the same ones every run, in the same proportions', () => {
    const first = sampleTuples(tuples, 100_000);
    const again = sampleTuples(tuples, 100_000);
    expect(first.sampled).toBe(true);
    expect(first.tuples).toEqual(again.tuples);
    const kept = first.tuples.reduce((n, t) => n + t.count, 0);
    expect(Math.abs(kept - 100_000)).toBeLessThan(1_000); // binomial sd ≈ 224
    expect(first.tuples[1]!.count / kept).toBeCloseTo(0.25, 2);
  });

  it('leaves data at or under the limit whole', () => {
    expect(sampleTuples(tuples, 200_000)).toEqual({ tuples, sampled: false });
  });
});

describe('holdoutFits', () => {
  it('scores BG/NBD, MBG/NBD and Pareto/NBD on the same holdout, in that order', () => {
    const rows = simulateCustomers({ customers: 3_000, seed: 'candidates', bgnbd: { r: 0.243, alpha: 30.9, a: 0.793, b: 2.426 }, age: { min: 100, max: 500 }, timeStep: 1, holdout: 91 }).map((c) => ({
      x: c.x,
      tx: c.tx,
      T: c.T,
      count: 1,
      actual: c.holdoutPurchases,
    }));
    const { fits, sampledCustomers } = holdoutFits(rows);
    expect(sampledCustomers).toBeNull();
    expect(fits.map((c) => c.name)).toEqual(['bgnbd', 'mbgnbd', 'pareto_nbd']);
    const h = prepareHoldout(rows, 91, 180);
    for (const c of fits) {
      if (!c.outcome.ok) throw new Error(`${c.name}: ${c.outcome.flags.join('; ')}`);
      const accuracy = forecastAccuracy(h, modelForecasts(c.outcome.value.model, h).predicted);
      expect(accuracy.customers).toBe(3_000);
      // Data drawn from BG/NBD: every model predicts the holdout total within 10 %.
      expect(Math.abs(accuracy.relativeAggregateError!)).toBeLessThan(0.1);
    }
    const bg = holdoutModelAccuracy(rows, 91);
    expect(bg.ok && bg.value.fit.name).toBe('bgnbd');
  });

  it('says why when nobody bought before the cut-off', () => {
    expect(holdoutFits([]).fits.map((c) => c.outcome)).toEqual(Array.from({ length: 3 }, () => ({ ok: false, flags: ['no customers purchased before the calibration cut-off'] })));
  });
});
