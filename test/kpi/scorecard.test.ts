import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import {
  buildScorecard,
  buildTrajectory,
  STATUS_RULE,
  statusOfGap,
  statusOfLines,
  trailingBaseline,
  trajectoryTarget,
  usualMove,
  weekOverWeek,
  worstStatus,
  type HistoryPoint,
  type KpiHistory,
} from '../../functions/kpi/scorecard.ts';
import type { Kpi, KpiKey } from '../../functions/kpi/weeklyKpis.ts';
import { addWeeks, formatWeekId, parseWeekId } from '../../functions/time/isoWeek.ts';

const W47 = parseWeekId('2026-W47');
const targets = parseConfig({}, 'test').targets;

/** `values` for the weeks just before 2026-W47, oldest first. */
function series(values: (number | null)[]): HistoryPoint[] {
  return values.map((value, i) => ({ weekId: formatWeekId(addWeeks(W47, i - values.length)), value }));
}

describe('the status rule', () => {
  it.each([
    // gap = shortfall / reference; against a target: met, up to 10% short, beyond
    [-0.5, STATUS_RULE.target, 'on_track'],
    [0, STATUS_RULE.target, 'on_track'],
    [0.1, STATUS_RULE.target, 'at_risk'],
    [0.1001, STATUS_RULE.target, 'off_track'],
    [0.15000000000000002, STATUS_RULE.baseline, 'at_risk'], // 0.046 against 0.04 in doubles
    // against the KPI's own baseline: up to 5% worse, up to 15% worse, beyond
    [0.05, STATUS_RULE.baseline, 'on_track'],
    [0.0501, STATUS_RULE.baseline, 'at_risk'],
    [0.15, STATUS_RULE.baseline, 'at_risk'],
    [0.16, STATUS_RULE.baseline, 'off_track'],
    // freshness is on or off
    [0.01, STATUS_RULE.freshness, 'off_track'],
  ] as const)('gap %s with bands %j is %s', (gap, bands, status) => {
    expect(statusOfGap(gap, bands)).toBe(status);
  });

  it('gives a stage the worst status of its rated KPIs, and not rated only when none is', () => {
    expect(worstStatus(['on_track', 'not_rated', 'at_risk'])).toBe('at_risk');
    expect(worstStatus(['at_risk', 'off_track', 'on_track'])).toBe('off_track');
    expect(worstStatus(['not_rated', 'not_rated'])).toBe('not_rated');
  });
});

describe('a scorecard that mostly lacks history', () => {
  const on = { status: 'on_track' } as const;
  const short = { status: 'not_rated', notRated: { code: 'short_history', weeks: 0, needed: 4 } } as const;
  const anchoring = { status: 'not_rated', notRated: { code: 'anchor_week' } } as const;
  const noValue = { status: 'not_rated', notRated: { code: 'no_value' } } as const;

  it('is not rated yet while more than half of its KPIs lack history, even when every rated one is on track', () => {
    // 4 of 7 lack history (the week anchoring the trajectory counts: a backfill rates it)
    expect(statusOfLines([on, on, on, short, short, short, anchoring])).toBe('not_rated');
    // exactly half, or a KPI without a value, does not
    expect(statusOfLines([on, on, short, short])).toBe('on_track');
    expect(statusOfLines([on, on, on, short, short, short, noValue])).toBe('on_track');
  });

  it('still reports a KPI that is at risk or off track: short history never hides a problem', () => {
    expect(statusOfLines([{ status: 'off_track' }, on, short, short, short])).toBe('off_track');
    expect(statusOfLines([{ status: 'at_risk' }, short, short])).toBe('at_risk');
  });
});

