// The five-stage scorecard (docs/metrics.md, "Scorecard"): each stage's KPIs with the week's
// value, the change from the week before, the trailing 13-week baseline, the reference they are
// judged against and a status; a stage takes the worst status of its KPIs. Pure: history comes
// in as values read from kpi_history, so the same lake gives the same scorecard.
import type { ClvMethod, Config } from '../config/schema.ts';
import { addWeeks, formatWeekId, mondayOf, parseWeekId, type IsoWeek } from '../time/isoWeek.ts';
import { ratio } from './guardedRatio.ts';
import { STALE_AFTER_DAYS } from './stageKpis.ts';
import type { Kpi, KpiKey } from './weeklyKpis.ts';

export type Direction = 'higher' | 'lower';
export type Status = 'on_track' | 'at_risk' | 'off_track' | 'not_rated';
export type StageKey = 'data' | 'experience' | 'retention' | 'order_value' | 'ltv';

export const STAGES: readonly { stage: 1 | 2 | 3 | 4 | 5; key: StageKey; kpis: readonly KpiKey[] }[] = [
  { stage: 1, key: 'data', kpis: ['data_accepted_share', 'data_freshness_days', 'core_segment_customer_share', 'core_segment_revenue_share'] },
  { stage: 2, key: 'experience', kpis: ['churn_rate', 'early_churn_rate', 'grr'] },
  { stage: 3, key: 'retention', kpis: ['retention_rate', 'repeat_purchase_rate', 'purchase_frequency', 'cohort_m3_retention'] },
  { stage: 4, key: 'order_value', kpis: ['aov', 'arpu_monthly', 'expansion_mrr', 'nrr'] },
  { stage: 5, key: 'ltv', kpis: ['headline_clv', 'ltv_to_cac', 'cac_payback_months', 'model_mae'] },
];

/** Which way each scorecard KPI is good. */
export const GOOD_DIRECTION: Readonly<Partial<Record<KpiKey, Direction>>> = {
  data_accepted_share: 'higher',
  data_freshness_days: 'lower',
  core_segment_customer_share: 'higher',
  core_segment_revenue_share: 'higher',
  churn_rate: 'lower',
  early_churn_rate: 'lower',
  grr: 'higher',
  retention_rate: 'higher',
  repeat_purchase_rate: 'higher',
  purchase_frequency: 'higher',
  cohort_m3_retention: 'higher',
  aov: 'higher',
  arpu_monthly: 'higher',
  expansion_mrr: 'higher',
  nrr: 'higher',
  headline_clv: 'higher',
  ltv_to_cac: 'higher',
  cac_payback_months: 'lower',
  model_mae: 'lower',
  active_customers: 'higher',
  new_customers: 'higher',
  net_revenue: 'higher',
  cac: 'lower',
};

/**
 * The status rule. A KPI is judged by its gap: how far it falls short of its reference in its
 * good direction, relative to the reference (negative when it does better).
 * - Against a target (LTV:CAC, CAC payback, the CLV trajectory): on track when it meets the
 *   target, at risk when it misses by at most 10%, off track beyond.
 * - Against its own trailing baseline: on track up to 5% worse (ordinary weekly movement), at
 *   risk up to 15% worse, off track beyond. A baseline needs 4 weeks of history.
 * - Freshness is on or off: data more than a day old is stale (the e-mail's banner rule).
 */
export const STATUS_RULE = {
  target: { onTrackWithin: 0, atRiskWithin: 0.1 },
  baseline: { onTrackWithin: 0.05, atRiskWithin: 0.15 },
  freshness: { onTrackWithin: 0, atRiskWithin: 0 },
  baselineWeeks: 13,
  minBaselineWeeks: 4,
} as const;

/** Weeks per year for the trajectory: 365.2425 days / 7. */
const WEEKS_PER_YEAR = 365.2425 / 7;
/** The CLV chart shows at most a year of weeks. */
const TRAJECTORY_CHART_WEEKS = 52;

