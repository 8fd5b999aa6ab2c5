// The e-mail body. Gmail, Outlook and Apple Mail all honour table layout and inline styles and
// little else, so that is all this uses: one 600px column that shrinks to a phone's width, no
// external CSS or script, images only as cid: parts with alt text. Every number is text; the
// charts repeat what the text says. Every string passes through escapeHtml.
import type { ScorecardLine, ScorecardStage, Status, UsualMove, WeekOverWeek } from '../kpi/scorecard.ts';
import type { KpiKey, KpiUnit } from '../kpi/weeklyKpis.ts';
import { accuracyNote, survivalAccuracyNote } from './accuracyNote.ts';
import { MODEL_LABELS } from '../clv/purchaseModel.ts';
import { HEATMAP_MONTHS } from './charts/cohortHeatmap.ts';
import { CHART_COLORS } from './charts/chartStyle.ts';
import { escapeHtml as e } from './escapeHtml.ts';
import { formatter, type Formatter } from './format.ts';
import { MESSAGES } from './labels.ts';
import type { Messages } from './messages/messages.ts';
import type { Report, ReportTile } from './report.ts';
import { emailSubject } from './subject.ts';
import { channelCac, DATA_TEAM_KPIS, definitionUrl, driverSentence, headlineDriver, revenueBasedNote, ruleCounts, trendChanges } from './narrative.ts';
import { baselineText, gapText, notRatedNote, targetText, usualText } from './scorecardText.ts';
import { businessLinesHtml } from './sections/businessLines.ts';
import { cardSentence, modelCardHtml } from './sections/modelCard.ts';
import { moversHtml } from './sections/movers.ts';
import { subscriptionRevenueHtml } from './sections/subscriptionRevenue.ts';

/** An inline image as the HTML references it. */
export interface HtmlImage {
  cid: string;
  alt: string;
  width: number;
  height: number;
}

export interface HtmlImages {
  trajectory: HtmlImage | null;
  cohorts: HtmlImage | null;
  /** The report card's holdout tracking chart. */
  tracking: HtmlImage | null;
  /** A tile's 13-week sparkline, for the tiles with two or more values to draw. */
  sparklines: Partial<Record<KpiKey, HtmlImage>>;
}

const CONTENT_WIDTH = 552;
/** The months of the cohort table in the HTML: M0 is 100% by definition, the heatmap shows the rest. */
const COHORT_TABLE_MONTHS = [1, 2, 3, 6, 9, 12] as const;
// Short on purpose: it is repeated on every table, and Gmail clips a message whose HTML passes
// 102 KB. Korean and Japanese text falls back to each system's CJK font.
export const FONT = 'font-family:-apple-system,Segoe UI,Roboto,Arial,sans-serif';
export const INK = 'color:#1b2533';
export const MUTED = 'color:#5f6b7a';
export const WARN = 'color:#9a5b00';
const STATUS_COLORS: Record<Status, string> = { on_track: '#1a7f37', at_risk: '#9a6700', off_track: '#cf222e', not_rated: '#6e7781' };
const STATUS_MARKS: Record<Status, string> = { on_track: '●', at_risk: '▲', off_track: '■', not_rated: '○' };

function pill(status: Status, m: Messages): string {
  return `<span style="display:inline-block;padding:1px 7px;border-radius:9px;font-size:11px;font-weight:600;line-height:16px;color:#ffffff;background:${STATUS_COLORS[status]};white-space:nowrap">${STATUS_MARKS[status]} ${e(m.status[status])}</span>`;
}

/**
 * A change coloured by whether it is good news; grey when it is no news: the KPI has no good
 * direction, or the change is within its usual weekly move.
 */
export function change(unit: KpiUnit, wow: WeekOverWeek, usual: UsualMove | null, direction: ReportTile['direction'], fmt: Formatter): string | null {
  const text = fmt.change(unit, wow);
  if (text === null) return null;
  const good = direction === null || wow.change === 0 || usual?.ordinary ? null : (wow.change! > 0) === (direction === 'higher');
  const color = good === null ? '#5f6b7a' : good ? STATUS_COLORS.on_track : STATUS_COLORS.off_track;
  return `<span style="color:${color};font-weight:600;white-space:nowrap">${e(text)}</span>`;
}

