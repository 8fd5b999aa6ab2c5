// The plain-text part: complete on its own for clients that show no HTML.
import { accuracyNote } from './accuracyNote.ts';
import { formatter } from './format.ts';
import { CLV_METHOD_LABELS, KPI_LABELS } from './labels.ts';
import type { Report } from './report.ts';

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
}

export function renderText(report: Report): string {
  const fmt = formatter(report.locale, report.currency, report.week.timeZone);
  const lines: string[] = [];
  if (report.dataQuality.staleness) lines.push(`!! DATA INCOMPLETE: ${report.dataQuality.staleness}`, '');
  lines.push(`ltv-pulse weekly report ${report.week.id} (${fmt.date(report.week.start)} – ${fmt.date(report.week.end)}, ${report.week.timeZone})`, '');
  lines.push(`${report.headline.label}: ${fmt.money(report.headline.value)}`);
  for (const flag of report.headline.flags) lines.push(`  note: ${flag}`);
  lines.push(report.verdict, '', 'KPIs');
  lines.push(...pad(report.kpis.map((k) => [KPI_LABELS[k.key], fmt.kpi(k), k.guard ? `(${k.guard})` : ''])).map((l) => `  ${l}`));
  lines.push('', 'CLV methods');
  lines.push(...pad(report.clv.map((c) => [CLV_METHOD_LABELS[c.method], fmt.money(c.value), c.flags.join('; ')])).map((l) => `  ${l}`));
  lines.push(`  ${accuracyNote(report.predictiveClv, fmt)}`);
  if (report.channels.length > 0) {
    lines.push('', 'Acquisition by channel (28 days)');
    lines.push(
      ...pad([['channel', 'new', 'spend', 'CAC'], ...report.channels.map((c) => [c.channel, fmt.count(c.acquiredCustomers), fmt.money(c.marketingSpend), c.cac === null ? '–' : fmt.money(c.cac)])]).map((l) => `  ${l}`),
    );
  }
  const dq = report.dataQuality;
  lines.push('', 'Data quality');
  lines.push(`  rows read ${fmt.count(dq.rowsRead)}, accepted ${fmt.count(dq.accepted)}, rejected ${fmt.count(dq.rejected)}`);
  lines.push(`  latest order: ${dq.latestOrderAt ? fmt.date(dq.latestOrderAt) : 'none'}`);
  for (const x of dq.excluded) lines.push(`  excluded: ${fmt.count(x.count)} ${x.what} (${x.why})`);
  lines.push('', `Amounts in ${report.currency}; gross margin ${fmt.percent(report.grossMargin)}. Definitions: docs/metrics.md.`);
  return `${lines.join('\n')}\n`;
}
