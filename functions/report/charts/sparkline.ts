// A tile's 13-week sparkline as SVG written by hand: the shape of the trend and nothing else. It
// holds no text (its numbers are the tile's alt text and plain-text line), so no size rule for
// chart text applies and one image serves every locale.
import { CHART_COLORS } from './chartStyle.ts';

export const SPARKLINE_SIZE = { width: 112, height: 28 } as const;

/** Room for the stroke and the last week's dot. */
const INSET = 4;

/** Null when there is nothing to draw: fewer than two weeks with a value. */
export function sparklineSvg(values: readonly (number | null)[]): string | null {
  const known = values.flatMap((v) => (v === null ? [] : [v]));
  if (known.length < 2) return null;
  const { width, height } = SPARKLINE_SIZE;
  const [lo, hi] = [Math.min(...known), Math.max(...known)];
  const xOf = (i: number): number => INSET + (i / (values.length - 1)) * (width - 2 * INSET);
  // A flat series is a flat line through the middle, not a line along an edge.
  const yOf = (v: number): number => (hi === lo ? height / 2 : INSET + (1 - (v - lo) / (hi - lo)) * (height - 2 * INSET));
  const fmt = (v: number): string => v.toFixed(1);

  // A week without a value breaks the line instead of bridging it; a lone week is a dot.
  const runs: { i: number; v: number }[][] = [[]];
  values.forEach((v, i) => (v === null ? runs.push([]) : runs.at(-1)!.push({ i, v })));
  const paths = runs
    .filter((run) => run.length > 0)
    .map((run) =>
      run.length === 1
        ? `<circle cx="${fmt(xOf(run[0]!.i))}" cy="${fmt(yOf(run[0]!.v))}" r="1.5" fill="${CHART_COLORS.weekly}"/>`
        : `<polyline fill="none" stroke="${CHART_COLORS.actual}" stroke-width="1.5" stroke-linejoin="round" points="${run.map((p) => `${fmt(xOf(p.i))},${fmt(yOf(p.v))}`).join(' ')}"/>`,
    )
    .join('');
  const lastIndex = values.findLastIndex((v) => v !== null);
  const last = `<circle cx="${fmt(xOf(lastIndex))}" cy="${fmt(yOf(values[lastIndex]!))}" r="2.5" fill="${CHART_COLORS.smoothed}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="#ffffff"/>${paths}${last}</svg>`;
}
