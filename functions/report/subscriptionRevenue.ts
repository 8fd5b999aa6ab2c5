// The subscription revenue section's numbers: MRR and ARR at the week's end, and the last complete
// month's bridge from opening to closing MRR (docs/metrics.md, "Subscription revenue"). The steps
// are summed exactly, in 1/10,000 units, before any becomes a number for display.
import type { MrrMovementRow, SubscriberMrrRow } from '../kpi/queryRows.ts';
import { formatMoneyDecimal, moneyToNumber, type Money } from '../money/decimal.ts';
import type { ReportMrrBridge, ReportSubscriptionRevenue, ReportTile } from './report.ts';

const MONTHS_PER_YEAR = 12n;

/** Null when the lake has no subscriptions: no month of movements and nobody paying now. */
export function subscriptionRevenueOf(months: readonly MrrMovementRow[], subscriberMrr: SubscriberMrrRow, mrr: ReportTile): ReportSubscriptionRevenue | null {
  const last = months.at(-1);
  if (!last && subscriberMrr.paying_subscribers === 0 && subscriberMrr.unconverted_subscriptions === 0) return null;
  return {
    mrr,
    arr: moneyToNumber(subscriberMrr.mrr * MONTHS_PER_YEAR),
    lastMonth: last ? mrrBridge(last) : null,
  };
}

/**
 * At month-end rates when both month ends have every rate; else at booked rates, where the
 * movements alone bridge the month and the fx effect is unknown rather than 0.
 */
export function mrrBridge(row: MrrMovementRow): ReportMrrBridge {
  const atRates = row.fx_effect !== null && row.opening_mrr_at_rates !== null && row.closing_mrr_at_rates !== null;
  const opening = atRates ? row.opening_mrr_at_rates! : row.opening_mrr;
  const closing = atRates ? row.closing_mrr_at_rates! : row.closing_mrr;
  const fx = atRates ? row.fx_effect! : 0n;
  const steps: Money = row.new_mrr + row.expansion_mrr + row.reactivation_mrr - row.contraction_mrr - row.churned_mrr;
  // The query guarantees the bridge; a report whose waterfall does not add up must not be sent.
  if (steps !== row.net_new_mrr || opening + steps + fx !== closing) {
    throw new Error(
      `queries/mrr_movements.sql: the ${row.month_start.slice(0, 7)} movements do not bridge ${formatMoneyDecimal(opening)} to ${formatMoneyDecimal(closing)}`,
    );
  }
  return {
    month: row.month_start,
    valuedAt: atRates ? 'month_end_rates' : 'booked_rates',
    opening: moneyToNumber(opening),
    new: moneyToNumber(row.new_mrr),
    expansion: moneyToNumber(row.expansion_mrr),
    reactivation: moneyToNumber(row.reactivation_mrr),
    contraction: moneyToNumber(row.contraction_mrr),
    churned: moneyToNumber(row.churned_mrr),
    netNew: moneyToNumber(row.net_new_mrr),
    fxEffect: atRates ? moneyToNumber(fx) : null,
    closing: moneyToNumber(closing),
    change: moneyToNumber(closing - opening),
    subscriptionsWithoutMonthEndRate: row.subscriptions_without_month_end_rate,
    unconvertedSubscriptions: row.unconverted_subscriptions,
  };
}
