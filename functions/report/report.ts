// The one typed Report object: everything the e-mail, the plain text and report.json show.
// Renderers only format what is here; no renderer computes a number.
import type { SbgFitSummary, SurvivalHoldout } from '../clv/contractualModel.ts';
import type { ClvResult } from '../clv/formulas.ts';
import type { ModelFitSummary } from '../clv/fitClvModels.ts';
import type { ForecasterScore, ModelCard } from '../clv/card/modelCard.ts';
import type { PurchaseModelName } from '../clv/purchaseModel.ts';
import type { HoldoutAccuracy } from '../clv/holdoutAccuracy.ts';
import type { ClvDrivers } from '../kpi/clvDrivers.ts';
import type { MoverKind } from '../kpi/queryRows.ts';
import type { Direction, HistoryPoint, Scorecard, Trajectory, UsualMove, WeekOverWeek } from '../kpi/scorecard.ts';
import type { Populations } from '../kpi/populationClv.ts';
import type { Kpi } from '../kpi/weeklyKpis.ts';
import type { SettingChange } from '../kpi/valueSettings.ts';
import type { SampleOrigin } from '../sample/sampleOrigin.ts';
import type { IncompleteReason } from './completeness.ts';

export type ReportLocale = 'en' | 'ko' | 'ja';

export interface ReportDataQuality {
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** Valid rows a later line of the same export replaced (same key): rows read = accepted + rejected + superseded. */
  superseded: number;
  rejectedByRule: Record<string, number>;
  perTable: { table: string; rowsRead: number; accepted: number; rejected: number; superseded: number }[];
  /** Latest order timestamp in the lake (ISO), or null when there are no orders. */
  latestOrderAt: string | null;
  /** Required tables (docs/ingest.md) without any ingested export. */
  missingTables: string[];
  excluded: { what: string; count: number; why: string }[];
  /**
   * Why the run cannot vouch for the week's data (functions/report/completeness.ts); empty when
   * it can. Non-empty: the week is held, or sent marked incomplete (completeness.onIncomplete).
   */
  incomplete: IncompleteReason[];
  /** `incomplete` in sentences of the report's locale, or null; the e-mail says it at the top and in the subject. */
  staleness: string | null;
}

/** The latest week of history was computed with other settings, so nothing is compared with it. */
export interface ReportSettingsChange {
  previousWeekId: string;
  /** The first week of history: `ltv backfill` from it recomputes the history with the current settings. */
  firstWeekId: string;
  changes: SettingChange[];
  /** In the report's locale, e.g. "Settings changed this week (report currency USD → KRW); comparisons restart from this week." */
  note: string;
}

export interface ReportChannel {
  channel: string;
  acquiredCustomers: number;
  marketingSpend: number;
  cac: number | null;
  guard?: string;
}

export interface ReportCohort {
  /** First day of the acquisition month (YYYY-MM-DD). */
  cohortMonth: string;
  size: number;
  /** Share of the cohort active in each month since acquisition (index = offset), queries/cohort_retention.sql. */
  retention: (number | null)[];
  cumulativeRevenuePerCustomer: number[];
}

export interface ReportCohorts {
  /** The latest 12 cohorts, oldest first. */
  cohorts: ReportCohort[];
  /** The last month of every row is still in progress at the week's end. */
  lastMonthInProgress: boolean;
}

export interface ReportRfmSegment {
  segment: string;
  customers: number;
  customerShare: number | null;
  revenue: number;
  revenueShare: number | null;
  /** Mean predictive (BG/NBD) CLV of the segment's customers the model scored; null when none. */
  clv: number | null;
  scoredCustomers: number;
}

export interface ReportRfm {
  /** End of the activity window the segments describe (the week's end). */
  asOf: string;
  segments: ReportRfmSegment[];
  /** Why the segments have no CLV, when the predictive model was not fitted. */
  clvGuard?: string;
  /**
   * Customers who changed segment since the week before, largest first (at most 5). A null
   * `from` is a customer new to the activity window, a null `to` one who left it.
   */
  movements: { from: string | null; to: string | null; customers: number }[];
}

/** A KPI's last 13 weeks: the sparkline's points and the changes that show a trend, not a week's noise. */
export interface ReportTrend {
  /** The report week and the TREND_WEEKS weeks before it, oldest first; a week without a value is null. */
  points: HistoryPoint[];
  fourWeeks: WeekOverWeek;
  thirteenWeeks: WeekOverWeek;
}

