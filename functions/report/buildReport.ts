// Assembles the Report object of one locale from the week's facts: KPIs, their history, the
// scorecard, cohorts, segments and the ingest manifests. The numbers are the same for every
// locale; only the sentences differ.
import type { Config } from '../config/schema.ts';
import { athenaCostUsd } from '../engine/athenaEngine.ts';
import type { QueryStats } from '../engine/queryEngine.ts';
import type { RfmScoreRow, SubscriptionMoverRow } from '../kpi/queryRows.ts';
import { clvDrivers, DRIVER_INPUTS, type ClvDrivers } from '../kpi/clvDrivers.ts';
import { buildScorecard, GOOD_DIRECTION, scorecardHistoryKeys, type Direction, type KpiHistory } from '../kpi/scorecard.ts';
import { segmentClv, segmentMovements } from '../kpi/segments.ts';
import type { StageInputs } from '../kpi/stageKpis.ts';
import type { SettingsChange, ValueSetting } from '../kpi/valueSettings.ts';
import { RATE_WINDOW_DAYS, type Kpi, type KpiKey, type WeeklyInputs, type WeeklyKpis } from '../kpi/weeklyKpis.ts';
import { moneyToNumber } from '../money/decimal.ts';
import { addWeeks, formatWeekId, parseWeekId, shiftCivilDays, startOfCivilDay, type WeekBounds } from '../time/isoWeek.ts';
import type { SampleOrigin } from '../sample/sampleOrigin.ts';
import { assessCompleteness, type IncompleteReason } from './completeness.ts';
import type { IngestSummary } from './dataQuality.ts';
import { formatter, type Formatter } from './format.ts';
import { kpiTile } from './kpiTile.ts';
import { MESSAGES } from './labels.ts';
import { moversOf } from './movers.ts';
import { businessLines, LINE_DIRECTION } from './lines.ts';
import type { Messages } from './messages/messages.ts';
import type { Report, ReportCohorts, ReportContractualClv, ReportDataQuality, ReportLocale, ReportPredictiveClv, ReportRfm, ReportRunCost, ReportTile } from './report.ts';
import { subscriptionRevenueOf } from './subscriptionRevenue.ts';
import { verdictOf } from './verdict.ts';

/** The KPI tiles under the headline, in order. */
export const TILE_KPIS: readonly KpiKey[] = ['net_revenue', 'active_customers', 'new_customers', 'churn_rate', 'arpu_monthly', 'aov', 'cac', 'ltv_to_cac'];

/** Each line of business's figures, shown apart (docs/metrics.md, "Two populations"). */
export const LINE_KPIS = {
  subscriptions: ['subscribers', 'mrr', 'subscriber_arpu_monthly', 'subscriber_monthly_churn', 'subscriber_clv'],
  purchases: ['purchasers', 'purchaser_revenue', 'purchaser_aov', 'purchaser_monthly_churn', 'clv_purchase'],
} as const satisfies Record<string, readonly KpiKey[]>;

/** What the formula CLVs' drivers are computed from, this week and the week before. */
const DRIVER_KPIS: readonly KpiKey[] = Object.values(DRIVER_INPUTS).flatMap((d) => [d.clv, ...Object.values(d.factors)]);

/** Every KPI whose history the report reads: the scorecard's, the tiles', the lines' and the drivers'. */
export function reportHistoryKeys(headlineMethod: Config['headlineClvMethod']): KpiKey[] {
  return [...new Set([...scorecardHistoryKeys(headlineMethod), ...TILE_KPIS, ...LINE_KPIS.subscriptions, ...LINE_KPIS.purchases, ...DRIVER_KPIS])];
}

const COHORTS_SHOWN = 12;
const MOVEMENTS_SHOWN = 5;

/** Everything a report is built from; the same for every locale of the week. */
export interface WeekFacts {
  config: Config;
  week: WeekBounds;
  inputs: WeeklyInputs;
  weekly: WeeklyKpis;
  /** The weekly KPIs followed by the scorecard's further ones (functions/kpi/stageKpis.ts). */
  kpis: Kpi[];
  /** kpi_history values of the weeks before this one, computed with this run's settings. */
  history: KpiHistory;
  /** The latest week of history was computed with other settings: comparisons restart this week. */
  settingsChange: SettingsChange | null;
  stage: StageInputs;
  /** RFM scores at this week's end and at the previous week's end. */
  rfmScores: { current: RfmScoreRow[]; previous: RfmScoreRow[] };
  /** The week's largest MRR moves of each kind (queries/subscription_movers.sql). */
  movers: SubscriptionMoverRow[];
  /** The predictive CLV of each scored customer (empty when the model was not fitted). */
  clvByCustomer: ReadonlyMap<string, number>;
  ingest: IngestSummary;
  /** What generated the lake, when it is the sample data set. */
  sample: SampleOrigin | null;
  predictive: ReportPredictiveClv;
  contractual: ReportContractualClv | null;
  queries: QueryStats[];
}