export function section(title: string, body: string): string {
  return (
    `<tr><td class="px" style="padding:24px 24px 0 24px;${FONT}">` +
    `<h2 style="margin:0 0 10px 0;font-size:17px;line-height:22px;${INK};border-top:1px solid #d8dee6;padding-top:16px">${e(title)}</h2>${body}</td></tr>`
  );
}

export function paragraph(html: string, style = `font-size:13px;line-height:19px;${MUTED}`): string {
  return `<p style="margin:8px 0 0 0;${style};${FONT}">${html}</p>`;
}

export function table(headers: string[], rows: string[][], options: { alignRightFrom?: number; compact?: boolean } = {}): string {
  const from = options.alignRightFrom ?? 1;
  const align = (i: number) => (i >= from ? 'text-align:right;' : '');
  const [size, cell] = options.compact ? [11, 'padding:2px 4px;white-space:nowrap'] : [13, 'padding:4px 5px;border-bottom:1px solid #eef1f4;vertical-align:top'];
  // Headers of several words may wrap: five nowrap headers beside a long table name outgrow a phone.
  const th = headers.map((h, i) => `<th style="${align(i) || 'text-align:left;'}padding:4px 5px;font-weight:600;${MUTED};border-bottom:1px solid #d8dee6;vertical-align:bottom">${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td style="${align(i)}${cell}">${c}</td>`).join('')}</tr>`).join('');
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;${FONT};font-size:${size}px;line-height:${size + 5}px;${INK}"><tr>${th}</tr>${body}</table>`;
}

export function image(img: HtmlImage): string {
  const width = Math.min(CONTENT_WIDTH, img.width);
  return `<img src="cid:${e(img.cid)}" width="${width}" alt="${e(img.alt)}" style="display:block;width:100%;max-width:${width}px;height:auto;border:0;outline:none">`;
}

/** A KPI's name, linked to its definition when report.docsUrl is set. */
export function kpiLabel(key: KpiKey, docsUrl: string | null, m: Messages): string {
  const url = definitionUrl(docsUrl, key);
  return url === null ? e(m.kpi[key]) : `<a href="${e(url)}" style="color:inherit;text-decoration:underline;text-decoration-color:#aab4c0">${e(m.kpi[key])}</a>`;
}

export function small(text: string, style = MUTED): string {
  return `<div style="font-size:12px;line-height:17px;${style}">${text}</div>`;
}

function scorecardLine(line: ScorecardLine, report: Report, m: Messages, fmt: Formatter): string {
  const details = [
    ((c) => (c ? `${e(m.scorecard.wow)} ${c}` : null))(change(line.unit, line.wow, line.usual, line.direction, fmt)),
    ...[line.wow.change === null ? null : usualText(line.unit, line.usual, m, fmt), baselineText(line, m, fmt), targetText(line, m, fmt), gapText(line, m, fmt)].map((t) => (t ? e(t) : null)),
  ].filter((d): d is string => d !== null);
  const note = notRatedNote(line, m) ?? (line.guard && line.value !== null ? line.guard : null);
  const marginNote = revenueBasedNote(line.key, report.grossMargin, m);
  const border = 'border-bottom:1px solid #eef1f4';
  return (
    `<tr><td style="padding:7px 8px 7px 0;${border};font-size:14px;line-height:19px;vertical-align:top">${kpiLabel(line.key, report.docsUrl, m)}` +
    `${details.length > 0 ? small(details.join(' · ')) : ''}${marginNote ? small(e(marginNote), WARN) : ''}${note ? small(e(note), WARN) : ''}</td>` +
    `<td style="padding:7px 0;${border};text-align:right;vertical-align:top;white-space:nowrap">` +
    `<div style="font-size:15px;line-height:20px;font-weight:600">${e(fmt.kpi(line))}</div>${pill(line.status, m)}</td></tr>`
  );
}

