// kpi_history in the lake: every run writes one row per KPI for its week (the week's partition is
// replaced whole, so a re-run never leaves two values), with the settings the values were
// computed with, and reads the weeks before it back through queries/kpi_trend.sql for the
// scorecard's week-over-week changes, baselines and trajectory: only the weeks computed with the
// current settings, so a change of currency or margin restarts the comparisons instead of
// showing up as a rise or a fall.
import type { Config } from '../config/schema.ts';
import { getQuery } from '../engine/queryCatalog.ts';
import { param, runQuery, type ParameterValues, type QueryEngine, type QueryStats } from '../engine/queryEngine.ts';
import { WRITEBACK_TABLES } from '../engine/writebackTables.ts';
import { replaceWeekPartition, type WritebackRow } from '../engine/writebackWriter.ts';
import { kpiTrendRow } from '../kpi/queryRows.ts';
import { headlineHistoryKey, STATUS_RULE, type HistoryPoint, type KpiHistory } from '../kpi/scorecard.ts';
import { sameSettings, settingChanges, settingsText, valueSettingsOf, type SettingsChange, type ValueSettings } from '../kpi/valueSettings.ts';
import type { Kpi, KpiKey } from '../kpi/weeklyKpis.ts';
import type { ObjectStore } from '../storage/objectStore.ts';
import { addWeeks, formatWeekId, type IsoWeek, type WeekBounds } from '../time/isoWeek.ts';

/** Before any ISO week id, so the headline's whole history is read: the trajectory may be anchored at its first week. */
const FIRST_WEEK = '0000-W01';

function kpiHistoryRows(kpis: readonly Kpi[], week: WeekBounds, settings: ValueSettings): WritebackRow[] {
  const recorded = settingsText(settings);
  return kpis.map((k) => ({
    kpi: k.key,
    value: k.value,
    unit: k.unit,
    guard: k.guard ?? null,
    week_start: week.start,
    week_end: week.end,
    settings: recorded,
    report_currency: String(settings.reportCurrency),
  }));
}

/** The key written, or null when there were no KPIs and the week's partition was removed. */
export async function writeKpiHistory(lake: ObjectStore, week: WeekBounds, kpis: readonly Kpi[], config: Config): Promise<string | null> {
  return replaceWeekPartition(lake, WRITEBACK_TABLES.kpi_history, week.id, kpiHistoryRows(kpis, week, valueSettingsOf(config)));
}

/** The parameters of queries/kpi_trend.sql as the report of `week` reads it: every week before it. */
export function kpiTrendParameters(week: IsoWeek): ParameterValues {
  return { to_week: param.varchar(formatWeekId(addWeeks(week, -1))), from_week: param.varchar(FIRST_WEEK) };
}

/**
 * The values of `keys` in the weeks before `week` computed with the current settings: the
 * trailing baseline's weeks for each, and every week for the headline method's CLV. The report
 * week itself is left out, so a re-run compares with the same history as the first run. Rows
 * written before settings were recorded match no settings.
 */
export async function readKpiHistory(
  engine: QueryEngine,
  keys: readonly KpiKey[],
  week: IsoWeek,
  config: Config,
): Promise<{ history: KpiHistory; settingsChange: SettingsChange | null; stats: QueryStats[] }> {
  const baselineFrom = formatWeekId(addWeeks(week, -STATUS_RULE.baselineWeeks));
  // One query for every KPI and week: the table holds a few dozen rows a week, and one query
  // costs one Athena minimum instead of one per KPI.
  const { rows, stats } = await runQuery(engine, await getQuery('kpi_trend'), kpiTrendParameters(week), kpiTrendRow);
  const current = valueSettingsOf(config);
  const comparable = rows.filter((r) => sameSettings(r.settings, current));
  const headline = headlineHistoryKey(config.headlineClvMethod);
  const history = new Map<KpiKey, HistoryPoint[]>();
  for (const key of new Set(keys)) {
    const fromWeek = key === headline ? FIRST_WEEK : baselineFrom;
    history.set(key, comparable.filter((r) => r.kpi === key && r.week_id >= fromWeek).map((r) => ({ weekId: r.week_id, value: r.value })));
  }
  const latest = rows.reduce<(typeof rows)[number] | undefined>((last, r) => (last === undefined || r.week_id > last.week_id ? r : last), undefined);
  const changes = latest === undefined || sameSettings(latest.settings, current) ? [] : settingChanges(latest.settings, current);
  const settingsChange =
    latest !== undefined && changes.length > 0 ? { previousWeekId: latest.week_id, changes, firstWeekId: rows.reduce((first, r) => (r.week_id < first ? r.week_id : first), latest.week_id) } : null;
  return { history, settingsChange, stats: [stats] };
}
