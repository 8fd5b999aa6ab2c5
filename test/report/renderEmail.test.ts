import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMime } from '../../functions/mail/message.ts';
import { renderCharts } from '../../functions/report/charts/renderCharts.ts';
import { MESSAGES } from '../../functions/report/labels.ts';
import { formatter } from '../../functions/report/format.ts';
import { driverSentence, sparklineText, trendChanges } from '../../functions/report/narrative.ts';
import { emailSubject, renderEmail } from '../../functions/report/renderEmail.ts';
import { buildReport } from '../../functions/report/buildReport.ts';
import type { ReportLocale } from '../../functions/report/report.ts';
import { addWeeks, formatWeekId, parseWeekId } from '../../functions/time/isoWeek.ts';
import { FORMULA_CHANNEL, HOSTILE_CHANNEL, fixtureFacts, fixtureReport } from './reportFixture.ts';

// The fixture's week (test/report/reportFixture.ts): 28-day net revenue 40,000.00 over
// mean(1,900, 1,950) = 1,925 active customers, 1,805 of 1,900 retained, gross margin 0.6. Every
// KPI of the 13 weeks before was 98% of this week's value.
const monthlyChurn = 1 - 0.95 ** (30.4375 / 28); // 28-day churn 5%
const arpu = (40_000 * (30.4375 / 28)) / 1925;
const headlineClv = arpu * 0.6 * (1 / monthlyChurn); // SaaS formula, lifespan under the 60-month cap
const usd = (v: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(v);

describe('renderEmail', () => {
  it('leads the subject with the verdict, then the headline CLV with its change since last week and the week’s days', () => {
    // Prepare: the week before was 98% of this one: +2.04%
    const report = fixtureReport();

    // Act
    const subject = emailSubject(report);

    // Assess
    expect(headlineClv).toBeCloseTo(249.9, 1);
    expect(report.scorecard.status).toBe('at_risk');
    expect(subject).toBe(`At risk · CLV ${usd(headlineClv)} (+2.0%) · Nov 16\u2009–\u200922`);
  });

  it('lays out the sections from the headline down to the footer, in the HTML and in the text', () => {
    // Act
    const email = renderEmail(fixtureReport(), renderCharts(fixtureReport()));

    // Assess
    const m = MESSAGES.en;
    const order = [usd(headlineClv), m.kpi.net_revenue, m.sections.scorecard, m.sections.trajectory, m.sections.cohorts, m.sections.rfm, m.sections.methods, m.sections.dataTeam, m.footer.windows];
    for (const part of [email.html, email.text]) {
      // The data team's section is named earlier too, by the stages whose checks it holds.
      const positions = order.map((text) => (text === m.sections.dataTeam ? part.lastIndexOf(text) : part.indexOf(text)));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
  });

  it('shows the contractual method beside BG/NBD, and its holdout check in the data team’s section, in the HTML and in the text', () => {
    // Prepare
    const report = fixtureReport();
    report.clv.push({ method: 'sbg', value: 132.23, flags: ['2 subscribers paid again after lapsing: the model counts each as lost at their first lapse'] });

    // Act
    const email = renderEmail(report, { trajectory: null, cohorts: null, tracking: null, sparklines: {} });

    // Assess
    const m = MESSAGES.en;
    for (const part of [email.html, email.text]) {
      const methods = part.slice(part.indexOf(m.sections.methods), part.lastIndexOf(m.sections.dataTeam));
      const dataTeam = part.slice(part.lastIndexOf(m.sections.dataTeam));
      expect(methods).toContain(m.method.sbg);
      expect(methods).toContain(m.methodMeaning.sbg);
      expect(methods).toContain('$132.23');
      expect(methods).toContain('2 subscribers paid again after lapsing');
      expect(methods).not.toContain('model accuracy');
      expect(dataTeam).toContain('Retention model accuracy (sBG fitted on each cohort');
      expect(dataTeam.indexOf('Retention model accuracy')).toBeGreaterThan(dataTeam.indexOf('Model accuracy (BG/NBD'));
    }
  });

  it('gives the predictive CLV its 95% interval and says what it measures, in the HTML and the text', () => {
    const report = fixtureReport();
    report.clv.push({ method: 'bgnbd', value: 117.25, flags: [], interval: { low: 108.41, high: 126.73, level: 0.95, basis: 'delta_method' } });
    const email = renderEmail(report, { trajectory: null, cohorts: null, tracking: null, sparklines: {} });
    const m = MESSAGES.en;
    for (const part of [email.html, email.text]) {
      const methods = part.slice(part.indexOf(m.sections.methods), part.lastIndexOf(m.sections.dataTeam));
      expect(methods).toContain('95%: $108.41–$126.73');
      expect(methods).toContain(m.methods.intervalBasis);
      expect(methods).toContain('Purchase model: BG/NBD (setting clv.purchaseModel).');
    }
    expect(email.text).toContain(`${m.method.bgnbd}: $117.25 (95%: $108.41–$126.73)`);
  });

  it('says under the headline when its status was judged at both ends of its interval', () => {
    const report = fixtureReport();
    const line = report.scorecard.stages.flatMap((s) => s.lines).find((l) => l.key === 'headline_clv')!;
    if (line.reference?.kind !== 'trajectory') throw new Error('the fixture headline has a trajectory');
    line.reference = { ...line.reference, uncertainty: { below: 0.08, above: 0.08 } };
    const email = renderEmail(report, { trajectory: null, cohorts: null, tracking: null, sparklines: {} });
    for (const part of [email.html.replaceAll('&#39;', "'"), email.text]) expect(part).toContain(MESSAGES.en.headline.judgedOnInterval);
    expect(renderEmail(fixtureReport(), { trajectory: null, cohorts: null, tracking: null, sparklines: {} }).text).not.toContain(MESSAGES.en.headline.judgedOnInterval);
  });

  it('writes every number as text, so a reader with images blocked misses nothing', () => {
    // Act
    const report = fixtureReport();
    const email = renderEmail(report, renderCharts(report));

    // Assess: the headline, each scorecard value, the trajectory target and a cohort cell
    const target = report.trajectory!.points.at(-1)!.target;
    for (const part of [email.html, email.text]) {
      expect(part).toContain(usd(headlineClv));
      expect(part).toContain(usd(target));
      expect(part).toContain('48.4%'); // early churn 44 / 91
      expect(part).toContain('38%'); // cohort 2025-12, month 1: 38 / 102
    }
  });

  it.each<[ReportLocale, string]>([
    ['en', 'USD'],
    ['ko', 'KRW'],
    ['ja', 'JPY'],
  ])('says the trends, the sparklines’ numbers, the reasons and what each method means in the HTML and the text alike (%s)', (locale, currency) => {
    // Act
    const report = fixtureReport({ locale, config: { reportCurrency: currency } });
    const email = renderEmail(report, renderCharts(report));

    // Assess
    const m = MESSAGES[locale];
    const fmt = formatter(locale, currency, 'UTC');
    const html = email.html.replaceAll('&amp;', '&');
    const sentences = [
      ...report.tiles.flatMap((t) => [trendChanges(t.kpi.unit, t.trend, m, fmt)!, sparklineText(t.kpi.unit, t.trend, m, fmt)!]),
      driverSentence(report.drivers.saas, m, fmt)!,
      ...report.clv.map((c) => m.methodMeaning[c.method]),
    ];
    expect(sentences.every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
    for (const sentence of sentences) {
      expect(html).toContain(sentence);
      expect(email.text).toContain(sentence);
    }
  });

  it('escapes names from users’ data in the HTML and keeps them as they are in the text', () => {
    // Act
    const report = fixtureReport();
    const email = renderEmail(report, renderCharts(report));

    // Assess
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(email.text).toContain(HOSTILE_CHANNEL);
    expect(email.html).toContain('=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)');
    expect(email.text).toContain(FORMULA_CHANNEL);
  });

  it('gives each chart and sparkline alt text that states its numbers and references it by its Content-ID', () => {
    // Act
    const report = fixtureReport();
    const email = renderEmail(report, renderCharts(report));

    // Assess
    const images = [...email.html.matchAll(/<img [^>]*>/g)].map((m) => m[0]);
    expect(images).toHaveLength(11);
    expect(email.inlineImages.map((i) => i.cid)).toEqual([
      ...report.tiles.map((t) => `sparkline-${t.kpi.key}.2026-W47@ltv-pulse`),
      'trajectory.2026-W47@ltv-pulse',
      'cohorts.2026-W47@ltv-pulse',
      'tracking.2026-W47@ltv-pulse',
    ]);
    for (const img of email.inlineImages) {
      expect(images.some((tag) => tag.includes(`src="cid:${img.cid}"`) && tag.includes(`alt="${img.alt}"`))).toBe(true);
      expect(img.alt.length).toBeGreaterThan(40);
    }
    expect(email.inlineImages[0]!.alt).toBe('Net revenue (28 days): Over 13 weeks: from $39,200.00 to $40,000.00; low $39,200.00, high $40,000.00.');
    expect(email.inlineImages[8]!.alt).toBe(
      `Line chart of headline CLV by week from 2026-W34 to 2026-W47 against the doubling target: ${usd(headlineClv)} this week, target ${usd(report.trajectory!.points.at(-1)!.target)}.`,
    );
    expect(email.inlineImages[9]!.alt).toContain('for the cohorts 2025-12 to 2026-11');
    const tracking = report.predictiveClv.card!.tracking!.at(-1)!;
    expect(email.inlineImages[10]!.alt).toBe(
      `Cumulative repeat purchases over the 13 holdout weeks: ${Math.round(tracking.cumulativePredicted)} forecast, ${tracking.cumulativeActual} made.`,
    );
  });

  it('says at the top that the data is incomplete when orders end more than a day before the week’s end', () => {
    // Prepare: orders end Friday noon, 2.5 days before Monday 00:00
    const report = fixtureReport({ latestOrderAt: '2026-11-20T12:00:00Z' });

    // Act
    const email = renderEmail(report, renderCharts(report));

    // Assess
    expect(report.dataQuality.staleness).toBe('Order data ends at Nov 20, 2026, 12:00 PM, 2.5 days before the end of 2026-W47: this week’s numbers are incomplete.');
    expect(email.subject).toBe(`Incomplete data · CLV ${usd(headlineClv)} (+2.0%) · Nov 16\u2009–\u200922`);
    expect(email.text.startsWith(`!! Data incomplete. ${report.dataQuality.staleness}`)).toBe(true);
    const body = email.html.slice(email.html.indexOf('<body'));
    expect(body.indexOf('Data incomplete.')).toBeLessThan(body.indexOf(usd(headlineClv)));
    expect(report.scorecard.stages[0]!.lines.find((l) => l.key === 'data_freshness_days')).toMatchObject({ value: 2.5, status: 'off_track' });
  });

  it('says so when a required table never arrived', () => {
    // Act
    const report = fixtureReport({ latestOrderAt: null });

    // Assess
    expect(report.dataQuality.missingTables).toEqual(['orders']);
    expect(report.dataQuality.staleness).toBe('No orders data has been ingested: the numbers below are not complete.');
    expect(emailSubject(report).startsWith('Incomplete data · ')).toBe(true);
  });

  it('says the orders held no order, not that none were ingested, when an empty orders export was', () => {
    // Act
    const report = fixtureReport({ latestOrderAt: null, emptyOrders: true });

    // Assess
    expect(report.dataQuality.missingTables).toEqual([]);
    expect(report.dataQuality.staleness).toBe('The orders exports ingested hold no order (empty, or every row rejected): the numbers below are not complete.');
    expect(emailSubject(report).startsWith('Incomplete data · ')).toBe(true);
  });

  it.each<[ReportLocale, string, string, RegExp]>([
    ['ko', 'KRW', '대표 CLV', /^주의 · CLV ₩[\d,]+ \(\+2\.0%\) · 11월 16일~22일$/],
    ['ja', 'JPY', '主要CLV', /^要注意 · CLV ￥[\d,]+（\+2\.0%） · 11\/16～11\/22$/],
    ['en', 'EUR', 'Headline CLV', /^At risk · CLV €[\d,]+\.\d\d \(\+2\.0%\) · Nov 16\u2009–\u200922$/],
  ])('renders %s labels and %s amounts (no decimals for KRW and JPY)', (locale, currency, label, subject) => {
    // Act
    const report = fixtureReport({ locale, config: { reportCurrency: currency } });
    const email = renderEmail(report, renderCharts(report));

    // Assess
    expect(email.subject).toMatch(subject);
    expect(email.html).toContain(`lang="${locale}"`);
    expect(email.html).toContain(label);
    expect(email.text).toContain(MESSAGES[locale].sections.scorecard);
    expect(report.headline.label).toBe(MESSAGES[locale].method.saas);
  });

  it('writes dates in the locale and the configured time zone', () => {
    // Act: Seoul is UTC+9, so its week 2026-W47 runs Nov 16-22 local time
    const header = (locale: ReportLocale) => renderEmail(fixtureReport({ locale, config: { timeZone: 'Asia/Seoul' } }), { trajectory: null, cohorts: null, tracking: null, sparklines: {} }).text.split('\n')[0];

    // Assess (Intl puts thin spaces around the en dash)
    expect(header('en')).toBe('ltv-pulse · week 2026-W47 · Nov 16\u2009–\u200922, 2026 (Asia/Seoul)');
    expect(header('ko')).toBe('ltv-pulse · 2026-W47 주차 · 2026. 11. 16. ~ 2026. 11. 22. (Asia/Seoul)');
    expect(header('ja')).toBe('ltv-pulse · 第2026-W47週 · 2026/11/16～2026/11/22（Asia/Seoul）');
  });

  it('says on a first run, without history, what it cannot rate yet instead of drawing a one-week chart', () => {
    // Act
    const report = fixtureReport({ historyWeeks: 0 });
    const charts = renderCharts(report);
    const email = renderEmail(report, charts);

    // Assess: only the targets (LTV:CAC, payback, data age) are rated, all met; 15 KPIs wait for a
    // baseline and the headline for the 13 weeks of its trajectory: 16 of 19, so no "On track"
    expect(charts.trajectory).toBeNull();
    expect(email.inlineImages.map((i) => i.cid)).toEqual(['cohorts.2026-W47@ltv-pulse', 'tracking.2026-W47@ltv-pulse']);
    expect(report.verdict).toBe('Not rated yet: 16 of 19 KPIs need more history.');
    expect(report.scorecard.status).toBe('not_rated');
    for (const part of [email.html, email.text]) expect(part).toContain('No trajectory yet: 1 of the 13 weeks of history a baseline needs.');
    expect(email.subject).toBe(`Not rated · CLV ${usd(headlineClv)} · Nov 16\u2009–\u200922`);
  });

  it.each<ReportLocale>(['en', 'ko', 'ja'])('gives the first week its own verdict in %s, and no engineer instruction anywhere in the message', (locale) => {
    // Act: the first run and a run with 2 weeks of history
    for (const historyWeeks of [0, 2]) {
      const report = fixtureReport({ historyWeeks, locale });
      const email = renderEmail(report, renderCharts(report));

      // Assess: 16 of 19 lack history either way (a baseline needs 4 weeks, the trajectory 13)
      expect(report.verdict).toBe(MESSAGES[locale].verdict.notRatedYet(16, 19));
      expect(report.scorecard.status).toBe('not_rated');
      for (const part of [email.subject, email.html, email.text, String(email.attachments[0]!.content)]) expect(part).not.toMatch(/backfill|ltv (report|ingest|sample|query)\b/i);
    }
  });

  it.each<ReportLocale>(['en', 'ko', 'ja'])('has no %s message that tells the reader to run a command', (locale) => {
    // Every sentence of the locale, each function called with placeholder arguments
    const sentences: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') sentences.push(v);
      else if (typeof v === 'function') sentences.push(String((v as (...a: unknown[]) => unknown)(...Array.from({ length: v.length }, () => 2))));
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(MESSAGES[locale]);

    expect(sentences.length).toBeGreaterThan(140);
    expect(sentences.filter((s) => /backfill|ltv (report|ingest|sample|query)\b/i.test(s))).toEqual([]);
  });

  it('greys a change within the KPI’s usual weekly move and says how far it usually moves', () => {
    // Prepare: the headline alternated 98% and 103% of this week's value in W34-W46 (changes of
    // +5.10% and -4.85%, median 4.98%); net revenue moved 1% a week; the rest was flat at 98%
    const facts = fixtureFacts();
    const clv = facts.kpis.find((k) => k.key === 'headline_clv')!.value!;
    const revenue = facts.kpis.find((k) => k.key === 'net_revenue')!.value!;
    const week = parseWeekId('2026-W47');
    const weeks = (values: number[]) => values.map((value, i) => ({ weekId: formatWeekId(addWeeks(week, i - values.length)), value }));
    const history = new Map(facts.history)
      .set('clv_saas', weeks(Array.from({ length: 13 }, (_, i) => clv * (i % 2 === 0 ? 0.98 : 1.03))))
      .set('net_revenue', weeks(Array.from({ length: 13 }, (_, i) => revenue * (0.86 + 0.01 * i))));

    // Act
    const report = buildReport({ ...facts, history }, 'en');
    const email = renderEmail(report, { trajectory: null, cohorts: null, tracking: null, sparklines: {} });

    // Assess: the headline's +2.0% is inside ±5.0%; net revenue's +2.0% (from 98%) is outside its
    // usual 1.0-1.2% (median 1.09%), and AOV's +2.0% is outside a flat history's 0
    const grey = 'color:#5f6b7a;font-weight:600;white-space:nowrap';
    const green = 'color:#1a7f37;font-weight:600;white-space:nowrap';
    expect(report.headline.usual).toMatchObject({ relativeChange: expect.closeTo((0.05 / 1.03 + 0.05 / 0.98) / 2, 12), ordinary: true });
    expect(email.html).toContain(`<span style="${grey}">+2.0%</span> vs last week · usually ±5.0% a week`);
    expect(email.text).toContain('+2.0% vs last week (usually ±5.0% a week)');
    expect(report.tiles.find((t) => t.kpi.key === 'net_revenue')!.usual).toMatchObject({ ordinary: false });
    const tile = (label: string) => email.html.slice(email.html.indexOf(label), email.html.indexOf('vs last week', email.html.indexOf(label)));
    expect(tile(MESSAGES.en.kpi.net_revenue)).toContain(green);
    expect(tile(MESSAGES.en.kpi.aov)).toContain(green);
    // On the headline's scorecard line too
    const line = email.html.slice(email.html.indexOf(`${MESSAGES.en.kpi.headline_clv}<div`));
    expect(line.slice(0, 400)).toContain(`WoW <span style="${grey}">+2.0%</span> · usually ±5.0% a week`);
  });

  it('attaches the scorecard as CSV', () => {
    // Act
    const report = fixtureReport();
    const email = renderEmail(report, renderCharts(report));

    // Assess
    expect(email.attachments).toHaveLength(1);
    const [csv] = email.attachments;
    expect(csv).toMatchObject({ filename: 'scorecard-2026-W47.csv', contentType: 'text/csv; charset=utf-8' });
    expect(String(csv!.content).split('\r\n').filter(Boolean)).toHaveLength(1 + 19);
  });

  // Speed is measured by `npm run bench`, not here.
  it('builds a message under 1 MB, charts and sparklines included, that parses back whole', async () => {
    // Act
    const report = fixtureReport();
    const email = renderEmail(report, renderCharts(report));
    const raw = await buildMime({ from: { address: 'ltv-pulse@example.com' }, to: [{ address: 'ceo@example.com' }], ...email }, { date: new Date('2026-11-23T07:00:00Z') });
    const parsed = await simpleParser(raw, { keepCidLinks: true });

    // Assess
    expect(raw.length).toBeLessThan(1024 * 1024);
    expect(parsed.subject).toBe(email.subject);
    expect(parsed.text).toBe(email.text);
    expect(parsed.html).toBe(email.html);
    // The trajectory, the heatmap and the eight tiles' sparklines, then the scorecard
    expect(parsed.attachments.map((a) => [a.contentType, a.related === true])).toEqual([...Array.from({ length: 11 }, () => ['image/png', true]), ['text/csv', false]]);
  });

  it('links each KPI label and the footer to the definitions when report.docsUrl is set, and links nothing otherwise', () => {
    // Prepare
    const docsUrl = 'https://github.com/acme/ltv-pulse/blob/main/docs/metrics.md';
    const linked = renderEmail(fixtureReport({ config: { report: { docsUrl } } }), { trajectory: null, cohorts: null, tracking: null, sparklines: {} });
    const plain = renderEmail(fixtureReport(), { trajectory: null, cohorts: null, tracking: null, sparklines: {} });

    // Assess
    expect(linked.html).toContain(`<a href="${docsUrl}#churn_rate"`);
    expect(linked.html).toContain(`<a href="${docsUrl}#ltv_to_cac"`);
    expect(linked.html).toContain(`<a href="${docsUrl}" style="color:#5f6b7a">Definitions of every number</a>`);
    expect(linked.text).toContain(`Definitions of every number: ${docsUrl}`);
    expect(plain.html).not.toContain('<a href');
    expect(plain.text).toContain('docs/metrics.md in the ltv-pulse repository');
  });

  it('keeps rows accepted, model accuracy, rule counts and query cost for the data team’s section at the end', () => {
    // Prepare
    const report = fixtureReport();
    report.dataQuality.rejectedByRule = { not_money: 1 };

    // Act
    const email = renderEmail(report, { trajectory: null, cohorts: null, tracking: null, sparklines: {} });

    // Assess
    const m = MESSAGES.en;
    for (const part of [email.html, email.text]) {
      const start = part.lastIndexOf(m.sections.dataTeam);
      const [executive, dataTeam] = [part.slice(0, start), part.slice(start)];
      for (const text of [m.kpi.data_accepted_share, m.kpi.model_mae, 'not a money amount (not_money): 1', 'Model accuracy (BG/NBD']) {
        expect(executive).not.toContain(text);
        expect(dataTeam).toContain(text);
      }
      expect(executive).toContain(m.kpi.data_freshness_days);
      expect(executive).toContain(m.scorecard.dataTeamLines(1));
    }
  });

  it('puts the revenue-based note beside LTV:CAC and payback while the gross margin is 100%', () => {
    // Act
    const revenueBased = renderEmail(fixtureReport({ config: { grossMargin: 1 } }), { trajectory: null, cohorts: null, tracking: null, sparklines: {} });
    const withMargin = renderEmail(fixtureReport(), { trajectory: null, cohorts: null, tracking: null, sparklines: {} });

    // Assess: on the LTV:CAC tile and on both scorecard lines
    const m = MESSAGES.en;
    expect(revenueBased.html.split(m.revenueBased).length - 1).toBe(3);
    expect(revenueBased.text).toContain(`${m.kpi.ltv_to_cac}: `);
    expect(revenueBased.text.split(m.revenueBased).length - 1).toBe(3);
    expect(withMargin.html).not.toContain(m.revenueBased);
  });
});
