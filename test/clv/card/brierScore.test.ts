import { describe, expect, it } from 'vitest';
import { brierScore } from '../../../functions/clv/card/brierScore.ts';

describe('brierScore', () => {
  it('is the mean squared gap between P(alive) and having bought (hand-computed: 0.085)', () => {
    const result = brierScore([
      { predicted: 0.8, actual: 1, count: 3 }, // 3 × 0.04
      { predicted: 0.8, actual: 0, count: 1 }, // 0.64
      { predicted: 0.15, actual: 0, count: 4 }, // 4 × 0.0225
      { predicted: 1, actual: 1, count: 2 }, // 0
    ])!;
    expect(result.brier).toBeCloseTo(0.85 / 10, 12);
    expect(result.base).toBe(0.5);
    expect(result.reliability).toEqual([
      { from: 0.1, to: 0.2, customers: 4, meanPredicted: 0.15, observed: 0 },
      { from: 0.8, to: 0.9, customers: 4, meanPredicted: 0.8, observed: 0.75 },
      { from: 0.9, to: 1, customers: 2, meanPredicted: 1, observed: 1 },
    ]);
  });

  it('refuses a probability outside [0, 1] and an outcome other than 0 or 1', () => {
    expect(() => brierScore([{ predicted: 1.2, actual: 1, count: 1 }])).toThrow('forecast row 0: a probability must lie in [0, 1], got 1.2');
    expect(() => brierScore([{ predicted: 0.5, actual: 2, count: 1 }])).toThrow('the outcome must be 0 or 1, got 2');
  });
});
