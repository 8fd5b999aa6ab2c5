import { describe, expect, it } from 'vitest';
import { csvCell, scorecardCsv } from '../../functions/report/scorecardCsv.ts';
import { fixtureReport } from './reportFixture.ts';

describe('csvCell', () => {
  it.each([
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tTAB', "'\tTAB"],
    ['\rCR', `"'\rCR"`],
    ["'quoted", "''quoted"],
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['Champions, Loyal', '"Champions, Loyal"'],
    ['line\nbreak', '"line\nbreak"'],
    ['plain', 'plain'],
  ])('defuses and quotes the text %j', (text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });

  it.each([
    [-0.05, '-0.05'],
    [1545.7633928571428, '1545.763393'],
    [100, '100'],
    [-1e-9, '0'],
    [null, ''],
  ])('writes the number %s as the plain decimal %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

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
