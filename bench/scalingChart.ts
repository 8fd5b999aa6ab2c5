// A log-log chart of time against size, one line per stage, as PNG (SVG drawn here, rendered by
// resvg with a bundled font so the text renders on any machine).
import { createRequire } from 'node:module';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  name: string;
  points: Point[];
}

const require = createRequire(import.meta.url);
const FONT = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans.ttf');
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

/** Least-squares slope of log10(y) against log10(x): 1 means time grows linearly with size. */
export function slope(points: Point[]): number {
  const xs = points.map((p) => Math.log10(p.x));
  const ys = points.map((p) => Math.log10(Math.max(p.y, 1e-3)));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

export function scalingChart(series: Series[], title: string): Buffer {
  const width = 720;
  const height = 440;
  const left = 70;
  const right = 170;
  const top = 40;
  const bottom = 50;
  const all = series.flatMap((s) => s.points).filter((p) => p.y > 0);
  const decade = (v: number, up: boolean) => 10 ** (up ? Math.ceil(Math.log10(v)) : Math.floor(Math.log10(v)));
  const x0 = decade(Math.min(...all.map((p) => p.x)), false);
  const x1 = decade(Math.max(...all.map((p) => p.x)), true);
  const y0 = decade(Math.min(...all.map((p) => p.y)), false);
  const y1 = decade(Math.max(...all.map((p) => p.y)), true);
  const px = (x: number) => left + ((Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * (width - left - right);
  const py = (y: number) => height - bottom - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * (height - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="24" font-size="15">${title}</text>`,
  ];
  for (let v = x0; v <= x1; v *= 10) {
    parts.push(`<line x1="${px(v)}" y1="${top}" x2="${px(v)}" y2="${height - bottom}" stroke="#ddd"/>`);
    parts.push(`<text x="${px(v)}" y="${height - bottom + 18}" text-anchor="middle">${v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : v}</text>`);
  }
  for (let v = y0; v <= y1; v *= 10) {
    parts.push(`<line x1="${left}" y1="${py(v)}" x2="${width - right}" y2="${py(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 8}" y="${py(v) + 4}" text-anchor="end">${v < 1 ? v.toFixed(Math.ceil(-Math.log10(v))) : v} s</text>`);
  }
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">orders</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = s.points.filter((p) => p.y > 0);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    const b = slope(pts);
    parts.push(`<text x="${width - right + 12}" y="${top + 20 + i * 20}" fill="${color}">${s.name} (slope ${Number.isFinite(b) ? b.toFixed(2) : '–'})</text>`);
  });
  parts.push('</svg>');
  const png = new Resvg(parts.join(''), { font: { fontFiles: [FONT], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  return Buffer.from(png);
}