export interface HistoryPoint {
  weekId: string;
  value: number | null;
}

/** Values from kpi_history by KPI key, oldest first; weeks before the report week only. */
export type KpiHistory = ReadonlyMap<KpiKey, readonly HistoryPoint[]>;

export interface WeekOverWeek {
  previousWeekId: string;
  /** Null when kpi_history has no value for the week before. */
  previous: number | null;
  change: number | null;
  /** change / |previous|; null when previous is 0 or unknown. */
  relativeChange: number | null;
}

export interface TrailingBaseline {
  /** Mean of the values in the 13 weeks before the report week; null without any. */
  value: number | null;
  /** How many of those weeks had a value. */
  weeks: number;
}

export type Reference =
  | { kind: 'target'; comparison: 'at_least' | 'at_most'; value: number; /** Configuration setting, when it is one. */ setting: string | null }
  | { kind: 'trajectory'; value: number; anchorWeek: string; anchorValue: number; doublingYears: number }
  | { kind: 'baseline'; value: number; weeks: number };

export type NotRatedReason =
  | { code: 'no_value' }
  | { code: 'short_history'; weeks: number; needed: number }
  | { code: 'zero_reference' }
  | { code: 'anchor_week' }
  | { code: 'no_anchor'; anchorWeek: string | null }
  | { code: 'anchor_after_week'; anchorWeek: string };

export interface ScorecardLine extends Kpi {
  direction: Direction;
  wow: WeekOverWeek;
  baseline: TrailingBaseline;
  /** What the status compares with; null when there is nothing to compare with. */
  reference: Reference | null;
  /** Shortfall against the reference, relative to it; positive is worse. */
  gap: number | null;
  status: Status;
  notRated?: NotRatedReason;
}

export interface ScorecardStage {
  stage: 1 | 2 | 3 | 4 | 5;
  key: StageKey;
  status: Status;
  lines: ScorecardLine[];
}

export interface Scorecard {
  stages: ScorecardStage[];
  /** The worst status over the stages. */
  status: Status;
}

export interface Trajectory {
  anchorWeek: string;
  anchorValue: number;
  doublingYears: number;
  /** One point per week from the anchor (at most a year back) to the report week. */
  points: { weekId: string; actual: number | null; target: number }[];
}

/** The history key of the headline: its method's own CLV, so changing the method never splices two series. */
export function headlineHistoryKey(method: ClvMethod): KpiKey {
  return `clv_${method}`;
}

/** The KPIs whose history the scorecard reads. */
export function scorecardHistoryKeys(headlineMethod: ClvMethod): KpiKey[] {
  return STAGES.flatMap((s) => s.kpis).map((k) => (k === 'headline_clv' ? headlineHistoryKey(headlineMethod) : k));
}

function weeksBetween(from: IsoWeek, to: IsoWeek): number {
  return Math.round((mondayOf(to).getTime() - mondayOf(from).getTime()) / (7 * 86_400_000));
}

/** The doubling target `weeks` after the anchor: anchor × 2^(years / doublingYears). */
export function trajectoryTarget(anchorValue: number, weeks: number, doublingYears: number): number {
  return anchorValue * 2 ** (weeks / WEEKS_PER_YEAR / doublingYears);
}

export function weekOverWeek(current: number | null, week: IsoWeek, series: readonly HistoryPoint[]): WeekOverWeek {
  const previousWeekId = formatWeekId(addWeeks(week, -1));
  const previous = series.find((p) => p.weekId === previousWeekId)?.value ?? null;
  if (current === null || previous === null) return { previousWeekId, previous, change: null, relativeChange: null };
  const change = current - previous;
  return { previousWeekId, previous, change, relativeChange: ratio(change, Math.abs(previous), 'previous is 0').value };
}

