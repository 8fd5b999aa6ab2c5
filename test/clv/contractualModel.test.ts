import { describe, expect, it } from 'vitest';
import { fitSurvivalModel, subscriberClv, summariseSbg, survivalHoldout } from '../../functions/clv/contractualModel.ts';
import { discountedExpectedResidualLifetime, fitShiftedBetaGeometric, residualMonths, survivalCurve } from '../../functions/clv/shiftedBetaGeometric.ts';

// Fader & Hardie (2007), Table 1: of 1,000 customers, those active at the end of years 0..12.
const regular = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173];
const highEnd = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394];

describe('residualMonths', () => {
  // α = β = 1: r(t) = t / (t + 1), so S(n + k) / S(n) = (n + 1) / (n + k + 1).
  const uniform = { alpha: 1, beta: 1 };

  it('sums the chances of paying each month of the horizon: 1/2 + 1/3 + 1/4 for a new subscriber', () => {
    expect(residualMonths(uniform, { renewals: 0, horizonMonths: 3, monthlyDiscountRate: 0 })).toBeCloseTo(13 / 12, 14);
  });

  it('discounts each month after the next one a month more', () => {
    expect(residualMonths(uniform, { renewals: 0, horizonMonths: 3, monthlyDiscountRate: 0.1 })).toBeCloseTo(1 / 2 + 1 / 3 / 1.1 + 1 / 4 / 1.21, 14);
  });

  it('expects more months of a subscriber who has renewed more often: 4/5 + 4/6 after 3 renewals', () => {
    expect(residualMonths(uniform, { renewals: 3, horizonMonths: 2, monthlyDiscountRate: 0 })).toBeCloseTo(4 / 5 + 4 / 6, 14);
  });

  it('tends to the closed-form discounted expected residual lifetime over a long horizon', () => {
    const params = { alpha: 0.704, beta: 1.182 };
    for (const renewals of [0, 4, 20]) {
      const closedForm = discountedExpectedResidualLifetime(params, { discountRate: 0.1, renewals });
      expect(residualMonths(params, { renewals, horizonMonths: 600, monthlyDiscountRate: 0.1 })).toBeCloseTo(closedForm, 9);
    }
  });

  it('refuses a horizon that is not a whole number of months', () => {
    expect(() => residualMonths(uniform, { renewals: 0, horizonMonths: 0, monthlyDiscountRate: 0 })).toThrow(/horizonMonths/);
  });
});

describe('subscriberClv', () => {
  it('is MRR × gross margin × the expected months: 50 × 0.6 × 13/12 = 32.50', () => {
    const value = subscriberClv({ alpha: 1, beta: 1 }, { renewals: 0, mrr: 50 }, { horizonMonths: 3, monthlyDiscountRate: 0, grossMargin: 0.6 });
    expect(value.residualMonths).toBeCloseTo(13 / 12, 14);
    expect(value.clv).toBeCloseTo(32.5, 12);
  });

  it('has no CLV without an MRR (a subscription without an fx rate), but still the expected months', () => {
    expect(subscriberClv({ alpha: 1, beta: 1 }, { renewals: 0, mrr: null }, { horizonMonths: 3, monthlyDiscountRate: 0, grossMargin: 1 })).toEqual({
      residualMonths: expect.closeTo(13 / 12, 12),
      clv: null,
    });
  });
});

describe('fitSurvivalModel', () => {
  it('fits the published regular cohort, years 0..7, to α 0.704, β 1.182', () => {
    const fit = fitSurvivalModel([{ cohort: 'regular', survivors: regular.slice(0, 8) }]);
    expect(fit.ok && [fit.value.alpha, fit.value.beta].map((v) => v.toFixed(3))).toEqual(['0.704', '1.182']);
  });

  it('leaves out cohorts not yet observed for a renewal', () => {
    const alone = fitSurvivalModel([{ cohort: 'regular', survivors: regular.slice(0, 8) }]);
    const withNew = fitSurvivalModel([{ cohort: 'regular', survivors: regular.slice(0, 8) }, { cohort: 'new', survivors: [40] }]);
    expect(withNew.ok && alone.ok && withNew.value.alpha).toBe(alone.ok && alone.value.alpha);
  });

  it('withholds a fit on fewer than 10 subscribers', () => {
    expect(fitSurvivalModel([{ cohort: '2026-01-01', survivors: [9, 5, 3] }])).toEqual({ ok: false, flags: [expect.stringMatching(/too few subscribers .*: 9 acquired/)] });
  });

  it('withholds a fit when nobody has lapsed: churn is not identified', () => {
    expect(fitSurvivalModel([{ cohort: '2026-01-01', survivors: [50, 50, 50] }])).toEqual({ ok: false, flags: [expect.stringMatching(/no subscriber has lapsed/)] });
  });

  it('withholds a fit whose likelihood has no interior maximum: the same churn for everyone (β → ∞)', () => {
    // Exactly 10% of those left churn every year: a geometric lifetime, the sBG's limit as β → ∞
    // at fixed α / β; the profile likelihood is flat that way.
    const survivors = [10_000];
    for (let t = 1; t <= 8; t++) survivors.push(Math.round(survivors[t - 1]! * 0.9));
    const fit = fitSurvivalModel([{ cohort: 'geometric', survivors }]);
    expect(fit.ok).toBe(false);
    expect(!fit.ok && fit.flags.join(' ')).toMatch(/beta is not identified: with beta a thousand times larger/);
  });

  it('summarises the fit with its mean churn α / (α + β)', () => {
    const fit = fitShiftedBetaGeometric([highEnd.slice(0, 8)]);
    const summary = summariseSbg(fit, [{ cohort: 'high end', survivors: highEnd.slice(0, 8) }, { cohort: 'new', survivors: [5] }]);
    expect(summary).toMatchObject({ cohorts: 1, customers: 1000, meanChurn: fit.alpha / (fit.alpha + fit.beta) });
  });
});

