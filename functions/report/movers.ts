// Who moved the numbers this week: the subscribers with the largest MRR moves of each kind
// (queries/subscription_movers.sql) and the most valuable customers who slipped to a worse RFM
// segment (functions/kpi/segments.ts). With report.customerIds "hide" the report holds no id at
// all, so neither the e-mail nor report.json can pass one on; readers see places instead.
import type { RfmScoreRow, SubscriptionMoverRow } from '../kpi/queryRows.ts';
import { segmentSlips } from '../kpi/segments.ts';
import { moneyToNumber } from '../money/decimal.ts';
import type { ReportMovers } from './report.ts';

/** The slipped customers shown, most valuable first. */
export const SLIPS_SHOWN = 5;

export function moversOf(args: {
  movers: readonly SubscriptionMoverRow[];
  rfmScores: { current: readonly RfmScoreRow[]; previous: readonly RfmScoreRow[] };
  clvByCustomer: ReadonlyMap<string, number>;
  customerIds: 'show' | 'hide';
}): ReportMovers {
  const show = args.customerIds === 'show';
  const slips = segmentSlips(args.rfmScores.previous, args.rfmScores.current, args.clvByCustomer, SLIPS_SHOWN);
  return {
    idsHidden: !show,
    subscribers: args.movers.map((r) => ({
      kind: r.kind,
      customerId: show ? r.customer_id : null,
      startMrr: moneyToNumber(r.start_mrr),
      endMrr: moneyToNumber(r.end_mrr),
      amount: moneyToNumber(r.amount),
    })),
    slipped: { rankedBy: slips.rankedBy, customers: slips.slips.map((s) => ({ ...s, customerId: show ? s.customerId : null })) },
  };
}
