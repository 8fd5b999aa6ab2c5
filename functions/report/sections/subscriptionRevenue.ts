// The subscription revenue section, right after the KPI tiles: MRR and ARR at the week's end, and
// the last complete month as a waterfall from opening to closing MRR (docs/email.md). The HTML and
// the plain text show the same lines and the same numbers.
import { escapeHtml as e } from '../escapeHtml.ts';
import type { Formatter } from '../format.ts';
import type { Messages } from '../messages/messages.ts';
import { change, MUTED, paragraph, section, small, table, WARN } from '../renderHtml.ts';
import { heading, pad } from '../renderText.ts';
import type { Report, ReportMrrBridge, ReportSubscriptionRevenue } from '../report.ts';

/** The waterfall's rows: each step's label carries its sign, so amounts are shown unsigned but the fx effect's. */
function waterfall(b: ReportMrrBridge, m: Messages, fmt: Formatter): [string, string][] {
  const t = m.subscriptionRevenue;
  return [
    [t.opening, fmt.money(b.opening)],
    [t.new, fmt.money(b.new)],
    [t.expansion, fmt.money(b.expansion)],
    [t.reactivation, fmt.money(b.reactivation)],
    [t.contraction, fmt.money(b.contraction)],
    [t.churned, fmt.money(b.churned)],
    [t.fxEffect, b.fxEffect === null ? t.unknown : signed(b.fxEffect, fmt)],
    [t.closing, fmt.money(b.closing)],
  ];
}

function signed(value: number, fmt: Formatter): string {
  return `${value < 0 ? '−' : '+'}${fmt.money(Math.abs(value))}`;
}

/** The sentences under the waterfall, in order. */
function notes(b: ReportMrrBridge, m: Messages, fmt: Formatter): { text: string; warn: boolean }[] {
  const t = m.subscriptionRevenue;
  return [
    b.fxEffect === null
      ? { text: t.fxUnknown(b.subscriptionsWithoutMonthEndRate > 0 ? fmt.count(b.subscriptionsWithoutMonthEndRate) : null), warn: true }
      : { text: t.change(signed(b.change, fmt), signed(b.netNew, fmt)), warn: false },
    ...(b.unconvertedSubscriptions > 0 ? [{ text: t.unconverted(fmt.count(b.unconvertedSubscriptions)), warn: true }] : []),
    { text: t.constantCurrency, warn: false },
  ];
}

function mrrNow(r: ReportSubscriptionRevenue, m: Messages, fmt: Formatter): { mrr: string; arr: string; vs: string } {
  return { mrr: fmt.kpi(r.mrr.kpi), arr: fmt.money(r.arr), vs: m.headline.vsLastWeek };
}

export function subscriptionRevenueHtml(report: Report, m: Messages, fmt: Formatter): string {
  const r = report.subscriptionRevenue;
  if (!r) return '';
  const t = m.subscriptionRevenue;
  const now = mrrNow(r, m, fmt);
  const wow = change(r.mrr.kpi.unit, r.mrr.wow, r.mrr.usual, r.mrr.direction, fmt);
  const guard = r.mrr.kpi.guard ? small(e(r.mrr.kpi.guard), WARN) : '';
  const head = table(
    [e(t.mrr), e(t.arr)],
    [[`<strong>${e(now.mrr)}</strong>${wow ? small(`${wow} ${e(now.vs)}`) : ''}${guard}`, `<strong>${e(now.arr)}</strong>`]],
  );
  const b = r.lastMonth;
  const month = b
    ? `<div style="margin-top:14px">${table(
        [e(t.month(b.month.slice(0, 7), b.valuedAt === 'month_end_rates')), ''],
        waterfall(b, m, fmt).map(([label, amount]) => [e(label), `<span style="white-space:nowrap">${e(amount)}</span>`]),
      )}</div>` +
      notes(b, m, fmt)
        .map((n) => paragraph(e(n.text), `font-size:12px;line-height:17px;${n.warn ? WARN : MUTED}`))
        .join('')
    : paragraph(e(t.noMonth));
  return section(t.title, head + month);
}

export function subscriptionRevenueText(report: Report, m: Messages, fmt: Formatter): string[] {
  const r = report.subscriptionRevenue;
  if (!r) return [];
  const t = m.subscriptionRevenue;
  const now = mrrNow(r, m, fmt);
  const wow = fmt.change(r.mrr.kpi.unit, r.mrr.wow);
  const out = [
    ...heading(t.title),
    ...pad([
      [t.mrr, now.mrr, wow ? `${wow} ${now.vs}` : '', r.mrr.kpi.guard ? `(${r.mrr.kpi.guard})` : ''],
      [t.arr, now.arr, '', ''],
    ]).map((line) => `  ${line}`),
  ];
  const b = r.lastMonth;
  if (!b) return [...out, t.noMonth];
  return [
    ...out,
    '',
    t.month(b.month.slice(0, 7), b.valuedAt === 'month_end_rates'),
    ...pad(waterfall(b, m, fmt)).map((line) => `  ${line}`),
    ...notes(b, m, fmt).map((n) => n.text),
  ];
}
