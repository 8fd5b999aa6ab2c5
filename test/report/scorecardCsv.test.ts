import { describe, expect, it } from 'vitest';
import { scorecardCsv } from '../../functions/report/scorecardCsv.ts';
import { fixtureReport } from './reportFixture.ts';

describe('scorecardCsv', () => {
  it('has one row per scorecard KPI with its stage, value, change, baseline, reference and status', () => {
    // Act
    const csv = scorecardCsv(fixtureReport());
    const [header, ...rows] = csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');

    // Assess
    expect(csv.startsWith('\uFEFFweek_id,stage,')).toBe(true);
    expect(header).toBe('week_id,stage,stage_name,stage_status,kpi,label,unit,value,wow_change,wow_relative_change,baseline_13w,baseline_weeks,reference,reference_value,gap,status,note');
    expect(rows).toHaveLength(19);
    // early churn 44/91 = 0.483516; 98% of it in the 13 weeks before, so 2.04% worse: on track
    const early = rows.find((r) => r.includes(',early_churn_rate,'))!.split(',');
    expect(early.slice(0, 8)).toEqual(['2026-W47', '2', 'Customer experience', 'on_track', 'early_churn_rate', 'Early churn (acquired 62–90 days ago)', 'ratio', '0.483516']);
    expect(Number(early[14])).toBeCloseTo(1 / 0.98 - 1, 6);
    expect(early.slice(11, 13)).toEqual(['13', 'baseline']);
    expect(early[15]).toBe('on_track');
  });
});
