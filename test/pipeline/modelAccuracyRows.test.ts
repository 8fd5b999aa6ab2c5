import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import { modelAccuracyRows } from '../../functions/pipeline/modelAccuracyRows.ts';
import { parseWeekId, weekBounds } from '../../functions/time/isoWeek.ts';
import { PREDICTIVE } from '../report/reportFixture.ts';

const config = parseConfig({}, 'test');
const week = weekBounds(parseWeekId('2026-W47'), 'UTC');

describe('modelAccuracyRows', () => {
  const rows = modelAccuracyRows(PREDICTIVE, week, config);
  const of = (model: string, metric: string) => rows.filter((r) => r.model === model && r.metric === metric);

  it('writes each forecaster’s whole-holdout metrics once, with the card’s values', () => {
    const card = PREDICTIVE.card!;
    for (const [model, forecaster] of [['bgnbd', 'model'], ['naive', 'naive'], ['hiatus', 'hiatus']] as const) {
      const score = card.scores.find((s) => s.forecaster === forecaster)!;
      expect(of(model, 'mae')).toEqual([expect.objectContaining({ part: null, value: score.mae, guard: null, customers: 1118 })]);
      expect(of(model, 'normalized_gini')[0]!.value).toBe(score.gini.value);
      expect(of(model, 'decile_actual').map((r) => r.part)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    }
    // The naive rule says nothing about who is active: no Brier score.
    expect(of('naive', 'brier')).toEqual([]);
    expect(of('hiatus', 'brier')[0]!.value).toBe(card.scores[2]!.activity!.brier);
    expect(of('bgnbd', 'tracking_actual').map((r) => r.value)).toEqual(card.tracking!.map((w) => w.actual));
  });

  it('writes the other candidate models beside it, which one won, and why one was not fitted', () => {
    const mbg = PREDICTIVE.modelChoice!.candidates[1]!;
    expect(of('mbgnbd', 'mae')[0]!.value).toBe(mbg.score!.mae);
    expect(of('mbgnbd', 'log_likelihood')[0]!.value).toBe(mbg.logLikelihood);
    expect(['bgnbd', 'mbgnbd', 'pareto_nbd'].map((m) => of(m, 'chosen')[0]!.value)).toEqual([1, 0, 0]);
    expect(of('pareto_nbd', 'mae')).toEqual([expect.objectContaining({ value: null, guard: 'Pareto/NBD did not reach a usable maximum' })]);
    // The CLV's model is written once, from the card.
    expect(of('bgnbd', 'mae')).toHaveLength(1);
  });

  it('records the settings and the holdout it was measured on', () => {
    expect(rows[0]).toMatchObject({ holdout_weeks: 13, hiatus_days: 180, calibration_cutoff: new Date('2026-08-24T00:00:00Z'), holdout_end: week.end });
  });

  it('leaves one row saying why when the card was withheld', () => {
    const withheld = modelAccuracyRows({ ...PREDICTIVE, accuracy: null, card: null, accuracyGuard: 'not enough history' }, week, config);
    expect(withheld).toEqual([expect.objectContaining({ model: 'bgnbd', metric: 'mae', value: null, guard: 'not enough history', customers: 0 })]);
  });
});
