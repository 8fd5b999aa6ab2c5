import { describe, expect, it } from 'vitest';
import { conditionalExpectedPurchases, probabilityAlive } from '../../../functions/clv/bgnbd.ts';
import { modelCard } from '../../../functions/clv/card/modelCard.ts';

// CDNOW's published BG/NBD parameters with α in days.
const FIT = { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 };
const TUPLES = [
  { x: 0, tx: 0, T: 100, count: 40, actual: 0 },
  { x: 0, tx: 0, T: 100, count: 5, actual: 1 },
  { x: 2, tx: 30, T: 60, count: 3, actual: 2 },
  { x: 2, tx: 30, T: 60, count: 2, actual: 0 },
  { x: 5, tx: 300, T: 310, count: 4, actual: 3 },
  { x: 3, tx: 20, T: 400, count: 6, actual: 0 },
];
const ACTUAL = 5 * 1 + 3 * 2 + 4 * 3;

describe('modelCard', () => {
  const card = modelCard({ fit: FIT, tuples: TUPLES, holdoutDays: 91, hiatusDays: 180, days: [{ day: 0, purchases: 3 }, { day: 7, purchases: 4 }, { day: 8, purchases: 10 }, { day: 91, purchases: 6 }] });
  const score = (f: string) => card.scores.find((s) => s.forecaster === f)!;

  it('scores the model’s conditional expectation over the holdout, per customer', () => {
    const errors = TUPLES.map((t) => ({ error: Math.abs(conditionalExpectedPurchases(FIT, t, 91) - t.actual), count: t.count }));
    const mae = errors.reduce((n, e) => n + e.count * e.error, 0) / 60;
    expect(card.customers).toBe(60);
    expect(score('model').mae).toBeCloseTo(mae, 12);
  });

  it('scores the naive and hiatus rules by hand: x / T × 91, and nothing for the lapsed', () => {
    // naive forecasts: 0 (x = 0), 2/60 × 91, 5/310 × 91, 3/400 × 91; the last customers' last
    // purchase is 380 days old, past the 180-day hiatus, so that rule gives them 0.
    const naive = [0, 0, (2 / 60) * 91, (2 / 60) * 91, (5 / 310) * 91, (3 / 400) * 91];
    const hiatus = [0, 0, (2 / 60) * 91, (2 / 60) * 91, (5 / 310) * 91, 0];
    const mae = (forecast: number[]) => TUPLES.reduce((n, t, i) => n + t.count * Math.abs(forecast[i]! - t.actual), 0) / 60;
    expect(score('naive').mae).toBeCloseTo(mae(naive), 12);
    expect(score('hiatus').mae).toBeCloseTo(mae(hiatus), 12);
    expect(score('naive').aggregateError).toBeCloseTo(naive.reduce((n, f, i) => n + TUPLES[i]!.count * f, 0) - ACTUAL, 12);
  });

  it('scores P(alive) and the hiatus rule’s yes or no against who bought', () => {
    const brier = TUPLES.reduce((n, t) => n + t.count * (probabilityAlive(FIT, t) - (t.actual > 0 ? 1 : 0)) ** 2, 0) / 60;
    expect(score('model').activity!.brier).toBeCloseTo(brier, 12);
    // Hiatus: everyone but the 6 lapsed is active; the 40 + 2 active who did not buy are wrong.
    expect(score('hiatus').activity!.brier).toBeCloseTo(42 / 60, 12);
    expect(score('naive').activity).toBeNull();
    expect(card.activity).toEqual({ winner: score('model').activity!.brier <= 42 / 60 ? 'model' : 'hiatus', modelBrier: score('model').activity!.brier, hiatusBrier: 42 / 60 });
  });

  it('names the better rule and whether the model beat it', () => {
    const better = score('naive').mae <= score('hiatus').mae ? 'naive' : 'hiatus';
    expect(card.purchases.baseline).toBe(better);
    expect(card.purchases.winner).toBe(score('model').mae <= score(better).mae ? 'model' : better);
  });

  it('tracks the holdout week by week: day 0 and days 1–7 are week 1, day 91 week 13', () => {
    expect(card.tracking).toHaveLength(13);
    expect(card.tracking!.map((w) => w.actual)).toEqual([7, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6]);
    expect(card.tracking!.at(-1)!.cumulativeActual).toBe(ACTUAL);
    const predictedTotal = TUPLES.reduce((n, t) => n + t.count * conditionalExpectedPurchases(FIT, t, 91), 0);
    expect(card.tracking!.at(-1)!.cumulativePredicted).toBeCloseTo(predictedTotal, 10);
    expect(card.tracking!.reduce((n, w) => n + w.predicted, 0)).toBeCloseTo(predictedTotal, 10);
    expect(card.tracking![0]!.cumulativePredicted).toBeCloseTo(TUPLES.reduce((n, t) => n + t.count * conditionalExpectedPurchases(FIT, t, 7), 0), 10);
  });

  it('withholds the tracking when the days do not add up to the holdout', () => {
    const short = modelCard({ fit: FIT, tuples: TUPLES, holdoutDays: 91, hiatusDays: 180, days: [{ day: 3, purchases: 22 }] });
    expect(short.tracking).toBeNull();
    expect(short.trackingGuard).toBe("the holdout's purchases day by day (22) do not add up to those of the holdout check (23)");
  });

  it('keeps whole weeks across a change of summer time (91 days and an hour)', () => {
    const dst = modelCard({ fit: FIT, tuples: TUPLES, holdoutDays: 91 + 1 / 24, hiatusDays: 180, days: [{ day: 91, purchases: ACTUAL }] });
    expect(dst.tracking).toHaveLength(13);
    expect(dst.tracking!.at(-1)!.actual).toBe(ACTUAL);
  });
});
