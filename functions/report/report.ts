// The one typed Report object: everything the e-mail, the plain text and report.json show.
// Renderers only format what is here; no renderer computes a number.
import type { ClvResult } from '../clv/formulas.ts';
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
  channels: ReportChannel[];
  cohorts: ReportCohort[];
  dataQuality: ReportDataQuality;
  queries: { query: string; rows: number; elapsedMs: number; bytesScanned?: number }[];
}
