import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { niceTicks } from '../../functions/report/charts/chartStyle.ts';
import { cohortHeatmapSvg, heatmapSize } from '../../functions/report/charts/cohortHeatmap.ts';
import { CHART_SCALE, resvgOptions } from '../../functions/report/charts/rasterize.ts';
import { renderCharts } from '../../functions/report/charts/renderCharts.ts';
import { SPARKLINE_SIZE, sparklineSvg } from '../../functions/report/charts/sparkline.ts';
import { trackingSvg } from '../../functions/report/charts/trackingChart.ts';
import { trajectorySvg } from '../../functions/report/charts/trajectoryChart.ts';
import { fixtureReport } from './reportFixture.ts';

const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
const darkPixels = (rgba: Buffer): number => {
  let n = 0;
  for (let i = 0; i < rgba.length; i += 4) if (rgba[i]! < 128 && rgba[i + 3]! > 0) n++;
  return n;
};

describe('chart rendering', () => {
  it('draws text with the bundled DejaVu font, never the machine’s fonts, which Lambda does not have', () => {
    // Prepare: nothing but text
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#fff"/><text x="4" y="28" font-size="20">2026-W47 ₩1,234</text></svg>';

    // Act
    const withFont = new Resvg(svg, resvgOptions(200)).render();
    const withoutFonts = new Resvg(svg, { font: { loadSystemFonts: false } }).render();

    // Assess: without a font resvg silently draws no text at all
    expect(darkPixels(withFont.pixels)).toBeGreaterThan(300);
    expect(darkPixels(withoutFonts.pixels)).toBe(0);
  });

  it('renders every chart as PNG at twice its size in the e-mail', () => {
    // Act
    const charts = renderCharts(fixtureReport());

    // Assess: the PNG header's width and height
    for (const chart of [charts.trajectory!, charts.cohorts!, charts.tracking!]) {
      expect(chart.png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(chart.png.readUInt32BE(16)).toBe(chart.width * CHART_SCALE);
      expect(chart.png.readUInt32BE(20)).toBe(chart.height * CHART_SCALE);
      expect(chart.png.length).toBeLessThan(200_000);
    }
  });

  it('leaves a chart out when there is nothing to draw', () => {
    const report = fixtureReport();
    expect(renderCharts({ trajectory: null, cohorts: { cohorts: [], lastMonthInProgress: true }, currency: 'USD', tiles: [], predictiveClv: { ...report.predictiveClv, card: null } })).toEqual({ trajectory: null, cohorts: null, tracking: null, sparklines: {} });
    expect(renderCharts(report).trajectory).not.toBeNull();
  });
});

describe('the charts hold numbers and ids only, so one image serves every locale', () => {
  it('labels the trajectory with the currency, round values from 0 and week ids, and breaks the line at weeks without a value', () => {
    // Prepare
    const t = { anchorWeek: '2026-W40', anchorValue: 200, anchorWeeks: 13, doublingYears: 5, points: [
      { weekId: '2026-W44', actual: 210, smoothed: null, target: 202 },
      { weekId: '2026-W45', actual: null, smoothed: null, target: 203 },
      { weekId: '2026-W46', actual: 215, smoothed: null, target: 204 },
      { weekId: '2026-W47', actual: 220, smoothed: null, target: 205 },
    ] };

    // Act
    const svg = trajectorySvg(t, 'KRW');

    // Assess: 0 to 220 in about 4 steps is steps of 100 (55 rounds up to 100), up to 300
    expect(texts(svg)).toEqual(['0', '100', '200', '300', 'KRW', '2026-W44', '2026-W45', '2026-W46', '2026-W47']);
    expect(svg.match(/<polyline[^>]*stroke="#9dbbe8"/g)).toHaveLength(1); // W46-W47; W44 stands alone
    expect(svg.match(/<circle /g)).toHaveLength(3);
  });

  it('draws one heatmap row per cohort, shaded by its shares, labels every third month and outlines the month in progress', () => {
    // Act
    const report = fixtureReport();
    const svg = cohortHeatmapSvg(report.cohorts);

    // Assess
    const labels = texts(svg);
    expect(labels.slice(0, 5)).toEqual(['M0', 'M3', 'M6', 'M9', 'M12']);
    expect(labels).toContain('2025-12');
    expect(labels).toContain('2026-11');
    expect(labels.every((l) => /^(M\d+|\d{4}-\d{2})$/.test(l))).toBe(true);
    expect(svg.match(/stroke-dasharray="3 2"/g)).toHaveLength(12);
    // 90 label + 13 × (33 + 2) + 4 wide; 28 header + 12 × (24 + 2) + 4 high
    expect(heatmapSize(12)).toEqual({ width: 549, height: 344 });
  });

  it('shows months 0 to 12 only, as documented, for a cohort older than that', () => {
    // Prepare: a cohort with 15 months (0–14) of retention, the last in progress
    const old = { cohortMonth: '2025-08-01', size: 10, retention: Array.from({ length: 15 }, (_, k) => (k === 0 ? 1 : 0.5)), cumulativeRevenuePerCustomer: Array.from({ length: 15 }, () => 1) };
    const svg = cohortHeatmapSvg({ cohorts: [old], lastMonthInProgress: true });

    // Assess: M0..M12, 13 cells, and no outline, since its month in progress (M14) is not shown
    expect(svg.match(/<rect x=/g)).toHaveLength(13);
    expect(svg).not.toContain('stroke-dasharray');
  });

  it.each([
    // (870 - 812) / 4 = 14.5: steps of 20 from 800 until past 870
    [812, 870, [800, 820, 840, 860, 880]],
    // 0.5 / 4 = 0.125: steps of 0.2
    [0.4, 0.9, [0.4, 0.6, 0.8, 1]],
    // a flat series gets ±10%: 90 to 110 in steps of 5
    [100, 100, [90, 95, 100, 105, 110]],
  ])('ticks from %s to %s are %j', (min, max, ticks) => {
    expect(niceTicks(min, max, 4)).toEqual(ticks);
  });
});

describe('a tile’s sparkline', () => {
  const polylines = (svg: string) => [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1]!.split(' ').map((p) => p.split(',').map(Number)));

  it('draws the weeks with a value as one line from left to right, lowest at the bottom, the last week dotted', () => {
    // Act: 14 points (the week the 13-week change starts from to this week)
    const svg = sparklineSvg([10, 12, 11, 15, 14, 16, 18, 17, 19, 20, 21, 20, 22, 24])!;

    // Assess
    const [line] = polylines(svg);
    expect(line).toHaveLength(14);
    expect(line![0]![0]).toBe(4);
    expect(line!.at(-1)![0]).toBe(SPARKLINE_SIZE.width - 4);
    expect(line![0]![1]).toBe(SPARKLINE_SIZE.height - 4); // 10, the lowest
    expect(line!.at(-1)![1]).toBe(4); // 24, the highest
    expect(svg).not.toContain('<text');
    expect(svg.match(/<circle /g)).toHaveLength(1);
  });

  it('breaks the line at a week without a value, dots a lone week, and draws a flat series through the middle', () => {
    expect(polylines(sparklineSvg([1, 2, null, 3, 4])!)).toHaveLength(2);
    expect(sparklineSvg([1, 2, null, 3, null])!.match(/<circle /g)).toHaveLength(2); // the lone 3, which is also the last
    expect(polylines(sparklineSvg([5, 5, 5])!)[0]!.every(([, y]) => y === SPARKLINE_SIZE.height / 2)).toBe(true);
  });

  it('draws nothing with fewer than two values', () => {
    expect(sparklineSvg([null, 7, null])).toBeNull();
    expect(sparklineSvg([])).toBeNull();
  });

  it('is rendered for every tile with a trend, as a PNG twice its size in the e-mail', () => {
    const charts = renderCharts(fixtureReport());
    const report = fixtureReport();
    expect(Object.keys(charts.sparklines).sort()).toEqual(report.tiles.map((t) => t.kpi.key).sort());
    for (const chart of Object.values(charts.sparklines)) {
      expect(chart.png.readUInt32BE(16)).toBe(SPARKLINE_SIZE.width * CHART_SCALE);
      expect(chart.minFontPx).toBeNull();
    }
  });

  it('tracks the holdout from 0 with the week numbers 1 to 13 along it, and draws nothing for one week', () => {
    const weeks = fixtureReport().predictiveClv.card!.tracking!;
    const svg = trackingSvg(weeks)!;
    const labels = texts(svg);
    expect(labels[0]).toBe('0');
    expect(labels).toContain('1');
    expect(labels.at(-1)).toBe('13');
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(trackingSvg(weeks.slice(0, 1))).toBeNull();
  });
});
