import { describe, expect, it } from 'vitest';
import { LINE_KPIS } from '../../functions/report/buildReport.ts';
import { MESSAGES } from '../../functions/report/labels.ts';
import { renderEmail } from '../../functions/report/renderEmail.ts';
import type { ReportLocale } from '../../functions/report/report.ts';
import { fixtureReport } from './reportFixture.ts';

const noCharts = { trajectory: null, cohorts: null, tracking: null, sparklines: {} };
const between = (part: string, from: string, to: string) => part.slice(part.indexOf(from), part.indexOf(to, part.indexOf(from)));
const numbersIn = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/g, ' ')
    .match(/\d[\d,.]*\d|\d/g) ?? [];

// test/report/reportFixture.ts with both lines, gross margin 0.6, every KPI 98% of this week's the
// week before. Subscribers: 1,210 paying 28,314.40 of MRR, 1,166 of 1,190 still paying after 28
// days. One-time buyers: 40,000.00 over 28 days from 400 converted orders, mean(1,900, 1,950) =
// 1,925 active, 1,805 of 1,900 retained.
const toMonthly = (churn28: number) => 1 - (1 - churn28) ** (30.4375 / 28);
const subscriberChurn = toMonthly(1 - 1166 / 1190);
const subscriberArpu = 28_314.4 / 1210; // about 23.40
const subscriberClv = (subscriberArpu * 0.6) / subscriberChurn;
const buyerChurn = toMonthly(0.05);
const buyerArpu = (40_000 * (30.4375 / 28)) / 1925;
const buyerSaasClv = (buyerArpu * 0.6) / buyerChurn;

describe('the two lines of business in the report', () => {
  it('shows each line’s customers, revenue, value per customer, monthly churn and CLV, equal to its KPIs', () => {
    // Act
    const report = fixtureReport({ lines: 'both' });

    // Assess
    const lines = report.lines;
    const kpiOf = (key: string) => report.kpis.find((k) => k.key === key);
    expect(lines.subscriptions!.map((t) => t.kpi)).toEqual(LINE_KPIS.subscriptions.map(kpiOf));
    expect(lines.purchases!.map((t) => t.kpi)).toEqual(LINE_KPIS.purchases.map(kpiOf));
    const values = (tiles: typeof lines.subscriptions) => tiles!.map((t) => t.kpi.value!);
    const [subscribers, mrr, arpu, churn, clv] = values(lines.subscriptions);
    expect([subscribers, mrr]).toEqual([1210, 28_314.4]);
    expect(arpu).toBeCloseTo(subscriberArpu, 12);
    expect(churn).toBeCloseTo(subscriberChurn, 12);
    expect(clv).toBeCloseTo(subscriberClv, 9);
    const [buyers, revenue, aov, buyerMonthlyChurn, purchaseClv] = values(lines.purchases);
    expect([buyers, revenue, aov]).toEqual([1950, 40_000, 100]);
    expect(buyerMonthlyChurn).toBeCloseTo(buyerChurn, 12);
    // Purchase formula: AOV 100 × 13 orders a year (5,200 / 2,000 × 365/365) × lifespan in years × 0.6
    expect(purchaseClv).toBeCloseTo(100 * 2.6 * (1 / buyerChurn / 12) * 0.6, 9);
    for (const t of [...lines.subscriptions!, ...lines.purchases!]) expect(t.wow.relativeChange).toBeCloseTo(1 / 0.98 - 1, 12);
  });

  it('names the headline numbers that blend both lines, weighted by their customers', () => {
    // Act
    const report = fixtureReport({ lines: 'both' });

    // Assess: the SaaS CLV blend and the blended ARPU of docs/metrics.md
    const blendedClv = (1210 * subscriberClv + 1925 * buyerSaasClv) / (1210 + 1925);
    const blendedArpu = (28_314.4 + 40_000 * (30.4375 / 28)) / (1210 + 1925);
    expect(report.lines.blends).toEqual([
      { key: 'headline_clv', value: expect.closeTo(blendedClv, 9) },
      { key: 'arpu_monthly', value: expect.closeTo(blendedArpu, 12) },
    ]);
    expect(report.lines.blends[0]!.value).toBe(report.headline.value);
    const email = renderEmail(report, noCharts);
    const sentence = MESSAGES.en.lines.blends(`Headline CLV $${blendedClv.toFixed(2)}, ARPU (monthly) $${blendedArpu.toFixed(2)}`);
    for (const part of [email.html, email.text]) expect(part).toContain(sentence);
  });

  it.each<['subscriptions' | 'purchases', 'noPurchases' | 'noSubscriptions', 'purchases' | 'subscriptions']>([
    ['subscriptions', 'noPurchases', 'purchases'],
    ['purchases', 'noSubscriptions', 'subscriptions'],
  ])('shows a %s-only business that line alone, says the other has no customers, and names no blend', (lines, none, missing) => {
    // Act
    const report = fixtureReport({ lines });
    const email = renderEmail(report, noCharts);

    // Assess
    expect(report.lines[lines]).toHaveLength(5);
    expect(report.lines[missing]).toBeNull();
    expect(report.lines.blends).toEqual([]);
    const m = MESSAGES.en.lines;
    for (const part of [email.html, email.text]) {
      const section = between(part, m.title, MESSAGES.en.sections.scorecard);
      expect(section).toContain(m[none]);
      expect(section).toContain(m[lines]);
      expect(section).not.toContain(m[missing] + (part === email.text ? ':\n' : '</h3>'));
      expect(section).not.toContain('Blends of both lines');
    }
  });

  it.each<[ReportLocale, string]>([
    ['en', 'USD'],
    ['ko', 'KRW'],
    ['ja', 'JPY'],
  ])('renders both lines in %s (%s) with the same numbers in the HTML and the text', (locale, currency) => {
    // Act
    const report = fixtureReport({ lines: 'both', locale, config: { reportCurrency: currency } });
    const email = renderEmail(report, noCharts);

    // Assess
    const m = MESSAGES[locale];
    const html = between(email.html, m.lines.title, m.sections.scorecard);
    const text = between(email.text, m.lines.title, m.sections.scorecard);
    for (const label of [m.lines.subscriptions, m.lines.purchases, m.kpi.subscriber_clv, m.kpi.purchaser_monthly_churn]) {
      expect(html).toContain(label);
      expect(text).toContain(label);
    }
    const numbers = numbersIn(html);
    expect(numbers.length).toBeGreaterThan(20);
    for (const n of numbers) expect(text, n).toContain(n);
  });
});
