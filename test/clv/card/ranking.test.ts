import { describe, expect, it } from 'vitest';
import { normalizedGini, spearmanCorrelation } from '../../../functions/clv/card/ranking.ts';

const one = (predicted: number, actual: number, count = 1) => ({ predicted, actual, count });

describe('normalizedGini', () => {
  it('is the gain curve’s Gini over the best order’s (hand-computed: 2/9 over 4/9)', () => {
    // A forecast 3 bought 2, B forecast 2 bought 0, C forecast 1 bought 1. Ordered by forecast
    // the gain curve runs 0, 2/3, 2/3, 1: area 11/18, Gini 2/9; ordered by purchases 0, 2/3, 1, 1:
    // area 13/18, Gini 4/9.
    expect(normalizedGini([one(3, 2), one(2, 0), one(1, 1)]).value).toBeCloseTo(0.5, 12);
  });

  it('is 1 for the perfect order and −1 for the worst', () => {
    expect(normalizedGini([one(0.9, 2), one(0.5, 1), one(0.1, 0)]).value).toBeCloseTo(1, 12);
    expect(normalizedGini([one(0.1, 2), one(0.5, 1), one(0.9, 0)]).value).toBeCloseTo(-1, 12);
  });

  it('gives a forecast the same for everyone 0: tied customers count as evenly mixed', () => {
    expect(normalizedGini([one(1, 5), one(1, 0), one(1, 0), one(1, 1)]).value).toBeCloseTo(0, 12);
  });

  it('weighs a group as that many customers', () => {
    const grouped = normalizedGini([one(3, 2, 2), one(2, 0, 3), one(1, 1, 1)]).value!;
    const expanded = normalizedGini([one(3, 2), one(3, 2), one(2, 0), one(2, 0), one(2, 0), one(1, 1)]).value!;
    expect(grouped).toBeCloseTo(expanded, 12);
  });

  it('is withheld, with the reason, when nobody bought or everybody bought the same', () => {
    expect(normalizedGini([one(1, 0), one(2, 0)])).toEqual({ value: null, guard: 'nobody bought in the holdout: there is nothing to rank' });
    expect(normalizedGini([one(1, 2), one(2, 2)]).guard).toMatch(/every customer did the same/);
  });
});

describe('spearmanCorrelation', () => {
  it('correlates mid-ranks (hand-computed: 8 / √95 with a tie in the outcome)', () => {
    // Ranks of the outcome 5, 6, 7, 8, 7 are 1, 2, 3.5, 5, 3.5.
    const rows = [one(1, 5), one(2, 6), one(3, 7), one(4, 8), one(5, 7)];
    expect(spearmanCorrelation(rows).value).toBeCloseTo(8 / Math.sqrt(95), 12);
  });

  it('weighs a group as that many customers (hand-computed: 1/3)', () => {
    // Customers (1, 2), (1, 2), (2, 1), (3, 3): forecast ranks 1.5, 1.5, 3, 4; outcome ranks 2.5, 2.5, 1, 4.
    expect(spearmanCorrelation([one(1, 2, 2), one(2, 1), one(3, 3)]).value).toBeCloseTo(1 / 3, 12);
  });

  it('is withheld when the forecast or the outcome does not vary', () => {
    expect(spearmanCorrelation([one(1, 0), one(1, 3)]).guard).toMatch(/the same for every customer/);
    expect(spearmanCorrelation([one(1, 3), one(2, 3)]).guard).toMatch(/every customer did the same/);
  });

  it('names the row that is not a forecast', () => {
    expect(() => spearmanCorrelation([one(1, 1), one(Number.NaN, 1)])).toThrow('forecast row 1');
    expect(() => normalizedGini([one(1, 1, 0)])).toThrow('count positive');
  });
});
