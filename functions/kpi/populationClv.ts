// The formula CLVs per population (docs/metrics.md, "Two populations"). Subscribers are
// contractual: what they are worth is their MRR, and they leave when their last paying
// subscription ends. Everyone else buys when they like: what they are worth is what they order.
// A subscriber's invoices are their MRR, so their orders are in neither the non-contractual ARPU
// nor its AOV: no money is counted in both populations.
import { lifespanMonths, monthlyChurnFromWindow, purchaseClv, saasClv, DAYS_PER_MONTH, type ClvResult, type Lifespan } from '../clv/formulas.ts';
import { moneyToNumber } from '../money/decimal.ts';
import { ratio, type Guarded } from './guardedRatio.ts';
import type { OrdersWindowRow, SubscriberMrrRow } from './queryRows.ts';

/** Active customers of one population at the rate window's start and end (queries/churn_window.sql). */
export interface PopulationActivity {
  active_at_start: number;
  active_at_end: number;
  retained: number;
}

export interface PopulationInputs {
  contractual: PopulationActivity;
  nonContractual: PopulationActivity;
  subscriberMrr: SubscriberMrrRow;
  /** Orders of non-contractual customers: the rate window and the activity window. */
  purchasers: { window: OrdersWindowRow; activityWindow: OrdersWindowRow };
  rateWindowDays: number;
  activityWindowDays: number;
  grossMargin: number;
  maxLifespanMonths: number;
  minCustomers: number;
}

export interface ContractualPopulation {
  /** Customers with a paying subscription running at the week's end. */
  customers: number;
  /** MRR at the week's end per paying subscriber. */
  arpuMonthly: Guarded;
  /** Monthly churn of subscribers over the rate window. */
  monthlyChurn: Guarded;
  lifespan: Lifespan;
  saas: ClvResult;
}

export interface NonContractualPopulation {
  /** Customers judged by their orders, active at the week's end. */
  customers: number;
  /** Mean of those active at the window's start and end: the ARPU's denominator and the blend's weight. */
  meanActive: number;
  arpuMonthly: Guarded;
  aov: Guarded;
  annualFrequency: Guarded;
  monthlyChurn: Guarded;
  lifespan: Lifespan;
  saas: ClvResult;
  purchase: ClvResult;
}

export interface Populations {
  contractual: ContractualPopulation;
  nonContractual: NonContractualPopulation;
}

function churnOf(activity: PopulationActivity, windowDays: number, who: string): Guarded {
  const retention = ratio(activity.retained, activity.active_at_start, `no ${who} were active at the window start`);
  return retention.value === null ? retention : { value: monthlyChurnFromWindow(1 - retention.value, windowDays) };
}

function lifespanOf(churn: Guarded, maxMonths: number): Lifespan {
  const lifespan = lifespanMonths(churn.value, maxMonths);
  return churn.value === null ? { months: null, flags: [churn.guard ?? 'churn unknown'] } : lifespan;
}

