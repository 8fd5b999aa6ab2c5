// Every word the e-mail shows, per locale. The interface makes a missing translation a type
// error; numbers, dates and currencies are formatted by Intl (functions/report/format.ts), so
// these only arrange already formatted values.
import type { ClvMethod } from '../../config/schema.ts';
import type { StageKey, Status } from '../../kpi/scorecard.ts';
import type { ValueSetting } from '../../kpi/valueSettings.ts';
import type { KpiKey } from '../../kpi/weeklyKpis.ts';
import type { DriverFactor } from '../../kpi/clvDrivers.ts';
import type { MoverKind } from '../../kpi/queryRows.ts';
import type { Forecaster } from '../../clv/card/modelCard.ts';

export interface Messages {
  kpi: Record<KpiKey, string>;
  method: Record<ClvMethod, string>;
  stage: Record<StageKey, { name: string; aim: string }>;
  status: Record<Status, string>;
  units: { months: string; days: string; percentagePoints: string };
  subject: {
    /** "Off track · CLV $964 (−0.8%) · Nov 23–29": the verdict, the headline and the week. */
    line(status: string, headline: string, wow: string | null, days: string): string;
    /** The subject's status word when the run cannot vouch for the week's data. */
    incomplete: string;
    samplePrefix: string;
  };
  header(weekId: string, range: string, timeZone: string): string;
  banner: string;
  /** The banner of a report built on the generated sample data set. */
  sample: { banner: string; text(endDate: string): string };
  /** Comparisons restart when the latest week of history was computed with other settings. */
  settingsChanged: {
    /** `changes`: "report currency USD → KRW, gross margin 100% → 62%". */
    note(changes: string): string;
    /** The history was written before settings were recorded with it. */
    unrecorded: string;
    names: Record<ValueSetting, string>;
  };
  staleness: {
    missingTables(tables: string): string;
    /** Orders exports were ingested and hold no order. */
    noOrders: string;
    stale(latest: string, days: string, weekId: string): string;
    unconvertedOrders(share: string, days: number, currency: string): string;
    unconvertedSpend(share: string, currency: string): string;
  };
  headline: {
    vsLastWeek: string;
    noPrevious(weekId: string): string;
    /** The headline's trailing mean against this week's doubling target. */
    vsTrajectory(smoothed: string, weeks: number, target: string, gap: string, above: boolean): string;
    /** After vsTrajectory when the CLV has an interval: how the status was judged. */
    judgedOnInterval: string;
    incomplete: string;
  };
  verdict: {
    noHeadline(flags: string): string;
    /** Most KPIs lack the history to be rated (STATUS_RULE): no overall status yet. */
    notRatedYet(unrated: number, total: number): string;
    /** No KPI could be compared with a reference, for reasons other than history. */
    nothingRated: string;
    /** The data is incomplete: no status is given. */
    incompleteData: string;
    onTrack: string;
    /** `shortfall` is written in the KPI's unit (gapBehind's words), e.g. "0.4 pp below its 13-week baseline". */
    issues(status: string, offTrack: number, atRisk: number, rated: number, worstKpi: string, worstStage: string, shortfall: string): string;
    trajectory(gap: string, above: boolean): string;
    shortHistory(unrated: number, total: number): string;
  };
  sections: {
    tiles: string;
    /** Rows accepted, model accuracy, rule counts and run cost: what the data team checks. */
    dataTeam: string;
    scorecard: string;
    trajectory: string;
    cohorts: string;
    rfm: string;
    channels: string;
    methods: string;
  };
  scorecard: {
    stageLabel(stage: number, name: string): string;
    wow: string;
    baseline(weeks: number): string;
    targetAtLeast(value: string): string;
    targetAtMost(value: string): string;
    trajectoryTarget(value: string, weeks: number, smoothed: string): string;
    /** How far a KPI misses its reference, in the KPI's unit: `amount` is "0.4 pp", "3.5 days" or "4.3%". */
    gapBehind(amount: string, reference: 'target' | 'baseline' | 'trajectory', worse: 'below' | 'above'): string;
    /** How far the KPI usually moves in a week, e.g. "±1.2%". */
    usual(range: string): string;
    notRated: {
      shortHistory(weeks: number, needed: number): string;
      zeroReference: string;
      anchorWeek: string;
      noAnchor(weekId: string | null): string;
      anchorAfterWeek(weekId: string): string;
    };
    rule: string;
    attachment: string;
    /** The stage's data checks shown in the data team's section, not under the stage. */
    dataTeamLines(count: number): string;
  };
  trajectory: {
    legendActual(method: string): string;
    legendSmoothed(weeks: number): string;
    targetColumn: string;
    legendTarget(years: number, anchorWeek: string, anchorValue: string, weeks: number): string;
    summary(current: string, weeks: number, smoothed: string, target: string, gap: string, above: boolean): string;
    alt(fromWeek: string, toWeek: string, current: string, target: string): string;
    missing(reason: string): string;
  };
  cohorts: {
    caption: string;
    inProgress: string;
    /** The HTML table's months; the plain text has all of them. */
    tableMonths(months: string): string;
    cohort: string;
    size: string;
    alt(first: string, last: string, monthOneRange: string): string;
    none: string;
  };
  rfm: {
    caption: string;
    segment: string;
    customers: string;
    revenue: string;
    clv: string;
    clvNote: string;
    movements: string;
    noMovements: string;
    movement(from: string, to: string, customers: string): string;
    newToWindow: string;
    leftWindow: string;
  };
  channels: { channel: string; newCustomers: string; spend: string; cac: string; noSpend: string };
  methods: {
    method: string;
    value: string;
    headline: string;
    accuracy(a: { model: string; cutoff: string; weeks: number; mae: string; rmse: string; customers: string; predicted: string; actual: string; relative: string }): string;
    accuracyMissing(guard: string, model: string): string;
    /** A CLV's 95% interval beside it, and what it measures. */
    interval(low: string, high: string): string;
    intervalBasis: string;
    /** Which purchase model the predictive CLV uses, under its meaning. */
    purchaseModel(label: string): string;
    /** The sBG holdout: subscribers predicted to still pay in the held-out months against those who did. */
    survivalAccuracy(a: { months: number; from: string; subscribers: string; predicted: string; actual: string; relative: string; mape: string }): string;
    survivalAccuracyMissing(guard: string): string;
  };
  /** The model report card (docs/metrics.md, "Model report card"). */
  card: {
    title: string;
    /** The model and the two simple rules, as the card's columns and sentences name them. */
    forecaster(f: Forecaster, hiatusDays: number, model: string): string;
    metricColumn: string;
    metric: { mae: string; rmse: string; totalError: string; gini: string; spearman: string; decileMape: string; brier: string };
    /** Which way is better, under the table. */
    reading: string;
    /** The executive sentence: "Over the last 13 weeks the model forecast purchases 16% closer per customer than the better simple rule (…)". */
    modelWins(weeks: number, closer: string, rule: string): string;
    ruleWins(weeks: number, closer: string, rule: string): string;
    /** Who tells active from lapsed customers better, and what P(alive) is not. */
    activity(winner: string, winnerBrier: string, loser: string, loserBrier: string, weeks: number): string;
    /** The model's P(alive) in bands against the share who bought. */
    reliabilityTitle: string;
    band: string;
    meanPAlive: string;
    bought: string;
    customers: string;
    decilesTitle: string;
    decile: string;
    predicted: string;
    actual: string;
    trackingTitle: string;
    trackingLegendModel: string;
    trackingLegendActual: string;
    trackingAlt(weeks: number, predicted: string, actual: string): string;
    trackingMissing(guard: string): string;
    missing(guard: string): string;
    /** "Model choice (lowest holdout MAE): BG/NBD 0.50, MBG/NBD 0.51, Pareto/NBD not fitted. The CLV uses BG/NBD." */
    choice(candidates: string, used: string, winner: string | null): string;
    candidate(label: string, mae: string): string;
    notFitted(label: string): string;
    sampled(customers: string): string;
  };
  quality: {
    table: string;
    rowsRead: string;
    accepted: string;
    rejected: string;
    /** Rows a later line of the same export replaced. */
    superseded: string;
    latestOrder(at: string): string;
    noOrders: string;
    rejectedByRule: string;
    excluded(count: string, what: string, why: string): string;
    nothingExcluded: string;
    excludedOrders(count: number): string;
    excludedSpend(count: number): string;
    noFxRate: string;
  };
  footer: {
    amounts(currency: string, margin: string, revenueBased: boolean): string;
    windows: string;
    /** Where the definitions are, without a documentation URL configured. */
    definitions: string;
    /** The footer's link text when report.docsUrl is set. */
    definitionsLink: string;
    timeZone(zone: string): string;
    cost(bytes: string, queries: number, usd: string): string;
  };
  /** The subscription revenue section: MRR, ARR and the last complete month's bridge. */
  subscriptionRevenue: {
    title: string;
    mrr: string;
    arr: string;
    /** `month` is YYYY-MM; `atRates`: opening and closing at month-end exchange rates, else at booked rates. */
    month(month: string, atRates: boolean): string;
    opening: string;
    new: string;
    expansion: string;
    reactivation: string;
    contraction: string;
    churned: string;
    fxEffect: string;
    closing: string;
    unknown: string;
    /** The month's change, and how much of it the movements made in constant currency. */
    change(change: string, netNew: string): string;
    /** `subscriptions`: how many lack a rate at this month's end, or null when the month before's end lacks one. */
    fxUnknown(subscriptions: string | null): string;
    constantCurrency: string;
    unconverted(subscriptions: string): string;
    noMonth: string;
  };
  /** The two lines of business apart. */
  lines: {
    title: string;
    subscriptions: string;
    purchases: string;
    figure: string;
    value: string;
    change: string;
    noSubscriptions: string;
    noPurchases: string;
    /** `blends`: "Headline CLV $250.00, ARPU (monthly) $22.59". */
    blends(blends: string): string;
  };
  csv: { filename(weekId: string): string };
  movers: {
    title: string;
    subscribers: string;
    slipped: string;
    kind: Record<MoverKind, string>;
    subscriberColumn: string;
    customerColumn: string;
    mrrColumn: string;
    changeColumn: string;
    segmentColumn: string;
    clvColumn: string;
    monetaryColumn: string;
    /** A hidden id's stand-in: the place in its list. */
    subscriber(place: number): string;
    customer(place: number): string;
    noSubscribers: string;
    noSlips: string;
    byClv: string;
    byMonetary: string;
    idsHidden: string;
  };
  trend: {
    wow: string;
    fourWeeks: string;
    thirteenWeeks: string;
    /** The sparkline's alt text and its plain-text line: the numbers it draws. */
    sparkline(weeks: number, first: string, last: string, low: string, high: string): string;
  };
  drivers: {
    factor: Record<DriverFactor, string>;
    /** "SaaS CLV +2.1% since last week: ARPU +3.0%, customer lifetime −0.9%; margin unchanged." */
    sentence(method: string, change: string, parts: string): string;
    part(factor: string, change: string): string;
    unchanged(factor: string): string;
  };
  /** Next to LTV:CAC and payback while grossMargin is 1. */
  revenueBased: string;
  /** What each CLV method means, one line each, so a spread between methods reads as their difference. */
  methodMeaning: Record<ClvMethod, string>;
  /** Names of ingest's rejection rules; an unnamed rule shows its id. */
  rules: Partial<Record<string, string>>;

}
