// Row schemas of the queries the weekly job reads: results arrive as text from either engine
// and are checked and typed here, so a column that changes breaks loudly at this boundary.
import { z } from 'zod';
import { parseMoney, type Money } from '../money/decimal.ts';

const count = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    ctx.addIssue({ code: 'custom', message: `expected a count, got ${v}` });
    return z.NEVER;
  }
  return n;
});

const money = z.union([z.string(), z.number()]).transform((v, ctx): Money => {
  const m = parseMoney(String(v));
  if (m === null) {
    ctx.addIssue({ code: 'custom', message: `expected an exact decimal amount, got ${v}` });
    return z.NEVER;
  }
  return m;
});

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}/).transform((v) => v.slice(0, 10));

export const ordersWindowRow = z.object({
  population: z.enum(['all', 'contractual', 'non_contractual']),
  paid_orders: count,
  purchasing_customers: count,
  repeat_customers: count,
  net_revenue: money,
  unconverted_orders: count,
});
export type OrdersWindowRow = z.output<typeof ordersWindowRow>;

/** queries/subscriber_mrr.sql at the week's end. */
export const subscriberMrrRow = z.object({
  paying_subscribers: count,
  mrr: money,
  unconverted_subscriptions: count,
});
export type SubscriberMrrRow = z.output<typeof subscriberMrrRow>;

/** queries/churn_window.sql: the weekly KPIs read the counts; the rates are the scorecard's own. */
export const churnWindowRow = z.object({
  population: z.enum(['contractual', 'non_contractual', 'all']),
  active_at_start: count,
  active_at_end: count,
  retained: count,
});
export type ChurnWindowRow = z.output<typeof churnWindowRow>;

export const acquisitionRow = z.object({
  channel: z.string(),
  acquired_customers: count,
  marketing_spend: money,
  converted_spend_rows: count,
  unconverted_spend_rows: count,
});
export type AcquisitionRow = z.output<typeof acquisitionRow>;

export const cohortRow = z.object({
  cohort_month: date,
  month_offset: count,
  cohort_size: count,
  active_customers: count,
  net_revenue: money,
});
export type CohortRow = z.output<typeof cohortRow>;

export const modelInputRow = z.object({
  customer_id: z.string().min(1),
  frequency: count,
  recency_days: count,
  first_purchase_date: date,
  repeat_spend: money,
  unconverted_repeat_orders: count,
});
export type ModelInputRow = z.output<typeof modelInputRow>;

/** queries/subscription_survival.sql: one cohort's survivors after each renewal. */
export const subscriptionSurvivalRow = z.object({
  cohort_month: date,
  period: count,
  cohort_size: count,
  survivors: count,
  returned_after_lapse: count,
});
export type SubscriptionSurvivalRow = z.output<typeof subscriptionSurvivalRow>;

/** queries/paying_subscribers.sql: the subscribers the contractual model scores. */
export const payingSubscriberRow = z.object({
  customer_id: z.string().min(1),
  cohort_month: date,
  renewals: count,
  mrr: money,
  unconverted_subscriptions: count,
});
export type PayingSubscriberRow = z.output<typeof payingSubscriberRow>;

export const modelInputTupleRow = z.object({
  frequency: count,
  recency_days: count,
  first_purchase_date: date,
  holdout_purchases: count,
  customers: count,
});
export type ModelInputTupleRow = z.output<typeof modelInputTupleRow>;

export const holdoutTrackingRow = z.object({
  purchase_date: date,
  purchases: count,
});

// A double the SQL leaves NULL, e.g. a ratio whose denominator is 0 (docs/queries.md, "Ratios").
const nullableDouble = z.union([z.number(), z.string(), z.null()]).transform((v, ctx) => {
  if (v === null) return null;
  const n = Number(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `expected a number or NULL, got ${v}` });
    return z.NEVER;
  }
  return n;
});

export const earlyChurnRow = z.object({
  acquired_customers: count,
  early_churned: count,
  early_churn_rate: nullableDouble,
});
export type EarlyChurnRow = z.output<typeof earlyChurnRow>;

/** An amount the SQL leaves NULL when it cannot be known, e.g. MRR valued at a missing rate. */
const nullableMoney = z.union([money, z.null()]);

/** queries/mrr_movements.sql: movements at booked rates, and apart from them the exchange-rate effect. */
export const mrrMovementRow = z.object({
  month_start: date,
  opening_mrr: money,
  new_mrr: money,
  expansion_mrr: money,
  contraction_mrr: money,
  churned_mrr: money,
  reactivation_mrr: money,
  net_new_mrr: money,
  closing_mrr: money,
  grr: nullableDouble,
  nrr: nullableDouble,
  unconverted_subscriptions: count,
  opening_mrr_at_rates: nullableMoney,
  closing_mrr_at_rates: nullableMoney,
  fx_effect: nullableMoney,
  subscriptions_without_month_end_rate: count,
});
export type MrrMovementRow = z.output<typeof mrrMovementRow>;

export const cohortRetentionRow = z.object({
  cohort_month: date,
  month_offset: count,
  cohort_size: count,
  active_customers: count,
  customer_retention: nullableDouble,
  cumulative_revenue_per_customer: nullableDouble,
});
export type CohortRetentionRow = z.output<typeof cohortRetentionRow>;

export const rfmSegmentRow = z.object({
  segment: z.string().min(1),
  customers: count,
  customer_share: nullableDouble,
  revenue: money,
  revenue_share: nullableDouble,
});
export type RfmSegmentRow = z.output<typeof rfmSegmentRow>;

export const rfmScoreRow = z.object({
  customer_id: z.string().min(1),
  monetary: money,
  segment: z.string().min(1),
});
export type RfmScoreRow = z.output<typeof rfmScoreRow>;

/** queries/subscription_movers.sql: the week's largest MRR moves of each kind. */
export const subscriptionMoverRow = z.object({
  kind: z.enum(['new', 'reactivation', 'expansion', 'contraction', 'churned']),
  customer_id: z.string().min(1),
  start_mrr: money,
  end_mrr: money,
  amount: money,
});
export type SubscriptionMoverRow = z.output<typeof subscriptionMoverRow>;
export type MoverKind = SubscriptionMoverRow['kind'];

export const kpiTrendRow = z.object({
  kpi: z.string(),
  week_id: z.string().regex(/^\d{4}-W\d{2}$/),
  value: nullableDouble,
  /** NULL in rows written before settings were recorded. */
  settings: z.string().nullable(),
});
export type KpiTrendRow = z.output<typeof kpiTrendRow>;
