// The sentences the HTML and the plain text both say, built once so the two parts never differ:
// why the headline moved, a tile's trend, the revenue-based note, rule counts in words.
import type { ClvDrivers } from '../kpi/clvDrivers.ts';
import type { KpiKey, KpiUnit } from '../kpi/weeklyKpis.ts';
import type { Formatter } from './format.ts';
import type { Messages } from './messages/messages.ts';
import type { Report, ReportChannel, ReportTrend } from './report.ts';

/** Shown beside figures whose value depends on the gross margin while it is left at 100%. */
const MARGIN_DEPENDENT: ReadonlySet<KpiKey> = new Set(['ltv_to_cac', 'cac_payback_months']);

/** Scorecard lines the data team reads: shown in its section at the end, still counted in their stage. */
export const DATA_TEAM_KPIS: ReadonlySet<KpiKey> = new Set(['data_accepted_share', 'model_mae']);

/** "Why: SaaS CLV +2.1% since last week: ARPU +3.0%, customer lifetime −0.9%; margin unchanged." */
export function driverSentence(drivers: ClvDrivers | null, m: Messages, fmt: Formatter): string | null {
  if (drivers === null) return null;
  const relative = (log: number) => fmt.signedPercent(Math.expm1(log));
  const parts = drivers.parts.map((p) =>
    // Shown to one decimal: a part that rounds to 0.0% reads as unchanged.
    Math.abs(Math.expm1(p.logChange)) < 0.0005 ? m.drivers.unchanged(m.drivers.factor[p.factor]) : m.drivers.part(m.drivers.factor[p.factor], relative(p.logChange)),
  );
  return m.drivers.sentence(m.kpi[`clv_${drivers.method}`], relative(drivers.logChange), parts.join(', '));
}

/** The driver sentence of the headline's method, when it is a formula the drivers split. */
export function headlineDriver(report: Pick<Report, 'drivers' | 'headline'>): ClvDrivers | null {
  const method = report.headline.method;
  return method === 'saas' || method === 'purchase' ? report.drivers[method] : null;
}

/** "4 wk +3.0% · 13 wk +8.1%": the changes that show a trend; null when neither is known. */
export function trendChanges(unit: KpiUnit, trend: ReportTrend, m: Messages, fmt: Formatter): string | null {
  const parts = [
    [m.trend.fourWeeks, fmt.change(unit, trend.fourWeeks)],
    [m.trend.thirteenWeeks, fmt.change(unit, trend.thirteenWeeks)],
  ].flatMap(([label, change]) => (change ? [`${label} ${change}`] : []));
  return parts.length === 0 ? null : parts.join(' · ');
}

/** What the sparkline draws, in words: its alt text and the plain text's line. Null with fewer than two values. */
export function sparklineText(unit: KpiUnit, trend: ReportTrend, m: Messages, fmt: Formatter): string | null {
  const values = trend.points.flatMap((p) => (p.value === null ? [] : [p.value]));
  if (values.length < 2) return null;
  const shown = (value: number) => fmt.kpi({ unit, value });
  return m.trend.sparkline(trend.points.length - 1, shown(values[0]!), shown(values.at(-1)!), shown(Math.min(...values)), shown(Math.max(...values)));
}

/** The revenue-based note beside a margin-dependent figure while grossMargin is 1; null otherwise. */
export function revenueBasedNote(key: KpiKey, grossMargin: number, m: Messages): string | null {
  return grossMargin === 1 && MARGIN_DEPENDENT.has(key) ? m.revenueBased : null;
}

/** Rejections by rule in words, the rule id kept for the engineer who greps for it. */
export function ruleCounts(rejectedByRule: Readonly<Record<string, number>>, m: Messages, fmt: Formatter): string | null {
  const rules = Object.entries(rejectedByRule).sort(([a], [b]) => a.localeCompare(b));
  if (rules.length === 0) return null;
  return `${m.quality.rejectedByRule}: ${rules.map(([rule, n]) => `${m.rules[rule] ?? rule} (${rule}): ${fmt.count(n)}`).join('; ')}`;
}

/** A channel's CAC as it reads: a channel without spend costs nothing to acquire from, which is no CAC of 0. */
export function channelCac(channel: ReportChannel, m: Messages, fmt: Formatter): { text: string; note: string | null } {
  if (channel.cac === null) return { text: '–', note: channel.guard ?? null };
  if (channel.marketingSpend === 0) return { text: '–', note: m.channels.noSpend };
  return { text: fmt.money(channel.cac), note: null };
}

/** The link to a KPI's definition, when a documentation URL is configured. */
export function definitionUrl(docsUrl: string | null, key: KpiKey): string | null {
  return docsUrl === null ? null : `${docsUrl}#${key}`;
}
