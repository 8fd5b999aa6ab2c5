// One report, one message: subject, HTML and plain text, the charts as inline images with alt
// text, and the scorecard as a CSV attachment. Nothing here touches storage or mail, so the whole
// message is ready before anything is written or sent.
import type { Attachment, InlineImage } from '../mail/message.ts';
import type { ChartPng, ReportCharts } from './charts/renderCharts.ts';
import { formatter, type Formatter } from './format.ts';
import { MESSAGES } from './labels.ts';
import type { Messages } from './messages/messages.ts';
import type { Report } from './report.ts';
import { sparklineText } from './narrative.ts';
import { renderHtml, type HtmlImage, type HtmlImages } from './renderHtml.ts';
import { trackingAlt } from './sections/modelCard.ts';
import { renderText } from './renderText.ts';
import { scorecardCsv } from './scorecardCsv.ts';
import { emailSubject } from './subject.ts';

export { emailSubject };

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  inlineImages: InlineImage[];
  attachments: Attachment[];
}

function chartAlts(report: Report, m: Messages, fmt: Formatter): { trajectory: string | null; cohorts: string | null } {
  const t = report.trajectory;
  const last = t?.points.at(-1);
  const cohorts = report.cohorts.cohorts;
  const monthOne = cohorts.map((c) => c.retention[1]).filter((v): v is number => v !== undefined && v !== null);
  return {
    trajectory: t && last ? m.trajectory.alt(t.points[0]!.weekId, last.weekId, fmt.money(last.actual), fmt.money(last.target)) : null,
    cohorts:
      cohorts.length === 0
        ? null
        : m.cohorts.alt(
            cohorts[0]!.cohortMonth.slice(0, 7),
            cohorts.at(-1)!.cohortMonth.slice(0, 7),
            monthOne.length === 0 ? '–' : `${fmt.percent(Math.min(...monthOne))} – ${fmt.percent(Math.max(...monthOne))}`,
          ),
  };
}

export function renderEmail(report: Report, charts: ReportCharts): RenderedEmail {
  const m = MESSAGES[report.locale];
  const fmt = formatter(report.locale, report.currency, report.week.timeZone);
  const alts = chartAlts(report, m, fmt);
  const inlineImages: InlineImage[] = [];
  // Each image once: its inline part and what the HTML references it by.
  const place = (name: string, chart: ChartPng | null | undefined, alt: string | null): HtmlImage | null => {
    if (!chart || alt === null) return null;
    const cid = `${name}.${report.week.id}@ltv-pulse`;
    inlineImages.push({ cid, filename: `${name}-${report.week.id}.png`, contentType: 'image/png', content: chart.png, alt });
    return { cid, alt, width: chart.width, height: chart.height };
  };
  const sparklines: HtmlImages['sparklines'] = {};
  for (const tile of report.tiles) {
    const numbers = sparklineText(tile.kpi.unit, tile.trend, m, fmt);
    const image = place(`sparkline-${tile.kpi.key}`, charts.sparklines[tile.kpi.key], numbers === null ? null : `${m.kpi[tile.kpi.key]}: ${numbers}`);
    if (image) sparklines[tile.kpi.key] = image;
  }
  const card = report.predictiveClv.card;
  const images = {
    trajectory: place('trajectory', charts.trajectory, alts.trajectory),
    cohorts: place('cohorts', charts.cohorts, alts.cohorts),
    tracking: place('tracking', charts.tracking, card ? trackingAlt(card, m, fmt) : null),
    sparklines,
  };
  return {
    subject: emailSubject(report),
    html: renderHtml(report, images),
    text: renderText(report),
    inlineImages,
    attachments: [{ filename: m.csv.filename(report.week.id), contentType: 'text/csv; charset=utf-8', content: scorecardCsv(report) }],
  };
}