describe('the usual weekly move', () => {
  it('is the median size of the week-to-week changes of the 13 weeks before, relative for amounts and in points for rates', () => {
    // W34-W46 alternate 100 and 120: 12 changes of 20, 6 of them +20% and 6 of them -16.67%
    const history = series([100, 120, 100, 120, 100, 120, 100, 120, 100, 120, 100, 120, 100]);
    const wow = weekOverWeek(118, W47, history); // +18% from 100

    const usual = usualMove(wow, 'money', W47, history)!;

    expect(usual.change).toBe(20);
    expect(usual.relativeChange).toBeCloseTo((0.2 + 20 / 120) / 2, 12);
    expect(usual.ordinary).toBe(true); // 18% is within 18.33%
    expect(usualMove(weekOverWeek(119, W47, history), 'money', W47, history)!.ordinary).toBe(false); // 19% is not
    // A rate is compared in points: churn alternating 4% and 5% usually moves 1 pp (22.5%
    // relatively); 4% to 4.95% is 0.95 pp, ordinary, though 23.75% relatively
    const churn = series([0.04, 0.05, 0.04, 0.05, 0.04, 0.05, 0.04, 0.05, 0.04, 0.05, 0.04, 0.05, 0.04]);
    const rate = usualMove(weekOverWeek(0.0495, W47, churn), 'ratio', W47, churn)!;
    expect(rate.change).toBeCloseTo(0.01, 15);
    expect(rate.relativeChange).toBeCloseTo(0.225, 12);
    expect(rate.ordinary).toBe(true);
  });

  it('needs 3 changes, and ignores changes older than 13 weeks', () => {
    // W32-W34 are older than 13 weeks; W44-W46 give 2 changes
    const history = series([1, 1000, 1, ...Array.from({ length: 9 }, () => null), 10, 11, 12]);
    expect(usualMove(weekOverWeek(13, W47, history), 'count', W47, history)).toBeNull();
  });
});

describe('week-over-week change and baseline from history', () => {
  it('compares with the week immediately before', () => {
    // 2026-W46 = 20, this week 23: +3, +15%
    expect(weekOverWeek(23, W47, series([18, 20]))).toEqual({ previousWeekId: '2026-W46', previous: 20, change: 3, relativeChange: 0.15 });
  });

  it('gives no change when the week before is missing or withheld, and no relative change from 0', () => {
    expect(weekOverWeek(23, W47, series([20, null]))).toEqual({ previousWeekId: '2026-W46', previous: null, change: null, relativeChange: null });
    expect(weekOverWeek(23, W47, series([20]).map((p) => ({ ...p, weekId: '2026-W45' })))).toMatchObject({ previous: null, change: null });
    expect(weekOverWeek(2, W47, series([0]))).toEqual({ previousWeekId: '2026-W46', previous: 0, change: 2, relativeChange: null });
  });

  it('averages the values of the 13 weeks before, skipping withheld weeks and older ones', () => {
    // 15 weeks: the first two are older than 13 weeks; of the 13, one is withheld: (12 × 10 + ...) / 12
    const values = [1000, 1000, ...Array.from({ length: 12 }, (_, i) => 10 + i), null];
    // mean of 10..21 = 15.5
    expect(trailingBaseline(W47, series(values))).toEqual({ value: 15.5, weeks: 12 });
  });
});

