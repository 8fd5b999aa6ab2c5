import { describe, expect, it } from 'vitest';
import { clvDrivers, type KpiPair } from '../../functions/kpi/clvDrivers.ts';
import type { KpiKey } from '../../functions/kpi/weeklyKpis.ts';

/** Values of this week and the week before, by KPI. */
const pairs = (values: Partial<Record<KpiKey, [number | null, number | null]>>): KpiPair => (key) => {
  const [previous, current] = values[key] ?? [null, null];
  return { current, previous };
};

const part = (drivers: ReturnType<typeof clvDrivers>, factor: string) => drivers!.parts.find((p) => p.factor === factor)!;

describe('clvDrivers', () => {
  it('splits the SaaS CLV into ARPU, margin and lifetime, whose log changes sum to the CLV’s', () => {
    // Prepare: CLV = ARPU × margin × lifetime. 10 × 0.5 × 20 = 100 last week, 12 × 0.5 × 15 = 90
    // now: ARPU +20% (ln 1.2), lifetime −25% (ln 0.75), together ln 0.9 = the CLV's −10%
    const values = pairs({ clv_saas: [100, 90], arpu_monthly: [10, 12] });

    // Act
    const drivers = clvDrivers('saas', values, 0.5, '2026-W46');

    // Assess
    expect(drivers).toMatchObject({ method: 'saas', previousWeekId: '2026-W46', from: 100, to: 90 });
    expect(drivers!.logChange).toBeCloseTo(Math.log(0.9), 12);
    expect(part(drivers, 'arpu')).toMatchObject({ from: 10, to: 12 });
    expect(part(drivers, 'arpu').logChange).toBeCloseTo(Math.log(1.2), 12);
    expect(part(drivers, 'lifetime').from).toBeCloseTo(20, 12);
    expect(part(drivers, 'lifetime').to).toBeCloseTo(15, 12);
    expect(part(drivers, 'lifetime').logChange).toBeCloseTo(Math.log(0.75), 12);
    expect(part(drivers, 'margin').logChange).toBe(0);
    expect(drivers!.parts.reduce((sum, p) => sum + p.logChange, 0)).toBeCloseTo(drivers!.logChange, 12);
    // Largest move first: lifetime |ln 0.75| = 0.288 before ARPU ln 1.2 = 0.182
    expect(drivers!.parts.map((p) => p.factor)).toEqual(['lifetime', 'arpu', 'margin']);
  });

  it('splits the purchase CLV into order value, frequency and lifetime in months', () => {
    // Prepare: CLV = AOV × annual frequency × lifetime/12 × margin. 50 × 4 × 24/12 × 0.5 = 200,
    // then 55 × 4 × 18/12 × 0.5 = 165: AOV ln 1.1, frequency 0, lifetime ln 0.75 = ln 0.825
    const values = pairs({ clv_purchase: [200, 165], purchaser_aov: [50, 55], purchaser_annual_frequency: [4, 4] });

    // Act
    const drivers = clvDrivers('purchase', values, 0.5, '2026-W46');

    // Assess
    expect(part(drivers, 'aov').logChange).toBeCloseTo(Math.log(1.1), 12);
    expect(part(drivers, 'frequency').logChange).toBe(0);
    expect(part(drivers, 'lifetime').from).toBeCloseTo(24, 12);
    expect(part(drivers, 'lifetime').to).toBeCloseTo(18, 12);
    expect(drivers!.logChange).toBeCloseTo(Math.log(165 / 200), 12);
    expect(drivers!.parts.reduce((sum, p) => sum + p.logChange, 0)).toBeCloseTo(drivers!.logChange, 12);
  });

  it.each<[string, Partial<Record<KpiKey, [number | null, number | null]>>]>([
    ['no value last week', { clv_saas: [null, 90], arpu_monthly: [10, 12] }],
    ['a part unknown this week', { clv_saas: [100, 90], arpu_monthly: [10, null] }],
    ['a CLV of 0 (no log change from 0)', { clv_saas: [0, 90], arpu_monthly: [10, 12] }],
    ['a negative ARPU (refunds beyond sales)', { clv_saas: [100, 90], arpu_monthly: [-1, 12] }],
  ])('gives no split with %s', (_, values) => {
    expect(clvDrivers('saas', pairs(values), 0.5, '2026-W46')).toBeNull();
  });
});
