// A full week's facts without a lake: every section of the e-mail has content, history covers
// the baseline, and users' strings include markup and spreadsheet formulas. Shared by the
// renderer, CSV, chart and layout tests.
import { FIXTURE_ACCURACY, FIXTURE_CARD, FIXTURE_CHOICE } from './modelCardFixture.ts';
import { parseConfig } from '../../functions/config/load.ts';
import type { ConfigInput } from '../../functions/config/schema.ts';
import type { Manifest } from '../../functions/ingest/manifest.ts';
import type { CohortRetentionRow, MrrMovementRow, RfmScoreRow, RfmSegmentRow, SubscriptionMoverRow } from '../../functions/kpi/queryRows.ts';
import type { HistoryPoint } from '../../functions/kpi/scorecard.ts';
import { computeStageKpis, type StageInputs } from '../../functions/kpi/stageKpis.ts';
import { computeWeeklyKpis, type KpiKey, type WeeklyInputs } from '../../functions/kpi/weeklyKpis.ts';
import { buildReport, reportHistoryKeys, type WeekFacts } from '../../functions/report/buildReport.ts';
import { summariseIngest } from '../../functions/report/dataQuality.ts';
import type { Report, ReportContractualClv, ReportLocale, ReportPredictiveClv } from '../../functions/report/report.ts';
import type { SampleOrigin } from '../../functions/sample/sampleOrigin.ts';
import { addWeeks, formatWeekId, parseWeekId, weekBounds } from '../../functions/time/isoWeek.ts';

export const HOSTILE_CHANNEL = '<script>alert("x")</script>';
export const FORMULA_CHANNEL = '=HYPERLINK("http://evil.example","click")';

const money = (units: number): bigint => BigInt(Math.round(units * 10_000));

function cohortRows(): CohortRetentionRow[] {
  const rows: CohortRetentionRow[] = [];
  // 14 cohorts, 2025-10 to 2026-11: the two oldest fall outside the last 12.
  for (let i = 0; i < 14; i++) {
    const y = 2025 + Math.floor((9 + i) / 12);
    const m = ((9 + i) % 12) + 1;
    const month = `${y}-${String(m).padStart(2, '0')}-01`;
    const observed = 14 - i;
    for (let k = 0; k < observed; k++) {
      rows.push({
        cohort_month: month,
        month_offset: k,
        cohort_size: 100 + i,
        active_customers: k === 0 ? 100 + i : 40 - k,
        customer_retention: k === 0 ? 1 : (40 - k) / (100 + i),
        cumulative_revenue_per_customer: 50 + 10 * k,
      });
    }
  }
  return rows;
}

const SEGMENTS = ['Champions', 'Loyal', 'Potential Loyalist', 'New (Recent)', 'Promising', 'Need Attention', 'About to Sleep', 'At Risk', "Can't Lose Them", 'Hibernating', 'Lost'];

function segmentRows(): RfmSegmentRow[] {
  const customers = [300, 440, 160, 85, 66, 102, 70, 69, 28, 109, 100];
  const total = customers.reduce((a, b) => a + b, 0);
  const revenue = [250_000, 180_000, 18_000, 4_000, 3_000, 14_000, 3_000, 28_000, 15_000, 16_000, 5_000];
  const totalRevenue = revenue.reduce((a, b) => a + b, 0);
  return SEGMENTS.map((segment, i) => ({
    segment,
    customers: customers[i]!,
    customer_share: customers[i]! / total,
    revenue: money(revenue[i]!),
    revenue_share: revenue[i]! / totalRevenue,
  }));
}

function scores(): { current: RfmScoreRow[]; previous: RfmScoreRow[] } {
  const current: RfmScoreRow[] = [];
  const previous: RfmScoreRow[] = [];
  for (let i = 0; i < 60; i++) {
    const id = `c${i}`;
    current.push({ customer_id: id, monetary: money(1000 - 10 * i), segment: i < 20 ? 'Champions' : i < 45 ? 'Loyal' : 'At Risk' });
    // 5 Loyal customers were Champions, 3 At Risk ones were Loyal, 2 are new to the window.
    if (i >= 58) continue;
    previous.push({ customer_id: id, monetary: money(1000 - 10 * i), segment: i < 20 || (i >= 20 && i < 25) ? 'Champions' : i < 48 ? 'Loyal' : 'At Risk' });
  }
  previous.push({ customer_id: 'gone', monetary: money(5), segment: 'Lost' });
  return { current, previous };
}

