import { describe, expect, it } from 'vitest';
import { accuracyNote } from '../../functions/report/accuracyNote.ts';
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
  models: null,
  totalClv: null,
  meanPAlive: null,
  scoresWritten: 0,
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
