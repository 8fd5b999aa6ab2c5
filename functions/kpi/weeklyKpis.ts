// The week's KPIs and formula CLVs from the query results (definitions: docs/metrics.md).
// Pure: the same inputs always give the same numbers.
import type { Config } from '../config/schema.ts';
import { cohortClv, lifespanMonths, monthlyChurnFromWindow, type ClvResult, type Lifespan } from '../clv/formulas.ts';
import { moneyToNumber, sumMoney } from '../money/decimal.ts';
import { ratio, type Guarded } from './guardedRatio.ts';
import { blendedArpu, blendedSaasClv, populationClvs, type PopulationActivity, type Populations } from './populationClv.ts';
import type { AcquisitionRow, CohortRow, OrdersWindowRow, SubscriberMrrRow } from './queryRows.ts';

export const RATE_WINDOW_DAYS = 28;

export type KpiUnit = 'ratio' | 'multiple' | 'money' | 'count' | 'months' | 'days' | 'orders';

export type KpiKey =
  | 'active_customers'
  | 'retention_rate'
  | 'churn_rate'
  | 'monthly_churn'
  | 'lifespan_months'
  | 'arpu_monthly'
  | 'aov'
  | 'purchase_frequency'
  | 'annual_purchase_frequency'
  | 'repeat_purchase_rate'
  | 'new_customers'
  | 'net_revenue'
  | 'marketing_spend'
  | 'cac'
  | 'ltv_to_cac'
  | 'cac_payback_months'
  | 'clv_saas'
  | 'clv_purchase'
  | 'clv_cohort'
  | 'clv_bgnbd'
  | 'clv_sbg'
  | 'headline_clv'
  // The two lines of business apart (functions/kpi/populationClv.ts): subscriptions …
  | 'subscribers'
  | 'mrr'
  | 'subscriber_arpu_monthly'
  | 'subscriber_monthly_churn'
  | 'subscriber_lifespan_months'
  | 'subscriber_clv'
  // … and one-time purchases (non-contractual customers; their purchase CLV is clv_purchase).
  | 'purchasers'
  | 'purchaser_revenue'
  | 'purchaser_aov'
  | 'purchaser_annual_frequency'
  | 'purchaser_monthly_churn'
  | 'purchaser_lifespan_months'
  // The scorecard's further KPIs (functions/kpi/stageKpis.ts).
  | 'data_accepted_share'
  | 'data_freshness_days'
  | 'core_segment_customer_share'
  | 'core_segment_revenue_share'
  | 'early_churn_rate'
  | 'grr'
  | 'cohort_m3_retention'
  | 'expansion_mrr'
  | 'nrr'
  | 'model_mae';

export interface Kpi extends Guarded {
  key: KpiKey;
  unit: KpiUnit;
}

/** Customers active at the rate window's start and end (queries/churn_window.sql, gatherInputs.ts): all, and by population. */
export interface CustomerActivity extends PopulationActivity {
  /** Judged by their subscriptions. */
  contractual: PopulationActivity;
  /** Judged by their orders. */
  nonContractual: PopulationActivity;
}

export interface WeeklyInputs {
  /** The 28-day rate window ending at the week's end, every customer's orders. */
  window: OrdersWindowRow;
  /** The activity window (default 365 days) ending at the week's end, every customer's orders. */
  activityWindow: OrdersWindowRow;
  /** The same windows, the orders of non-contractual customers only (the purchase formula's). */
  purchasers: { window: OrdersWindowRow; activityWindow: OrdersWindowRow };
  activity: CustomerActivity;
  /** MRR and paying subscribers at the week's end (the contractual ARPU's). */
  subscriberMrr: SubscriberMrrRow;
  acquisition: AcquisitionRow[];
  cohorts: CohortRow[];
  /** First day (YYYY-MM-DD) of the UTC month in which the data ends. */
  currentMonth: string;
}

export interface ChannelCac {
  channel: string;
  acquiredCustomers: number;
  marketingSpend: number;
  cac: Guarded;
}

export interface WeeklyKpis {
  kpis: Kpi[];
  clv: ClvResult[];
  headline: ClvResult;
  channels: ChannelCac[];
  /** The formula CLVs' inputs and values per population (docs/metrics.md, "Two populations"). */
  populations: Populations;
}

