// Who moved the numbers this week, after the RFM segments: the subscribers with the largest MRR
// moves of each kind and the most valuable customers who slipped segment, by id or, when
// report.customerIds hides them, by place (docs/email.md).
import { escapeHtml as e } from '../escapeHtml.ts';
import type { Formatter } from '../format.ts';
import type { Messages } from '../messages/messages.ts';
import { FONT, INK, MUTED, paragraph, section, small, table } from '../renderHtml.ts';
import { heading, pad } from '../renderText.ts';
import type { Report, ReportMovers } from '../report.ts';

interface MoverRows {
  subscribers: { kind: string; who: string; mrr: string; change: string }[];
  slipped: { who: string; segments: string; value: string }[];
}

/** The words and amounts both parts show; a hidden id becomes the customer's place in its list. */
function rowsOf(movers: ReportMovers, m: Messages, fmt: Formatter): MoverRows {
  const signed = (kind: ReportMovers['subscribers'][number]['kind'], amount: number) => `${kind === 'contraction' || kind === 'churned' ? '−' : '+'}${fmt.money(amount)}`;
  return {
    subscribers: movers.subscribers.map((s, i) => ({
      kind: m.movers.kind[s.kind],
      who: s.customerId ?? m.movers.subscriber(i + 1),
      mrr: `${fmt.money(s.startMrr)} → ${fmt.money(s.endMrr)}`,
      change: signed(s.kind, s.amount),
    })),
    slipped: movers.slipped.customers.map((c, i) => ({ who: c.customerId ?? m.movers.customer(i + 1), segments: `${c.from} → ${c.to}`, value: fmt.money(c.value) })),
  };
}

function notes(movers: ReportMovers, m: Messages): string[] {
  return [movers.slipped.rankedBy === 'monetary' ? m.movers.byMonetary : m.movers.byClv, ...(movers.idsHidden ? [m.movers.idsHidden] : [])];
}

export function moversHtml(report: Report, m: Messages, fmt: Formatter): string {
  const rows = rowsOf(report.movers, m, fmt);
  // Ids are long and unbroken: they may break anywhere rather than widen a phone's table.
  const id = (text: string) => `<span style="word-break:break-all">${e(text)}</span>`;
  const subscribers =
    rows.subscribers.length === 0
      ? paragraph(e(m.movers.noSubscribers))
      : table(
          [e(m.movers.subscriberColumn), e(m.movers.mrrColumn), e(m.movers.changeColumn)],
          rows.subscribers.map((r) => [`${id(r.who)}${small(e(r.kind))}`, `<span style="white-space:nowrap">${e(r.mrr)}</span>`, `<span style="white-space:nowrap">${e(r.change)}</span>`]),
        );
  const slipped =
    rows.slipped.length === 0
      ? paragraph(e(m.movers.noSlips))
      : table(
          [e(m.movers.customerColumn), e(m.movers.segmentColumn), e(report.movers.slipped.rankedBy === 'clv' ? m.movers.clvColumn : m.movers.monetaryColumn)],
          rows.slipped.map((r) => [id(r.who), e(r.segments), `<span style="white-space:nowrap">${e(r.value)}</span>`]),
        );
  const h3 = (title: string) => `<h3 style="margin:14px 0 4px 0;font-size:14px;${INK};${FONT}">${e(title)}</h3>`;
  return section(
    m.movers.title,
    h3(m.movers.subscribers) + subscribers + h3(m.movers.slipped) + slipped + notes(report.movers, m).map((n) => paragraph(e(n), `font-size:12px;line-height:17px;${MUTED}`)).join(''),
  );
}

export function moversText(report: Report, m: Messages, fmt: Formatter): string[] {
  const rows = rowsOf(report.movers, m, fmt);
  const out = [...heading(m.movers.title), `${m.movers.subscribers}:`];
  if (rows.subscribers.length === 0) out.push(`  ${m.movers.noSubscribers}`);
  else out.push(...pad([[m.movers.subscriberColumn, '', m.movers.mrrColumn, m.movers.changeColumn], ...rows.subscribers.map((r) => [r.who, r.kind, r.mrr, r.change])]).map((r) => `  ${r}`));
  out.push('', `${m.movers.slipped}:`);
  if (rows.slipped.length === 0) out.push(`  ${m.movers.noSlips}`);
  else {
    const valueColumn = report.movers.slipped.rankedBy === 'clv' ? m.movers.clvColumn : m.movers.monetaryColumn;
    out.push(...pad([[m.movers.customerColumn, m.movers.segmentColumn, valueColumn], ...rows.slipped.map((r) => [r.who, r.segments, r.value])]).map((r) => `  ${r}`));
  }
  out.push(...notes(report.movers, m));
  return out;
}