export function trailingBaseline(week: IsoWeek, series: readonly HistoryPoint[]): TrailingBaseline {
  const from = formatWeekId(addWeeks(week, -STATUS_RULE.baselineWeeks));
  const to = formatWeekId(week);
  const values = series.filter((p) => p.weekId >= from && p.weekId < to && p.value !== null).map((p) => p.value!);
  return { value: values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length, weeks: values.length };
}

type Bands = { onTrackWithin: number; atRiskWithin: number };

/** Far below any shown precision: a gap computed as 0.15000000000000002 is the 15% it displays as. */
const GAP_TOLERANCE = 1e-9;

export function statusOfGap(gap: number, bands: Bands): Exclude<Status, 'not_rated'> {
  if (gap <= bands.onTrackWithin + GAP_TOLERANCE) return 'on_track';
  if (gap <= bands.atRiskWithin + GAP_TOLERANCE) return 'at_risk';
  return 'off_track';
}

const SEVERITY: Record<Status, number> = { not_rated: -1, on_track: 0, at_risk: 1, off_track: 2 };

/** The worst rated status; not rated only when nothing is. */
export function worstStatus(statuses: readonly Status[]): Status {
  return statuses.reduce<Status>((worst, s) => (SEVERITY[s] > SEVERITY[worst] ? s : worst), 'not_rated');
}

export function buildTrajectory(args: {
  week: IsoWeek;
  current: number | null;
  series: readonly HistoryPoint[];
  targets: Config['targets'];
}): { trajectory: Trajectory } | { notRated: NotRatedReason } {
  const { week, current, series, targets } = args;
  const weekId = formatWeekId(week);
  const withCurrent: HistoryPoint[] = [...series.filter((p) => p.weekId < weekId), { weekId, value: current }];
  const anchorWeek = targets.baselineWeek ?? withCurrent.find((p) => p.value !== null)?.weekId ?? null;
  if (anchorWeek === null) return { notRated: { code: 'no_anchor', anchorWeek: null } };
  if (anchorWeek > weekId) return { notRated: { code: 'anchor_after_week', anchorWeek } };
  const anchorValue = withCurrent.find((p) => p.weekId === anchorWeek)?.value ?? null;
  if (anchorValue === null) return { notRated: { code: 'no_anchor', anchorWeek } };

  const anchor = parseWeekId(anchorWeek);
  const span = weeksBetween(anchor, week);
  const shown = Math.min(span, TRAJECTORY_CHART_WEEKS - 1);
  const values = new Map(withCurrent.map((p) => [p.weekId, p.value]));
  const points = Array.from({ length: shown + 1 }, (_, i) => {
    const w = addWeeks(week, i - shown);
    const id = formatWeekId(w);
    return { weekId: id, actual: values.get(id) ?? null, target: trajectoryTarget(anchorValue, weeksBetween(anchor, w), targets.ltvDoublingYears) };
  });
  return { trajectory: { anchorWeek, anchorValue, doublingYears: targets.ltvDoublingYears, points } };
}

export function buildScorecard(args: {
  week: IsoWeek;
  kpis: readonly Kpi[];
  history: KpiHistory;
  headlineMethod: ClvMethod;
  targets: Config['targets'];
}): { scorecard: Scorecard; trajectory: Trajectory | null } {
  const { week, kpis, history, targets } = args;
  const seriesOf = (key: KpiKey): readonly HistoryPoint[] => history.get(key === 'headline_clv' ? headlineHistoryKey(args.headlineMethod) : key) ?? [];
  const headline = kpis.find((k) => k.key === 'headline_clv');
  const trajectoryOutcome = buildTrajectory({ week, current: headline?.value ?? null, series: seriesOf('headline_clv'), targets });

  const lineOf = (key: KpiKey): ScorecardLine => {
    const kpi = kpis.find((k) => k.key === key);
    if (!kpi) throw new Error(`the scorecard needs the KPI ${key}, which this run did not compute`);
    const direction = GOOD_DIRECTION[key];
    if (!direction) throw new Error(`GOOD_DIRECTION in functions/kpi/scorecard.ts has no direction for ${key}`);
    const series = seriesOf(key);
    const line = { ...kpi, direction, wow: weekOverWeek(kpi.value, week, series), baseline: trailingBaseline(week, series) };
    const judged = judge(key, kpi.value, direction, line.baseline, trajectoryOutcome, targets);
    return { ...line, ...judged };
  };

  const stages = STAGES.map((s) => {
    const lines = s.kpis.map(lineOf);
    return { stage: s.stage, key: s.key, status: worstStatus(lines.map((l) => l.status)), lines };
  });
  return {
    scorecard: { stages, status: worstStatus(stages.map((s) => s.status)) },
    trajectory: 'trajectory' in trajectoryOutcome ? trajectoryOutcome.trajectory : null,
  };
}

