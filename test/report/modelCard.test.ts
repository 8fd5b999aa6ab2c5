import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../../functions/clv/card/modelCard.ts';
import { renderCharts } from '../../functions/report/charts/renderCharts.ts';
import { formatter } from '../../functions/report/format.ts';
import { MESSAGES } from '../../functions/report/labels.ts';
import { renderEmail } from '../../functions/report/renderEmail.ts';
import { cardSentence } from '../../functions/report/sections/modelCard.ts';
import { fixtureReport } from './reportFixture.ts';

const m = MESSAGES.en;
const fmt = formatter('en', 'USD', 'UTC');
const card = fixtureReport().predictiveClv.card!;
const withMae = (modelMae: number, baselineMae: number, baseline: 'naive' | 'hiatus'): ModelCard => ({
  ...card,
  purchases: { winner: modelMae <= baselineMae ? 'model' : baseline, baseline, modelMae, baselineMae },
});

describe('the report card’s sentence for executives', () => {
  it('says by how much the model beat the better simple rule (0.75 against 1.00: 25% closer)', () => {
    expect(cardSentence(withMae(0.75, 1, 'hiatus'), 13, m, fmt)).toBe('Over the last 13 weeks the model forecast purchases 25.0% closer per customer than the better simple rule (180-day rule).');
  });

  it('says so when a simple rule did better (0.8 against 0.6: the rule 25% closer), with a warning', () => {
    expect(cardSentence(withMae(0.8, 0.6, 'naive'), 13, m, fmt)).toBe(
      'Over the last 13 weeks a simple rule (Naive rule) forecast purchases 25.0% closer per customer than the model: read the predictive CLV with care.',
    );
  });

  it.each(['en', 'ko', 'ja'] as const)('stands under the CLV methods and opens the card in the data team’s section, in HTML and text (%s)', (locale) => {
    const report = fixtureReport({ locale });
    const email = renderEmail(report, renderCharts(report));
    const sentence = cardSentence(report.predictiveClv.card!, 13, MESSAGES[locale], formatter(locale, report.currency, 'UTC'));
    for (const part of [email.html.replaceAll('&#39;', "'"), email.text]) {
      expect(part.split(sentence)).toHaveLength(3);
      expect(part.indexOf(MESSAGES[locale].card.title)).toBeGreaterThan(part.indexOf(MESSAGES[locale].sections.dataTeam));
    }
  });
});

describe('the report card for the data team', () => {
  it('shows the model and both rules on every metric, the tracking totals and the ten deciles', () => {
    const report = fixtureReport();
    const { text } = renderEmail(report, renderCharts(report));
    const model = card.scores[0]!;
    const mae = text.split('\n').find((l) => l.includes(m.card.metric.mae))!;
    expect(mae.trim().split(/\s{2,}/)).toEqual([m.card.metric.mae, ...card.scores.map((s) => fmt.decimal(s.mae))]);
    const brier = text.split('\n').find((l) => l.includes(m.card.metric.brier))!;
    expect(brier.trim().split(/\s{2,}/)).toEqual([m.card.metric.brier, fmt.decimal(model.activity!.brier), '–', fmt.decimal(card.scores[2]!.activity!.brier)]);
    expect(text).toContain(`${m.card.trackingTitle}: Cumulative repeat purchases over the 13 holdout weeks:`);
    const deciles = text.split('\n').slice(text.split('\n').indexOf(`${m.card.decilesTitle}:`) + 2).slice(0, 10);
    expect(deciles.map((l) => l.trim().split(/\s+/)[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  });

  it('names who tells buyers from non-buyers better, and what P(alive) is not', () => {
    const report = fixtureReport();
    const { text } = renderEmail(report, renderCharts(report));
    // The fixture's P(alive) scores 0.62, the 180-day rule 0.26: the rule wins, as research expects.
    expect(text).toContain('At telling who buys again from who does not, the 180-day rule did better (Brier 0.26 against 0.62 for the Model (BG/NBD)).');
  });

  it('says why there is no card when the holdout check was withheld', () => {
    const base = fixtureReport();
    const report = { ...base, predictiveClv: { ...base.predictiveClv, accuracy: null, card: null, accuracyGuard: 'not enough history' } };
    const email = renderEmail(report, renderCharts(report));
    for (const part of [email.html, email.text]) expect(part).toContain('No report card this week: not enough history.');
    expect(email.inlineImages.some((i) => i.cid.startsWith('tracking'))).toBe(false);
  });
});

describe('the model choice on the card', () => {
  it('lists each candidate’s holdout MAE, says which model the CLV uses and names a better one', () => {
    const base = fixtureReport();
    const choice = base.predictiveClv.modelChoice!;
    const better = { ...choice, winner: 'mbgnbd' as const, candidates: choice.candidates.map((c) => (c.model === 'mbgnbd' ? { ...c, score: { ...c.score!, mae: 0.1 } } : c)) };
    const report = { ...base, predictiveClv: { ...base.predictiveClv, modelChoice: better } };
    const { text } = renderEmail(report, renderCharts(report));
    const bg = fmt.decimal(choice.candidates[0]!.score!.mae);
    expect(text).toContain(`Model choice (lowest holdout MAE): BG/NBD ${bg}, MBG/NBD 0.1, Pareto/NBD not fitted. The CLV uses BG/NBD; MBG/NBD did better this week.`);
  });

  it('says the candidates were fitted on a sample when they were', () => {
    const base = fixtureReport();
    const report = { ...base, predictiveClv: { ...base.predictiveClv, modelChoice: { ...base.predictiveClv.modelChoice!, sampledCustomers: 100_012 } } };
    expect(renderEmail(report, renderCharts(report)).text).toContain('Candidates fitted on a fixed sample of 100,012 calibration customers.');
  });
});

describe('the reliability table', () => {
  it('shows the model’s P(alive) bands with their mean, the share who bought and the customers, in HTML and text', () => {
    const report = fixtureReport();
    const { html, text } = renderEmail(report, renderCharts(report));
    const bands = card.scores[0]!.activity!.reliability;
    expect(bands.length).toBeGreaterThan(1);
    const top = bands.at(-1)!;
    const line = `${fmt.decimal(top.from)}–${fmt.decimal(top.to)}`;
    const row = text.split('\n').find((l) => l.trim().startsWith(line))!;
    expect(row.trim().split(/\s{2,}/)).toEqual([line, fmt.decimal(top.meanPredicted), fmt.percent(top.observed), fmt.count(top.customers)]);
    expect(html).toContain(m.card.reliabilityTitle);
  });
});
