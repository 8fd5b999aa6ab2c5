// RFM segments beyond their sizes (queries/rfm_segments.sql): the predictive CLV of each
// segment and the customers who moved between segments since the week before.
import type { RfmScoreRow } from './queryRows.ts';

export interface SegmentClv {
  /** Customers of the segment the predictive model scored (subscribers are not model customers). */
  scored: number;
  meanClv: number | null;
}

export interface SegmentMovement {
  /** Null: the customer had no paid order in the previous week's activity window. */
  from: string | null;
  /** Null: the customer has no paid order in this week's activity window any more. */
  to: string | null;
  customers: number;
}

/** Mean BG/NBD CLV per segment over the segment's scored customers. */
export function segmentClv(scores: readonly RfmScoreRow[], clvByCustomer: ReadonlyMap<string, number>): Map<string, SegmentClv> {
  const sums = new Map<string, { scored: number; total: number }>();
  for (const s of scores) {
    const entry = sums.get(s.segment) ?? { scored: 0, total: 0 };
    const clv = clvByCustomer.get(s.customer_id);
    if (clv !== undefined) {
      entry.scored++;
      entry.total += clv;
    }
    sums.set(s.segment, entry);
  }
  return new Map([...sums].map(([segment, e]) => [segment, { scored: e.scored, meanClv: e.scored === 0 ? null : e.total / e.scored }]));
}

/** Flows between segments from `previous` to `current`, largest first, ties by name; at most `limit`. */
export function segmentMovements(previous: readonly RfmScoreRow[], current: readonly RfmScoreRow[], limit: number): SegmentMovement[] {
  const before = new Map(previous.map((s) => [s.customer_id, s.segment]));
  const after = new Map(current.map((s) => [s.customer_id, s.segment]));
  const flows = new Map<string, SegmentMovement>();
  const count = (from: string | null, to: string | null): void => {
    if (from === to) return;
    const key = JSON.stringify([from, to]);
    const flow = flows.get(key) ?? { from, to, customers: 0 };
    flow.customers++;
    flows.set(key, flow);
  };
  for (const [customer, to] of after) count(before.get(customer) ?? null, to);
  for (const [customer, from] of before) if (!after.has(customer)) count(from, null);
  const name = (s: string | null): string => s ?? '';
  return [...flows.values()]
    .sort((a, b) => b.customers - a.customers || name(a.from).localeCompare(name(b.from)) || name(a.to).localeCompare(name(b.to)))
    .slice(0, limit);
}
