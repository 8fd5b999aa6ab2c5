// What the charts share: colours, the font family (the bundled DejaVu Sans, see rasterize.ts),
// axis ticks, and numbers written the same way in every locale (digits, a comma, K and M),
// because the image cannot change with the recipient's locale and the font has these glyphs.

export const CHART_FONT = 'DejaVu Sans';

/**
 * Every chart's text size, in SVG units of a chart 552 units wide. A phone of 375 px shows the
 * e-mail's column 347 px wide, so a chart that wide is drawn at 347/552 of its size: 18 units
 * read as 11.3 CSS px there (the least the e-mail allows, docs/email.md), 18 px on a desktop.
 */
export const CHART_TEXT_SIZE = 18;

export const CHART_COLORS = {
  actual: '#1f5fbf',
  /** The trailing mean the trajectory is judged by; the weekly values are drawn lighter. */
  smoothed: '#0b3d91',
  weekly: '#9dbbe8',
  target: '#8a94a6',
  grid: '#e6eaf0',
  muted: '#5f6b7a',
  text: '#1b2533',
} as const;

const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function chartNumber(value: number): string {
  const size = Math.abs(value);
  if (size >= 10_000) return compact.format(value);
  return size >= 10 ? whole.format(value) : plain.format(value);
}

/** About `count` evenly spaced round values (1, 2 or 5 × 10^k apart) covering [min, max]. */
export function niceTicks(min: number, max: number, count: number): number[] {
  // A flat series still needs a visible range around it.
  const [lo, hi] = min === max ? [min - Math.max(1, Math.abs(min) * 0.1), max + Math.max(1, Math.abs(max) * 0.1)] : [min, max];
  const rough = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= rough)!;
  const first = Math.floor(lo / step) * step;
  const ticks = [first];
  while (ticks.at(-1)! < hi) ticks.push(Number((first + ticks.length * step).toPrecision(12)));
  return ticks;
}
