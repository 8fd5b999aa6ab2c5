import { describe, expect, it } from 'vitest';
import { conditionalExpectedPurchases, fitBgNbd } from '../../functions/clv/bgnbd.ts';
import { holdoutAccuracy } from '../../functions/clv/holdoutAccuracy.ts';
import { simulateCustomers } from '../../functions/clv/simulate.ts';
import { compressTuples } from '../../functions/clv/tuples.ts';

describe('holdoutAccuracy', () => {
  it('computes MAE, RMSE, aggregate error and the calibration table, worked by hand', () => {
    // Errors: +1, −1 and +0.5 for two customers → |e| sum 3, e² sum 2.5, over 4 customers.
    const accuracy = holdoutAccuracy([
      { predicted: 1, actual: 0, calibrationFrequency: 0 },
      { predicted: 2, actual: 3, calibrationFrequency: 1 },
      { predicted: 0.5, actual: 0, calibrationFrequency: 9, count: 2 },
    ]);
    expect(accuracy).toEqual({
      customers: 4,
      mae: 0.75,
      rmse: Math.sqrt(0.625),
      totalPredicted: 4,
      totalActual: 3,
      aggregateError: 1,
      relativeAggregateError: 1 / 3,
      calibration: [
        { frequency: '0', customers: 1, meanPredicted: 1, meanActual: 0 },
        { frequency: '1', customers: 1, meanPredicted: 2, meanActual: 3 },
        { frequency: '7+', customers: 2, meanPredicted: 0.5, meanActual: 0 },
      ],
    });
  });

  it('has no relative aggregate error when nobody bought in the holdout', () => {
    expect(holdoutAccuracy([{ predicted: 0.2, actual: 0, calibrationFrequency: 0 }]).relativeAggregateError).toBeNull();
  });

  it('rejects empty input and malformed rows', () => {
    expect(() => holdoutAccuracy([])).toThrow(/at least one/);
    expect(() => holdoutAccuracy([{ predicted: Number.NaN, actual: 0, calibrationFrequency: 0 }])).toThrow(/finite/);
    expect(() => holdoutAccuracy([{ predicted: 1, actual: 0, calibrationFrequency: 1.5 }])).toThrow(/whole number/);
  });

  it('finds a correctly specified model accurate on a simulated 39-week holdout', () => {
    // Fit on the calibration period of simulated customers, predict the next 39 weeks and
    // compare with the simulated truth: totals should agree within a few per cent and every
    // calibration bucket should be roughly right (the model is the one that generated the data).
    const customers = simulateCustomers({ customers: 20_000, seed: 'holdout', bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, age: { min: 32, max: 39 }, holdout: 39 });
    const fit = fitBgNbd(compressTuples(customers));
    const accuracy = holdoutAccuracy(
      customers.map((c) => ({ predicted: conditionalExpectedPurchases(fit, c, 39), actual: c.holdoutPurchases, calibrationFrequency: c.x })),
    );
    expect(Math.abs(accuracy.relativeAggregateError!)).toBeLessThan(0.05);
    expect(accuracy.calibration.map((b) => b.frequency)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    for (const bucket of accuracy.calibration) {
      expect(Math.abs(bucket.meanPredicted - bucket.meanActual)).toBeLessThan(0.15 * Math.max(1, bucket.meanActual));
    }
    expect(accuracy.rmse).toBeGreaterThan(accuracy.mae);
  });
});
