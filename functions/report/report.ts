// The one typed Report object: everything the e-mail, the plain text and report.json show.
// Renderers only format what is here; no renderer computes a number.
import type { ClvResult } from '../clv/formulas.ts';
import type { ModelFitSummary } from '../clv/fitClvModels.ts';
import type { HoldoutAccuracy } from '../clv/holdoutAccuracy.ts';
import type { Kpi } from '../kpi/weeklyKpis.ts';

export interface ReportDataQuality {
  rowsRead: number;
  accepted: number;
  rejected: number;
  rejectedByRule: Record<string, number>;
  perTable: { table: string; rowsRead: number; accepted: number; rejected: number }[];
  /** Latest order timestamp in the lake (ISO), or null when there are no orders. */
  latestOrderAt: string | null;
  excluded: { what: string; count: number; why: string }[];
  /** Set when the data does not reach the report week's end; shown at the top. */
  staleness: string | null;
}

export interface ReportChannel {
  channel: string;
  acquiredCustomers: number;
  marketingSpend: number;
  cac: number | null;
  guard?: string;
}

export interface ReportCohort {
  cohortMonth: string;
  size: number;
  /** Share of the cohort with a paid order, by month offset (index = offset). */
  retention: (number | null)[];
  cumulativeRevenuePerCustomer: number[];
}

/** The predictive method (BG/NBD + Gamma-Gamma): its fit, its scores and its accuracy. */
export interface ReportPredictiveClv {
  method: 'bgnbd';
  /** The model inputs end here (the week's end, UTC instant). */
  cutoff: string;
  /** Unit of t_x, T and alpha. */
  timeUnit: 'day';
  customers: number;
  repeatCustomers: number;
  horizonMonths: number;
  monthlyDiscountRate: number;
  grossMargin: number;
  /** Null when the models could not be fitted; `flags` says why. */
  models: { bgnbd: ModelFitSummary<'r' | 'alpha' | 'a' | 'b'>; gammaGamma: ModelFitSummary<'p' | 'q' | 'gamma'> } | null;
  /** Sum of the customers' CLVs (the value of the current customer base over the horizon). */
  totalClv: number | null;
  meanPAlive: number | null;
  /** Rows written to clv_scores for the week (0 when the models could not be fitted). */
  scoresWritten: number;
  /** Fit on data up to holdoutWeeks before the cut-off, scored on those weeks. */
  accuracy: (HoldoutAccuracy & { holdoutWeeks: number; calibrationCutoff: string }) | null;
  /** Why accuracy is null. */
  accuracyGuard?: string;
  flags: string[];
}

export interface Report {
  schemaVersion: 1;
  product: 'ltv-pulse';
  week: { id: string; start: string; end: string; timeZone: string };
  currency: string;
  locale: 'en' | 'ko' | 'ja';
  grossMargin: number;
  headline: ClvResult & { label: string };
  verdict: string;
  kpis: Kpi[];
  clv: ClvResult[];
  predictiveClv: ReportPredictiveClv;
  channels: ReportChannel[];
  cohorts: ReportCohort[];
  dataQuality: ReportDataQuality;
  queries: { query: string; rows: number; elapsedMs: number; bytesScanned?: number }[];
}
