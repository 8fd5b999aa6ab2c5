// The cohort retention heatmap as SVG written by hand: one row per acquisition cohort, one
// column per month since acquisition, each cell shaded by its share. Cohort months and every
// third month (M0, M3 … M12) are the only labels, so the image reads the same in every locale.
// Thirteen shares would not fit their cells at a size a phone can read (CHART_TEXT_SIZE): the
// shares are written out in the table beneath the image and in the plain text.
import type { ReportCohorts } from '../report.ts';
import { escapeHtml as x } from '../escapeHtml.ts';
import { CHART_COLORS, CHART_FONT, CHART_TEXT_SIZE } from './chartStyle.ts';

/** Months since acquisition shown: M0 to M12. */
export const HEATMAP_MONTHS = 13;

const CELL = { width: 33, height: 24, gap: 2 } as const;
const LABEL_WIDTH = 90;
const HEADER_HEIGHT = 28;
/** Month labels every this many months: "M12" at CHART_TEXT_SIZE is wider than a cell. */
const LABEL_EVERY = 3;

export function heatmapSize(rows: number): { width: number; height: number } {
  return { width: LABEL_WIDTH + HEATMAP_MONTHS * (CELL.width + CELL.gap) + 4, height: HEADER_HEIGHT + rows * (CELL.height + CELL.gap) + 4 };
}

/**
 * Cell colour from white to the chart blue. Month 0 is 100% by construction, so the scale runs
 * to the highest later month: otherwise every later month would look alike.
 */
function shade(share: number, top: number): string {
  const t = Math.max(0, Math.min(1, top === 0 ? 0 : share / top));
  const mix = (from: number, to: number): number => Math.round(from + (to - from) * t);
  const [r, g, b] = [mix(0xf3, 0x1f), mix(0xf6, 0x5f), mix(0xfa, 0xbf)];
  return `rgb(${r},${g},${b})`;
}

export function cohortHeatmapSvg(matrix: ReportCohorts): string {
  const { width, height } = heatmapSize(matrix.cohorts.length);
  const top = Math.max(0, ...matrix.cohorts.flatMap((c) => c.retention.slice(1, HEATMAP_MONTHS).map((v) => v ?? 0)));
  const header = Array.from({ length: HEATMAP_MONTHS }, (_, k) => k)
    .filter((k) => k % LABEL_EVERY === 0)
    .map((k) => `<text x="${LABEL_WIDTH + k * (CELL.width + CELL.gap) + CELL.width / 2}" y="${CHART_TEXT_SIZE + 2}" text-anchor="middle" font-size="${CHART_TEXT_SIZE}" fill="${CHART_COLORS.muted}">M${k}</text>`)
    .join('');
  const rows = matrix.cohorts
    .map((c, row) => {
      const y = HEADER_HEIGHT + row * (CELL.height + CELL.gap);
      const label = `<text x="${LABEL_WIDTH - 8}" y="${y + CHART_TEXT_SIZE}" text-anchor="end" font-size="${CHART_TEXT_SIZE}" fill="${CHART_COLORS.text}">${x(c.cohortMonth.slice(0, 7))}</text>`;
      const cells = c.retention.slice(0, HEATMAP_MONTHS).map((share, k) => {
        if (share === null) return '';
        const cx = LABEL_WIDTH + k * (CELL.width + CELL.gap);
        const fill = k === 0 ? CHART_COLORS.actual : shade(share, top);
        // The month still in progress is outlined: its share will still grow.
        const inProgress = matrix.lastMonthInProgress && k === c.retention.length - 1;
        const outline = inProgress ? ` stroke="${CHART_COLORS.muted}" stroke-width="1.5" stroke-dasharray="3 2"` : '';
        return `<rect x="${cx}" y="${y}" width="${CELL.width}" height="${CELL.height}" rx="2" fill="${fill}"${outline}/>`;
      });
      return label + cells.join('');
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${CHART_FONT}">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>${header}${rows}</svg>`
  );
}
