// The headline CLV by week against its doubling target, as SVG written by hand. The image holds
// numbers and week ids only, which the bundled font has glyphs for in every locale; the words
// (legend, caption, alt text) are in the e-mail's HTML.
import type { Trajectory } from '../../kpi/scorecard.ts';
import { escapeHtml as x } from '../escapeHtml.ts';
import { CHART_COLORS, CHART_FONT, CHART_TEXT_SIZE, chartNumber, niceTicks } from './chartStyle.ts';

export const TRAJECTORY_SIZE = { width: 552, height: 270 } as const;

// Room for tick labels of CHART_TEXT_SIZE: the currency above the axis, week ids below it.
const PLOT = { left: 80, right: 16, top: 36, bottom: 42 } as const;
/** At most this many week ids fit the axis at CHART_TEXT_SIZE without touching. */
const X_LABELS = 4;

/** The y axis starts at 0, so a small move does not look like a large one, and names the currency. */
export function trajectorySvg(t: Trajectory, currency: string): string {
  const { width, height } = TRAJECTORY_SIZE;
  const plotW = width - PLOT.left - PLOT.right;
  const plotH = height - PLOT.top - PLOT.bottom;
  const values = t.points.flatMap((p) => [p.target, ...(p.actual === null ? [] : [p.actual]), ...(p.smoothed === null ? [] : [p.smoothed])]);
  const ticks = niceTicks(Math.min(0, ...values), Math.max(...values), 4);
  const [lo, hi] = [ticks[0]!, ticks.at(-1)!];
  const n = t.points.length;
  const xOf = (i: number): number => PLOT.left + (n === 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const yOf = (v: number): number => PLOT.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const fmt = (v: number): string => v.toFixed(1);

  const grid = ticks
    .map((v) => `<line x1="${PLOT.left}" x2="${width - PLOT.right}" y1="${fmt(yOf(v))}" y2="${fmt(yOf(v))}" stroke="${CHART_COLORS.grid}" stroke-width="1"/>` +
      `<text x="${PLOT.left - 8}" y="${fmt(yOf(v) + 6)}" text-anchor="end" font-size="${CHART_TEXT_SIZE}" fill="${CHART_COLORS.muted}">${x(chartNumber(v))}</text>`)
    .join('');
  const axisTitle = `<text x="${PLOT.left - 8}" y="${CHART_TEXT_SIZE + 2}" text-anchor="end" font-size="${CHART_TEXT_SIZE}" font-weight="bold" fill="${CHART_COLORS.muted}">${x(currency)}</text>`;
  const labelEvery = Math.max(1, Math.ceil((n - 1) / (X_LABELS - 1)));
  const xLabels = t.points
    .map((p, i) => ({ p, i }))
    .filter(({ i }) => i % labelEvery === 0 || i === n - 1)
    .filter(({ i }) => i === n - 1 || n - 1 - i >= labelEvery / 2) // the last label never collides with the one before
    .map(({ p, i }) => `<text x="${fmt(xOf(i))}" y="${height - 14}" text-anchor="${n === 1 ? 'middle' : i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle'}" font-size="${CHART_TEXT_SIZE}" fill="${CHART_COLORS.muted}">${x(p.weekId)}</text>`)
    .join('');

  const target = `<polyline fill="none" stroke="${CHART_COLORS.target}" stroke-width="2" stroke-dasharray="6 4" points="${t.points.map((p, i) => `${fmt(xOf(i))},${fmt(yOf(p.target))}`).join(' ')}"/>`;
  // Weeks without a value break the line instead of bridging them.
  const line = (of: (p: Trajectory['points'][number]) => number | null, color: string, width: number): string => {
    const segments: string[][] = [[]];
    t.points.forEach((p, i) => {
      const v = of(p);
      if (v === null) segments.push([]);
      else segments.at(-1)!.push(`${fmt(xOf(i))},${fmt(yOf(v))}`);
    });
    return segments
      .filter((s) => s.length > 1)
      .map((s) => `<polyline fill="none" stroke="${color}" stroke-width="${width}" stroke-linejoin="round" points="${s.join(' ')}"/>`)
      .join('');
  };
  const actual = line((p) => p.actual, CHART_COLORS.weekly, 1.5) + line((p) => p.smoothed, CHART_COLORS.smoothed, 2.5);
  const dots = t.points
    .map((p, i) => (p.actual === null ? '' : `<circle cx="${fmt(xOf(i))}" cy="${fmt(yOf(p.actual))}" r="${i === n - 1 ? 4.5 : 2}" fill="${i === n - 1 ? CHART_COLORS.actual : CHART_COLORS.weekly}"/>`))
    .join('');

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${CHART_FONT}">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>${grid}${axisTitle}${xLabels}${target}${actual}${dots}</svg>`
  );
}
