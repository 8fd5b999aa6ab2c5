import { describe, expect, it } from 'vitest';
import { hiatusForecast, isActiveByHiatus, naiveForecast } from '../../../functions/clv/card/baselines.ts';

describe('the simple rules', () => {
  it('naive: the calibration repeat rate carried over the holdout', () => {
    expect(naiveForecast({ x: 3, tx: 50, T: 60 }, 91)).toBeCloseTo((3 / 60) * 91, 12);
    expect(naiveForecast({ x: 0, tx: 0, T: 0 }, 91)).toBe(0);
  });

  it('hiatus: active when the last purchase is at most N days old, and only the active go on buying', () => {
    expect(isActiveByHiatus({ x: 3, tx: 50, T: 230 }, 180)).toBe(true); // 180 days since
    expect(isActiveByHiatus({ x: 3, tx: 50, T: 231 }, 180)).toBe(false);
    expect(isActiveByHiatus({ x: 0, tx: 0, T: 100 }, 180)).toBe(true); // a one-time buyer, first seen 100 days ago
    expect(hiatusForecast({ x: 3, tx: 50, T: 230 }, 91, 180)).toBeCloseTo((3 / 230) * 91, 12);
    expect(hiatusForecast({ x: 3, tx: 50, T: 231 }, 91, 180)).toBe(0);
  });
});