export interface ReportTile {
  kpi: Kpi;
  direction: Direction | null;
  wow: WeekOverWeek;
  /** How far the KPI usually moves in a week; a change inside it is shown as no news. */
  usual: UsualMove | null;
  trend: ReportTrend;
}

/**
 * The last complete month's MRR bridge (queries/mrr_movements.sql): opening + new + expansion +
 * reactivation − contraction − churned + fx effect = closing, exactly.
 */
export interface ReportMrrBridge {
  /** First day of the month (YYYY-MM-DD). */
  month: string;
  /**
   * Opening and closing at each month's end rates when the fx effect is known; at booked rates
   * (constant currency, the movements' own) when a month-end rate is missing.
   */
  valuedAt: 'month_end_rates' | 'booked_rates';
  opening: number;
  new: number;
  expansion: number;
  reactivation: number;
  contraction: number;
  churned: number;
  /** Net new MRR: the movements together, in constant currency. */
  netNew: number;
  /** Null: unknown, a currency has no rate dated at this month's end or the month before's. */
  fxEffect: number | null;
  closing: number;
  /** closing − opening, the month's MRR change the steps add up to. */
  change: number;
  /** Paying subscriptions at the month's end whose currency has no rate dated in the month. */
  subscriptionsWithoutMonthEndRate: number;
  /** Subscriptions at the month's end left out of every amount (no rate for their start day). */
  unconvertedSubscriptions: number;
}

/** Recurring revenue: MRR now and the last complete month's movements. */
export interface ReportSubscriptionRevenue {
  /** MRR at the week's end (KPI mrr) with its week-over-week change. */
  mrr: ReportTile;
  /** 12 × MRR at the week's end; its relative change is MRR's. */
  arr: number;
  /** Null until a month with subscriptions has ended. */
  lastMonth: ReportMrrBridge | null;
}

/** Subscriptions and one-time purchases apart (docs/metrics.md, "Two populations"). */
export interface ReportLines {
  /** LINE_KPIS.subscriptions with their changes; null without paying subscribers at the week's end. */
  subscriptions: ReportTile[] | null;
  /** LINE_KPIS.purchases with their changes; null without active one-time buyers. */
  purchases: ReportTile[] | null;
  /** The headline numbers that blend both lines, weighted by their customers; empty unless both lines have customers. */
  blends: { key: 'headline_clv' | 'arpu_monthly'; value: number | null }[];
}

/** Query cost, known when the engine reports bytes scanned (Athena). */
export interface ReportRunCost {
  queries: number;
  bytesScanned: number;
  /** At the Athena list price (athenaCostUsd): USD 5 per TB, at least 10 MB a query. */
  estimatedUsd: number;
}

export type CandidateAccuracy = Pick<ForecasterScore, 'mae' | 'rmse' | 'aggregateError' | 'relativeAggregateError'>;

export interface ReportModelChoice {
  rule: 'lowest_holdout_mae';
  /** The candidate with the lowest holdout MAE. */
  winner: PurchaseModelName;
  /** The model the predictive CLV is computed with. */
  used: PurchaseModelName;
  /** Calibration customers the candidates were fitted on when sampled (CANDIDATE_SAMPLE); null when all were. */
  sampledCustomers: number | null;
  candidates: {
    model: PurchaseModelName;
    label: string;
    /** Its holdout accuracy (the choice rule's MAE among it); null when it could not be fitted. The card has every metric of the model used. */
    score: CandidateAccuracy | null;
    parameters: Record<string, number> | null;
    logLikelihood: number | null;
    guard?: string;
  }[];
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
  models: { purchase: ModelFitSummary<string> & { model: PurchaseModelName }; gammaGamma: ModelFitSummary<'p' | 'q' | 'gamma'> } | null;
  /** The purchase model the CLV is computed with (the clv.purchaseModel setting). */
  purchaseModel: PurchaseModelName;
  /** Sum of the customers' CLVs (the value of the current customer base over the horizon). */
  totalClv: number | null;
  meanPAlive: number | null;
  /** Rows written to clv_scores for the week (0 when the models could not be fitted). */
  scoresWritten: number;
  /** Fit on data up to holdoutWeeks before the cut-off, scored on those weeks. */
  accuracy: (HoldoutAccuracy & { holdoutWeeks: number; calibrationCutoff: string }) | null;
  /** The model report card of the same holdout (docs/metrics.md, "Model report card"); null with accuracy. */
  card: ModelCard | null;
  /** The purchase models compared on the same holdout (docs/metrics.md, "Model choice"); null with accuracy. */
  modelChoice: ReportModelChoice | null;
  /** Why accuracy is null. */
  accuracyGuard?: string;
  flags: string[];
}