/** A long id (it must wrap on a phone) and one of markup among the week's MRR movers. */
export const LONG_CUSTOMER_ID = 'cus_0123456789abcdefghijklmnopqrstuvwxyz';
const MOVERS: SubscriptionMoverRow[] = [
  { kind: 'new', customer_id: LONG_CUSTOMER_ID, start_mrr: money(0), end_mrr: money(499), amount: money(499) },
  { kind: 'new', customer_id: 'cus_b', start_mrr: money(0), end_mrr: money(99), amount: money(99) },
  { kind: 'expansion', customer_id: '<b>cus_c</b>', start_mrr: money(100), end_mrr: money(250), amount: money(150) },
  { kind: 'churned', customer_id: 'cus_d', start_mrr: money(320.5), end_mrr: money(0), amount: money(320.5) },
];

const manifest = (table: Manifest['table'], rowsRead: number, rejected: number, max: string | null): Manifest => ({
  sourceKey: `${table}.csv`,
  table,
  format: 'csv',
  preset: 'canonical',
  size: 1000,
  etag: table,
  rowsRead,
  accepted: rowsRead - rejected,
  rejected,
  superseded: 0,
  rejectedByRule: rejected > 0 ? { amount_not_decimal: rejected } : {},
  ignoredColumns: [],
  timeRange: max === null ? null : { column: 'ordered_at', min: '2024-11-23T00:00:00Z', max },
  rejectsKey: null,
  ingestedAt: '2026-11-23T06:00:00Z',
  identity: 'path',
});

export const PREDICTIVE: ReportPredictiveClv = {
  method: 'bgnbd',
  cutoff: '2026-11-23T00:00:00.000Z',
  timeUnit: 'day',
  customers: 1118,
  repeatCustomers: 700,
  horizonMonths: 12,
  monthlyDiscountRate: 0.01,
  grossMargin: 1,
  purchaseModel: 'bgnbd',
  models: null,
  totalClv: 131_000,
  meanPAlive: 0.7,
  scoresWritten: 1118,
  accuracy: { ...FIXTURE_ACCURACY, holdoutWeeks: 13, calibrationCutoff: '2026-08-24T00:00:00.000Z' },
  card: FIXTURE_CARD,
  modelChoice: FIXTURE_CHOICE,
  flags: [],
};

/** The contractual method of the fixture business: 10 monthly cohorts, 1,210 paying subscribers. */
export const CONTRACTUAL: ReportContractualClv = {
  method: 'sbg',
  cutoff: '2026-11-23T00:00:00.000Z',
  cohorts: 10,
  subscribers: 1210,
  horizonMonths: 12,
  monthlyDiscountRate: 0.01,
  grossMargin: 0.6,
  model: null,
  totalClv: 160_000,
  meanResidualMonths: 8.8,
  scoresWritten: 1210,
  accuracy: {
    holdoutMonths: 3,
    calibration: { alpha: 0.9, beta: 4.1 },
    subscribers: 1300,
    months: [
      { offset: 1, month: '2026-08-01', predicted: 1102.4, actual: 1090 },
      { offset: 2, month: '2026-09-01', predicted: 1060.2, actual: 1071 },
      { offset: 3, month: '2026-10-01', predicted: 1021.9, actual: 1040 },
    ],
    totalPredicted: 3184.5,
    totalActual: 3201,
    relativeError: 3184.5 / 3201 - 1,
    mape: 0.0126,
  },
  flags: [],
};

