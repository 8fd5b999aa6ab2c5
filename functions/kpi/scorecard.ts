// The five-stage scorecard (docs/metrics.md, "Scorecard"): each stage's KPIs with the week's
// value, the change from the week before and how far a week usually moves, the trailing 13-week
// baseline, the reference they are judged against and a status; a stage takes the worst status
// of its KPIs unless most of them still lack history. Pure: history comes in as values read from
// kpi_history, so the same lake gives the same scorecard.
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
 * - Against its own trailing baseline: on track up to 5% worse, or up to the KPI's usual weekly
 *   move when that is wider (an ordinary week is not news), at risk up to 10 points beyond that,
 *   off track beyond. A baseline needs 4 weeks of history.
 * - Freshness is on or off: data more than a day old is stale (the e-mail's banner rule).
 * - A stage, and the scorecard, whose KPIs would all be on track while more than half of them
 *   lack the history to be rated is "not rated" yet: three rated KPIs do not make 19 on track.
 */
export const STATUS_RULE = {
  target: { onTrackWithin: 0, atRiskWithin: 0.1 },
  baseline: { onTrackWithin: 0.05, atRiskWithin: 0.15 },
  freshness: { onTrackWithin: 0, atRiskWithin: 0 },
  baselineWeeks: 13,
  minBaselineWeeks: 4,
  /** Week-to-week changes the usual move is the median of, at the least. */
  minUsualChanges: 3,
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

/**
 * How far the KPI usually moves in a week: the median size of its week-to-week changes over the
 * 13 weeks before the report week. A median, not a standard deviation, so one wild week does not
 * widen it.
 */
export interface UsualMove {
  change: number;
  /** Median of |change / previous| over the changes whose previous is not 0; null without any. */
  relativeChange: number | null;
  /** This week's change is no larger than the usual move: ordinary movement, shown as no news. */
  ordinary: boolean;
}

export interface TrailingBaseline {
  /** Mean of the values in the 13 weeks before the report week; null without any. */
  value: number | null;
  /** How many of those weeks had a value. */
  weeks: number;
}

export type Reference =
  | { kind: 'target'; comparison: 'at_least' | 'at_most'; value: number; /** Configuration setting, when it is one. */ setting: string | null }
  | {
      kind: 'trajectory';
      /** The doubling target for this week's trailing mean. */
      value: number;
      /** What is compared with it: the mean headline of the `weeks` weeks ending with this one. */
      smoothed: number;
      weeks: number;
      anchorWeek: string;
      anchorValue: number;
      doublingYears: number;
      /**
       * The headline CLV's 95% interval relative to its value (docs/metrics.md, "Uncertainty"),
       * when it has one: the status is then judged at both ends (judge).
       */
      uncertainty?: { below: number; above: number };
    }
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
  /** Null with fewer than STATUS_RULE.minUsualChanges week-to-week changes in the history. */
  usual: UsualMove | null;
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
  /** The worst status over the KPIs; not rated while most of them lack history (STATUS_RULE). */
  status: Status;
  /**
   * KPIs not rated for lack of history, and the weeks whose history would rate them (the ones
   * `ltv backfill` computes); null when none lacks history. For the engineer, not the e-mail.
   */
  shortHistory: { kpis: number; from: string; to: string } | null;
}

export interface Trajectory {
  anchorWeek: string;
  /** The mean headline CLV of the `anchorWeeks` weeks ending with the anchor week. */
  anchorValue: number;
  anchorWeeks: number;
  doublingYears: number;
  /** One point per week from the start of the anchor's window (at most a year back) to the report week. */
  points: {
    weekId: string;
    actual: number | null;
    /** Mean of the values of the `anchorWeeks` weeks ending here; null while fewer than the minimum have one. */
    smoothed: number | null;
    target: number;
  }[];
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
  return changeOverWeeks(current, week, series, 1);
}

/** The change since `weeks` weeks before `week`: a single week's change is mostly noise, 4 and 13 weeks show the trend. */
export function changeOverWeeks(current: number | null, week: IsoWeek, series: readonly HistoryPoint[], weeks: number): WeekOverWeek {
  const previousWeekId = formatWeekId(addWeeks(week, -weeks));
  const previous = series.find((p) => p.weekId === previousWeekId)?.value ?? null;
  if (current === null || previous === null) return { previousWeekId, previous, change: null, relativeChange: null };
  const change = current - previous;
  return { previousWeekId, previous, change, relativeChange: ratio(change, Math.abs(previous), 'previous is 0').value };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * The usual week-to-week move over the 13 weeks before `week`, and whether this week's change
 * is inside it. Rates are compared in points and everything else relatively, as the e-mail
 * shows them (Formatter.change).
 */
export function usualMove(wow: WeekOverWeek, unit: Kpi['unit'], week: IsoWeek, series: readonly HistoryPoint[]): UsualMove | null {
  const values = new Map(series.map((p) => [p.weekId, p.value]));
  const changes: { change: number; relative: number | null }[] = [];
  for (let back = STATUS_RULE.baselineWeeks; back >= 2; back--) {
    const before = values.get(formatWeekId(addWeeks(week, -back))) ?? null;
    const after = values.get(formatWeekId(addWeeks(week, 1 - back))) ?? null;
    if (before === null || after === null) continue;
    changes.push({ change: Math.abs(after - before), relative: before === 0 ? null : Math.abs(after - before) / Math.abs(before) });
  }
  if (changes.length < STATUS_RULE.minUsualChanges) return null;
  const relatives = changes.flatMap((c) => (c.relative === null ? [] : [c.relative]));
  const usual = { change: median(changes.map((c) => c.change)), relativeChange: relatives.length === 0 ? null : median(relatives) };
  const relative = unit !== 'ratio' && wow.relativeChange !== null && usual.relativeChange !== null;
  const ordinary = wow.change !== null && (relative ? Math.abs(wow.relativeChange!) <= usual.relativeChange! + GAP_TOLERANCE : Math.abs(wow.change) <= usual.change + GAP_TOLERANCE);
  return { ...usual, ordinary };
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

/** Not rated because the history is too short to judge it yet (a backfill would rate it). */
export function lacksHistory(line: Pick<ScorecardLine, 'notRated'>): boolean {
  return line.notRated?.code === 'short_history' || line.notRated?.code === 'anchor_week';
}

/** The worst status of the lines, except that "on track" from a minority of them is "not rated" yet. */
export function statusOfLines(lines: readonly Pick<ScorecardLine, 'status' | 'notRated'>[]): Status {
  const worst = worstStatus(lines.map((l) => l.status));
  return worst === 'on_track' && lines.filter(lacksHistory).length * 2 > lines.length ? 'not_rated' : worst;
}

/** Mean of the values of the `weeks` weeks ending with `end`, and how many had one. */
function trailingMean(values: ReadonlyMap<string, number | null>, end: IsoWeek, weeks: number): { mean: number | null; count: number } {
  const found = Array.from({ length: weeks }, (_, i) => values.get(formatWeekId(addWeeks(end, -i))) ?? null).filter((v): v is number => v !== null);
  return { mean: found.length === 0 ? null : found.reduce((a, b) => a + b, 0) / found.length, count: found.length };
}

/**
 * The doubling trajectory, anchored on a trailing mean so that no single noisy week sets it:
 * the anchor is the mean headline of the `targets.anchorWeeks` weeks ending with the anchor week
 * (`targets.baselineWeek`, or the first week whose window lies wholly within the history), and
 * this week is judged by the mean of the same number of weeks ending with it, like for like.
 */
export function buildTrajectory(args: {
  week: IsoWeek;
  current: number | null;
  series: readonly HistoryPoint[];
  targets: Config['targets'];
}): { trajectory: Trajectory; smoothed: number | null } | { notRated: NotRatedReason } {
  const { week, current, series, targets } = args;
  const weekId = formatWeekId(week);
  const window = targets.anchorWeeks;
  const needed = Math.min(window, STATUS_RULE.minBaselineWeeks);
  const withCurrent: HistoryPoint[] = [...series.filter((p) => p.weekId < weekId), { weekId, value: current }];
  const values = new Map(withCurrent.map((p) => [p.weekId, p.value]));
  const firstWeek = withCurrent.find((p) => p.value !== null)?.weekId ?? null;
  if (targets.baselineWeek === undefined && firstWeek === null) return { notRated: { code: 'no_anchor', anchorWeek: null } };
  const anchorWeek = targets.baselineWeek ?? formatWeekId(addWeeks(parseWeekId(firstWeek!), window - 1));
  if (anchorWeek > weekId) {
    if (targets.baselineWeek !== undefined) return { notRated: { code: 'anchor_after_week', anchorWeek } };
    return { notRated: { code: 'short_history', weeks: withCurrent.filter((p) => p.value !== null).length, needed: window } };
  }
  const anchor = parseWeekId(anchorWeek);
  const anchored = trailingMean(values, anchor, window);
  if (anchored.mean === null) return { notRated: { code: 'no_anchor', anchorWeek } };
  if (anchored.count < needed) return { notRated: { code: 'short_history', weeks: anchored.count, needed } };
  const anchorValue = anchored.mean;

  const span = weeksBetween(anchor, week) + window - 1;
  const shown = Math.min(span, TRAJECTORY_CHART_WEEKS - 1);
  const points = Array.from({ length: shown + 1 }, (_, i) => {
    const w = addWeeks(week, i - shown);
    const id = formatWeekId(w);
    const smoothed = trailingMean(values, w, window);
    return {
      weekId: id,
      actual: values.get(id) ?? null,
      smoothed: smoothed.count >= needed ? smoothed.mean : null,
      target: trajectoryTarget(anchorValue, weeksBetween(anchor, w), targets.ltvDoublingYears),
    };
  });
  const smoothed = current === null ? null : points.at(-1)!.smoothed;
  return { trajectory: { anchorWeek, anchorValue, anchorWeeks: window, doublingYears: targets.ltvDoublingYears, points }, smoothed };
}

export function buildScorecard(args: {
  week: IsoWeek;
  kpis: readonly Kpi[];
  history: KpiHistory;
  headlineMethod: ClvMethod;
  targets: Config['targets'];
  /** The headline CLV's 95% interval, when its method has one. */
  headlineInterval?: { low: number; high: number };
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
    const wow = weekOverWeek(kpi.value, week, series);
    const line = { ...kpi, direction, wow, usual: usualMove(wow, kpi.unit, week, series), baseline: trailingBaseline(week, series) };
    const judged = judge(key, kpi.value, direction, line, trajectoryOutcome, targets, key === 'headline_clv' ? uncertaintyOf(kpi.value, args.headlineInterval) : undefined);
    return { ...line, ...judged };
  };

  const stages = STAGES.map((s) => {
    const lines = s.kpis.map(lineOf);
    return { stage: s.stage, key: s.key, status: statusOfLines(lines), lines };
  });
  const lines = stages.flatMap((s) => s.lines);
  const lacking = lines.filter(lacksHistory).length;
  const historyWeeks = Math.max(STATUS_RULE.baselineWeeks, targets.anchorWeeks);
  return {
    scorecard: {
      stages,
      status: statusOfLines(lines),
      shortHistory: lacking === 0 ? null : { kpis: lacking, from: formatWeekId(addWeeks(week, -historyWeeks)), to: formatWeekId(addWeeks(week, -1)) },
    },
    trajectory: 'trajectory' in trajectoryOutcome ? trajectoryOutcome.trajectory : null,
  };
}

type Judged = Pick<ScorecardLine, 'reference' | 'gap' | 'status' | 'notRated'>;

/** The interval's ends as shares of the value below and above it. */
function uncertaintyOf(value: number | null, interval: { low: number; high: number } | undefined): { below: number; above: number } | undefined {
  if (!interval || value === null || !(value > 0)) return undefined;
  return { below: (value - interval.low) / value, above: (interval.high - value) / value };
}

function judge(
  key: KpiKey,
  value: number | null,
  direction: Direction,
  line: Pick<ScorecardLine, 'baseline' | 'usual'>,
  trajectory: ReturnType<typeof buildTrajectory>,
  targets: Config['targets'],
  uncertainty?: { below: number; above: number },
): Judged {
  const ref = referenceOf(key, line, trajectory, targets);
  if (value === null) return { reference: ref.reference, gap: null, status: 'not_rated', notRated: { code: 'no_value' } };
  if ('notRated' in ref) return { reference: ref.reference, gap: null, status: 'not_rated', notRated: ref.notRated };
  const judged = ref.reference.kind === 'trajectory' ? ref.reference.smoothed : value;
  const shortfall = direction === 'higher' ? ref.reference.value - judged : judged - ref.reference.value;
  const gap = ratio(shortfall, Math.abs(ref.reference.value), 'the reference is 0').value;
  if (gap === null) return { reference: ref.reference, gap: null, status: 'not_rated', notRated: { code: 'zero_reference' } };
  if (ref.reference.kind === 'trajectory' && uncertainty) {
    // The parameters the trailing mean was scored with are as uncertain as this week's (the
    // same data, most of it): on track only if the interval's low end is, off track only if
    // even its high end is; between, at risk.
    const reference = { ...ref.reference, uncertainty };
    const scale = judged / Math.abs(ref.reference.value);
    const atLow = statusOfGap(gap + uncertainty.below * scale, ref.bands);
    const atHigh = statusOfGap(gap - uncertainty.above * scale, ref.bands);
    const status = atLow === 'on_track' ? 'on_track' : atHigh === 'off_track' ? 'off_track' : 'at_risk';
    return { reference, gap, status };
  }
  return { reference: ref.reference, gap, status: statusOfGap(gap, ref.bands) };
}

/** The baseline bands, the on-track band widened to the KPI's usual weekly move relative to its baseline. */
function baselineBands(baseline: number, usual: UsualMove | null): Bands {
  const { onTrackWithin, atRiskWithin } = STATUS_RULE.baseline;
  const ordinary = usual === null || baseline === 0 ? 0 : usual.change / Math.abs(baseline);
  const onTrack = Math.max(onTrackWithin, ordinary);
  return { onTrackWithin: onTrack, atRiskWithin: onTrack + (atRiskWithin - onTrackWithin) };
}

function referenceOf(
  key: KpiKey,
  line: Pick<ScorecardLine, 'baseline' | 'usual'>,
  trajectory: ReturnType<typeof buildTrajectory>,
  targets: Config['targets'],
): { reference: Reference; bands: Bands } | { reference: Reference | null; notRated: NotRatedReason } {
  const { baseline } = line;
  switch (key) {
    case 'headline_clv': {
      if ('notRated' in trajectory) return { reference: null, notRated: trajectory.notRated };
      const t = trajectory.trajectory;
      if (trajectory.smoothed === null) return { reference: null, notRated: { code: 'no_value' } };
      const reference: Reference = {
        kind: 'trajectory',
        value: t.points.at(-1)!.target,
        smoothed: trajectory.smoothed,
        weeks: t.anchorWeeks,
        anchorWeek: t.anchorWeek,
        anchorValue: t.anchorValue,
        doublingYears: t.doublingYears,
      };
      // The anchor week meets its own target by definition; rating it would say nothing.
      if (t.anchorWeek === t.points.at(-1)!.weekId) return { reference, notRated: { code: 'anchor_week' } };
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
      return { reference: { kind: 'baseline', value: baseline.value, weeks: baseline.weeks }, bands: baselineBands(baseline.value, line.usual) };
    }
  }
}