export function buildReport(facts: WeekFacts, locale: ReportLocale): Report {
  const { config, week, weekly, kpis, history } = facts;
  const m = MESSAGES[locale];
  const fmt = formatter(locale, config.reportCurrency, config.timeZone);
  const isoWeek = parseWeekId(week.id);
  const headlineResult = weekly.clv.find((c) => c.method === config.headlineClvMethod);
  const { scorecard, trajectory } = buildScorecard({
    week: isoWeek,
    kpis,
    history,
    headlineMethod: config.headlineClvMethod,
    targets: config.targets,
    ...(headlineResult?.interval ? { headlineInterval: headlineResult.interval } : {}),
  });
  const headlineLine = scorecard.stages.flatMap((s) => s.lines).find((l) => l.key === 'headline_clv')!;
  const kpi = (key: KpiKey): Kpi => {
    const found = kpis.find((k) => k.key === key);
    if (!found) throw new Error(`the report needs the KPI ${key}, which this run did not compute`);
    return found;
  };
  const tile = (key: KpiKey, direction: Direction | null): ReportTile => kpiTile(kpi(key), direction, isoWeek, history);
  const quality = dataQuality(facts, m, fmt);
  const previousWeekId = formatWeekId(addWeeks(isoWeek, -1));
  const drivers = (method: ClvDrivers['method']) =>
    clvDrivers(method, (key) => ({ current: kpi(key).value, previous: history.get(key)?.find((p) => p.weekId === previousWeekId)?.value ?? null }), config.grossMargin, previousWeekId);

  return {
    schemaVersion: 2,
    product: 'ltv-pulse',
    week: { id: week.id, start: week.start.toISOString(), end: week.end.toISOString(), timeZone: config.timeZone },
    currency: config.reportCurrency,
    locale,
    grossMargin: config.grossMargin,
    docsUrl: config.report.docsUrl ?? null,
    sample: facts.sample,
    settingsChange: settingsChangeOf(facts.settingsChange, m, fmt),
    headline: { ...weekly.headline, label: m.method[weekly.headline.method], wow: headlineLine.wow, usual: headlineLine.usual },
    // No status for a week the run cannot vouch for; a missing headline says more than that.
    verdict: quality.incomplete.length > 0 && weekly.headline.value !== null ? m.verdict.incompleteData : verdictOf(weekly.headline, scorecard, m, fmt),
    drivers: { saas: drivers('saas'), purchase: drivers('purchase') },
    tiles: TILE_KPIS.map((key) => tile(key, GOOD_DIRECTION[key] ?? null)),
    subscriptionRevenue: subscriptionRevenueOf(facts.stage.mrr, facts.inputs.subscriberMrr, tile('mrr', LINE_DIRECTION.mrr)),
    lines: businessLines({
      subscriptions: LINE_KPIS.subscriptions.map((key) => tile(key, LINE_DIRECTION[key])),
      purchases: LINE_KPIS.purchases.map((key) => tile(key, LINE_DIRECTION[key])),
      populations: weekly.populations,
      headline: weekly.headline,
      arpu: kpi('arpu_monthly'),
    }),
    scorecard,
    trajectory,
    kpis,
    clv: weekly.clv,
    populations: weekly.populations,
    predictiveClv: facts.predictive,
    contractualClv: facts.contractual,
    channels: weekly.channels.map((c) => ({
      channel: c.channel,
      acquiredCustomers: c.acquiredCustomers,
      marketingSpend: c.marketingSpend,
      cac: c.cac.value,
      ...(c.cac.guard ? { guard: c.cac.guard } : {}),
    })),
    cohorts: cohortMatrix(facts.stage, week),
    rfm: rfmSection(facts),
    movers: moversOf({ movers: facts.movers, rfmScores: facts.rfmScores, clvByCustomer: facts.clvByCustomer, customerIds: config.report.customerIds }),
    dataQuality: quality,
    runCost: runCost(facts.queries),
    queries: facts.queries.map((q) => ({ ...q, elapsedMs: Math.round(q.elapsedMs) })),
  };
}

/** Rates read better as percentages: "gross margin 100% → 62%". */
const SHOWN_AS_PERCENT: ReadonlySet<ValueSetting> = new Set(['grossMargin', 'clv.monthlyDiscountRate']);

function settingsChangeOf(change: SettingsChange | null, m: Messages, fmt: Formatter): Report['settingsChange'] {
  if (change === null) return null;
  const shown = (setting: ValueSetting, value: string | number): string => (SHOWN_AS_PERCENT.has(setting) && typeof value === 'number' ? fmt.percent(value) : String(value));
  const unrecorded = change.changes.some((c) => c.from === null);
  const note = unrecorded
    ? m.settingsChanged.unrecorded
    : m.settingsChanged.note(change.changes.map((c) => `${m.settingsChanged.names[c.setting]} ${shown(c.setting, c.from!)} → ${shown(c.setting, c.to)}`).join(', '));
  return { previousWeekId: change.previousWeekId, firstWeekId: change.firstWeekId, changes: change.changes, note };
}

