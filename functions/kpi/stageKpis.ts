// The scorecard KPIs beyond the weekly rates of weeklyKpis.ts (docs/metrics.md, "Scorecard"):
// data quality and freshness, segment shares, early churn, GRR, cohort month-3 retention,
// expansion MRR, NRR and model accuracy. Pure; the SQL computes every ratio it can, and a NULL
// it returns becomes a guard that says why.
import { moneyToNumber } from '../money/decimal.ts';
import { ratio, type Guarded } from './guardedRatio.ts';
import type { CohortRetentionRow, EarlyChurnRow, MrrMovementRow, RfmSegmentRow } from './queryRows.ts';
import type { Kpi } from './weeklyKpis.ts';

const DAY_MS = 86_400_000;

/** Data ending more than this many days before the week's end makes the week incomplete. */
export const STALE_AFTER_DAYS = 1;

/**
 * The RFM segments whose shares stage 1 tracks: the rule table's most valuable customers
 * (docs/queries.md, "rfm_scores and rfm_segments"). The names must match that table.
 */
export const CORE_SEGMENTS = ['Champions', 'Loyal'] as const;

/** The early-churn cohort: acquired 90 to 62 days before the week's end, observed for 60 days. */
export const EARLY_CHURN_COHORT = { fromDaysBefore: 90, untilDaysBefore: 62, repeatDays: 60, cancelDays: 30 } as const;

export interface StageInputs {
  earlyChurn: EarlyChurnRow;
  /** Months complete by the week's end, oldest first; none without subscriptions. */
  mrr: MrrMovementRow[];
  cohortRetention: CohortRetentionRow[];
  rfmSegments: RfmSegmentRow[];
}

/** Totals of the ingest manifests. */
export interface IngestTotals {
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** Latest order timestamp in the lake (ISO), or null without orders. */
  latestOrderAt: string | null;
}

export interface ModelAccuracyInput {
  mae: number | null;
  /** Why the accuracy was not measured. */
  guard?: string;
}

/** Days from the latest order to the week's end; 0 when the data reaches past it. */
export function freshnessDays(latestOrderAt: string, weekEnd: Date): number {
  return Math.max(0, (weekEnd.getTime() - Date.parse(latestOrderAt)) / DAY_MS);
}

export function computeStageKpis(args: { inputs: StageInputs; ingest: IngestTotals; weekEnd: Date; accuracy: ModelAccuracyInput }): Kpi[] {
  const { inputs, ingest, weekEnd } = args;
  const lastMonth = inputs.mrr.at(-1);
  const noSubscriptions: Guarded = { value: null, guard: 'no subscriptions: MRR movements need a subscriptions export' };
  const fromSql = (value: number | null, whenNull: string): Guarded => (value === null ? { value: null, guard: whenNull } : { value });
  const noOpening = lastMonth ? `no MRR at the start of ${lastMonth.month_start.slice(0, 7)}` : '';

  return [
    // A superseded row is a valid row replaced by a later line, not a data error: only rejects count against the share.
    { key: 'data_accepted_share', unit: 'ratio', ...ratio(ingest.rowsRead - ingest.rejected, ingest.rowsRead, 'no rows have been ingested') },
    {
      key: 'data_freshness_days',
      unit: 'days',
      ...(ingest.latestOrderAt === null ? { value: null, guard: 'no orders have been ingested' } : { value: freshnessDays(ingest.latestOrderAt, weekEnd) }),
    },
    { key: 'core_segment_customer_share', unit: 'ratio', ...coreShare(inputs.rfmSegments, 'customer_share') },
    { key: 'core_segment_revenue_share', unit: 'ratio', ...coreShare(inputs.rfmSegments, 'revenue_share') },
    {
      key: 'early_churn_rate',
      unit: 'ratio',
      ...fromSql(
        inputs.earlyChurn.early_churn_rate,
        `no customers were acquired ${EARLY_CHURN_COHORT.fromDaysBefore} to ${EARLY_CHURN_COHORT.untilDaysBefore} days before the week's end`,
      ),
    },
    { key: 'grr', unit: 'ratio', ...(lastMonth ? fromSql(lastMonth.grr, noOpening) : noSubscriptions) },
    { key: 'cohort_m3_retention', unit: 'ratio', ...monthThreeRetention(inputs.cohortRetention, weekEnd) },
    { key: 'expansion_mrr', unit: 'money', ...(lastMonth ? { value: moneyToNumber(lastMonth.expansion_mrr) } : noSubscriptions) },
    { key: 'nrr', unit: 'ratio', ...(lastMonth ? fromSql(lastMonth.nrr, noOpening) : noSubscriptions) },
    {
      key: 'model_mae',
      unit: 'orders',
      ...(args.accuracy.mae === null ? { value: null, guard: args.accuracy.guard ?? 'model accuracy not measured' } : { value: args.accuracy.mae }),
    },
  ];
}

/** Share of customers (or revenue) in the core segments; the SQL's shares have one denominator, so they add. */
function coreShare(rows: RfmSegmentRow[], column: 'customer_share' | 'revenue_share'): Guarded {
  const core = rows.filter((r) => (CORE_SEGMENTS as readonly string[]).includes(r.segment));
  if (core.length !== CORE_SEGMENTS.length) {
    throw new Error(
      `queries/rfm_segments.sql returned the segments ${rows.map((r) => r.segment).join(', ')}, not ${CORE_SEGMENTS.join(' and ')}; ` +
        'update CORE_SEGMENTS in functions/kpi/stageKpis.ts to the rule table',
    );
  }
  if (core.some((r) => r[column] === null)) return { value: null, guard: 'no customers with a paid order in the activity window' };
  return { value: core.reduce((sum, r) => sum + r[column]!, 0) };
}

/**
 * Month-3 customer retention of the latest cohort whose month 3 has ended by the week's end:
 * a month still in progress would understate it.
 */
function monthThreeRetention(rows: CohortRetentionRow[], weekEnd: Date): Guarded {
  const complete = rows
    .filter((r) => r.month_offset === 3)
    .filter((r) => {
      const [y, m] = r.cohort_month.split('-').map(Number);
      return Date.UTC(y!, m! - 1 + 4, 1) <= weekEnd.getTime();
    })
    .sort((a, b) => a.cohort_month.localeCompare(b.cohort_month));
  const latest = complete.at(-1);
  if (!latest) return { value: null, guard: 'no cohort has completed its month 3 yet' };
  if (latest.customer_retention === null) return { value: null, guard: `the ${latest.cohort_month.slice(0, 7)} cohort is empty` };
  return { value: latest.customer_retention };
}