describe('survivalHoldout', () => {
  it('fits the published calibration years and predicts years 8..12 from it (Fader & Hardie 2007, fig. 2)', () => {
    // Act
    const holdout = survivalHoldout([{ cohort: 'high end', survivors: highEnd }], 5);

    // Assess: the calibration fit is the paper's, the prediction its survival curve
    expect(holdout.ok).toBe(true);
    if (!holdout.ok) return;
    const { calibration, months } = holdout.value;
    expect([calibration.alpha, calibration.beta].map((v) => v.toFixed(3))).toEqual(['0.668', '3.806']);
    const curve = survivalCurve(calibration, 12);
    expect(months.map((m) => m.predicted)).toEqual(curve.slice(8).map((s) => expect.closeTo((491 * s) / curve[7]!, 9)));
    expect(months.map((m) => m.actual)).toEqual([468, 445, 427, 409, 394]);
    expect(holdout.value.totalActual).toBe(468 + 445 + 427 + 409 + 394);
    expect(Math.abs(holdout.value.relativeError!)).toBeLessThan(0.05);
    expect(months.map((m) => m.month)).toEqual([null, null, null, null, null]);
  });

  it('follows each calendar cohort from its last calibration month, and names the held-out months', () => {
    // Prepare: cohorts of January (observed to May) and February; held out April and May
    const jan = [400, 300, 250, 220, 200];
    const feb = [300, 210, 180, 160];
    const cohorts = [
      { cohort: '2026-01-01', survivors: jan },
      { cohort: '2026-02-01', survivors: feb },
      { cohort: '2026-04-01', survivors: [100, 70] },
    ];

    // Act
    const holdout = survivalHoldout(cohorts, 2);

    // Assess: calibration January 0..2, February 0..1; April's cohort is acquired in the holdout
    expect(holdout.ok).toBe(true);
    if (!holdout.ok) return;
    const fit = fitShiftedBetaGeometric([jan.slice(0, 3), feb.slice(0, 2)]);
    expect(holdout.value.calibration.alpha).toBeCloseTo(fit.alpha, 8);
    const s = survivalCurve(fit, 4);
    expect(holdout.value.months).toEqual([
      { offset: 1, month: '2026-04-01', predicted: expect.closeTo((250 * s[3]!) / s[2]! + (210 * s[2]!) / s[1]!, 9), actual: 220 + 180 },
      { offset: 2, month: '2026-05-01', predicted: expect.closeTo((250 * s[4]!) / s[2]! + (210 * s[3]!) / s[1]!, 9), actual: 200 + 160 },
    ]);
    expect(holdout.value.subscribers).toBe(700);
    const [april, may] = holdout.value.months;
    expect(holdout.value.mape).toBeCloseTo((Math.abs(april!.predicted - 400) / 400 + Math.abs(may!.predicted - 360) / 360) / 2, 12);
  });

  it('says why when no cohort is old enough for the holdout', () => {
    expect(survivalHoldout([{ cohort: '2026-01-01', survivors: [100, 80, 70] }], 2)).toEqual({ ok: false, flags: [expect.stringMatching(/not enough history/)] });
  });

  it('passes on why the calibration fit failed', () => {
    expect(survivalHoldout([{ cohort: '2026-01-01', survivors: [5, 4, 3, 2] }], 1)).toEqual({ ok: false, flags: [expect.stringMatching(/calibration fit failed: too few subscribers/)] });
  });
});