type Judged = Pick<ScorecardLine, 'reference' | 'gap' | 'status' | 'notRated'>;

function judge(
  key: KpiKey,
  value: number | null,
  direction: Direction,
  baseline: TrailingBaseline,
  trajectory: ReturnType<typeof buildTrajectory>,
  targets: Config['targets'],
): Judged {
  const ref = referenceOf(key, baseline, trajectory, targets);
  if (value === null) return { reference: ref.reference, gap: null, status: 'not_rated', notRated: { code: 'no_value' } };
  if ('notRated' in ref) return { reference: ref.reference, gap: null, status: 'not_rated', notRated: ref.notRated };
  const shortfall = direction === 'higher' ? ref.reference.value - value : value - ref.reference.value;
  const gap = ratio(shortfall, Math.abs(ref.reference.value), 'the reference is 0').value;
  if (gap === null) return { reference: ref.reference, gap: null, status: 'not_rated', notRated: { code: 'zero_reference' } };
  return { reference: ref.reference, gap, status: statusOfGap(gap, ref.bands) };
}

function referenceOf(
  key: KpiKey,
  baseline: TrailingBaseline,
  trajectory: ReturnType<typeof buildTrajectory>,
  targets: Config['targets'],
): { reference: Reference; bands: Bands } | { reference: Reference | null; notRated: NotRatedReason } {
  switch (key) {
    case 'headline_clv': {
      if ('notRated' in trajectory) return { reference: null, notRated: trajectory.notRated };
      const t = trajectory.trajectory;
      const reference: Reference = { kind: 'trajectory', value: t.points.at(-1)!.target, anchorWeek: t.anchorWeek, anchorValue: t.anchorValue, doublingYears: t.doublingYears };
      // The anchor week meets its own target by definition; rating it would say nothing.
      if (t.points.length === 1) return { reference, notRated: { code: 'anchor_week' } };
      return { reference, bands: STATUS_RULE.target };
    }
    case 'ltv_to_cac':
      return { reference: { kind: 'target', comparison: 'at_least', value: targets.ltvToCac, setting: 'targets.ltvToCac' }, bands: STATUS_RULE.target };
    case 'cac_payback_months':
      return { reference: { kind: 'target', comparison: 'at_most', value: targets.paybackMonths, setting: 'targets.paybackMonths' }, bands: STATUS_RULE.target };
    case 'data_freshness_days':
      return { reference: { kind: 'target', comparison: 'at_most', value: STALE_AFTER_DAYS, setting: null }, bands: STATUS_RULE.freshness };
    default: {
      if (baseline.value === null || baseline.weeks < STATUS_RULE.minBaselineWeeks) {
        const reference: Reference | null = baseline.value === null ? null : { kind: 'baseline', value: baseline.value, weeks: baseline.weeks };
        return { reference, notRated: { code: 'short_history', weeks: baseline.weeks, needed: STATUS_RULE.minBaselineWeeks } };
      }
      return { reference: { kind: 'baseline', value: baseline.value, weeks: baseline.weeks }, bands: STATUS_RULE.baseline };
    }
  }
}
