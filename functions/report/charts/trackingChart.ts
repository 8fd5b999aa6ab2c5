// The report card's tracking chart: the holdout's cumulative repeat purchases week by week, the
// model's forecast (dashed) against what customers did (solid), as in Fader, Hardie & Lee's
// tracking plots. Numbers and week numbers only; the words are in the e-mail's HTML.
import type { TrackingWeek } from '../../clv/card/modelCard.ts';
import { escapeHtml as x } from '../escapeHtml.ts';
import { CHART_COLORS, CHART_FONT, CHART_TEXT_SIZE, chartNumber, niceTicks } from './chartStyle.ts';

export const TRACKING_SIZE = { width: 552, height: 240 } as const;

const PLOT = { left: 80, right: 16, top: 16, bottom: 42 } as const;
const X_LABELS = 5;

/** Null for a holdout of one week: a point, not a line (the e-mail says it in words). */
export function trackingSvg(weeks: readonly TrackingWeek[]): string | null {
  if (weeks.length < 2) return null;
  const { width, height } = TRACKING_SIZE;
  const plotW = width - PLOT.left - PLOT.right;
  const plotH = height - PLOT.top - PLOT.bottom;
  const ticks = niceTicks(0, Math.max(...weeks.flatMap((w) => [w.cumulativePredicted, w.cumulativeActual])), 4);
  const [lo, hi] = [ticks[0]!, ticks.at(-1)!];
  const n = weeks.length;
  const xOf = (i: number): number => PLOT.left + (i / (n - 1)) * plotW;
  const yOf = (v: number): number => PLOT.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const f = (v: number): string => v.toFixed(1);
  const grid = ticks
    .map(
      (v) =>
        `<line x1="${PLOT.left}" x2="${width - PLOT.right}" y1="${f(yOf(v))}" y2="${f(yOf(v))}" stroke="${CHART_COLORS.grid}" stroke-width="1"/>` +
        `<text x="${PLOT.left - 8}" y="${f(yOf(v) + 6)}" text-anchor="end" font-size="${CHART_TEXT_SIZE}" fill="${CHART_COLORS.muted}">${x(chartNumber(v))}</text>`,
    )
    .join('');
  const every = Math.max(1, Math.ceil((n - 1) / (X_LABELS - 1)));
  const xLabels = weeks
    .map((w, i) => ({ w, i }))
    .filter(({ i }) => (i % every === 0 && n - 1 - i >= every / 2) || i === n - 1)
    .map(({ w, i }) => `<text x="${f(xOf(i))}" y="${height - 14}" text-anchor="${i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle'}" font-size="${CHART_TEXT_SIZE}" fill="${CHART_COLORS.muted}">${w.week}</text>`)
    .join('');
  const line = (of: (w: TrackingWeek) => number, style: string) =>
    `<polyline fill="none" ${style} stroke-linejoin="round" points="${weeks.map((w, i) => `${f(xOf(i))},${f(yOf(of(w)))}`).join(' ')}"/>`;
  const predicted = line((w) => w.cumulativePredicted, `stroke="${CHART_COLORS.target}" stroke-width="2.5" stroke-dasharray="6 4"`);
  const actual = line((w) => w.cumulativeActual, `stroke="${CHART_COLORS.actual}" stroke-width="2.5"`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${CHART_FONT}">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>${grid}${xLabels}${predicted}${actual}</svg>`
  );
}