/**
 * `models` are the model-based CLVs the run computed (BG/NBD, functions/pipeline/predictiveMethod.ts;
 * sBG, contractualMethod.ts), shown after the formula methods.
 */
export function computeWeeklyKpis(inputs: WeeklyInputs, config: Config, models: readonly ClvResult[] = []): WeeklyKpis {
  const { window, activityWindow, activity } = inputs;
  const margin = config.grossMargin;

  const retention = ratio(activity.retained, activity.active_at_start, 'no customers were active at the window start');
  const churn: Guarded = retention.value === null ? { value: null, guard: retention.guard } : { value: 1 - retention.value };
  const monthlyChurn = churn.value === null ? null : monthlyChurnFromWindow(churn.value, RATE_WINDOW_DAYS);
  const lifespan = lifespanMonths(monthlyChurn, config.maxLifespanMonths);

  const revenue = moneyToNumber(window.net_revenue);
  // Orders whose currency could not be converted are in no revenue sum, so not in AOV either.
  const aov = ratio(revenue, window.paid_orders - window.unconverted_orders, 'no paid orders in the window');
  const frequency = ratio(window.paid_orders, window.purchasing_customers, 'no purchasing customers in the window');
  const annualFrequency = ratio(
    activityWindow.paid_orders * (365 / config.activityWindowDays),
    activityWindow.purchasing_customers,
    'no purchasing customers in the activity window',
  );
  const populationInputs = {
    contractual: activity.contractual,
    nonContractual: activity.nonContractual,
    subscriberMrr: inputs.subscriberMrr,
    purchasers: inputs.purchasers,
    rateWindowDays: RATE_WINDOW_DAYS,
    activityWindowDays: config.activityWindowDays,
    grossMargin: margin,
    maxLifespanMonths: config.maxLifespanMonths,
    minCustomers: config.clv.minCustomers,
  };
  const populations = populationClvs(populationInputs);
  const arpu = blendedArpu(populations, populationInputs);
  const repeatRate = ratio(activityWindow.repeat_customers, activityWindow.purchasing_customers, 'no purchasing customers in the activity window');

  const acquired = inputs.acquisition.reduce((n, r) => n + r.acquired_customers, 0);
  const spendMoney = sumMoney(inputs.acquisition.map((r) => r.marketing_spend));
  const spend = moneyToNumber(spendMoney);
  const hasSpend = inputs.acquisition.some((r) => r.converted_spend_rows > 0 || r.unconverted_spend_rows > 0);
  const cac: Guarded = hasSpend ? ratio(spend, acquired, 'no customers acquired in the window') : { value: null, guard: 'no marketing spend data for the window' };

  const saas = blendedSaasClv(populations);
  const purchase: ClvResult =
    populations.contractual.customers > 0
      ? { ...populations.nonContractual.purchase, flags: [...populations.nonContractual.purchase.flags, 'non-contractual customers only: subscribers are valued by the SaaS formula'] }
      : populations.nonContractual.purchase;
  const cohort = cohortClv({
    cells: inputs.cohorts.map((c) => ({ cohortMonth: c.cohort_month, monthOffset: c.month_offset, cohortSize: c.cohort_size, netRevenue: c.net_revenue })),
    currentMonth: inputs.currentMonth,
    months: 12,
    grossMargin: margin,
    minCustomers: config.clv.minCustomers,
  });
  const clv: ClvResult[] = [saas, purchase, { method: cohort.method, value: cohort.value, flags: cohort.flags }, ...models];
  const headline = clv.find((c) => c.method === config.headlineClvMethod) ?? {
    method: config.headlineClvMethod,
    value: null,
    flags: [`the ${config.headlineClvMethod} method is not computed by this run`],
  };

  const ltvToCac: Guarded =
    headline.value === null ? { value: null, guard: 'headline CLV unknown' } : cac.value === null ? { value: null, guard: cac.guard } : ratio(headline.value, cac.value, 'CAC is zero');
  const payback: Guarded =
    cac.value === null ? { value: null, guard: cac.guard } : arpu.value === null ? { value: null, guard: arpu.guard } : ratio(cac.value, arpu.value * margin, 'ARPU is zero');

  const kpis: Kpi[] = [
    { key: 'headline_clv', unit: 'money', ...guardOf(headline) },
    { key: 'active_customers', unit: 'count', value: activity.active_at_end },
    { key: 'retention_rate', unit: 'ratio', ...retention },
    { key: 'churn_rate', unit: 'ratio', ...churn },
    { key: 'monthly_churn', unit: 'ratio', value: monthlyChurn, ...(monthlyChurn === null ? { guard: churn.guard } : {}) },
    { key: 'lifespan_months', unit: 'months', ...lifespanGuarded(lifespan) },
    { key: 'arpu_monthly', unit: 'money', ...arpu },
    { key: 'aov', unit: 'money', ...aov },
    { key: 'purchase_frequency', unit: 'orders', ...frequency },
    { key: 'annual_purchase_frequency', unit: 'orders', ...annualFrequency },
    { key: 'repeat_purchase_rate', unit: 'ratio', ...repeatRate },
    { key: 'new_customers', unit: 'count', value: acquired },
    { key: 'net_revenue', unit: 'money', value: revenue },
    { key: 'marketing_spend', unit: 'money', ...(hasSpend ? { value: spend } : { value: null, guard: 'no marketing spend data for the window' }) },
    { key: 'cac', unit: 'money', ...cac },
    { key: 'ltv_to_cac', unit: 'multiple', ...ltvToCac },
    { key: 'cac_payback_months', unit: 'months', ...payback },
    { key: 'clv_saas', unit: 'money', ...guardOf(saas) },
    { key: 'clv_purchase', unit: 'money', ...guardOf(purchase) },
    { key: 'clv_cohort', unit: 'money', ...guardOf(cohort) },
    ...models.map((r): Kpi => ({ key: `clv_${r.method}`, unit: 'money', ...guardOf(r) })),
    ...lineKpis(populations, inputs),
  ];
  const channels = inputs.acquisition.map((r) => ({
    channel: r.channel,
    acquiredCustomers: r.acquired_customers,
    marketingSpend: moneyToNumber(r.marketing_spend),
    // No spend rows is not a spend of 0, and spend without an fx rate is not spend of 0 either:
    // either would show a channel as cheaper than it is.
    cac:
      r.unconverted_spend_rows > 0
        ? { value: null, guard: `${r.unconverted_spend_rows} spend row${r.unconverted_spend_rows === 1 ? ' has' : 's have'} no fx rate` }
        : r.converted_spend_rows === 0
          ? { value: null, guard: 'no spend recorded' }
          : ratio(moneyToNumber(r.marketing_spend), r.acquired_customers, 'no customers acquired'),
  }));
  return { kpis, clv, headline, channels, populations };
}