/** The contractual method (sBG on subscription cohorts): its fit, its scores and its holdout check. */
export interface ReportContractualClv {
  method: 'sbg';
  /** The survival and the paying subscribers are taken here (the week's end, UTC instant). */
  cutoff: string;
  /** Cohorts observed for at least one renewal. */
  cohorts: number;
  /** Subscribers paying at the cut-off, the ones valued. */
  subscribers: number;
  horizonMonths: number;
  monthlyDiscountRate: number;
  grossMargin: number;
  /** Null when the model could not be fitted; `flags` says why. */
  model: SbgFitSummary | null;
  /** Sum of the paying subscribers' CLVs (those with a known MRR). */
  totalClv: number | null;
  /** Mean discounted months of payment expected over the horizon. */
  meanResidualMonths: number | null;
  /** Rows written to clv_scores for the week (0 when the model could not be fitted). */
  scoresWritten: number;
  /** Fit on all but the last months of each cohort, checked on those months. */
  accuracy: SurvivalHoldout | null;
  /** Why accuracy is null. */
  accuracyGuard?: string;
  flags: string[];
}

/** Who moved the numbers this week (functions/report/movers.ts). A null id: report.customerIds hides them. */
export interface ReportMovers {
  idsHidden: boolean;
  /** The largest MRR moves of each kind, in the order new, reactivation, expansion, contraction, churned; largest first within a kind. */
  subscribers: { kind: MoverKind; customerId: string | null; startMrr: number; endMrr: number; amount: number }[];
  /** Customers whose RFM segment got worse since last week, most valuable first. */
  slipped: { rankedBy: 'clv' | 'monetary'; customers: { customerId: string | null; from: string; to: string; value: number }[] };
}

/**
 * One report for one locale: the numbers are the same in every locale; the headline label, the
 * verdict and the data-quality sentences are written in `locale`, and renderers look up every
 * other label for it.
 */
export interface Report {
  schemaVersion: 2;
  product: 'ltv-pulse';
  week: { id: string; start: string; end: string; timeZone: string };
  currency: string;
  locale: ReportLocale;
  grossMargin: number;
  /** Where docs/metrics.md is published (report.docsUrl): each KPI label links to its definition there. */
  docsUrl: string | null;
  /** Set when the lake holds the generated sample data set: the e-mail says so in its subject and a banner. */
  sample: SampleOrigin | null;
  /** Set when the settings changed since the latest week of history: its comparisons restart. */
  settingsChange: ReportSettingsChange | null;
  headline: ClvResult & { label: string; wow: WeekOverWeek; usual: UsualMove | null };
  /** One line: the scorecard's overall status and what drives it. */
  verdict: string;
  /** Why each formula CLV moved since last week; null when either week lacks a part (functions/kpi/clvDrivers.ts). */
  drivers: { saas: ClvDrivers | null; purchase: ClvDrivers | null };
  tiles: ReportTile[];
  /** Null when the lake has no subscriptions. */
  subscriptionRevenue: ReportSubscriptionRevenue | null;
  lines: ReportLines;
  scorecard: Scorecard;
  /** Headline CLV against the doubling target; when null, the scorecard's headline line says why. */
  trajectory: Trajectory | null;
  kpis: Kpi[];
  clv: ClvResult[];
  /**
   * The formula CLVs per population, apart (docs/metrics.md, "Two populations"): subscribers by
   * their MRR and churn, everyone else by their orders; `clv` holds the blend.
   */
  populations: Populations;
  predictiveClv: ReportPredictiveClv;
  /** Null when the lake has no paying subscription: the business has no contractual customers to model. */
  contractualClv: ReportContractualClv | null;
  channels: ReportChannel[];
  cohorts: ReportCohorts;
  rfm: ReportRfm;
  movers: ReportMovers;
  dataQuality: ReportDataQuality;
  runCost: ReportRunCost | null;
  queries: { query: string; rows: number; elapsedMs: number; bytesScanned?: number }[];
}
