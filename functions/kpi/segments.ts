// RFM segments beyond their sizes (queries/rfm_segments.sql): the predictive CLV of each
// segment, the customers who moved between segments since the week before, and the most
// valuable of those who slipped to a worse segment.
import { moneyToNumber } from '../money/decimal.ts';
import type { RfmScoreRow } from './queryRows.ts';

/**
 * The segments of queries/rfm_scores.sql from the best to the worst (docs/metrics.md, "Segment
 * order"). Not the rule table's display order: every segment of recent buyers ranks above the
 * ones gone quiet (R 1), and Can't Lose Them (R 1, FM 4-5) above At Risk (R 1, FM 3-3.5).
 */
export const SEGMENT_ORDER: readonly string[] = [
  'Champions',
  'Loyal',
  'Potential Loyalist',
  'New (Recent)',
  'Promising',
  'Need Attention',
  'About to Sleep',
  "Can't Lose Them",
  'At Risk',
  'Hibernating',
  'Lost',
];

export interface SegmentSlip {
  customerId: string;
  from: string;
  to: string;
  /** The customer's predictive CLV, or their monetary value when `rankedBy` is monetary. */
  value: number;
}

export interface SegmentSlips {
  /** clv: by predictive CLV; monetary: the model scored no one, so by the RFM monetary value. */
  rankedBy: 'clv' | 'monetary';
  slips: SegmentSlip[];
}

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

function segmentRank(segment: string): number {
  const rank = SEGMENT_ORDER.indexOf(segment);
  if (rank === -1) throw new Error(`RFM segment "${segment}" has no place in SEGMENT_ORDER (functions/kpi/segments.ts)`);
  return rank;
}

/**
 * Customers in both weeks' activity windows whose segment is worse than the week before, the
 * most valuable first (ties by customer id), at most `limit`. Valued by predictive CLV, the
 * customers the model did not score left out; when it scored no one, by monetary value.
 */
export function segmentSlips(previous: readonly RfmScoreRow[], current: readonly RfmScoreRow[], clvByCustomer: ReadonlyMap<string, number>, limit: number): SegmentSlips {
  const rankedBy = clvByCustomer.size > 0 ? 'clv' : 'monetary';
  const before = new Map(previous.map((s) => [s.customer_id, s.segment]));
  const slips: SegmentSlip[] = [];
  for (const s of current) {
    const from = before.get(s.customer_id);
    if (from === undefined || segmentRank(s.segment) <= segmentRank(from)) continue;
    const value = rankedBy === 'clv' ? clvByCustomer.get(s.customer_id) : moneyToNumber(s.monetary);
    if (value !== undefined) slips.push({ customerId: s.customer_id, from, to: s.segment, value });
  }
  slips.sort((a, b) => b.value - a.value || (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  return { rankedBy, slips: slips.slice(0, limit) };
}