function scorecardStage(stage: ScorecardStage, report: Report, m: Messages, fmt: Formatter): string {
  const name = m.stage[stage.key];
  const lines = stage.lines.filter((l) => !DATA_TEAM_KPIS.has(l.key));
  const moved = stage.lines.length - lines.length;
  return (
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 14px 0;${FONT};${INK}">` +
    `<tr><td colspan="2" style="padding:8px 10px;background:#f3f5f8;border-left:4px solid ${STATUS_COLORS[stage.status]}">` +
    `<div style="font-size:14px;line-height:19px;font-weight:700">${e(m.scorecard.stageLabel(stage.stage, name.name))} ${pill(stage.status, m)}</div>` +
    `${small(e(name.aim))}${moved > 0 ? small(e(m.scorecard.dataTeamLines(moved))) : ''}</td></tr>${lines.map((l) => scorecardLine(l, report, m, fmt)).join('')}</table>`
  );
}

export function renderHtml(report: Report, images: HtmlImages): string {
  const m = MESSAGES[report.locale];
  const fmt = formatter(report.locale, report.currency, report.week.timeZone);
  const { headline, dataQuality: dq } = report;

  const warning = (title: string, text: string) =>
    `<tr><td class="px" style="padding:14px 24px;background:#fff4e5;border-bottom:2px solid #d4a72c;${FONT};font-size:14px;line-height:20px;color:#7a4100"><strong>${e(title)}</strong> ${e(text)}</td></tr>`;
  const banner =
    (report.sample ? warning(m.sample.banner, m.sample.text(fmt.civilDate(report.sample.endDate))) : '') + (dq.staleness ? warning(m.banner, dq.staleness) : '');

  const headlineWow = change('money', headline.wow, headline.usual, 'higher', fmt);
  const headlineUsual = headline.usual === null ? '' : ` · ${e(m.scorecard.usual(fmt.usualMove('money', headline.usual)))}`;
  const headlineLine = report.scorecard.stages.flatMap((s) => s.lines).find((l) => l.key === 'headline_clv');
  const trajectoryNote =
    headlineLine?.reference?.kind === 'trajectory' && headlineLine.gap !== null
      ? m.headline.vsTrajectory(fmt.money(headlineLine.reference.smoothed), headlineLine.reference.weeks, fmt.money(headlineLine.reference.value), fmt.percent(Math.abs(headlineLine.gap)), headlineLine.gap <= 0) +
        (headlineLine.reference.uncertainty ? ` ${m.headline.judgedOnInterval}` : '')
      : null;
  const headlineWhy = driverSentence(headlineDriver(report), m, fmt);
  const top =
    `<tr><td class="px" style="padding:22px 24px 4px 24px;${FONT}">` +
    small(e(m.header(report.week.id, fmt.weekRange(report.week.start, report.week.end), report.week.timeZone))) +
    `<div style="font-size:13px;line-height:18px;${MUTED};margin-top:14px">${e(m.kpi.headline_clv)} · ${e(headline.label)}</div>` +
    `<div style="font-size:34px;line-height:42px;font-weight:700;${INK}">${e(fmt.money(headline.value))}` +
    `${dq.staleness ? ` <span style="font-size:13px;font-weight:600;${WARN}">(${e(m.headline.incomplete)})</span>` : ''}</div>` +
    `<div style="font-size:14px;line-height:20px;${MUTED}">${headlineWow ? `${headlineWow} ${e(m.headline.vsLastWeek)}${headlineUsual}` : e(m.headline.noPrevious(headline.wow.previousWeekId))}</div>` +
    `${headlineWhy ? small(e(headlineWhy), INK) : ''}` +
    `${trajectoryNote ? small(e(trajectoryNote)) : ''}` +
    `${headline.flags.length > 0 ? small(e(headline.flags.join('; ')), WARN) : ''}` +
    `<p style="margin:14px 0 0 0;font-size:15px;line-height:22px;font-weight:600;${INK}">${e(report.verdict)}</p>` +
    `${report.settingsChange ? `<p style="margin:8px 0 0 0;font-size:14px;line-height:20px;${INK}">${e(report.settingsChange.note)}</p>` : ''}</td></tr>`;

  const tiles = report.tiles.map((t) => {
    const wow = change(t.kpi.unit, t.wow, t.usual, t.direction, fmt);
    const trend = trendChanges(t.kpi.unit, t.trend, m, fmt);
    const spark = images.sparklines[t.kpi.key];
    const marginNote = revenueBasedNote(t.kpi.key, report.grossMargin, m);
    return (
      `<td width="50%" style="width:50%;padding:5px;vertical-align:top;${FONT}">` +
      `<div style="border:1px solid #e6eaf0;border-radius:6px;padding:10px 12px">` +
      `<div style="font-size:12px;line-height:16px;${MUTED}">${kpiLabel(t.kpi.key, report.docsUrl, m)}</div>` +
      `<div style="font-size:19px;line-height:26px;font-weight:700;${INK};word-break:break-word">${e(fmt.kpi(t.kpi))}</div>` +
      `${small(wow ? `${wow} ${e(m.headline.vsLastWeek)}` : '&nbsp;')}` +
      `${trend ? small(e(trend)) : ''}` +
      `${spark ? `<div style="margin-top:4px">${image(spark)}</div>` : ''}` +
      `${marginNote ? small(e(marginNote), WARN) : ''}` +
      `${t.kpi.guard ? small(e(t.kpi.guard), WARN) : ''}</div></td>`
    );
  });
  const tileRows: string[] = [];
  for (let i = 0; i < tiles.length; i += 2) tileRows.push(`<tr>${tiles[i]}${tiles[i + 1] ?? '<td width="50%"></td>'}</tr>`);

  const scorecard = report.scorecard.stages.map((s) => scorecardStage(s, report, m, fmt)).join('') + paragraph(e(m.scorecard.rule), `font-size:12px;line-height:17px;${MUTED}`) + paragraph(e(m.scorecard.attachment), `font-size:12px;line-height:17px;${MUTED}`);

  const trajectory = (() => {
    const t = report.trajectory;
    if (!t || !images.trajectory) {
      const reason = headlineLine?.notRated ? notRatedNote(headlineLine, m) : null;
      return paragraph(e(m.trajectory.missing(reason ?? m.status.not_rated)));
    }
    const last = t.points.at(-1)!;
    const legend =
      `<span style="color:${CHART_COLORS.weekly};font-weight:700">━</span> ${e(m.trajectory.legendActual(headline.label))} &nbsp; ` +
      `<span style="color:${CHART_COLORS.smoothed};font-weight:700">━</span> ${e(m.trajectory.legendSmoothed(t.anchorWeeks))} &nbsp; ` +
      `<span style="color:${CHART_COLORS.target};font-weight:700">┅</span> ${e(m.trajectory.legendTarget(t.doublingYears, t.anchorWeek, fmt.money(t.anchorValue), t.anchorWeeks))}`;
    const gap = headlineLine?.gap ?? null;
    const summary =
      last.actual === null || last.smoothed === null || gap === null
        ? ''
        : m.trajectory.summary(fmt.money(last.actual), t.anchorWeeks, fmt.money(last.smoothed), fmt.money(last.target), fmt.percent(Math.abs(gap)), gap <= 0);
    return image(images.trajectory) + paragraph(legend, `font-size:12px;line-height:18px;${MUTED}`) + (summary ? paragraph(e(summary), `font-size:13px;line-height:19px;${INK}`) : '');
  })();

  const cohorts = (() => {
    const c = report.cohorts;
    if (c.cohorts.length === 0 || !images.cohorts) return paragraph(e(m.cohorts.none));
    // A phone has room for eight columns: the milestone months the data reaches, no scroll box
    // (which many mail apps ignore). The plain text and report.json have every month.
    const months = Math.min(HEATMAP_MONTHS, Math.max(...c.cohorts.map((r) => r.retention.length)));
    const shown = COHORT_TABLE_MONTHS.filter((k) => k < months);
    const rows = c.cohorts.map((r) => [
      e(r.cohortMonth.slice(0, 7)),
      e(fmt.count(r.size)),
      ...shown.map((k) => (k < r.retention.length ? e(fmt.wholePercent(r.retention[k] ?? null)) : '')),
    ]);
    return (
      image(images.cohorts) +
      paragraph(e(`${m.cohorts.caption}${c.lastMonthInProgress ? ` ${m.cohorts.inProgress}` : ''} ${m.cohorts.tableMonths(shown.map((k) => `M${k}`).join(', '))}`), `font-size:12px;line-height:17px;${MUTED}`) +
      `<div style="margin-top:8px">${table([e(m.cohorts.cohort), e(m.cohorts.size), ...shown.map((k) => `M${k}`)], rows, { compact: true })}</div>`
    );
  })();

  const rfm = (() => {
    const r = report.rfm;
    const share = (v: number | null) => (v === null ? '' : small(e(fmt.percent(v))));
    const rows = r.segments.map((s) => [
      e(s.segment),
      `${e(fmt.count(s.customers))}${share(s.customerShare)}`,
      `${e(fmt.money(s.revenue))}${share(s.revenueShare)}`,
      e(fmt.money(s.clv)),
    ]);
    const named = (segment: string | null, fallback: string) => e(segment ?? fallback);
    const movements = r.movements.length === 0
      ? paragraph(e(m.rfm.noMovements))
      : `<ul style="margin:6px 0 0 0;padding-left:18px;font-size:13px;line-height:19px;${INK};${FONT}">${r.movements
          .map((mv) => `<li>${m.rfm.movement(named(mv.from, `(${m.rfm.newToWindow})`), named(mv.to, `(${m.rfm.leftWindow})`), e(fmt.count(mv.customers)))}</li>`)
          .join('')}</ul>`;
    return (
      paragraph(e(m.rfm.caption), `font-size:12px;line-height:17px;${MUTED}`) +
      `<div style="margin-top:8px">${table([e(m.rfm.segment), e(m.rfm.customers), e(m.rfm.revenue), e(m.rfm.clv)], rows)}</div>` +
      paragraph(e(m.rfm.clvNote), `font-size:12px;line-height:17px;${MUTED}`) +
      (r.clvGuard ? paragraph(e(r.clvGuard), `font-size:12px;line-height:17px;${WARN}`) : '') +
      `<h3 style="margin:14px 0 0 0;font-size:14px;${INK};${FONT}">${e(m.rfm.movements)}</h3>${movements}`
    );
  })();

  const channels =
    report.channels.length === 0
      ? ''
      : section(
          m.sections.channels,
          table(
            [e(m.channels.channel), e(m.channels.newCustomers), e(m.channels.spend), e(m.channels.cac)],
            report.channels.map((c) => {
              const cac = channelCac(c, m, fmt);
              return [e(c.channel), e(fmt.count(c.acquiredCustomers)), e(fmt.money(c.marketingSpend)), `${e(cac.text)}${cac.note ? small(e(cac.note), MUTED) : ''}`];
            }),
          ),
        );

  const survivalNote = survivalAccuracyNote(report.contractualClv, fmt, m);
  const whys = [driverSentence(report.drivers.saas, m, fmt), driverSentence(report.drivers.purchase, m, fmt)].filter((w): w is string => w !== null);
  const methods =
    table(
      [e(m.methods.method), e(m.methods.value)],
      report.clv.map((c) => [
        `${e(m.method[c.method])}${c.method === headline.method ? ` <strong style="font-size:11px;color:${CHART_COLORS.actual}">${e(m.methods.headline)}</strong>` : ''}` +
          `${small(e(m.methodMeaning[c.method]))}${c.method === 'bgnbd' ? small(e(m.methods.purchaseModel(MODEL_LABELS[report.predictiveClv.purchaseModel]))) : ''}` +
          `${c.interval ? small(e(m.methods.intervalBasis)) : ''}${c.flags.length > 0 ? small(e(c.flags.join('; ')), WARN) : ''}`,
        `<span style="white-space:nowrap">${e(fmt.money(c.value))}</span>` +
          (c.interval ? small(`<span style="white-space:nowrap">${e(m.methods.interval(fmt.money(c.interval.low), fmt.money(c.interval.high)))}</span>`) : ''),
      ]),
    ) +
    whys.map((w) => paragraph(e(w), `font-size:13px;line-height:19px;${INK}`)).join('') +
    (report.predictiveClv.card && report.predictiveClv.accuracy
      ? paragraph(e(cardSentence(report.predictiveClv.card, report.predictiveClv.accuracy.holdoutWeeks, m, fmt)), `font-size:13px;line-height:19px;${INK}`)
      : '');

  const rules = ruleCounts(dq.rejectedByRule, m, fmt);
  const dataTeamLines = report.scorecard.stages.flatMap((s) => s.lines).filter((l) => DATA_TEAM_KPIS.has(l.key));
  const quality =
    (dataTeamLines.length > 0
      ? `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 10px 0;${FONT};${INK}">${dataTeamLines.map((l) => scorecardLine(l, report, m, fmt)).join('')}</table>`
      : '') +
    table(
      [e(m.quality.table), e(m.quality.rowsRead), e(m.quality.accepted), e(m.quality.rejected), e(m.quality.superseded)],
      dq.perTable.map((t) => [e(t.table), e(fmt.count(t.rowsRead)), e(fmt.count(t.accepted)), e(fmt.count(t.rejected)), e(fmt.count(t.superseded))]),
    ) +
    paragraph(e(dq.latestOrderAt ? m.quality.latestOrder(fmt.date(dq.latestOrderAt)) : m.quality.noOrders), `font-size:13px;line-height:19px;${INK}`) +
    (rules ? paragraph(e(rules)) : '') +
    (dq.excluded.length > 0 ? dq.excluded.map((x) => paragraph(e(m.quality.excluded(fmt.count(x.count), x.what, x.why)), `font-size:13px;line-height:19px;${WARN}`)).join('') : paragraph(e(m.quality.nothingExcluded))) +
    paragraph(e(accuracyNote(report.predictiveClv, fmt, m))) +
    (survivalNote ? paragraph(e(survivalNote)) : '') +
    modelCardHtml(report, images.tracking, m, fmt) +
    (report.runCost ? paragraph(e(m.footer.cost(fmt.bytes(report.runCost.bytesScanned), report.runCost.queries, fmt.usd(report.runCost.estimatedUsd)))) : '');

  const footer = [
    e(m.footer.amounts(report.currency, fmt.percent(report.grossMargin), report.grossMargin === 1)),
    e(m.footer.windows),
    report.docsUrl === null ? e(m.footer.definitions) : `<a href="${e(report.docsUrl)}" style="color:#5f6b7a">${e(m.footer.definitionsLink)}</a>`,
    e(m.footer.timeZone(report.week.timeZone)),
  ];

  return `<!DOCTYPE html>
<html lang="${e(report.locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="x-apple-disable-message-reformatting"><meta name="color-scheme" content="light only"><title>${e(emailSubject(report))}</title>
<style>@media (max-width:480px){.wrap{width:100%!important}.px{padding-left:14px!important;padding-right:14px!important}}</style></head>
<body style="margin:0;padding:0;background:#f3f5f8;-webkit-text-size-adjust:100%;word-break:break-word">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">${e(report.verdict)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f5f8"><tr><td align="center" style="padding:12px 0">
<table role="presentation" class="wrap" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;max-width:100%;table-layout:fixed;background:#ffffff;border-radius:6px">
${banner}
${top}
<tr><td class="px" style="padding:14px 18px 0 18px"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">${tileRows.join('')}</table></td></tr>
${subscriptionRevenueHtml(report, m, fmt)}
${businessLinesHtml(report, m, fmt)}
${section(m.sections.scorecard, scorecard)}
${section(m.sections.trajectory, trajectory)}
${section(m.sections.cohorts, cohorts)}
${section(m.sections.rfm, rfm)}
${moversHtml(report, m, fmt)}
${channels}
${section(m.sections.methods, methods)}
${section(m.sections.dataTeam, quality)}
<tr><td class="px" style="padding:24px 24px 24px 24px;${FONT};font-size:11px;line-height:16px;${MUTED}">${footer.join('<br>')}</td></tr>
</table></td></tr></table>
</body></html>
`;
}