/**
 * MRR movements of the last two complete months, hand-made so that each month adds up: opening +
 * new + expansion + reactivation − contraction − churned = closing, and at month-end rates
 * opening + net new + fx effect = closing. September: 24,500 + 2,100 + 300 + 50 − 200 − 100 =
 * 26,650; at rates 24,520 + 2,150 + 30 = 26,700. October: 26,650 + 2,100 + 500 + 149 − 400 − 999
 * = 28,000; at rates 26,700 + 1,350 − 86.45 = 27,963.55, the fx effect (27,963.55 − 28,000) −
 * (26,700 − 26,650) = −86.45.
 */
export const MRR_MONTHS: MrrMovementRow[] = [
  mrrMonth('2026-09-01', { opening: 24_500, new: 2_100, expansion: 300, reactivation: 50, contraction: 200, churned: 100, openingAtRates: 24_520, closingAtRates: 26_700 }),
  mrrMonth('2026-10-01', { opening: 26_650, new: 2_100, expansion: 500, reactivation: 149, contraction: 400, churned: 999, openingAtRates: 26_700, closingAtRates: 27_963.55 }),
];

function mrrMonth(
  month: string,
  a: { opening: number; new: number; expansion: number; reactivation: number; contraction: number; churned: number; openingAtRates: number; closingAtRates: number },
): MrrMovementRow {
  const netNew = a.new + a.expansion + a.reactivation - a.contraction - a.churned;
  const closing = a.opening + netNew;
  return {
    month_start: month,
    opening_mrr: money(a.opening),
    new_mrr: money(a.new),
    expansion_mrr: money(a.expansion),
    contraction_mrr: money(a.contraction),
    churned_mrr: money(a.churned),
    reactivation_mrr: money(a.reactivation),
    net_new_mrr: money(netNew),
    closing_mrr: money(closing),
    grr: (a.opening - a.contraction - a.churned) / a.opening,
    nrr: (a.opening + a.expansion - a.contraction - a.churned) / a.opening,
    unconverted_subscriptions: 0,
    opening_mrr_at_rates: money(a.openingAtRates),
    closing_mrr_at_rates: money(a.closingAtRates),
    fx_effect: money(a.closingAtRates - closing) - money(a.openingAtRates - a.opening),
    subscriptions_without_month_end_rate: 0,
  };
}

export interface FixtureOptions {
  config?: ConfigInput;
  /** Latest order timestamp; the default reaches the week's end. */
  latestOrderAt?: string | null;
  /** With latestOrderAt null: an orders export was ingested, but it held no order. */
  emptyOrders?: boolean;
  /** Weeks of history before 2026-W47 (0 to 26). */
  historyWeeks?: number;
  /** The lake's sample marker: the report is built on generated sample data. */
  sample?: SampleOrigin;
  /**
   * The lines of business: both (1,210 subscribers paying 28,314.40 of MRR beside the buyers),
   * subscriptions only, or one-time purchases only (no subscriptions in the lake). By default the
   * buyers, and a subscription history whose subscribers no longer pay at the week's end.
   */
  lines?: 'both' | 'subscriptions' | 'purchases';
}

/** The subscribers of the `lines` options with subscriptions: 1,166 of 1,190 still paying after 28 days. */
export const SUBSCRIBERS = { activity: { active_at_start: 1190, active_at_end: 1210, retained: 1166 }, mrr: { paying_subscribers: 1210, mrr: money(28_314.4), unconverted_subscriptions: 0 } };

