// The plain-text part: complete on its own for clients that show no HTML or block images, in
// the same order as the HTML. Charts become the numbers they draw.
import { MODEL_LABELS } from '../clv/purchaseModel.ts';
import type { ScorecardLine } from '../kpi/scorecard.ts';
import { accuracyNote, survivalAccuracyNote } from './accuracyNote.ts';
import { HEATMAP_MONTHS } from './charts/cohortHeatmap.ts';
import { formatter, type Formatter } from './format.ts';
import { MESSAGES } from './labels.ts';
import type { Messages } from './messages/messages.ts';
import type { Report } from './report.ts';
import { channelCac, DATA_TEAM_KPIS, driverSentence, headlineDriver, revenueBasedNote, ruleCounts, sparklineText, trendChanges } from './narrative.ts';
import { baselineText, gapText, notRatedNote, targetText, usualText } from './scorecardText.ts';
import { businessLinesText } from './sections/businessLines.ts';
import { cardSentence, modelCardText } from './sections/modelCard.ts';
import { moversText } from './sections/movers.ts';
import { subscriptionRevenueText } from './sections/subscriptionRevenue.ts';

/** Weeks of the trajectory written out as a table. */
const TRAJECTORY_WEEKS_AS_TEXT = 8;

/** Columns a string takes in a monospace font: Hangul, kana and CJK ideographs take two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u.test(ch) ? 2 : 1;
  return width;
}

export function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i] ?? ''))));
  const fill = (c: string, w: number) => ' '.repeat(Math.max(0, w - displayWidth(c)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c + fill(c, widths[i]!) : fill(c, widths[i]!) + c)).join('  ').trimEnd());
}

export function heading(title: string): string[] {
  return ['', title, '-'.repeat(displayWidth(title))];
}

function lineText(line: ScorecardLine, grossMargin: number, m: Messages, fmt: Formatter): string[] {
  const wow = fmt.change(line.unit, line.wow);
  const details = [wow ? `${m.scorecard.wow} ${wow}` : null, wow ? usualText(line.unit, line.usual, m, fmt) : null, baselineText(line, m, fmt), targetText(line, m, fmt), gapText(line, m, fmt)].filter(Boolean);
  const note = notRatedNote(line, m) ?? (line.guard && line.value !== null ? line.guard : null);
  const marginNote = revenueBasedNote(line.key, grossMargin, m);
  return [
    `  - ${m.kpi[line.key]}: ${fmt.kpi(line)}  [${m.status[line.status]}]`,
    ...(details.length > 0 ? [`      ${details.join(' · ')}`] : []),
    ...(marginNote ? [`      ${marginNote}`] : []),
    ...(note ? [`      ${note}`] : []),
  ];
}

export function renderText(report: Report): string {
  const m = MESSAGES[report.locale];
  const fmt = formatter(report.locale, report.currency, report.week.timeZone);
  const { headline, dataQuality: dq } = report;
  const out: string[] = [];
  const indent = (rows: string[]) => rows.map((r) => `  ${r}`);

  if (report.sample) out.push(`!! ${m.sample.banner} ${m.sample.text(fmt.civilDate(report.sample.endDate))}`, '');
  if (dq.staleness) out.push(`!! ${m.banner} ${dq.staleness}`, '');
  out.push(m.header(report.week.id, fmt.weekRange(report.week.start, report.week.end), report.week.timeZone), '');
  const wow = fmt.change('money', headline.wow);
  out.push(
    `${m.kpi.headline_clv}: ${fmt.money(headline.value)}${dq.staleness ? ` (${m.headline.incomplete})` : ''}  ` +
      (wow
        ? `${wow} ${m.headline.vsLastWeek}${headline.usual ? ` (${m.scorecard.usual(fmt.usualMove('money', headline.usual))})` : ''}`
        : `(${m.headline.noPrevious(headline.wow.previousWeekId)})`),
  );
  out.push(headline.label);
  const headlineLine = report.scorecard.stages.flatMap((s) => s.lines).find((l) => l.key === 'headline_clv');
  if (headlineLine?.reference?.kind === 'trajectory' && headlineLine.gap !== null) {
    const r = headlineLine.reference;
    out.push(m.headline.vsTrajectory(fmt.money(r.smoothed), r.weeks, fmt.money(r.value), fmt.percent(Math.abs(headlineLine.gap)), headlineLine.gap <= 0) + (r.uncertainty ? ` ${m.headline.judgedOnInterval}` : ''));
  }
  const why = driverSentence(headlineDriver(report), m, fmt);
  if (why) out.push(why);
  for (const flag of headline.flags) out.push(`  ${flag}`);
  out.push('', report.verdict);
  if (report.settingsChange) out.push(report.settingsChange.note);

  out.push(...heading(m.sections.tiles));
  out.push(
    ...indent(
      pad(
        report.tiles.map((t) => {
          const c = fmt.change(t.kpi.unit, t.wow);
          return [m.kpi[t.kpi.key], fmt.kpi(t.kpi), c ? `${c} ${m.headline.vsLastWeek}` : '', trendChanges(t.kpi.unit, t.trend, m, fmt) ?? ''];
        }),
      ),
    ),
  );
  // What the sparklines draw, and the notes too long for the table's row.
  for (const t of report.tiles) {
    const notes = [sparklineText(t.kpi.unit, t.trend, m, fmt), revenueBasedNote(t.kpi.key, report.grossMargin, m), t.kpi.guard ?? null].filter((n): n is string => n !== null);
    if (notes.length > 0) out.push(`  ${m.kpi[t.kpi.key]}: ${notes.join(' · ')}`);
  }

  out.push(...subscriptionRevenueText(report, m, fmt));
  out.push(...businessLinesText(report, m, fmt));

  out.push(...heading(m.sections.scorecard));
  for (const stage of report.scorecard.stages) {
    out.push(`${m.scorecard.stageLabel(stage.stage, m.stage[stage.key].name)}: ${m.status[stage.status]}`, `  ${m.stage[stage.key].aim}`);
    const lines = stage.lines.filter((l) => !DATA_TEAM_KPIS.has(l.key));
    if (lines.length < stage.lines.length) out.push(`  ${m.scorecard.dataTeamLines(stage.lines.length - lines.length)}`);
    for (const line of lines) out.push(...lineText(line, report.grossMargin, m, fmt));
    out.push('');
  }
  out.push(m.scorecard.rule, m.scorecard.attachment);

  out.push(...heading(m.sections.trajectory));
  const t = report.trajectory;
  if (!t || t.points.length < 2) out.push(m.trajectory.missing((headlineLine && notRatedNote(headlineLine, m)) ?? m.status.not_rated));
  else {
    out.push(m.trajectory.legendTarget(t.doublingYears, t.anchorWeek, fmt.money(t.anchorValue), t.anchorWeeks));
    const rows = t.points.slice(-TRAJECTORY_WEEKS_AS_TEXT).map((p) => [p.weekId, fmt.money(p.actual), fmt.money(p.smoothed), fmt.money(p.target)]);
    out.push(...indent(pad([['', m.methods.value, m.trajectory.legendSmoothed(t.anchorWeeks), m.trajectory.targetColumn], ...rows])));
  }

  out.push(...heading(m.sections.cohorts));
  const c = report.cohorts;
  if (c.cohorts.length === 0) out.push(m.cohorts.none);
  else {
    out.push(`${m.cohorts.caption}${c.lastMonthInProgress ? ` ${m.cohorts.inProgress}` : ''}`);
    const months = Math.min(HEATMAP_MONTHS, Math.max(...c.cohorts.map((r) => r.retention.length)));
    const header = [m.cohorts.cohort, m.cohorts.size, ...Array.from({ length: months }, (_, k) => `M${k}`)];
    const rows = c.cohorts.map((r) => [
      r.cohortMonth.slice(0, 7),
      fmt.count(r.size),
      ...Array.from({ length: months }, (_, k) => (k < r.retention.length ? fmt.wholePercent(r.retention[k] ?? null) : '')),
    ]);
    out.push(...indent(pad([header, ...rows])));
  }

  out.push(...heading(m.sections.rfm), m.rfm.caption);
  const r = report.rfm;
  const share = (v: number | null) => (v === null ? '' : `(${fmt.percent(v)})`);
  out.push(
    ...indent(
      pad([
        [m.rfm.segment, m.rfm.customers, '', m.rfm.revenue, '', m.rfm.clv],
        ...r.segments.map((s) => [s.segment, fmt.count(s.customers), share(s.customerShare), fmt.money(s.revenue), share(s.revenueShare), fmt.money(s.clv)]),
      ]),
    ),
  );
  out.push(m.rfm.clvNote);
  if (r.clvGuard) out.push(r.clvGuard);
  out.push('', `${m.rfm.movements}:`);
  if (r.movements.length === 0) out.push(`  ${m.rfm.noMovements}`);
  for (const mv of r.movements) out.push(`  - ${m.rfm.movement(mv.from ?? `(${m.rfm.newToWindow})`, mv.to ?? `(${m.rfm.leftWindow})`, fmt.count(mv.customers))}`);
  out.push(...moversText(report, m, fmt));

  if (report.channels.length > 0) {
    out.push(...heading(m.sections.channels));
    out.push(
      ...indent(
        pad([
          [m.channels.channel, m.channels.newCustomers, m.channels.spend, m.channels.cac],
          ...report.channels.map((ch) => {
            const cac = channelCac(ch, m, fmt);
            return [ch.channel, fmt.count(ch.acquiredCustomers), fmt.money(ch.marketingSpend), cac.note ? `${cac.text} ${cac.note}` : cac.text];
          }),
        ]),
      ),
    );
  }

  out.push(...heading(m.sections.methods));
  for (const method of report.clv) {
    const interval = method.interval ? ` (${m.methods.interval(fmt.money(method.interval.low), fmt.money(method.interval.high))})` : '';
    out.push(`  ${m.method[method.method]}${method.method === headline.method ? ` [${m.methods.headline}]` : ''}: ${fmt.money(method.value)}${interval}`);
    out.push(`      ${m.methodMeaning[method.method]}`);
    if (method.method === 'bgnbd') out.push(`      ${m.methods.purchaseModel(MODEL_LABELS[report.predictiveClv.purchaseModel])}`);
    if (method.interval) out.push(`      ${m.methods.intervalBasis}`);
    if (method.flags.length > 0) out.push(`      ${method.flags.join('; ')}`);
  }
  for (const drivers of [report.drivers.saas, report.drivers.purchase]) {
    const sentence = driverSentence(drivers, m, fmt);
    if (sentence) out.push(sentence);
  }
  if (report.predictiveClv.card && report.predictiveClv.accuracy) out.push(cardSentence(report.predictiveClv.card, report.predictiveClv.accuracy.holdoutWeeks, m, fmt));

  out.push(...heading(m.sections.dataTeam));
  for (const line of report.scorecard.stages.flatMap((s) => s.lines).filter((l) => DATA_TEAM_KPIS.has(l.key))) out.push(...lineText(line, report.grossMargin, m, fmt));
  out.push(
    ...indent(
      pad([
        [m.quality.table, m.quality.rowsRead, m.quality.accepted, m.quality.rejected, m.quality.superseded],
        ...dq.perTable.map((tb) => [tb.table, fmt.count(tb.rowsRead), fmt.count(tb.accepted), fmt.count(tb.rejected), fmt.count(tb.superseded)]),
      ]),
    ),
  );
  out.push(dq.latestOrderAt ? m.quality.latestOrder(fmt.date(dq.latestOrderAt)) : m.quality.noOrders);
  const rules = ruleCounts(dq.rejectedByRule, m, fmt);
  if (rules) out.push(rules);
  if (dq.excluded.length === 0) out.push(m.quality.nothingExcluded);
  for (const x of dq.excluded) out.push(m.quality.excluded(fmt.count(x.count), x.what, x.why));
  out.push(accuracyNote(report.predictiveClv, fmt, m));
  const survival = survivalAccuracyNote(report.contractualClv, fmt, m);
  if (survival) out.push(survival);
  out.push(...modelCardText(report, m, fmt));
  if (report.runCost) out.push(m.footer.cost(fmt.bytes(report.runCost.bytesScanned), report.runCost.queries, fmt.usd(report.runCost.estimatedUsd)));

  out.push(
    '',
    '--',
    m.footer.amounts(report.currency, fmt.percent(report.grossMargin), report.grossMargin === 1),
    m.footer.windows,
    report.docsUrl === null ? m.footer.definitions : `${m.footer.definitionsLink}: ${report.docsUrl}`,
    m.footer.timeZone(report.week.timeZone),
  );
  return `${out.join('\n')}\n`;
}
