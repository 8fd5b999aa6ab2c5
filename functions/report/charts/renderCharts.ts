// The e-mail's two charts as PNG. They depend on the numbers only, so one rendering serves the
// messages of every locale.
import type { KpiKey } from '../../kpi/weeklyKpis.ts';
import type { Report } from '../report.ts';
import { cohortHeatmapSvg, heatmapSize } from './cohortHeatmap.ts';
import { svgToPng } from './rasterize.ts';
import { TRAJECTORY_SIZE, trajectorySvg } from './trajectoryChart.ts';

export interface ChartPng {
  png: Buffer;
  /** Size to show it at in the e-mail, in CSS pixels. */
  width: number;
  height: number;
}

export interface ReportCharts {
  trajectory: ChartPng | null;
  cohorts: ChartPng | null;
  /** Each tile's 13-week sparkline, for the tiles with two or more values to draw. */
  sparklines: Partial<Record<KpiKey, ChartPng>>;
}

export function renderCharts(report: Pick<Report, 'trajectory' | 'cohorts'>): ReportCharts {
  // A trajectory of one week (its anchor) is a dot, not a chart; the e-mail says so in words.
  const t = report.trajectory;
  const trajectory = t && t.points.length > 1 ? { png: svgToPng(trajectorySvg(t), TRAJECTORY_SIZE.width), ...TRAJECTORY_SIZE } : null;
  const size = heatmapSize(report.cohorts.cohorts.length);
  const cohorts = report.cohorts.cohorts.length > 0 ? { png: svgToPng(cohortHeatmapSvg(report.cohorts), size.width), ...size } : null;
  return { trajectory, cohorts, sparklines: {} };
}
