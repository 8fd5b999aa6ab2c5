// Why a formula CLV moved since last week. Each formula is a product of its parts (docs/metrics.md,
// "Drivers"), so its log change is exactly the sum of theirs: the parts always add up to the
// headline's move, which a split of percentage changes would not.
import type { KpiKey } from './weeklyKpis.ts';

export type DriverFactor = 'arpu' | 'margin' | 'lifetime' | 'aov' | 'frequency';

export interface ClvDriverPart {
  factor: DriverFactor;
  from: number;
  to: number;
  /** ln(to / from): the parts' log changes sum to the CLV's. */
  logChange: number;
}

export interface ClvDrivers {
  method: 'saas' | 'purchase';
  previousWeekId: string;
  from: number;
  to: number;
  logChange: number;
  /** Largest move first. */
  parts: ClvDriverPart[];
}

/** The KPIs each formula is the product of; the lifetime is what is left of the CLV once the others are divided out. */
export const DRIVER_INPUTS = {
  saas: { clv: 'clv_saas', factors: { arpu: 'arpu_monthly' } },
  purchase: { clv: 'clv_purchase', factors: { aov: 'purchaser_aov', frequency: 'purchaser_annual_frequency' } },
} as const satisfies Record<ClvDrivers['method'], { clv: KpiKey; factors: Partial<Record<DriverFactor, KpiKey>> }>;

/** A KPI's value this week and the week before. */
export type KpiPair = (key: KpiKey) => { current: number | null; previous: number | null };

/**
 * The split of `method`'s change since `previousWeekId`; null when a value is unknown or not
 * positive in either week (a log change needs both). The margin is the same in both weeks: the
 * history compared with was computed with the current settings (functions/pipeline/kpiHistory.ts).
 */
export function clvDrivers(method: ClvDrivers['method'], values: KpiPair, grossMargin: number, previousWeekId: string): ClvDrivers | null {
  const inputs = DRIVER_INPUTS[method];
  const clv = values(inputs.clv);
  const factors = Object.entries(inputs.factors).map(([factor, key]) => ({ factor: factor as DriverFactor, ...values(key) }));
  const positive = (v: number | null): v is number => v !== null && Number.isFinite(v) && v > 0;
  if (!positive(clv.current) || !positive(clv.previous) || !factors.every((f) => positive(f.current) && positive(f.previous))) return null;
  const product = (week: 'current' | 'previous') => factors.reduce((p, f) => p * f[week]!, grossMargin);
  // The purchase formula counts the lifetime in years of annual frequency: the residual is months.
  const months = method === 'purchase' ? 12 : 1;
  const lifetime = { from: (months * clv.previous) / product('previous'), to: (months * clv.current) / product('current') };
  const part = (factor: DriverFactor, from: number, to: number): ClvDriverPart => ({ factor, from, to, logChange: Math.log(to / from) });
  const parts = [
    ...factors.map((f) => part(f.factor, f.previous!, f.current!)),
    part('lifetime', lifetime.from, lifetime.to),
    part('margin', grossMargin, grossMargin),
  ].sort((a, b) => Math.abs(b.logChange) - Math.abs(a.logChange));
  return { method, previousWeekId, from: clv.previous, to: clv.current, logChange: Math.log(clv.current / clv.previous), parts };
}
