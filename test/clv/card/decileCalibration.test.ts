import { describe, expect, it } from 'vitest';
import { decileCalibration } from '../../../functions/clv/card/decileCalibration.ts';

describe('decileCalibration', () => {
  it('cuts customers by forecast, highest first, into ten equal groups', () => {
    // 20 customers forecast 20, 19, …, 1, each buying half their forecast: two per decile.
    const rows = Array.from({ length: 20 }, (_, i) => ({ predicted: 20 - i, actual: (20 - i) / 2, count: 1 }));
    const result = decileCalibration(rows)!;
    expect(result.deciles.map((d) => d.meanPredicted)).toEqual([19.5, 17.5, 15.5, 13.5, 11.5, 9.5, 7.5, 5.5, 3.5, 1.5]);
    expect(result.deciles.every((d) => d.customers === 2 && d.meanActual === d.meanPredicted / 2)).toBe(true);
    expect(result.mape).toBeCloseTo(1, 12);
  });

  it('shares a tied group across a cut and leaves deciles nobody bought in out of the MAPE (hand-computed: 9/8)', () => {
    // 15 customers forecast 2 who bought 1 each, 5 forecast 1 who bought nothing: deciles of 2.
    // Deciles 1–7 are forecast 2, bought 1; decile 8 holds one of each: 1.5 against 0.5; 9–10 bought nothing.
    const result = decileCalibration([
      { predicted: 2, actual: 1, count: 15 },
      { predicted: 1, actual: 0, count: 5 },
    ])!;
    expect(result.deciles[7]).toEqual({ decile: 8, customers: 2, meanPredicted: 1.5, meanActual: 0.5 });
    expect(result.deciles.slice(8).map((d) => d.meanActual)).toEqual([0, 0]);
    expect(result.decilesWithoutOutcome).toBe(2);
    expect(result.mape).toBeCloseTo((7 * 1 + 2) / 8, 12);
  });

  it('splits fractionally when the customers are not a multiple of ten', () => {
    const result = decileCalibration([
      { predicted: 3, actual: 3, count: 7 },
      { predicted: 1, actual: 0, count: 8 },
    ])!;
    // 1.5 customers per decile: deciles 1–4 take 6 of the first group, decile 5 the 7th and half a customer of the second.
    expect(result.deciles[4]!.customers).toBeCloseTo(1.5, 12);
    expect(result.deciles[4]!.meanPredicted).toBeCloseTo((1 * 3 + 0.5 * 1) / 1.5, 12);
    expect(result.deciles.reduce((n, d) => n + d.customers * d.meanActual, 0)).toBeCloseTo(21, 12);
  });

  it('needs ten customers', () => {
    expect(decileCalibration([{ predicted: 1, actual: 1, count: 9 }])).toBeNull();
  });
});
