// Whether the run can vouch for the week's data: the one rule behind the e-mail's banner, its
// subject flag and the hold that keeps an incomplete report from the recipients
// (docs/configuration.md, "Completeness"). Reasons are codes and numbers; sentences are the
// report's, in its locale.
import type { CompletenessConfig } from '../config/schema.ts';
import { ratio } from '../kpi/guardedRatio.ts';
import { freshnessDays } from '../kpi/stageKpis.ts';
import type { WeeklyInputs } from '../kpi/weeklyKpis.ts';
import type { IngestSummary } from './dataQuality.ts';

export type IncompleteReason =
  /** Required tables without any ingested export. */
  | { code: 'missing_tables'; tables: string[] }
  /** Orders exports were ingested, but none of them holds an order (an empty export, or every row rejected). */
  | { code: 'no_orders' }
  /** The latest order is further from the week's end than the tolerance. */
  | { code: 'data_ends_early'; latestOrderAt: string; weekEnd: string; days: number; toleranceHours: number }
  /** Paid orders of a window left out of revenue for lack of an exchange rate. */
  | { code: 'unconverted_orders'; window: 'rate' | 'activity'; orders: number; share: number; limit: number }
  /** Marketing-spend rows left out of spend (and so of CAC) for lack of an exchange rate. */
  | { code: 'unconverted_spend'; rows: number; share: number; limit: number };

const HOUR_MS = 3_600_000;

export function assessCompleteness(args: {
  ingest: Pick<IngestSummary, 'latestOrderAt' | 'missingTables'>;
  inputs: Pick<WeeklyInputs, 'window' | 'activityWindow' | 'acquisition'>;
  weekEnd: Date;
  /**
   * How far the data is known to reach whatever its latest order: set for the generated sample,
   * whose history ends with its last day, however quiet that day was.
   */
  coveredUntil: Date | null;
  settings: CompletenessConfig;
}): IncompleteReason[] {
  const { ingest, inputs, weekEnd, coveredUntil, settings } = args;
  const reasons: IncompleteReason[] = [];
  if (ingest.missingTables.length > 0) reasons.push({ code: 'missing_tables', tables: ingest.missingTables });
  if (ingest.latestOrderAt === null && !ingest.missingTables.includes('orders')) reasons.push({ code: 'no_orders' });
  const reach = Math.max(ingest.latestOrderAt === null ? -Infinity : Date.parse(ingest.latestOrderAt), coveredUntil?.getTime() ?? -Infinity);
  if (ingest.latestOrderAt !== null && reach < weekEnd.getTime() - settings.toleranceHours * HOUR_MS) {
    reasons.push({
      code: 'data_ends_early',
      latestOrderAt: ingest.latestOrderAt,
      weekEnd: weekEnd.toISOString(),
      days: freshnessDays(ingest.latestOrderAt, weekEnd),
      toleranceHours: settings.toleranceHours,
    });
  }
  for (const [window, row] of [
    ['rate', inputs.window],
    ['activity', inputs.activityWindow],
  ] as const) {
    const share = ratio(row.unconverted_orders, row.paid_orders, 'no paid orders').value;
    if (share !== null && share > settings.maxUnconvertedShare) {
      reasons.push({ code: 'unconverted_orders', window, orders: row.unconverted_orders, share, limit: settings.maxUnconvertedShare });
    }
  }
  const unconvertedRows = inputs.acquisition.reduce((n, r) => n + r.unconverted_spend_rows, 0);
  const spendRows = inputs.acquisition.reduce((n, r) => n + r.converted_spend_rows, unconvertedRows);
  const spendShare = ratio(unconvertedRows, spendRows, 'no spend rows').value;
  if (spendShare !== null && spendShare > settings.maxUnconvertedShare) {
    reasons.push({ code: 'unconverted_spend', rows: unconvertedRows, share: spendShare, limit: settings.maxUnconvertedShare });
  }
  return reasons;
}