export function populationClvs(inputs: PopulationInputs): Populations {
  const { grossMargin, maxLifespanMonths, minCustomers } = inputs;

  const subscribers = inputs.subscriberMrr.paying_subscribers;
  const contractualChurn = churnOf(inputs.contractual, inputs.rateWindowDays, 'subscribers');
  const contractualLifespan = lifespanOf(contractualChurn, maxLifespanMonths);
  const mrrArpu = ratio(moneyToNumber(inputs.subscriberMrr.mrr), subscribers, "no paying subscribers at the week's end");
  const unconverted = inputs.subscriberMrr.unconverted_subscriptions;
  // Subscriptions without a rate are in no MRR sum; their subscribers must not dilute the mean.
  const arpuMonthly: Guarded =
    unconverted > 0 && mrrArpu.value !== null
      ? { value: null, guard: `${unconverted} running subscription${unconverted === 1 ? ' has' : 's have'} no fx rate` }
      : mrrArpu;
  const contractual: ContractualPopulation = {
    customers: subscribers,
    arpuMonthly,
    monthlyChurn: contractualChurn,
    lifespan: contractualLifespan,
    saas: saasClv({ arpuMonthly: arpuMonthly.value, grossMargin, lifespan: contractualLifespan, customers: subscribers, minCustomers }),
  };

  const { window, activityWindow } = inputs.purchasers;
  const activity = inputs.nonContractual;
  const churn = churnOf(activity, inputs.rateWindowDays, 'customers');
  const lifespan = lifespanOf(churn, maxLifespanMonths);
  const revenue = moneyToNumber(window.net_revenue);
  const meanActive = (activity.active_at_start + activity.active_at_end) / 2;
  const arpu = ratio(revenue * (DAYS_PER_MONTH / inputs.rateWindowDays), meanActive, 'no active customers in the window');
  // Orders whose currency could not be converted are in no revenue sum, so not in AOV either.
  const aov = ratio(revenue, window.paid_orders - window.unconverted_orders, 'no paid orders in the window');
  const annualFrequency = ratio(
    activityWindow.paid_orders * (365 / inputs.activityWindowDays),
    activityWindow.purchasing_customers,
    'no purchasing customers in the activity window',
  );
  const nonContractual: NonContractualPopulation = {
    customers: activity.active_at_end,
    meanActive,
    arpuMonthly: arpu,
    aov,
    annualFrequency,
    monthlyChurn: churn,
    lifespan,
    saas: saasClv({ arpuMonthly: arpu.value, grossMargin, lifespan, customers: activity.active_at_start, minCustomers }),
    purchase: purchaseClv({
      aov: aov.value,
      annualFrequency: annualFrequency.value,
      lifespan,
      grossMargin,
      customers: activityWindow.purchasing_customers,
      minCustomers,
    }),
  };
  return { contractual, nonContractual };
}

/**
 * The SaaS-formula CLV of the whole base: each population's own, weighted by its customers at
 * the week's end. A population without customers has no say; one with customers but no value
 * makes the blend unknown, since leaving it out would pass a part off as the whole.
 */
export function blendedSaasClv(populations: Populations): ClvResult {
  const parts = [
    { name: 'subscribers', customers: populations.contractual.customers, result: populations.contractual.saas },
    { name: 'non-contractual customers', customers: populations.nonContractual.meanActive, result: populations.nonContractual.saas },
  ].filter((p) => p.customers > 0);
  const flags = [...new Set(parts.flatMap((p) => p.result.flags))];
  if (parts.length === 0) return { method: 'saas', value: null, flags: [...populations.nonContractual.saas.flags, 'no active customers in the window'] };
  const unknown = parts.find((p) => p.result.value === null);
  if (unknown) return { method: 'saas', value: null, flags: [...flags, `the SaaS-formula CLV of the ${unknown.name} is unknown`] };
  const customers = parts.reduce((n, p) => n + p.customers, 0);
  const value = parts.reduce((sum, p) => sum + p.customers * p.result.value!, 0) / customers;
  return { method: 'saas', value, flags: parts.length > 1 ? [...flags, 'subscribers and non-contractual customers blended by their numbers'] : flags };
}

/** ARPU of the whole base: MRR plus the others' monthly order revenue, per customer of both. */
export function blendedArpu(populations: Populations, inputs: Pick<PopulationInputs, 'subscriberMrr'>): Guarded {
  const { contractual, nonContractual } = populations;
  if (contractual.customers > 0 && contractual.arpuMonthly.value === null) return contractual.arpuMonthly;
  const othersRevenue = nonContractual.arpuMonthly.value === null ? 0 : nonContractual.arpuMonthly.value * nonContractual.meanActive;
  return ratio(moneyToNumber(inputs.subscriberMrr.mrr) + othersRevenue, contractual.customers + nonContractual.meanActive, 'no active customers in the window');
}
