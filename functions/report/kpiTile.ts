// A KPI as the e-mail shows it outside the scorecard: its value, its change from the week before
// and whether that change is news (the KPI tiles, MRR, each line of business).
import { usualMove, weekOverWeek, type Direction, type KpiHistory } from '../kpi/scorecard.ts';
import type { Kpi } from '../kpi/weeklyKpis.ts';
import type { IsoWeek } from '../time/isoWeek.ts';
import type { ReportTile } from './report.ts';

export function kpiTile(kpi: Kpi, direction: Direction | null, week: IsoWeek, history: KpiHistory): ReportTile {
  const series = history.get(kpi.key) ?? [];
  const wow = weekOverWeek(kpi.value, week, series);
  return { kpi, direction, wow, usual: usualMove(wow, kpi.unit, week, series) };
}