describe('the doubling trajectory', () => {
  it('doubles the anchor in the configured number of years (about +14.87% a year for 5)', () => {
    const weeksPerYear = 365.2425 / 7;
    expect(trajectoryTarget(100, 5 * weeksPerYear, 5)).toBeCloseTo(200, 10);
    expect(trajectoryTarget(100, weeksPerYear, 5)).toBeCloseTo(114.869835, 5);
    expect(trajectoryTarget(100, 0, 5)).toBe(100);
  });

  it('is anchored on the mean of the first 13 weeks of history, and judges this week by the mean of its own 13', () => {
    // Prepare: 2026-W32 to W44 alternate 190 and 210 around 200; W45 withheld, W46 205, this week 210
    const first13 = [190, 210, 190, 210, 190, 210, 190, 210, 190, 210, 190, 210, 200];
    const outcome = buildTrajectory({ week: W47, current: 210, series: series([...first13, null, 205]), targets });

    // Assess: the anchor is W44, the last week of the first full window: mean 2,600 / 13 = 200
    if (!('trajectory' in outcome)) throw new Error('expected a trajectory');
    const t = outcome.trajectory;
    expect(t).toMatchObject({ anchorWeek: '2026-W44', anchorValue: 200, anchorWeeks: 13 });
    // The chart starts with the anchor's window, W32; a mean needs 4 values, first reached in W35
    expect(t.points.map((p) => [p.weekId, p.actual, p.smoothed]).slice(0, 4)).toEqual([
      ['2026-W32', 190, null],
      ['2026-W33', 210, null],
      ['2026-W34', 190, null],
      ['2026-W35', 210, 200],
    ]);
    expect(t.points).toHaveLength(16);
    // W35-W47 hold 210,190,210,190,210,190,210,190,210,200 (2,010), 205 and 210: 2,425 / 12
    expect(outcome.smoothed).toBeCloseTo(2425 / 12, 10);
    // 200 × 2^(3 / 52.1775 / 5), 3 weeks after the anchor
    expect(t.points.at(-1)!.target).toBeCloseTo(200 * 2 ** (3 / (365.2425 / 7) / 5), 10);
    // Before the anchor the target line runs back along the same curve
    expect(t.points[0]!.target).toBeCloseTo(200 * 2 ** (-12 / (365.2425 / 7) / 5), 10);
  });

  it('waits for the history of a full window before it anchors by default', () => {
    expect(buildTrajectory({ week: W47, current: 210, series: series([200, null, 205]), targets })).toEqual({ notRated: { code: 'short_history', weeks: 3, needed: 13 } });
  });

  it('uses targets.baselineWeek when set, and says why it cannot when that week has no value', () => {
    // W42-W45: 200, 190, 205, 195; the window ending W45 holds these 4 (of 13): mean 197.5
    const withAnchor = buildTrajectory({ week: W47, current: 210, series: series([200, 190, 205, 195, 210]), targets: { ...targets, baselineWeek: '2026-W45' } });
    expect('trajectory' in withAnchor && withAnchor.trajectory.anchorValue).toBe(197.5);
    // One anchor week is the single value, as before trailing means
    const single = buildTrajectory({ week: W47, current: 210, series: series([200, 190, 205, 195, 210]), targets: { ...targets, baselineWeek: '2026-W45', anchorWeeks: 1 } });
    expect('trajectory' in single && single.trajectory.anchorValue).toBe(195);
    // Fewer than 4 values in the anchor's window
    expect(buildTrajectory({ week: W47, current: 210, series: series([200, 190, 205]), targets: { ...targets, baselineWeek: '2026-W45' } })).toEqual({
      notRated: { code: 'short_history', weeks: 2, needed: 4 },
    });
    expect(buildTrajectory({ week: W47, current: 210, series: series([200]), targets: { ...targets, baselineWeek: '2026-W30' } })).toEqual({
      notRated: { code: 'no_anchor', anchorWeek: '2026-W30' },
    });
    expect(buildTrajectory({ week: W47, current: 210, series: [], targets: { ...targets, baselineWeek: '2026-W50' } })).toEqual({
      notRated: { code: 'anchor_after_week', anchorWeek: '2026-W50' },
    });
  });

  it('shows at most a year of weeks', () => {
    const outcome = buildTrajectory({ week: W47, current: 300, series: series(Array.from({ length: 80 }, () => 200)), targets });
    expect('trajectory' in outcome && outcome.trajectory.points.length).toBe(52);
  });
});

