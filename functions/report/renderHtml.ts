// The e-mail body: table layout and inline styles, which Gmail, Outlook and Apple Mail all
// honour, in one 600px column that shrinks to a phone's width. Numbers are always text.
import type { Kpi, KpiKey } from '../kpi/weeklyKpis.ts';
import { accuracyNote } from './accuracyNote.ts';
import { escapeHtml as e } from './escapeHtml.ts';
import { formatter } from './format.ts';
import { CLV_METHOD_LABELS, KPI_LABELS } from './labels.ts';
import type { Report } from './report.ts';

const TILE_KPIS: KpiKey[] = ['active_customers', 'churn_rate', 'arpu_monthly', 'aov', 'repeat_purchase_rate', 'cac', 'ltv_to_cac', 'cac_payback_months'];
const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const MUTED = 'color:#5f6b7a';

function section(title: string, body: string): string {
  return `<tr><td style="padding:20px 24px 4px 24px;${FONT}"><h2 style="margin:0 0 8px 0;font-size:17px;color:#1b2533">${e(title)}</h2>${body}</td></tr>`;
}

function table(headers: string[], rows: string[][], alignRightFrom = 1): string {
  const th = headers
    .map((h, i) => `<th style="text-align:${i >= alignRightFrom ? 'right' : 'left'};padding:4px 6px;font-size:12px;${MUTED};border-bottom:1px solid #d8dee6">${e(h)}</th>`)
    .join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td style="text-align:${i >= alignRightFrom ? 'right' : 'left'};padding:4px 6px;font-size:13px;border-bottom:1px solid #eef1f4">${c}</td>`).join('')}</tr>`)
    .join('');
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;${FONT}"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