export function fixtureFacts(options: FixtureOptions = {}): WeekFacts {
  const config = parseConfig({ grossMargin: 0.6, ...options.config }, 'fixture');
  const isoWeek = parseWeekId('2026-W47');
  const week = weekBounds(isoWeek, config.timeZone);
  const noOrders = { population: 'all' as const, paid_orders: 0, purchasing_customers: 0, repeat_customers: 0, net_revenue: 0n, unconverted_orders: 0 };
  const nobody = { active_at_start: 0, active_at_end: 0, retained: 0 };
  const buyers = options.lines !== 'subscriptions';
  const subscribers = options.lines === 'both' || options.lines === 'subscriptions';
  const window = buyers ? { population: 'all' as const, paid_orders: 402, purchasing_customers: 320, repeat_customers: 40, net_revenue: money(40_000), unconverted_orders: 2 } : noOrders;
  const activityWindow = buyers ? { population: 'all' as const, paid_orders: 5200, purchasing_customers: 2000, repeat_customers: 900, net_revenue: money(520_000), unconverted_orders: 0 } : noOrders;
  const activity = buyers ? { active_at_start: 1900, active_at_end: 1950, retained: 1805 } : nobody;
  const contractual = subscribers ? SUBSCRIBERS.activity : nobody;
  const inputs: WeeklyInputs = {
    window,
    activityWindow,
    // By default no subscriber has a paying subscription at the week's end, so every formula CLV
    // is the non-contractual population's, which holds all the orders.
    purchasers: { window, activityWindow },
    activity: {
      active_at_start: activity.active_at_start + contractual.active_at_start,
      active_at_end: activity.active_at_end + contractual.active_at_end,
      retained: activity.retained + contractual.retained,
      contractual,
      nonContractual: activity,
    },
    subscriberMrr: subscribers ? SUBSCRIBERS.mrr : { paying_subscribers: 0, mrr: 0n, unconverted_subscriptions: 0 },
    acquisition: [
      { channel: 'email', acquired_customers: 30, marketing_spend: money(900), converted_spend_rows: 60, unconverted_spend_rows: 0 },
      { channel: HOSTILE_CHANNEL, acquired_customers: 10, marketing_spend: money(500), converted_spend_rows: 30, unconverted_spend_rows: 1 },
      { channel: FORMULA_CHANNEL, acquired_customers: 0, marketing_spend: money(100), converted_spend_rows: 10, unconverted_spend_rows: 0 },
    ],
    cohorts: [],
    currentMonth: '2026-11-01',
  };
  const weekly = computeWeeklyKpis(inputs, config);
  const stage: StageInputs = {
    earlyChurn: { acquired_customers: 91, early_churned: 44, early_churn_rate: 44 / 91 },
    mrr: options.lines === 'purchases' ? [] : MRR_MONTHS,
    cohortRetention: cohortRows(),
    rfmSegments: segmentRows(),
  };
  const latestOrderAt = options.latestOrderAt === undefined ? '2026-11-22T23:10:00Z' : options.latestOrderAt;
  const ingest = summariseIngest([
    manifest('customers', 2000, 0, null),
    ...(latestOrderAt === null ? (options.emptyOrders ? [manifest('orders', 0, 0, null)] : []) : [manifest('orders', 8040, 1, latestOrderAt)]),
    manifest('marketing_spend', 2920, 0, null),
  ]);
  const kpis = [...weekly.kpis, ...computeStageKpis({ inputs: stage, ingest, weekEnd: week.end, accuracy: { mae: 0.51 } })];

  // Every KPI 2% better than this week's value in each earlier week: steady history.
  const historyWeeks = options.historyWeeks ?? 13;
  const history = new Map<KpiKey, HistoryPoint[]>();
  for (const key of reportHistoryKeys(config.headlineClvMethod)) {
    const current = kpis.find((k) => k.key === (key === `clv_${config.headlineClvMethod}` ? 'headline_clv' : key))?.value ?? null;
    history.set(
      key,
      Array.from({ length: historyWeeks }, (_, i) => ({
        weekId: formatWeekId(addWeeks(isoWeek, i - historyWeeks)),
        value: current === null ? null : current * 0.98,
      })),
    );
  }
  const s = scores();
  return {
    config,
    week,
    inputs,
    weekly,
    settingsChange: null,
    kpis,
    history,
    stage,
    rfmScores: s,
    movers: MOVERS,
    clvByCustomer: new Map(s.current.map((c, i) => [c.customer_id, 100 + i])),
    ingest,
    sample: options.sample ?? null,
    predictive: PREDICTIVE,
    contractual: CONTRACTUAL,
    queries: [],
  };
}

export function fixtureReport(options: FixtureOptions & { locale?: ReportLocale } = {}): Report {
  return buildReport(fixtureFacts(options), options.locale ?? 'en');
}
