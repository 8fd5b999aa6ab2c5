// The model report card in the e-mail (docs/email.md, docs/metrics.md "Model report card"): one
// sentence for executives on whether the model beats a simple rule, and for the data team the
// card itself: the metrics of the model and both rules, the tracking chart and the deciles.
import type { ForecasterScore, ModelCard } from '../../clv/card/modelCard.ts';
import { MODEL_LABELS } from '../../clv/purchaseModel.ts';
import { escapeHtml as e } from '../escapeHtml.ts';
import type { Formatter } from '../format.ts';
import type { Messages } from '../messages/messages.ts';
import { CHART_COLORS } from '../charts/chartStyle.ts';
import { FONT, image, INK, MUTED, paragraph, table, type HtmlImage } from '../renderHtml.ts';
import { pad } from '../renderText.ts';
import type { Report } from '../report.ts';

type MetricKey = keyof Messages['card']['metric'];
const METRICS: readonly MetricKey[] = ['mae', 'rmse', 'totalError', 'gini', 'spearman', 'decileMape', 'brier'];

function cell(score: ForecasterScore, key: MetricKey, fmt: Formatter): string {
  const dash = '–';
  switch (key) {
    case 'mae':
      return fmt.decimal(score.mae);
    case 'rmse':
      return fmt.decimal(score.rmse);
    case 'totalError':
      return score.relativeAggregateError === null ? dash : fmt.signedPercent(score.relativeAggregateError);
    case 'gini':
      return score.gini.value === null ? dash : fmt.decimal(score.gini.value);
    case 'spearman':
      return score.spearman.value === null ? dash : fmt.decimal(score.spearman.value);
    case 'decileMape':
      return score.deciles?.mape == null ? dash : fmt.percent(score.deciles.mape);
    case 'brier':
      return score.activity ? fmt.decimal(score.activity.brier) : dash;
  }
}

/** The executive sentence: does the model forecast purchases closer than the better simple rule, and by how much. */
export function cardSentence(card: ModelCard, weeks: number, m: Messages, fmt: Formatter): string {
  const { winner, baseline, modelMae, baselineMae } = card.purchases;
  const rule = m.card.forecaster(baseline, card.hiatusDays, '');
  return winner === 'model'
    ? m.card.modelWins(weeks, fmt.percent(baselineMae > 0 ? 1 - modelMae / baselineMae : 0), rule)
    : m.card.ruleWins(weeks, fmt.percent(modelMae > 0 ? 1 - baselineMae / modelMae : 0), rule);
}

function activitySentence(card: ModelCard, modelLabel: string, weeks: number, m: Messages, fmt: Formatter): string | null {
  const a = card.activity;
  if (!a) return null;
  const model = m.card.forecaster('model', card.hiatusDays, modelLabel);
  const rule = m.card.forecaster('hiatus', card.hiatusDays, modelLabel);
  return a.winner === 'model'
    ? m.card.activity(model, fmt.decimal(a.modelBrier), rule, fmt.decimal(a.hiatusBrier), weeks)
    : m.card.activity(rule, fmt.decimal(a.hiatusBrier), model, fmt.decimal(a.modelBrier), weeks);
}

/** Which purchase model forecast the holdout best, and which one the CLV uses. */
function choiceLines(report: Report, m: Messages, fmt: Formatter): string[] {
  const choice = report.predictiveClv.modelChoice;
  if (!choice) return [];
  const labelOf = (name: string) => choice.candidates.find((c) => c.model === name)?.label ?? name;
  const candidates = choice.candidates.map((c) => (c.score ? m.card.candidate(c.label, fmt.decimal(c.score.mae)) : m.card.notFitted(c.label))).join(', ');
  return [
    m.card.choice(candidates, labelOf(choice.used), choice.winner === choice.used ? null : labelOf(choice.winner)),
    ...(choice.sampledCustomers === null ? [] : [m.card.sampled(fmt.count(choice.sampledCustomers))]),
  ];
}

/** The tracking chart's alt text and plain-text line: the totals it ends at. */
export function trackingAlt(card: ModelCard, m: Messages, fmt: Formatter): string | null {
  const last = card.tracking?.at(-1);
  return last ? m.card.trackingAlt(card.tracking!.length, fmt.count(Math.round(last.cumulativePredicted)), fmt.count(last.cumulativeActual)) : null;
}

