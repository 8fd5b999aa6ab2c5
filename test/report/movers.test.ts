import { describe, expect, it } from 'vitest';
import { MESSAGES } from '../../functions/report/labels.ts';
import type { ReportLocale } from '../../functions/report/report.ts';
import { renderEmail } from '../../functions/report/renderEmail.ts';
import { buildReport } from '../../functions/report/buildReport.ts';
import { fixtureFacts, fixtureReport, LONG_CUSTOMER_ID } from './reportFixture.ts';

const noCharts = { trajectory: null, cohorts: null, tracking: null, sparklines: {} };
const between = (text: string, from: string, to: string) => text.slice(text.indexOf(from), text.indexOf(to, text.indexOf(from)));

describe('the movers of the week', () => {
  it('lists the largest MRR moves by kind and the most valuable customers who slipped segment, with ids and amounts', () => {
    // Act
    const report = fixtureReport();

    // Assess: the fixture's movers as the query gives them, amounts exact
    expect(report.movers.subscribers).toEqual([
      { kind: 'new', customerId: LONG_CUSTOMER_ID, startMrr: 0, endMrr: 499, amount: 499 },
      { kind: 'new', customerId: 'cus_b', startMrr: 0, endMrr: 99, amount: 99 },
      { kind: 'expansion', customerId: '<b>cus_c</b>', startMrr: 100, endMrr: 250, amount: 150 },
      { kind: 'churned', customerId: 'cus_d', startMrr: 320.5, endMrr: 0, amount: 320.5 },
    ]);
    // c45..c47 went Loyal → At Risk, c20..c24 Champions → Loyal; their CLV is 100 + i: the top 5
    expect(report.movers.slipped).toEqual({
      rankedBy: 'clv',
      customers: [
        { customerId: 'c47', from: 'Loyal', to: 'At Risk', value: 147 },
        { customerId: 'c46', from: 'Loyal', to: 'At Risk', value: 146 },
        { customerId: 'c45', from: 'Loyal', to: 'At Risk', value: 145 },
        { customerId: 'c24', from: 'Champions', to: 'Loyal', value: 124 },
        { customerId: 'c23', from: 'Champions', to: 'Loyal', value: 123 },
      ],
    });
  });

  it.each<[ReportLocale, string]>([
    ['en', 'USD'],
    ['ko', 'KRW'],
    ['ja', 'JPY'],
  ])('shows the same movers in the HTML and the text after the RFM segments (%s), ids escaped in the HTML', (locale, currency) => {
    // Act
    const report = fixtureReport({ locale, config: { reportCurrency: currency } });
    const email = renderEmail(report, noCharts);

    // Assess
    const m = MESSAGES[locale];
    const html = between(email.html, m.movers.title, m.sections.channels).replaceAll('&amp;', '&');
    const text = between(email.text, m.movers.title, m.sections.channels);
    expect(email.html.indexOf(m.movers.title)).toBeGreaterThan(email.html.indexOf(m.sections.rfm));
    for (const shown of [LONG_CUSTOMER_ID, 'cus_d', 'c47', m.movers.kind.expansion, m.movers.kind.churned, m.movers.byClv]) {
      expect(html).toContain(shown);
      expect(text).toContain(shown);
    }
    expect(html).toContain('&lt;b&gt;cus_c&lt;/b&gt;');
    expect(html).not.toContain('<b>cus_c</b>');
    expect(text).toContain('<b>cus_c</b>');
  });

  it('holds no customer id anywhere with report.customerIds "hide": places stand in for them', () => {
    // Act
    const report = fixtureReport({ config: { report: { customerIds: 'hide' } } });
    const email = renderEmail(report, noCharts);

    // Assess
    const everything = [email.html, email.text, JSON.stringify(report)].join('\n');
    for (const id of [LONG_CUSTOMER_ID, 'cus_b', 'cus_c', 'cus_d', 'c47', 'c23']) expect(everything).not.toContain(id);
    expect(report.movers.subscribers.every((s) => s.customerId === null)).toBe(true);
    for (const part of [email.html, email.text]) {
      expect(part).toContain('Subscriber 1');
      expect(part).toContain('Subscriber 4');
      expect(part).toContain('Customer 5');
      expect(part).toContain(MESSAGES.en.movers.idsHidden);
    }
  });

  it('says so in one line when no subscriber moved and no customer slipped, and ranks by spend when the model scored no one', () => {
    // Prepare
    const facts = fixtureFacts();
    const quiet = buildReport({ ...facts, movers: [], rfmScores: { current: facts.rfmScores.previous, previous: facts.rfmScores.previous } }, 'en');
    const unscored = buildReport({ ...facts, clvByCustomer: new Map() }, 'en');

    // Act
    const email = renderEmail(quiet, noCharts);

    // Assess
    for (const part of [email.html, email.text]) {
      expect(part).toContain(MESSAGES.en.movers.noSubscribers);
      expect(part).toContain(MESSAGES.en.movers.noSlips);
    }
    // By monetary value (1000 − 10 × i): c20, at 800, spent the most of those who slipped
    expect(unscored.movers.slipped.rankedBy).toBe('monetary');
    expect(unscored.movers.slipped.customers[0]).toEqual({ customerId: 'c20', from: 'Champions', to: 'Loyal', value: 800 });
  });
});
