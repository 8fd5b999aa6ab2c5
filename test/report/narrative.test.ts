import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KpiKey } from '../../functions/kpi/weeklyKpis.ts';
import { formatter } from '../../functions/report/format.ts';
import { MESSAGES } from '../../functions/report/labels.ts';
import { channelCac, definitionUrl, driverSentence, revenueBasedNote, ruleCounts, sparklineText, trendChanges } from '../../functions/report/narrative.ts';
import { fixtureReport } from './reportFixture.ts';

const m = MESSAGES.en;
const fmt = formatter('en', 'USD', 'UTC');

describe('the sentences both parts of the e-mail say', () => {
  it('says why the SaaS CLV moved, largest part first, and names an unmoved part as unchanged', () => {
    // Prepare: ARPU 10 → 12 (+20%), lifetime 20 → 15 (−25%): CLV 100 → 90 (−10%)
    const drivers = {
      method: 'saas' as const,
      previousWeekId: '2026-W46',
      from: 100,
      to: 90,
      logChange: Math.log(0.9),
      parts: [
        { factor: 'lifetime' as const, from: 20, to: 15, logChange: Math.log(0.75) },
        { factor: 'arpu' as const, from: 10, to: 12, logChange: Math.log(1.2) },
        { factor: 'margin' as const, from: 0.5, to: 0.5, logChange: 0 },
      ],
    };

    // Act
    const sentence = driverSentence(drivers, m, fmt);

    // Assess
    expect(sentence).toBe('Why: CLV, SaaS formula -10.0% since last week: customer lifetime (1 ÷ churn) -25.0%, ARPU +20.0%, margin unchanged.');
    expect(driverSentence(null, m, fmt)).toBeNull();
  });

  it('gives the 4- and 13-week changes, rates in points, and leaves out the one without a value', () => {
    const trend = {
      points: [],
      fourWeeks: { previousWeekId: '2026-W43', previous: 0.05, change: -0.004, relativeChange: -0.08 },
      thirteenWeeks: { previousWeekId: '2026-W34', previous: null, change: null, relativeChange: null },
    };
    expect(trendChanges('ratio', trend, m, fmt)).toBe('4 wk -0.4 pp');
    expect(trendChanges('money', trend, m, fmt)).toBe('4 wk -8.0%');
    expect(trendChanges('money', { ...trend, fourWeeks: trend.thirteenWeeks }, m, fmt)).toBeNull();
  });

  it('writes the sparkline’s numbers: first, last, low and high of the weeks with a value', () => {
    const points = [120, null, 90, 150, 140].map((value, i) => ({ weekId: `2026-W${40 + i}`, value }));
    const none = { previousWeekId: '', previous: null, change: null, relativeChange: null };
    expect(sparklineText('money', { points, fourWeeks: none, thirteenWeeks: none }, m, fmt)).toBe('Over 4 weeks: from $120.00 to $140.00; low $90.00, high $150.00.');
    expect(sparklineText('money', { points: points.slice(0, 2), fourWeeks: none, thirteenWeeks: none }, m, fmt)).toBeNull();
  });

  it('marks LTV:CAC and payback revenue-based while the gross margin is 100%, and nothing else', () => {
    expect(revenueBasedNote('ltv_to_cac', 1, m)).toBe('revenue-based: set your gross margin');
    expect(revenueBasedNote('cac_payback_months', 1, m)).toBe('revenue-based: set your gross margin');
    expect(revenueBasedNote('ltv_to_cac', 0.62, m)).toBeNull();
    expect(revenueBasedNote('cac', 1, m)).toBeNull();
  });

  it('names rejection rules in words and keeps the id beside them, an unknown rule by its id', () => {
    expect(ruleCounts({ not_money: 3, future_date: 1, brand_new_rule: 2 }, m, fmt)).toBe(
      'Rejected by rule: brand_new_rule (brand_new_rule): 2; date in the future (future_date): 1; not a money amount (not_money): 3',
    );
    expect(ruleCounts({}, m, fmt)).toBeNull();
  });

  it('shows no CAC of $0.00 for a channel that spent nothing, and a withheld CAC with its reason', () => {
    const channel = { channel: 'organic', acquiredCustomers: 12, marketingSpend: 0, cac: 0 };
    expect(channelCac(channel, m, fmt)).toEqual({ text: '–', note: 'no spend' });
    expect(channelCac({ ...channel, cac: null, guard: 'no spend recorded' }, m, fmt)).toEqual({ text: '–', note: 'no spend recorded' });
    expect(channelCac({ ...channel, marketingSpend: 300, cac: 25 }, m, fmt)).toEqual({ text: '$25.00', note: null });
  });

  it('links every KPI to an anchor that docs/metrics.md defines', () => {
    // Every KPI the e-mail can label, in the order the messages list them
    const keys = Object.keys(MESSAGES.en.kpi) as KpiKey[];
    const docs = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
    const missing = keys.filter((key) => !docs.includes(`<a id="${key}"></a>`));
    expect(missing).toEqual([]);
    expect(definitionUrl('https://example.com/docs/metrics.md', 'churn_rate')).toBe('https://example.com/docs/metrics.md#churn_rate');
    expect(definitionUrl(null, 'churn_rate')).toBeNull();
  });
});

describe('the fixture report’s drivers', () => {
  it('sum to the headline’s log change: a steady 2% rise of ARPU and CLV leaves the lifetime unchanged', () => {
    // Prepare: every KPI was 98% of this week's value last week
    const report = fixtureReport();

    // Act
    const saas = report.drivers.saas!;

    // Assess
    expect(saas.logChange).toBeCloseTo(Math.log(1 / 0.98), 12);
    expect(saas.parts.reduce((sum, p) => sum + p.logChange, 0)).toBeCloseTo(saas.logChange, 12);
    expect(saas.parts.find((p) => p.factor === 'arpu')!.logChange).toBeCloseTo(Math.log(1 / 0.98), 12);
    expect(saas.parts.find((p) => p.factor === 'lifetime')!.logChange).toBeCloseTo(0, 12);
  });
});