function rows(card: ModelCard, modelLabel: string, m: Messages, fmt: Formatter): { header: string[]; body: string[][]; deciles: string[][]; reliability: string[][] } {
  const model = card.scores.find((s) => s.forecaster === 'model')!;
  return {
    reliability: (model.activity?.reliability ?? []).map((b) => [
      `${fmt.decimal(b.from)}–${fmt.decimal(b.to)}`,
      fmt.decimal(b.meanPredicted),
      fmt.percent(b.observed),
      fmt.count(b.customers),
    ]),
    header: [m.card.metricColumn, ...card.scores.map((s) => m.card.forecaster(s.forecaster, card.hiatusDays, modelLabel))],
    body: METRICS.map((key) => [m.card.metric[key], ...card.scores.map((s) => cell(s, key, fmt))]),
    deciles: (model.deciles?.deciles ?? []).map((d) => [String(d.decile), fmt.decimal(d.meanPredicted), fmt.decimal(d.meanActual)]),
  };
}

export function modelCardHtml(report: Report, tracking: HtmlImage | null, m: Messages, fmt: Formatter): string {
  const h3 = (title: string) => `<h3 style="margin:16px 0 4px 0;font-size:14px;${INK};${FONT}">${e(title)}</h3>`;
  const predictive = report.predictiveClv;
  const card = predictive.card;
  if (!card) return h3(m.card.title) + paragraph(e(m.card.missing(predictive.accuracyGuard ?? 'no data')));
  const weeks = predictive.accuracy?.holdoutWeeks ?? Math.round(card.holdoutDays / 7);
  const label = MODEL_LABELS[predictive.purchaseModel];
  const r = rows(card, label, m, fmt);
  const activity = activitySentence(card, label, weeks, m, fmt);
  const legend =
    `<span style="color:${CHART_COLORS.target};font-weight:700">┅</span> ${e(m.card.trackingLegendModel)} &nbsp; ` +
    `<span style="color:${CHART_COLORS.actual};font-weight:700">━</span> ${e(m.card.trackingLegendActual)}`;
  return (
    h3(m.card.title) +
    paragraph(e(cardSentence(card, weeks, m, fmt)), `font-size:13px;line-height:19px;${INK}`) +
    (activity ? paragraph(e(activity)) : '') +
    table(r.header.map(e), r.body.map((row) => row.map((c, i) => (i === 0 ? e(c) : `<span style="white-space:nowrap">${e(c)}</span>`)))) +
    paragraph(e(m.card.reading), `font-size:12px;line-height:17px;${MUTED}`) +
    choiceLines(report, m, fmt).map((line) => paragraph(e(line))).join('') +
    h3(m.card.trackingTitle) +
    (tracking ? image(tracking) + paragraph(legend, `font-size:12px;line-height:18px;${MUTED}`) : paragraph(e(m.card.trackingMissing(card.trackingGuard ?? 'no data')))) +
    (r.reliability.length > 0
      ? h3(m.card.reliabilityTitle) + table([e(m.card.band), e(m.card.meanPAlive), e(m.card.bought), e(m.card.customers)], r.reliability.map((row) => row.map(e)))
      : '') +
    (r.deciles.length > 0 ? h3(m.card.decilesTitle) + table([e(m.card.decile), e(m.card.predicted), e(m.card.actual)], r.deciles.map((row) => row.map(e))) : '')
  );
}

export function modelCardText(report: Report, m: Messages, fmt: Formatter): string[] {
  const predictive = report.predictiveClv;
  const card = predictive.card;
  const out = ['', `${m.card.title}:`];
  if (!card) return [...out, m.card.missing(predictive.accuracyGuard ?? 'no data')];
  const weeks = predictive.accuracy?.holdoutWeeks ?? Math.round(card.holdoutDays / 7);
  const label = MODEL_LABELS[predictive.purchaseModel];
  const r = rows(card, label, m, fmt);
  const activity = activitySentence(card, label, weeks, m, fmt);
  out.push(cardSentence(card, weeks, m, fmt), ...(activity ? [activity] : []));
  out.push(...pad([r.header, ...r.body]).map((line) => `  ${line}`), m.card.reading, ...choiceLines(report, m, fmt));
  out.push(`${m.card.trackingTitle}: ${trackingAlt(card, m, fmt) ?? m.card.trackingMissing(card.trackingGuard ?? 'no data')}`);
  if (r.reliability.length > 0) out.push(`${m.card.reliabilityTitle}:`, ...pad([[m.card.band, m.card.meanPAlive, m.card.bought, m.card.customers], ...r.reliability]).map((line) => `  ${line}`));
  if (r.deciles.length > 0) out.push(`${m.card.decilesTitle}:`, ...pad([[m.card.decile, m.card.predicted, m.card.actual], ...r.deciles]).map((line) => `  ${line}`));
  return out;
}
