import { describe, expect, it } from 'vitest';
import { compressTuples, indexFrequencies, totalCount, validateTuples } from '../../functions/clv/tuples.ts';

describe('compressTuples', () => {
  const customers = [
    { x: 0, tx: 0, T: 10, meanSpend: 0 },
    { x: 2, tx: 5, T: 10, meanSpend: 20 },
    { x: 0, tx: 0, T: 10, meanSpend: 0 },
    { x: 2, tx: 5, T: 10, meanSpend: 30 },
    { x: 2, tx: 5, T: 12 },
  ];

  it('counts customers sharing (x, t_x, T), in order of first appearance', () => {
    expect(compressTuples(customers)).toEqual([
      { x: 0, tx: 0, T: 10, count: 2 },
      { x: 2, tx: 5, T: 10, count: 2 },
      { x: 2, tx: 5, T: 12, count: 1 },
    ]);
  });

  it('keeps different mean spends apart when spend is part of the identity', () => {
    const tuples = compressTuples(customers, { includeSpend: true });
    expect(tuples).toEqual([
      { x: 0, tx: 0, T: 10, count: 2 },
      { x: 2, tx: 5, T: 10, count: 1, meanSpend: 20 },
      { x: 2, tx: 5, T: 10, count: 1, meanSpend: 30 },
      { x: 2, tx: 5, T: 12, count: 1 },
    ]);
    expect(totalCount(tuples)).toBe(5);
  });
});

describe('validateTuples', () => {
  it('accepts T = t_x and customers acquired at the cut-off (T = 0)', () => {
    expect(() => validateTuples([{ x: 3, tx: 8, T: 8, count: 1 }, { x: 0, tx: 0, T: 0, count: 4 }])).not.toThrow();
  });

  it.each([
    [{ x: 1.5, tx: 1, T: 2, count: 1 }, /whole number/],
    [{ x: -1, tx: 0, T: 2, count: 1 }, /non-negative/],
    [{ x: 1, tx: 3, T: 2, count: 1 }, /t_x must lie between 0 and T/],
    [{ x: 0, tx: 1, T: 2, count: 1 }, /no repeat purchase must have t_x = 0/],
    [{ x: 1, tx: 1, T: Number.NaN, count: 1 }, /T must be a finite/],
    [{ x: 1, tx: 1, T: 2, count: 0 }, /count must be a positive/],
  ])('rejects %o with a message naming the problem', (tuple, message) => {
    expect(() => validateTuples([tuple])).toThrow(message);
  });

  it('rejects an empty customer list', () => {
    expect(() => validateTuples([])).toThrow(/no customers/);
  });
});

describe('indexFrequencies', () => {
  it('numbers the distinct x values in order of appearance and sums their customers', () => {
    const index = indexFrequencies([
      { x: 2, tx: 5, T: 9, count: 3 },
      { x: 0, tx: 0, T: 9, count: 10 },
      { x: 2, tx: 7, T: 9, count: 1 },
    ]);
    expect([...index.distinctX]).toEqual([2, 0]);
    expect([...index.countByX]).toEqual([4, 10]);
    expect([...index.xIndex]).toEqual([0, 1, 0]);
  });
});
