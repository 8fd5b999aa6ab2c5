// The e-mail's charts as PNG. They depend on the numbers only, so one rendering serves the
// messages of every locale.
import type { KpiKey } from '../../kpi/weeklyKpis.ts';
import type { Report } from '../report.ts';
import { CHART_TEXT_SIZE } from './chartStyle.ts';
import { cohortHeatmapSvg, heatmapSize } from './cohortHeatmap.ts';
import { svgToPng } from './rasterize.ts';
import { SPARKLINE_SIZE, sparklineSvg } from './sparkline.ts';
import { TRACKING_SIZE, trackingSvg } from './trackingChart.ts';
import { TRAJECTORY_SIZE, trajectorySvg } from './trajectoryChart.ts';

export interface ChartPng {
  png: Buffer;
  /** Size to show it at in the e-mail, in CSS pixels. */
  width: number;
  height: number;
  /** Its smallest text, in the same units as `width`; null for a chart without text. The layout test checks it reads at 11 CSS px on a phone. */
  minFontPx: number | null;
}

export interface ReportCharts {
  trajectory: ChartPng | null;
  cohorts: ChartPng | null;
  /** The report card's holdout tracking: cumulative repeat purchases, model against actual. */
  tracking: ChartPng | null;
  /** Each tile's 13-week sparkline, for the tiles with two or more values to draw. */
  sparklines: Partial<Record<KpiKey, ChartPng>>;
}

export function renderCharts(report: Pick<Report, 'trajectory' | 'cohorts' | 'currency' | 'tiles' | 'predictiveClv'>): ReportCharts {
  // A trajectory of one week (its anchor) is a dot, not a chart; the e-mail says so in words.
  const t = report.trajectory;
  const trajectory = t && t.points.length > 1 ? { png: svgToPng(trajectorySvg(t, report.currency), TRAJECTORY_SIZE.width), ...TRAJECTORY_SIZE, minFontPx: CHART_TEXT_SIZE } : null;
  const size = heatmapSize(report.cohorts.cohorts.length);
  const cohorts = report.cohorts.cohorts.length > 0 ? { png: svgToPng(cohortHeatmapSvg(report.cohorts), size.width), ...size, minFontPx: CHART_TEXT_SIZE } : null;
  const sparklines: ReportCharts['sparklines'] = {};
  for (const tile of report.tiles) {
    const svg = sparklineSvg(tile.trend.points.map((p) => p.value));
    if (svg !== null) sparklines[tile.kpi.key] = { png: svgToPng(svg, SPARKLINE_SIZE.width), ...SPARKLINE_SIZE, minFontPx: null };
  }
  const trackingWeeks = report.predictiveClv.card?.tracking;
  const trackingChart = trackingWeeks ? trackingSvg(trackingWeeks) : null;
  const tracking = trackingChart === null ? null : { png: svgToPng(trackingChart, TRACKING_SIZE.width), ...TRACKING_SIZE, minFontPx: CHART_TEXT_SIZE };
  return { trajectory, cohorts, tracking, sparklines };
}
