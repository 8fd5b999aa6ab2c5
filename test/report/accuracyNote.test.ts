import { describe, expect, it } from 'vitest';
import { accuracyNote, survivalAccuracyNote } from '../../functions/report/accuracyNote.ts';
import { CONTRACTUAL } from './reportFixture.ts';
import { formatter } from '../../functions/report/format.ts';
import { MESSAGES } from '../../functions/report/labels.ts';
import type { ReportPredictiveClv } from '../../functions/report/report.ts';

const base: ReportPredictiveClv = {
  method: 'bgnbd',
  cutoff: '2026-11-23T00:00:00.000Z',
  timeUnit: 'day',
  customers: 1200,
  repeatCustomers: 700,
  horizonMonths: 12,
  monthlyDiscountRate: 0.01,
  grossMargin: 1,
  purchaseModel: 'bgnbd',
  models: null,
  totalClv: null,
  meanPAlive: null,
  scoresWritten: 0,
  card: null,
  modelChoice: null,
  accuracy: null,
  flags: [],
};
const fmt = formatter('en', 'USD', 'UTC');

describe('accuracyNote', () => {
  it('states MAE, RMSE and the aggregate error of the holdout', () => {
    // Prepare: 1,149 customers, 502.6 purchases predicted against 499 made: +0.72 %
    const predictive: ReportPredictiveClv = {
      ...base,
      accuracy: {
        customers: 1149,
        mae: 0.4924,
        rmse: 0.8356,
        totalPredicted: 502.6,
        totalActual: 499,
        aggregateError: 3.6,
        relativeAggregateError: 3.6 / 499,
        calibration: [],
        holdoutWeeks: 13,
        calibrationCutoff: '2026-08-24T00:00:00.000Z',
      },
    };

    // Act
    const note = accuracyNote(predictive, fmt, MESSAGES.en);

    // Assess
    expect(note).toBe(
      'Model accuracy (BG/NBD fitted on data to Aug 24, 2026, 12:00 AM, checked on the 13 weeks after): ' +
        'MAE 0.49 and RMSE 0.84 purchases per customer over 1,149 customers; 503 purchases predicted, 499 made (+0.7%).',
    );
  });

  it('says why accuracy was not measured', () => {
    expect(accuracyNote({ ...base, accuracyGuard: 'not enough history' }, fmt, MESSAGES.en)).toBe('Model accuracy (BG/NBD holdout): not measured this week: not enough history.');
  });
});

describe('survivalAccuracyNote', () => {
  it('states the subscriber-months predicted and paid in the held-out months, and the typical monthly error', () => {
    // Act: 3,184.5 predicted against 3,201: −0.52 %; mean monthly error 1.26 %
    const note = survivalAccuracyNote(CONTRACTUAL, fmt, MESSAGES.en);

    // Assess
    expect(note).toBe(
      "Retention model accuracy (sBG fitted on each cohort's months before Aug 1, 2026, checked on the 3 months from then): " +
        'of 1,300 subscribers followed, 3,185 subscriber-months of payment predicted, 3,201 paid (-0.5%); off by 1.3% in a typical month.',
    );
  });

  it('says why the check is missing, and nothing for a business without subscribers', () => {
    const missing = { ...CONTRACTUAL, accuracy: null, accuracyGuard: 'not enough history: the holdout check needs cohorts followed for more than 4 months' };
    expect(survivalAccuracyNote(missing, fmt, MESSAGES.en)).toBe(
      'Retention model accuracy (sBG holdout): not measured this week: not enough history: the holdout check needs cohorts followed for more than 4 months.',
    );
    expect(survivalAccuracyNote(null, fmt, MESSAGES.en)).toBeNull();
  });

  it('is written in each locale', () => {
    expect(survivalAccuracyNote(CONTRACTUAL, formatter('ko', 'USD', 'UTC'), MESSAGES.ko)).toMatch(/^유지 모델 정확도 .*구독자 1,300명/);
    expect(survivalAccuracyNote(CONTRACTUAL, formatter('ja', 'USD', 'UTC'), MESSAGES.ja)).toMatch(/^継続モデル精度.*契約者1,300人/);
  });
});