export function renderHtml(report: Report): string {
  const fmt = formatter(report.locale, report.currency, report.week.timeZone);
  const kpi = (key: KpiKey): Kpi | undefined => report.kpis.find((k) => k.key === key);
  const guardNote = (k: Kpi | undefined): string => (k?.guard ? `<div style="font-size:11px;color:#9a5b00">${e(k.guard)}</div>` : '');

  const banner = report.dataQuality.staleness
    ? `<tr><td style="padding:12px 24px;background:#fff4e5;color:#7a4100;${FONT};font-size:14px"><strong>Data incomplete.</strong> ${e(report.dataQuality.staleness)}</td></tr>`
    : '';

  const tiles = TILE_KPIS.map((key) => kpi(key))
    .filter((k): k is Kpi => k !== undefined)
    .map(
      (k) =>
        `<td class="tile" width="50%" style="padding:8px;vertical-align:top;${FONT}"><div style="font-size:12px;${MUTED}">${e(KPI_LABELS[k.key])}</div><div style="font-size:20px;font-weight:600;color:#1b2533">${e(fmt.kpi(k))}</div>${guardNote(k)}</td>`,
    );
  const tileRows: string[] = [];
  for (let i = 0; i < tiles.length; i += 2) tileRows.push(`<tr>${tiles[i]}${tiles[i + 1] ?? '<td></td>'}</tr>`);

  const clvRows = report.clv.map((c) => [
    e(CLV_METHOD_LABELS[c.method]) + (c.method === report.headline.method ? ' <strong>(headline)</strong>' : ''),
    e(fmt.money(c.value)),
    e(c.flags.join('; ') || '–'),
  ]);

  const kpiRows = report.kpis.map((k) => [e(KPI_LABELS[k.key]), e(fmt.kpi(k)), e(k.guard ?? '')]);

  const maxOffsets = Math.min(13, Math.max(0, ...report.cohorts.map((c) => c.retention.length)));
  const cohortRows = report.cohorts.map((c) => [
    e(c.cohortMonth.slice(0, 7)),
    e(fmt.count(c.size)),
    ...Array.from({ length: maxOffsets }, (_, k) => e(k < c.retention.length ? fmt.percent(c.retention[k] ?? null) : '')),
  ]);

  const channelRows = report.channels.map((c) => [e(c.channel), e(fmt.count(c.acquiredCustomers)), e(fmt.money(c.marketingSpend)), e(c.cac === null ? `– ${c.guard ?? ''}` : fmt.money(c.cac))]);

  const dq = report.dataQuality;
  const dqRows = dq.perTable.map((t) => [e(t.table), e(fmt.count(t.rowsRead)), e(fmt.count(t.accepted)), e(fmt.count(t.rejected))]);
  const excluded = dq.excluded.map((x) => `<li>${e(fmt.count(x.count))} ${e(x.what)}: ${e(x.why)}</li>`).join('');

  const headline = report.headline;
  return `<!DOCTYPE html>
<html lang="${e(report.locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(`CLV weekly report ${report.week.id}`)}</title>
<style>@media (max-width:480px){.tile{display:block!important;width:100%!important}.wrap{width:100%!important}}</style></head>
<body style="margin:0;padding:0;background:#f3f5f8">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f5f8"><tr><td align="center" style="padding:12px 0">
<table role="presentation" class="wrap" width="600" cellpadding="0" cellspacing="0" style="width:600px;max-width:100%;background:#ffffff;border-radius:6px">
${banner}
<tr><td style="padding:24px 24px 8px 24px;${FONT}">
<div style="font-size:12px;${MUTED}">ltv-pulse · week ${e(report.week.id)} · ${e(fmt.date(report.week.start))} – ${e(fmt.date(report.week.end))} (${e(report.week.timeZone)})</div>
<div style="font-size:13px;${MUTED};margin-top:12px">${e(headline.label)}</div>
<div style="font-size:32px;font-weight:700;color:#1b2533">${e(fmt.money(headline.value))}</div>
${headline.flags.length > 0 ? `<div style="font-size:12px;color:#9a5b00">${e(headline.flags.join('; '))}</div>` : ''}
<p style="font-size:15px;color:#1b2533;margin:12px 0 0 0">${e(report.verdict)}</p>
</td></tr>
<tr><td style="padding:8px 16px"><table role="presentation" width="100%" cellpadding="0" cellspacing="0">${tileRows.join('')}</table></td></tr>
${section('CLV methods', `${table(['Method', 'CLV', 'Notes'], clvRows)}<p style="font-size:12px;${MUTED};${FONT}">${e(accuracyNote(report.predictiveClv, fmt))}</p>`)}
${section('All KPIs', table(['KPI', 'Value', 'Note'], kpiRows))}
${report.cohorts.length > 0 ? section('Cohort retention (customers with a paid order, by month since acquisition)', `<div style="overflow-x:auto">${table(['Cohort', 'Size', ...Array.from({ length: maxOffsets }, (_, k) => `M${k}`)], cohortRows)}</div>`) : ''}
${report.channels.length > 0 ? section('Acquisition by channel (28 days)', table(['Channel', 'New', 'Spend', 'CAC'], channelRows)) : ''}
${section(
  'Data quality and freshness',
  `${table(['Table', 'Rows read', 'Accepted', 'Rejected'], dqRows)}<p style="font-size:13px;${FONT}">Latest order: ${e(dq.latestOrderAt ? fmt.date(dq.latestOrderAt) : 'none')}.${excluded ? '</p><ul style="font-size:13px">' + excluded + '</ul>' : '</p>'}`,
)}
<tr><td style="padding:16px 24px 24px 24px;${FONT};font-size:11px;${MUTED}">Amounts in ${e(report.currency)}; gross margin ${e(fmt.percent(report.grossMargin))}${report.grossMargin === 1 ? ' (revenue-based LTV)' : ''}. Rates use the 28 days ending with the week; definitions in docs/metrics.md. Time zone ${e(report.week.timeZone)}.</td></tr>
</table></td></tr></table>
</body></html>
`;
}
