// The two lines of business apart (docs/metrics.md, "Two populations" and "Lines of business"):
// subscriptions, valued by their MRR and churn, and one-time purchases, by their orders. A line
// without customers is left out; the headline numbers that blend both are named, never split.
import type { ClvMethod } from '../config/schema.ts';
import type { Direction } from '../kpi/scorecard.ts';
import type { Populations } from '../kpi/populationClv.ts';
import type { Kpi } from '../kpi/weeklyKpis.ts';
import type { LINE_KPIS } from './buildReport.ts';
import type { ReportLines, ReportTile } from './report.ts';

type LineKpi = (typeof LINE_KPIS)[keyof typeof LINE_KPIS][number];

/** Which way each line's figures should move (the scorecard's GOOD_DIRECTION covers the blends). */
export const LINE_DIRECTION = {
  subscribers: 'higher',
  mrr: 'higher',
  subscriber_arpu_monthly: 'higher',
  subscriber_monthly_churn: 'lower',
  subscriber_clv: 'higher',
  purchasers: 'higher',
  purchaser_revenue: 'higher',
  purchaser_aov: 'higher',
  purchaser_monthly_churn: 'lower',
  clv_purchase: 'higher',
} as const satisfies Record<LineKpi, Direction>;

export function businessLines(args: {
  subscriptions: ReportTile[];
  purchases: ReportTile[];
  populations: Populations;
  headline: { method: ClvMethod; value: number | null };
  arpu: Kpi;
}): ReportLines {
  const { contractual, nonContractual } = args.populations;
  const hasSubscribers = contractual.customers > 0;
  // The buyers' weight in every blend (populationClv.ts): active at the rate window's start or end.
  const hasBuyers = nonContractual.meanActive > 0;
  const blends: ReportLines['blends'] =
    hasSubscribers && hasBuyers
      ? [
          ...(args.headline.method === 'saas' ? [{ key: 'headline_clv' as const, value: args.headline.value }] : []),
          { key: 'arpu_monthly' as const, value: args.arpu.value },
        ]
      : [];
  return { subscriptions: hasSubscribers ? args.subscriptions : null, purchases: hasBuyers ? args.purchases : null, blends };
}