function cohortMatrix(stage: StageInputs, week: WeekBounds): ReportCohorts {
  const byMonth = new Map<string, { size: number; retention: (number | null)[]; cumulative: number[] }>();
  const rows = [...stage.cohortRetention].sort((a, b) => a.cohort_month.localeCompare(b.cohort_month) || a.month_offset - b.month_offset);
  for (const row of rows) {
    const entry = byMonth.get(row.cohort_month) ?? { size: row.cohort_size, retention: [], cumulative: [] };
    entry.retention[row.month_offset] = row.customer_retention;
    entry.cumulative[row.month_offset] = row.cumulative_revenue_per_customer ?? 0;
    byMonth.set(row.cohort_month, entry);
  }
  const cohorts = [...byMonth.entries()].slice(-COHORTS_SHOWN).map(([cohortMonth, e]) => ({
    cohortMonth,
    size: e.size,
    retention: Array.from(e.retention, (v) => v ?? null),
    cumulativeRevenuePerCustomer: Array.from(e.cumulative, (v) => v ?? 0),
  }));
  // The query's last month holds the last instant before the week's end: in progress unless the
  // week ends exactly at a month's start (UTC).
  const end = week.end;
  const endsAtMonthStart = end.getUTCDate() === 1 && end.getTime() % 86_400_000 === 0;
  return { cohorts, lastMonthInProgress: !endsAtMonthStart };
}

function rfmSection(facts: WeekFacts): ReportRfm {
  const clv = segmentClv(facts.rfmScores.current, facts.clvByCustomer);
  return {
    asOf: facts.week.end.toISOString(),
    segments: facts.stage.rfmSegments.map((s) => ({
      segment: s.segment,
      customers: s.customers,
      customerShare: s.customer_share,
      revenue: moneyToNumber(s.revenue),
      revenueShare: s.revenue_share,
      clv: clv.get(s.segment)?.meanClv ?? null,
      scoredCustomers: clv.get(s.segment)?.scored ?? 0,
    })),
    ...(facts.clvByCustomer.size === 0 ? { clvGuard: facts.predictive.flags.join('; ') || 'the predictive model scored no customers' } : {}),
    movements: segmentMovements(facts.rfmScores.previous, facts.rfmScores.current, MOVEMENTS_SHOWN),
  };
}

function dataQuality(facts: WeekFacts, m: Messages, fmt: Formatter): ReportDataQuality {
  const { ingest, inputs, week, config } = facts;
  const excluded: ReportDataQuality['excluded'] = [];
  if (inputs.window.unconverted_orders > 0) excluded.push({ what: m.quality.excludedOrders(inputs.window.unconverted_orders), count: inputs.window.unconverted_orders, why: m.quality.noFxRate });
  const unconvertedSpend = inputs.acquisition.reduce((n, r) => n + r.unconverted_spend_rows, 0);
  if (unconvertedSpend > 0) excluded.push({ what: m.quality.excludedSpend(unconvertedSpend), count: unconvertedSpend, why: m.quality.noFxRate });

  const sampleEnd = facts.sample ? shiftCivilDays(startOfCivilDay(new Date(`${facts.sample.endDate}T00:00:00Z`), config.timeZone), 1, config.timeZone) : null;
  const incomplete = assessCompleteness({ ingest, inputs, weekEnd: week.end, coveredUntil: sampleEnd, settings: config.completeness });
  const sentence = (r: IncompleteReason): string => {
    switch (r.code) {
      case 'missing_tables':
        return m.staleness.missingTables(r.tables.join(', '));
      case 'no_orders':
        return m.staleness.noOrders;
      case 'data_ends_early':
        return m.staleness.stale(fmt.date(r.latestOrderAt), fmt.decimal(r.days), week.id);
      case 'unconverted_orders':
        return m.staleness.unconvertedOrders(fmt.percent(r.share), r.window === 'rate' ? RATE_WINDOW_DAYS : config.activityWindowDays, config.reportCurrency);
      case 'unconverted_spend':
        return m.staleness.unconvertedSpend(fmt.percent(r.share), config.reportCurrency);
    }
  };
  const staleness = incomplete.length === 0 ? null : incomplete.map(sentence).join(' ');
  const { rowsRead, accepted, rejected, superseded, rejectedByRule, perTable, latestOrderAt, missingTables } = ingest;
  return { rowsRead, accepted, rejected, superseded, rejectedByRule, perTable, latestOrderAt, missingTables, excluded, incomplete, staleness };
}

/** Known when every query reports the bytes it scanned, as Athena's do; DuckDB's cost nothing. */
function runCost(queries: readonly QueryStats[]): ReportRunCost | null {
  const scanned = queries.flatMap((q) => (q.bytesScanned === undefined ? [] : [q.bytesScanned]));
  if (queries.length === 0 || scanned.length < queries.length) return null;
  return { queries: queries.length, bytesScanned: scanned.reduce((a, b) => a + b, 0), estimatedUsd: scanned.reduce((a, b) => a + athenaCostUsd(b), 0) };
}
