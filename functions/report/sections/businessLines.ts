// The two lines of business side by side, after the subscription revenue: for subscriptions and
// for one-time purchases their customers, revenue, value per customer, monthly churn and CLV, each
// with its change from the week before; a line without customers says so instead. The headline
// numbers that blend both lines are named under them (docs/metrics.md, "Lines of business").
import { escapeHtml as e } from '../escapeHtml.ts';
import type { Formatter } from '../format.ts';
import type { Messages } from '../messages/messages.ts';
import { change, FONT, INK, MUTED, paragraph, section, small, table, WARN } from '../renderHtml.ts';
import { heading, pad } from '../renderText.ts';
import type { Report, ReportLines, ReportTile } from '../report.ts';

interface Line {
  title: string;
  tiles: ReportTile[] | null;
  none: string;
}

function linesOf(lines: ReportLines, m: Messages): Line[] {
  return [
    { title: m.lines.subscriptions, tiles: lines.subscriptions, none: m.lines.noSubscriptions },
    { title: m.lines.purchases, tiles: lines.purchases, none: m.lines.noPurchases },
  ];
}

function blendsText(lines: ReportLines, m: Messages, fmt: Formatter): string | null {
  if (lines.blends.length === 0) return null;
  return m.lines.blends(lines.blends.map((b) => `${m.kpi[b.key]} ${fmt.money(b.value)}`).join(', '));
}

export function businessLinesHtml(report: Report, m: Messages, fmt: Formatter): string {
  const body = linesOf(report.lines, m)
    .map((line) => {
      if (!line.tiles) return paragraph(e(line.none));
      const rows = line.tiles.map((t) => {
        const wow = change(t.kpi.unit, t.wow, t.usual, t.direction, fmt);
        return [`${e(m.kpi[t.kpi.key])}${t.kpi.guard ? small(e(t.kpi.guard), WARN) : ''}`, `<span style="white-space:nowrap">${e(fmt.kpi(t.kpi))}</span>`, wow ?? ''];
      });
      return `<h3 style="margin:14px 0 4px 0;font-size:14px;${INK};${FONT}">${e(line.title)}</h3>${table([e(m.lines.figure), e(m.lines.value), e(m.lines.change)], rows)}`;
    })
    .join('');
  const blends = blendsText(report.lines, m, fmt);
  return section(m.lines.title, body + (blends ? paragraph(e(blends), `font-size:12px;line-height:17px;${MUTED}`) : ''));
}

export function businessLinesText(report: Report, m: Messages, fmt: Formatter): string[] {
  const out = heading(m.lines.title);
  for (const line of linesOf(report.lines, m)) {
    if (!line.tiles) {
      out.push(line.none);
      continue;
    }
    out.push(`${line.title}:`);
    const rows = line.tiles.map((t) => [m.kpi[t.kpi.key], fmt.kpi(t.kpi), fmt.change(t.kpi.unit, t.wow) ?? '', t.kpi.guard ? `(${t.kpi.guard})` : '']);
    out.push(...pad([[m.lines.figure, m.lines.value, m.lines.change, ''], ...rows]).map((r) => `  ${r}`));
  }
  const blends = blendsText(report.lines, m, fmt);
  if (blends) out.push(blends);
  return out;
}