function guardOf(r: ClvResult): Guarded {
  return { value: r.value, ...(r.flags.length > 0 ? { guard: r.flags.join('; ') } : {}) };
}

function lifespanGuarded(l: Lifespan): Guarded {
  return { value: l.months, ...(l.flags.length > 0 ? { guard: l.flags.join('; ') } : {}) };
}

/** Each population's own figures, kept in kpi_history so the report can compare each line with its past. */
function lineKpis(populations: Populations, inputs: WeeklyInputs): Kpi[] {
  const { contractual: sub, nonContractual: pur } = populations;
  return [
    { key: 'subscribers', unit: 'count', value: sub.customers },
    { key: 'mrr', unit: 'money', value: moneyToNumber(inputs.subscriberMrr.mrr) },
    { key: 'subscriber_arpu_monthly', unit: 'money', ...sub.arpuMonthly },
    { key: 'subscriber_monthly_churn', unit: 'ratio', ...sub.monthlyChurn },
    { key: 'subscriber_lifespan_months', unit: 'months', ...lifespanGuarded(sub.lifespan) },
    { key: 'subscriber_clv', unit: 'money', ...guardOf(sub.saas) },
    { key: 'purchasers', unit: 'count', value: pur.customers },
    { key: 'purchaser_revenue', unit: 'money', value: moneyToNumber(inputs.purchasers.window.net_revenue) },
    { key: 'purchaser_aov', unit: 'money', ...pur.aov },
    { key: 'purchaser_annual_frequency', unit: 'orders', ...pur.annualFrequency },
    { key: 'purchaser_monthly_churn', unit: 'ratio', ...pur.monthlyChurn },
    { key: 'purchaser_lifespan_months', unit: 'months', ...lifespanGuarded(pur.lifespan) },
  ];
}
