import { describe, expect, it } from 'vitest';
import type { CohortRetentionRow, MrrMovementRow, RfmSegmentRow } from '../../functions/kpi/queryRows.ts';
import { computeStageKpis, freshnessDays, type StageInputs } from '../../functions/kpi/stageKpis.ts';
import type { Kpi, KpiKey } from '../../functions/kpi/weeklyKpis.ts';

const weekEnd = new Date('2026-11-23T00:00:00Z');
const segment = (name: string, customers: number, share: number | null, revenueShare: number | null): RfmSegmentRow => ({
  segment: name,
  customers,
  customer_share: share,
  revenue: 0n,
  revenue_share: revenueShare,
});
// A month of queries/mrr_movements.sql; the stage KPIs read its opening, expansion, GRR and NRR.
const mrrMonth = (row: Pick<MrrMovementRow, 'month_start' | 'opening_mrr' | 'expansion_mrr' | 'closing_mrr' | 'grr' | 'nrr'>): MrrMovementRow => ({
  new_mrr: 0n,
  contraction_mrr: 0n,
  churned_mrr: 0n,
  reactivation_mrr: 0n,
  net_new_mrr: row.closing_mrr - row.opening_mrr,
  unconverted_subscriptions: 0,
  opening_mrr_at_rates: row.opening_mrr,
  closing_mrr_at_rates: row.closing_mrr,
  fx_effect: 0n,
  subscriptions_without_month_end_rate: 0,
  ...row,
});
const cell = (month: string, offset: number, retention: number | null): CohortRetentionRow => ({
  cohort_month: month,
  month_offset: offset,
  cohort_size: 10,
  active_customers: 0,
  customer_retention: retention,
  cumulative_revenue_per_customer: 0,
});

const inputs: StageInputs = {
  earlyChurn: { acquired_customers: 20, early_churned: 5, early_churn_rate: 0.25 },
  mrr: [
    mrrMonth({ month_start: '2026-09-01', opening_mrr: 1_000_000n, expansion_mrr: 50_000n, closing_mrr: 1_100_000n, grr: 0.9, nrr: 1.0 }),
    mrrMonth({ month_start: '2026-10-01', opening_mrr: 1_100_000n, expansion_mrr: 123_400n, closing_mrr: 1_150_000n, grr: 0.93, nrr: 1.02 }),
  ],
  cohortRetention: [
    // Month 3 of 2026-07 is October, complete at Nov 23; month 3 of 2026-08 is November, in progress.
    cell('2026-06-01', 3, 0.4),
    cell('2026-07-01', 3, 0.35),
    cell('2026-08-01', 3, 0.9),
  ],
  rfmSegments: [segment('Champions', 20, 0.2, 0.5), segment('Loyal', 30, 0.3, 0.3), segment('Lost', 50, 0.5, 0.2)],
};

function compute(over: Partial<StageInputs> = {}, ingest = { rowsRead: 1000, accepted: 990, rejected: 10, latestOrderAt: '2026-11-22T18:00:00Z' as string | null }): Map<KpiKey, Kpi> {
  const kpis = computeStageKpis({ inputs: { ...inputs, ...over }, ingest, weekEnd, accuracy: { mae: 0.5 } });
  return new Map(kpis.map((k) => [k.key, k]));
}

describe('computeStageKpis', () => {
  it('reads each stage KPI from its query', () => {
    // Act
    const k = compute();

    // Assess
    expect(k.get('data_accepted_share')).toEqual({ key: 'data_accepted_share', unit: 'ratio', value: 0.99 });
    expect(k.get('data_freshness_days')).toEqual({ key: 'data_freshness_days', unit: 'days', value: 0.25 }); // 6 hours
    expect(k.get('core_segment_customer_share')!.value).toBeCloseTo(0.5, 15); // Champions 20% + Loyal 30%
    expect(k.get('core_segment_revenue_share')!.value).toBeCloseTo(0.8, 15);
    expect(k.get('early_churn_rate')!.value).toBe(0.25);
    expect(k.get('grr')!.value).toBe(0.93); // the last complete month
    expect(k.get('nrr')!.value).toBe(1.02);
    expect(k.get('expansion_mrr')).toEqual({ key: 'expansion_mrr', unit: 'money', value: 12.34 });
    expect(k.get('cohort_m3_retention')!.value).toBe(0.35); // 2026-07, not the month in progress
    expect(k.get('model_mae')).toEqual({ key: 'model_mae', unit: 'orders', value: 0.5 });
  });

  it('counts rows a later line replaced as valid data, not against the accepted share', () => {
    // Act: 1,000 read, 980 accepted, 10 rejected, 10 superseded by a later line of their export
    const k = compute({}, { rowsRead: 1000, accepted: 980, rejected: 10, latestOrderAt: '2026-11-22T18:00:00Z' });

    // Assess
    expect(k.get('data_accepted_share')?.value).toBe(0.99);
  });

  it('turns what the SQL or the data cannot give into guards', () => {
    // Act
    const k = compute(
      { earlyChurn: { acquired_customers: 0, early_churned: 0, early_churn_rate: null }, mrr: [], cohortRetention: [cell('2026-10-01', 1, 0.3)] },
      { rowsRead: 0, accepted: 0, rejected: 0, latestOrderAt: null },
    );

    // Assess
    expect(k.get('data_accepted_share')).toMatchObject({ value: null, guard: 'no rows have been ingested' });
    expect(k.get('data_freshness_days')).toMatchObject({ value: null, guard: 'no orders have been ingested' });
    expect(k.get('early_churn_rate')).toMatchObject({ value: null, guard: "no customers were acquired 90 to 62 days before the week's end" });
    for (const key of ['grr', 'nrr', 'expansion_mrr'] as const) {
      expect(k.get(key)).toMatchObject({ value: null, guard: 'no subscriptions: MRR movements need a subscriptions export' });
    }
    expect(k.get('cohort_m3_retention')).toMatchObject({ value: null, guard: 'no cohort has completed its month 3 yet' });
  });

  it('says GRR and NRR are undefined for a month that opened without MRR', () => {
    const k = compute({ mrr: [mrrMonth({ month_start: '2026-10-01', opening_mrr: 0n, expansion_mrr: 0n, closing_mrr: 500_000n, grr: null, nrr: null })] });
    expect(k.get('grr')).toMatchObject({ value: null, guard: 'no MRR at the start of 2026-10' });
    expect(k.get('expansion_mrr')).toMatchObject({ value: 0 });
  });

  it('refuses segment names the rule table does not have, naming the constant to change', () => {
    expect(() => compute({ rfmSegments: [segment('Best', 1, 1, 1)] })).toThrow(/update CORE_SEGMENTS in functions\/kpi\/stageKpis\.ts/);
  });

  it('measures freshness in days to the week’s end, and as 0 when the data reaches past it', () => {
    expect(freshnessDays('2026-11-20T12:00:00Z', weekEnd)).toBe(2.5);
    expect(freshnessDays('2026-11-30T00:00:00Z', weekEnd)).toBe(0);
  });
});