describe('buildScorecard', () => {
  const kpi = (key: KpiKey, value: number | null, unit: Kpi['unit'] = 'ratio', guard?: string): Kpi => ({ key, unit, value, ...(guard ? { guard } : {}) });
  // This week's values; every other stage KPI is withheld so only these are rated.
  const kpis: Kpi[] = [
    kpi('headline_clv', 230, 'money'),
    kpi('clv_saas', 230, 'money'),
    kpi('ltv_to_cac', 2.8, 'multiple'),
    kpi('cac_payback_months', 9, 'months'),
    kpi('churn_rate', 0.046),
    kpi('aov', 97, 'money'),
    kpi('data_freshness_days', 0.25, 'days'),
    ...(['data_accepted_share', 'core_segment_customer_share', 'core_segment_revenue_share', 'early_churn_rate', 'grr', 'retention_rate', 'repeat_purchase_rate',
      'purchase_frequency', 'cohort_m3_retention', 'arpu_monthly', 'expansion_mrr', 'nrr', 'model_mae'] as const).map((k) => kpi(k, null, 'ratio', 'no data')),
  ];
  const history: KpiHistory = new Map<KpiKey, HistoryPoint[]>([
    // 13 weeks of churn at 4%, AOV at 100: churn 4.6% is 15% worse (at risk), AOV 97 is 3% worse (on track)
    ['churn_rate', series(Array.from({ length: 13 }, () => 0.04))],
    ['aov', series(Array.from({ length: 13 }, () => 100))],
    // The headline's history is its method's: 200 thirteen weeks ago
    ['clv_saas', series([200, ...Array.from({ length: 12 }, () => 220)])],
  ]);

  it('rates each KPI against its target or baseline and each stage by its worst KPI', () => {
    // Act
    const { scorecard } = buildScorecard({ week: W47, kpis, history, headlineMethod: 'saas', targets });
    const line = (key: KpiKey) => scorecard.stages.flatMap((s) => s.lines).find((l) => l.key === key)!;

    // Assess
    expect(line('ltv_to_cac')).toMatchObject({ reference: { kind: 'target', comparison: 'at_least', value: 3 }, status: 'at_risk' });
    expect(line('ltv_to_cac').gap).toBeCloseTo(0.2 / 3, 12); // 2.8 is 6.7% short of 3
    expect(line('cac_payback_months')).toMatchObject({ gap: -0.25, status: 'on_track' }); // 9 of at most 12
    expect(line('churn_rate').gap).toBeCloseTo(0.15, 12);
    expect(line('churn_rate').baseline.value).toBeCloseTo(0.04, 15);
    expect(line('churn_rate')).toMatchObject({ baseline: { weeks: 13 }, status: 'at_risk' });
    expect(line('aov')).toMatchObject({ gap: 0.03, status: 'on_track', wow: { previous: 100, change: -3, relativeChange: -0.03 } });
    expect(line('data_freshness_days')).toMatchObject({ status: 'on_track', reference: { value: 1 } });
    expect(line('grr')).toMatchObject({ status: 'not_rated', notRated: { code: 'no_value' }, guard: 'no data' });
    // Anchor W46, the mean of W34-W46: (200 + 12 × 220) / 13 = 218.46; its target a week on is
    // 218.46 × 2^(1 / 52.1775 / 5) = 219.04, and the mean of W35-W47, (12 × 220 + 230) / 13 = 220.77, is above it
    const anchor = 2840 / 13;
    expect(line('headline_clv').reference).toMatchObject({ kind: 'trajectory', anchorWeek: '2026-W46', weeks: 13 });
    expect(line('headline_clv').reference).toMatchObject({ anchorValue: expect.closeTo(anchor, 10), smoothed: expect.closeTo(2870 / 13, 10) });
    expect(line('headline_clv').reference!.value).toBeCloseTo(anchor * 2 ** (1 / (365.2425 / 7) / 5), 10);
    expect(line('headline_clv').gap).toBeCloseTo(1 - 2870 / 13 / (anchor * 2 ** (1 / (365.2425 / 7) / 5)), 12);
    expect(line('headline_clv')).toMatchObject({ status: 'on_track', wow: { previous: 220, change: 10 } });

    expect(scorecard.stages.map((s) => [s.stage, s.status])).toEqual([
      [1, 'on_track'],
      [2, 'at_risk'],
      [3, 'not_rated'],
      [4, 'on_track'],
      [5, 'at_risk'],
    ]);
    expect(scorecard.status).toBe('at_risk');
  });

  it('judges the headline at both ends of its 95% interval: on track only if its low end is, off track only if its high end is', () => {
    const headline = (interval?: { low: number; high: number }) => {
      const { scorecard } = buildScorecard({ week: W47, kpis, history, headlineMethod: 'saas', targets, ...(interval ? { headlineInterval: interval } : {}) });
      return scorecard.stages.flatMap((s) => s.lines).find((l) => l.key === 'headline_clv')!;
    };
    // The trailing mean is 0.79% above its target (on track, as above). ±0.5%: still on track at
    // the low end (−0.79% + 0.5% × 220.77 / 219.04 < 0); ±10%: the low end is 9.3% short (at risk)
    // and the high end on track, so at risk.
    expect(headline({ low: 230 * 0.995, high: 230 * 1.005 }).status).toBe('on_track');
    const wide = headline({ low: 207, high: 253 });
    expect(wide.status).toBe('at_risk');
    expect(wide.reference).toMatchObject({ kind: 'trajectory', uncertainty: { below: expect.closeTo(0.1, 12), above: expect.closeTo(0.1, 12) } });
    expect(wide.gap).toBe(headline().gap);

    // Far behind: W34 1000, W35–W46 100, this week 10: the mean of W35–W47 (93.1) is 45% short of
    // its target (169.7): off track, unless the interval's high end reaches into the at-risk band.
    const short = kpis.map((k) => (k.key === 'headline_clv' || k.key === 'clv_saas' ? { ...k, value: 10 } : k));
    const fallen = new Map(history).set('clv_saas', series([1000, ...Array.from({ length: 12 }, () => 100)]));
    const behind = (interval?: { low: number; high: number }) => {
      const { scorecard } = buildScorecard({ week: W47, kpis: short, history: fallen, headlineMethod: 'saas', targets, ...(interval ? { headlineInterval: interval } : {}) });
      return scorecard.stages.flatMap((s) => s.lines).find((l) => l.key === 'headline_clv')!;
    };
    expect(behind().gap).toBeGreaterThan(0.4);
    expect(behind().status).toBe('off_track');
    expect(behind({ low: 9.8, high: 10.2 }).status).toBe('off_track');
    expect(behind({ low: 5, high: 18 }).status).toBe('at_risk'); // 45% − 80% × 93.1 / 169.7 < 10%
  });

  it('does not rate a KPI against fewer than 4 weeks of history', () => {
    // Prepare: 3 weeks of AOV
    const short = new Map(history).set('aov', series([100, 100, 100]));

    // Act
    const { scorecard } = buildScorecard({ week: W47, kpis, history: short, headlineMethod: 'saas', targets });

    // Assess
    const aov = scorecard.stages[3]!.lines.find((l) => l.key === 'aov')!;
    expect(aov).toMatchObject({ status: 'not_rated', notRated: { code: 'short_history', weeks: 3, needed: 4 }, baseline: { value: 100, weeks: 3 } });
  });

  it('does not rate the headline without the history of a trajectory, nor in the week that anchors it', () => {
    // Act: no history at all, the first run
    const first = buildScorecard({ week: W47, kpis, history: new Map(), headlineMethod: 'saas', targets });
    // 12 weeks at 220 before this one: this week completes the first window and anchors it
    const anchoring = buildScorecard({ week: W47, kpis, history: new Map([['clv_saas', series(Array.from({ length: 12 }, () => 220))]]), headlineMethod: 'saas', targets });

    // Assess
    expect(first.trajectory).toBeNull();
    expect(first.scorecard.stages[4]!.lines[0]).toMatchObject({ key: 'headline_clv', status: 'not_rated', notRated: { code: 'short_history', weeks: 1, needed: 13 } });
    // (12 × 220 + 230) / 13
    expect(anchoring.trajectory).toMatchObject({ anchorWeek: '2026-W47', anchorValue: expect.closeTo(2870 / 13, 10) });
    expect(anchoring.scorecard.stages[4]!.lines[0]).toMatchObject({ key: 'headline_clv', status: 'not_rated', notRated: { code: 'anchor_week' } });
  });

  it('widens the on-track band of a baseline to the KPI’s usual weekly move, so an ordinary week is not at risk', () => {
    // Prepare: AOV alternated 100 and 120 (baseline 1,420 / 13 = 109.23, usual move 20, 18.3% of it); this week 97
    const noisy = new Map(history).set('aov', series([100, 120, 100, 120, 100, 120, 100, 120, 100, 120, 100, 120, 100]));

    // Act
    const { scorecard } = buildScorecard({ week: W47, kpis, history: noisy, headlineMethod: 'saas', targets });

    // Assess: 11.2% below the baseline, at risk against a fixed 5% band, inside the usual 18.3%
    const aov = scorecard.stages[3]!.lines.find((l) => l.key === 'aov')!;
    expect(aov.gap).toBeCloseTo((1420 / 13 - 97) / (1420 / 13), 12);
    expect(aov).toMatchObject({ status: 'on_track', usual: { change: 20, ordinary: true } });
  });

  it('gives the same verdict on a noisy headline whichever week anchors the trajectory', () => {
    // Prepare: 40 weeks from 2026-W07, 100 plus a 13-week pattern of noise that sums to 0, so
    // every 13-week mean is exactly 100. This week is 80 (100 - 20).
    const noise = [-30, -20, -10, 0, 10, 20, 30, -25, -15, -5, 5, 15, 25];
    const headline = series(Array.from({ length: 40 }, (_, i) => 100 + noise[i % 13]!));
    const noisyKpis = kpis.map((k) => (k.key === 'headline_clv' ? { ...k, value: 80 } : k));
    const rate = (baselineWeek: string) => {
      const { scorecard } = buildScorecard({ week: W47, kpis: noisyKpis, history: new Map([['clv_saas', headline]]), headlineMethod: 'saas', targets: { ...targets, baselineWeek } });
      return scorecard.stages[4]!.lines.find((l) => l.key === 'headline_clv')!;
    };

    // Act: anchored on 2026-W20 (a week at 70), W26 (130) and W34 (80): one week alone would
    // have said on track, 41.8% short and 3.4% short
    const lines = [rate('2026-W20'), rate('2026-W26'), rate('2026-W34')];

    // Assess: the anchors are all 100, this week's mean is 100, and the target has grown for 27,
    // 21 and 13 weeks: 1 - 2^(-weeks / 52.1775 / 5) = 6.9%, 5.4% and 3.4% short, all at risk
    expect(lines.map((l) => l.reference)).toMatchObject([
      { anchorValue: expect.closeTo(100, 10), smoothed: expect.closeTo(100, 10) },
      { anchorValue: expect.closeTo(100, 10), smoothed: expect.closeTo(100, 10) },
      { anchorValue: expect.closeTo(100, 10), smoothed: expect.closeTo(100, 10) },
    ]);
    [27, 21, 13].forEach((weeks, i) => expect(lines[i]!.gap).toBeCloseTo(1 - 2 ** (-weeks / (365.2425 / 7) / 5), 10));
    expect(lines.map((l) => l.status)).toEqual(['at_risk', 'at_risk', 'at_risk']);
  });

  it('counts the KPIs that lack history and names the weeks a backfill would fill', () => {
    // Act: the first run; churn and AOV have values but no baseline, the headline no trajectory
    const { scorecard } = buildScorecard({ week: W47, kpis, history: new Map(), headlineMethod: 'saas', targets });

    // Assess: the 13 weeks before W47
    expect(scorecard.shortHistory).toEqual({ kpis: 3, from: '2026-W34', to: '2026-W46' });
    expect(buildScorecard({ week: W47, kpis, history, headlineMethod: 'saas', targets }).scorecard.shortHistory).toBeNull();
  });

  it('says a baseline of 0 cannot be compared with instead of dividing by it', () => {
    // Act
    const zero = new Map(history).set('aov', series(Array.from({ length: 13 }, () => 0)));
    const { scorecard } = buildScorecard({ week: W47, kpis, history: zero, headlineMethod: 'saas', targets });

    // Assess
    expect(scorecard.stages[3]!.lines.find((l) => l.key === 'aov')).toMatchObject({ status: 'not_rated', notRated: { code: 'zero_reference' }, gap: null });
  });
});
