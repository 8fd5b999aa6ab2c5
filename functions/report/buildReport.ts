// Assembles the Report object from the week's KPIs, the cohort rows and the ingest manifests.
import type { Config } from '../config/schema.ts';
import type { Manifest } from '../ingest/manifest.ts';
import type { WeeklyInputs, WeeklyKpis } from '../kpi/weeklyKpis.ts';
import type { QueryStats } from '../engine/queryEngine.ts';
import { moneyToNumber } from '../money/decimal.ts';
import type { WeekBounds } from '../time/isoWeek.ts';
import { CLV_METHOD_LABELS } from './labels.ts';
import type { Report, ReportCohort, ReportDataQuality, ReportPredictiveClv } from './report.ts';
import { formatter } from './format.ts';

/** Data ending more than this before the week's end makes the report say it is stale. */
const STALE_AFTER_MS = 2 * 86_400_000;
const COHORTS_SHOWN = 12;

export function buildReport(args: {
  config: Config;
  week: WeekBounds;
  inputs: WeeklyInputs;
  kpis: WeeklyKpis;
  manifests: Manifest[];
  queries: QueryStats[];
  /** The predictive method's fit, accuracy and flags (functions/pipeline/predictiveMethod.ts). */
  predictive: ReportPredictiveClv;
}): Report {
  const { config, week, inputs, kpis, manifests } = args;
  const dataQuality = summariseQuality(manifests, inputs, week);
  const fmt = formatter(config.locale, config.reportCurrency, config.timeZone);
  const headline = { ...kpis.headline, label: CLV_METHOD_LABELS[kpis.headline.method] };
  const verdict =
    headline.value === null
      ? `Headline CLV could not be computed this week: ${headline.flags.join('; ') || 'no data'}.`
      : `Headline CLV is ${fmt.money(headline.value)} per customer (${headline.label}).`;
  return {
    schemaVersion: 1,
    product: 'ltv-pulse',
    week: { id: week.id, start: week.start.toISOString(), end: week.end.toISOString(), timeZone: config.timeZone },
    currency: config.reportCurrency,
    locale: config.locale,
    grossMargin: config.grossMargin,
    headline,
    verdict,
    kpis: kpis.kpis,
    clv: kpis.clv,
    predictiveClv: args.predictive,
    channels: kpis.channels.map((c) => ({
      channel: c.channel,
      acquiredCustomers: c.acquiredCustomers,
      marketingSpend: c.marketingSpend,
      cac: c.cac.value,
      ...(c.cac.guard ? { guard: c.cac.guard } : {}),
    })),
    cohorts: cohortMatrix(inputs),
    dataQuality,
    queries: args.queries.map((q) => ({ ...q, elapsedMs: Math.round(q.elapsedMs) })),
  };
}

function cohortMatrix(inputs: WeeklyInputs): ReportCohort[] {
  const byMonth = new Map<string, { size: number; cells: Map<number, { active: number; revenue: bigint }> }>();
  for (const row of inputs.cohorts) {
    const entry = byMonth.get(row.cohort_month) ?? { size: row.cohort_size, cells: new Map() };
    entry.cells.set(row.month_offset, { active: row.active_customers, revenue: row.net_revenue });
    byMonth.set(row.cohort_month, entry);
  }
  const [cy, cm] = inputs.currentMonth.split('-').map(Number);
  return [...byMonth.keys()]
    .sort()
    .slice(-COHORTS_SHOWN)
    .map((month) => {
      const { size, cells } = byMonth.get(month)!;
      const [y, m] = month.split('-').map(Number);
      const observedOffsets = (cy! - y!) * 12 + (cm! - m!) + 1;
      const retention: (number | null)[] = [];
      const cumulative: number[] = [];
      let running = 0n;
      for (let k = 0; k < observedOffsets; k++) {
        const cell = cells.get(k);
        retention.push(size === 0 ? null : (cell?.active ?? 0) / size);
        running += cell?.revenue ?? 0n;
        cumulative.push(size === 0 ? 0 : moneyToNumber(running) / size);
      }
      return { cohortMonth: month, size, retention, cumulativeRevenuePerCustomer: cumulative };
    });
}

function summariseQuality(manifests: Manifest[], inputs: WeeklyInputs, week: WeekBounds): ReportDataQuality {
  const perTable = new Map<string, { rowsRead: number; accepted: number; rejected: number }>();
  const rejectedByRule: Record<string, number> = {};
  let latestOrderAt: string | null = null;
  for (const m of manifests) {
    const t = perTable.get(m.table) ?? { rowsRead: 0, accepted: 0, rejected: 0 };
    t.rowsRead += m.rowsRead;
    t.accepted += m.accepted;
    t.rejected += m.rejected;
    perTable.set(m.table, t);
    for (const [rule, n] of Object.entries(m.rejectedByRule)) rejectedByRule[rule] = (rejectedByRule[rule] ?? 0) + n;
    const max = m.table === 'orders' ? m.timeRange?.max ?? null : null;
    if (max && (latestOrderAt === null || max > latestOrderAt)) latestOrderAt = max;
  }
  const totals = [...perTable.values()].reduce(
    (a, t) => ({ rowsRead: a.rowsRead + t.rowsRead, accepted: a.accepted + t.accepted, rejected: a.rejected + t.rejected }),
    { rowsRead: 0, accepted: 0, rejected: 0 },
  );
  const excluded: ReportDataQuality['excluded'] = [];
  if (inputs.window.unconverted_orders > 0) {
    excluded.push({ what: 'paid orders (28 days)', count: inputs.window.unconverted_orders, why: 'no fx rate into the report currency for their day' });
  }
  const unconvertedSpend = inputs.acquisition.reduce((n, r) => n + r.unconverted_spend_rows, 0);
  if (unconvertedSpend > 0) {
    excluded.push({ what: 'marketing spend rows (28 days)', count: unconvertedSpend, why: 'no fx rate into the report currency for their day' });
  }
  let staleness: string | null = null;
  if (latestOrderAt === null) staleness = 'No orders have been ingested: every number below is empty.';
  else if (week.end.getTime() - new Date(latestOrderAt).getTime() > STALE_AFTER_MS) {
    staleness = `Order data ends at ${latestOrderAt}, before the end of ${week.id}: this week's numbers are incomplete.`;
  }
  return {
    ...totals,
    rejectedByRule,
    perTable: [...perTable.entries()].sort().map(([table, t]) => ({ table, ...t })),
    latestOrderAt,
    excluded,
    staleness,
  };
}
