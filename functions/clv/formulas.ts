// Formula CLVs (docs/metrics.md, methods 1-3). Each result says which method produced it and
// carries the guards that shaped it, so a capped or withheld number is never shown as plain.
import { moneyToNumber, type Money } from '../money/decimal.ts';
import type { ClvInterval } from './clvInterval.ts';

export const DAYS_PER_MONTH = 30.4375;

export type FormulaMethod = 'saas' | 'purchase' | 'cohort';

export interface ClvResult {
  method: FormulaMethod | 'bgnbd' | 'sbg';
  value: number | null;
  flags: string[];
  /** How sure the value is (docs/metrics.md, "Uncertainty"); absent where the method has none yet. */
  interval?: ClvInterval;
}

/** Monthly churn from a churn rate measured over `windowDays` days. */
export function monthlyChurnFromWindow(churnInWindow: number, windowDays: number): number {
  return 1 - Math.pow(1 - churnInWindow, DAYS_PER_MONTH / windowDays);
}

export interface Lifespan {
  months: number | null;
  flags: string[];
}

/** 1 / monthly churn, capped; zero churn means "at least the cap", never infinity. */
export function lifespanMonths(monthlyChurn: number | null, maxMonths: number): Lifespan {
  if (monthlyChurn === null) return { months: null, flags: ['churn unknown: no customers active at the window start'] };
  if (monthlyChurn <= 0) return { months: maxMonths, flags: [`zero churn: lifespan capped at ${maxMonths} months`] };
  const months = 1 / monthlyChurn;
  if (months > maxMonths) return { months: maxMonths, flags: [`lifespan capped at ${maxMonths} months (1/churn = ${months.toFixed(1)})`] };
  return { months, flags: [] };
}

function tooFew(customers: number, minCustomers: number): string[] {
  return customers < minCustomers
    ? [`only ${customers} customer${customers === 1 ? '' : 's'} (fewer than ${minCustomers}): treat as indicative`]
    : [];
}

/** SaaS formula: ARPU × gross margin × lifespan (= ARPU × margin / churn, with the cap). */
export function saasClv(input: {
  arpuMonthly: number | null;
  grossMargin: number;
  lifespan: Lifespan;
  customers: number;
  minCustomers: number;
}): ClvResult {
  const flags = [...input.lifespan.flags, ...tooFew(input.customers, input.minCustomers)];
  if (input.arpuMonthly === null) return { method: 'saas', value: null, flags: [...flags, 'ARPU unknown'] };
  if (input.lifespan.months === null) return { method: 'saas', value: null, flags };
  return { method: 'saas', value: input.arpuMonthly * input.grossMargin * input.lifespan.months, flags };
}

/** Purchase formula: AOV × annual purchase frequency × lifespan in years × gross margin. */
export function purchaseClv(input: {
  aov: number | null;
  annualFrequency: number | null;
  lifespan: Lifespan;
  grossMargin: number;
  customers: number;
  minCustomers: number;
}): ClvResult {
  const flags = [...input.lifespan.flags, ...tooFew(input.customers, input.minCustomers)];
  if (input.aov === null || input.annualFrequency === null) {
    return { method: 'purchase', value: null, flags: [...flags, 'no paid orders to measure AOV and frequency'] };
  }
  if (input.lifespan.months === null) return { method: 'purchase', value: null, flags };
  return {
    method: 'purchase',
    value: input.aov * input.annualFrequency * (input.lifespan.months / 12) * input.grossMargin,
    flags,
  };
}

export interface CohortCell {
  cohortMonth: string;
  monthOffset: number;
  cohortSize: number;
  netRevenue: Money;
}

/**
 * Historical cohort value: cumulative net revenue per customer through month offset
 * `months - 1`, averaged over the latest (up to 12) cohorts that have completed those months,
 * weighted by cohort size, times gross margin.
 */
export function cohortClv(input: {
  cells: CohortCell[];
  /** First day of the month in progress at the data end (YYYY-MM-DD); its cohorts are incomplete. */
  currentMonth: string;
  months: number;
  grossMargin: number;
  minCustomers: number;
}): ClvResult & { cohorts: string[] } {
  const byCohort = new Map<string, { size: number; revenue: Money }>();
  for (const c of input.cells) {
    if (monthsBetween(c.cohortMonth, input.currentMonth) < input.months) continue;
    const entry = byCohort.get(c.cohortMonth) ?? { size: c.cohortSize, revenue: 0n };
    if (c.monthOffset < input.months) entry.revenue += c.netRevenue;
    byCohort.set(c.cohortMonth, entry);
  }
  const cohorts = [...byCohort.keys()].sort().slice(-12);
  if (cohorts.length === 0) {
    return { method: 'cohort', value: null, flags: [`no cohort has ${input.months} complete months of data yet`], cohorts };
  }
  let size = 0;
  let revenue = 0n;
  for (const c of cohorts) {
    size += byCohort.get(c)!.size;
    revenue += byCohort.get(c)!.revenue;
  }
  return {
    method: 'cohort',
    value: (moneyToNumber(revenue) / size) * input.grossMargin,
    flags: tooFew(size, input.minCustomers),
    cohorts,
  };
}

/** Whole calendar months from the month of `from` to the month of `to` (YYYY-MM-DD). */
export function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  return (ty! - fy!) * 12 + (tm! - fm!);
}
