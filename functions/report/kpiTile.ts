// A KPI as the e-mail shows it outside the scorecard: its value, its change from the week before
// and whether that change is news, and its trend (the KPI tiles, MRR, each line of business).
import { changeOverWeeks, usualMove, weekOverWeek, type Direction, type HistoryPoint, type KpiHistory } from '../kpi/scorecard.ts';
import type { Kpi } from '../kpi/weeklyKpis.ts';
import { addWeeks, formatWeekId, type IsoWeek } from '../time/isoWeek.ts';
import type { ReportTile, ReportTrend } from './report.ts';

/** Weeks a tile's sparkline and longest change cover. */
export const TREND_WEEKS = 13;

export function kpiTile(kpi: Kpi, direction: Direction | null, week: IsoWeek, history: KpiHistory): ReportTile {
  const series = history.get(kpi.key) ?? [];
  const wow = weekOverWeek(kpi.value, week, series);
  return { kpi, direction, wow, usual: usualMove(wow, kpi.unit, week, series), trend: trendOf(kpi.value, week, series) };
}

// The first point is the week the 13-week change is measured from, so the line ends as far
// from where it starts as the change says.
function trendOf(current: number | null, week: IsoWeek, series: readonly HistoryPoint[]): ReportTrend {
  const values = new Map(series.map((p) => [p.weekId, p.value]));
  const points = Array.from({ length: TREND_WEEKS + 1 }, (_, i) => {
    const weekId = formatWeekId(addWeeks(week, i - TREND_WEEKS));
    return { weekId, value: i === TREND_WEEKS ? current : (values.get(weekId) ?? null) };
  });
  return { points, fourWeeks: changeOverWeeks(current, week, series, 4), thirteenWeeks: changeOverWeeks(current, week, series, TREND_WEEKS) };
}
