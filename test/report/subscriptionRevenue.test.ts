import { describe, expect, it } from 'vitest';
import { MESSAGES } from '../../functions/report/labels.ts';
import { renderEmail } from '../../functions/report/renderEmail.ts';
import type { ReportLocale } from '../../functions/report/report.ts';
import { mrrBridge } from '../../functions/report/subscriptionRevenue.ts';
import { MRR_MONTHS, fixtureReport } from './reportFixture.ts';

// 1/10,000 units, as the SQL sums them: exact arithmetic on the report's amounts.
const units = (v: number | null): bigint => BigInt(Math.round((v ?? Number.NaN) * 10_000));

const noCharts = { trajectory: null, cohorts: null, tracking: null, sparklines: {} };

/** The part of an HTML or text rendering from one heading up to the next. */
const between = (part: string, from: string, to: string) => part.slice(part.indexOf(from), part.indexOf(to, part.indexOf(from)));

/** The numbers a reader sees, markup and entities removed: "$26,700.00" → "26,700.00". */
const numbersIn = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/g, ' ')
    .match(/\d[\d,.]*\d|\d/g) ?? [];

describe('the subscription revenue section of the report', () => {
  it('bridges the last complete month from opening to closing MRR at month-end rates, exactly', () => {
    // Act
    const revenue = fixtureReport({ lines: 'both' }).subscriptionRevenue!;

    // Assess: October of test/report/reportFixture.ts: 26,700 at September's end rates + 2,100
    // new + 500 expansion + 149 reactivation − 400 contraction − 999 churned − 86.45 exchange-rate
    // effect = 27,963.55 at October's end rates; the change is 27,963.55 − 26,700 = 1,263.55
    const b = revenue.lastMonth!;
    expect(b).toEqual({
      month: '2026-10-01',
      valuedAt: 'month_end_rates',
      opening: 26_700,
      new: 2_100,
      expansion: 500,
      reactivation: 149,
      contraction: 400,
      churned: 999,
      netNew: 1_350,
      fxEffect: -86.45,
      closing: 27_963.55,
      change: 1_263.55,
      subscriptionsWithoutMonthEndRate: 0,
      unconvertedSubscriptions: 0,
    });
    const steps = units(b.new) + units(b.expansion) + units(b.reactivation) - units(b.contraction) - units(b.churned);
    expect(steps).toBe(units(b.netNew));
    expect(units(b.opening) + steps + units(b.fxEffect)).toBe(units(b.closing));
    expect(units(b.closing) - units(b.opening)).toBe(units(b.change));
    expect(units(b.change)).toBe(MRR_MONTHS[1]!.closing_mrr_at_rates! - MRR_MONTHS[1]!.opening_mrr_at_rates!);
  });

  it('gives MRR at the week’s end from the mrr KPI, ARR as 12 × MRR, and MRR’s change from the week before', () => {
    // Act
    const report = fixtureReport({ lines: 'both' });
    const revenue = report.subscriptionRevenue!;

    // Assess: 28,314.40 this week, 98% of it (27,748.112) the week before: +2.04%
    expect(revenue.mrr.kpi).toEqual(report.kpis.find((k) => k.key === 'mrr'));
    expect(revenue.mrr.kpi.value).toBe(28_314.4);
    expect(revenue.arr).toBe(339_772.8);
    expect(revenue.mrr.wow).toMatchObject({ previousWeekId: '2026-W46', relativeChange: expect.closeTo(1 / 0.98 - 1, 12) });
  });

  it('keeps booked rates and calls the fx effect unknown, not 0, when a month-end rate is missing', () => {
    // Prepare: October's end has 3 subscriptions whose currency has no October rate
    const october = { ...MRR_MONTHS[1]!, closing_mrr_at_rates: null, fx_effect: null, subscriptions_without_month_end_rate: 3 };

    // Act
    const b = mrrBridge(october);
    const report = fixtureReport({ lines: 'both' });
    report.subscriptionRevenue!.lastMonth = b;
    const email = renderEmail(report, noCharts);

    // Assess: 26,650 + 1,350 = 28,000, at booked rates
    expect(b).toMatchObject({ valuedAt: 'booked_rates', opening: 26_650, closing: 28_000, fxEffect: null, change: 1_350, subscriptionsWithoutMonthEndRate: 3 });
    expect(units(b.opening) + units(b.netNew)).toBe(units(b.closing));
    const m = MESSAGES.en.subscriptionRevenue;
    for (const part of [email.html, email.text]) {
      const section = between(part, m.title, MESSAGES.en.lines.title);
      expect(section).toContain(m.month('2026-10', false));
      expect(section).toContain(m.unknown);
      expect(section).toContain('3 subscriptions’ currencies have no rate dated in the month');
      expect(section).not.toContain('$0.00');
    }
  });

  it('refuses movements that do not bridge the month', () => {
    // Prepare: 10.00 of churn the closing does not reflect
    const broken = { ...MRR_MONTHS[1]!, churned_mrr: MRR_MONTHS[1]!.churned_mrr + 100_000n };

    // Act, Assess
    expect(() => mrrBridge(broken)).toThrow(/2026-10 movements do not bridge/);
  });

  it('has no section when the lake has no subscriptions', () => {
    // Act
    const report = fixtureReport({ lines: 'purchases' });
    const email = renderEmail(report, noCharts);

    // Assess
    expect(report.subscriptionRevenue).toBeNull();
    for (const part of [email.html, email.text]) expect(part).not.toContain(MESSAGES.en.subscriptionRevenue.title);
  });

  it.each<[ReportLocale, string]>([
    ['en', 'USD'],
    ['ko', 'KRW'],
    ['ja', 'JPY'],
  ])('renders in %s (%s) after the KPI tiles and before the scorecard, every HTML number in the text too', (locale, currency) => {
    // Act
    const report = fixtureReport({ lines: 'both', locale, config: { reportCurrency: currency } });
    const email = renderEmail(report, noCharts);

    // Assess
    const m = MESSAGES[locale];
    for (const part of [email.html, email.text]) {
      const positions = [m.kpi.ltv_to_cac, m.subscriptionRevenue.title, m.subscriptionRevenue.fxEffect, m.lines.title, m.sections.scorecard].map((t) => part.indexOf(t));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
    const html = between(email.html, m.subscriptionRevenue.title, m.lines.title);
    const text = between(email.text, m.subscriptionRevenue.title, m.lines.title);
    const numbers = numbersIn(html);
    expect(numbers.length).toBeGreaterThan(10);
    for (const n of numbers) expect(text, n).toContain(n);
  });
});
