import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCharts } from '../../functions/report/charts/renderCharts.ts';
import { formatter } from '../../functions/report/format.ts';
import type { ReportLocale } from '../../functions/report/report.ts';
import { renderEmail } from '../../functions/report/renderEmail.ts';
import { CHROMIUM_PATH, launchChromium, openEmail, withInlineImages } from '../../scripts/emailPreview.ts';
import { fixtureReport } from './reportFixture.ts';

// The e-mail in a real browser engine at a phone's, a mail pane's and a desktop's width. Mail
// apps on phones render like a narrow browser: a page wider than the screen scrolls sideways and
// reads badly, and a chart scaled down to the column shrinks its text with it.
// CI installs Chromium (.ci/run), so there a missing browser fails the test instead of skipping it.
const hasChromium = existsSync(CHROMIUM_PATH) || process.env.CI === 'true';
/** The least a chart's text may render at, in CSS px (docs/email.md). */
const MIN_CHART_TEXT_PX = 11;
let browser: Browser | undefined;

beforeAll(async () => {
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

const cases: [ReportLocale, string, number][] = (['en', 'ko', 'ja'] as const).flatMap((locale) => {
  const currency = { en: 'USD', ko: 'KRW', ja: 'JPY' }[locale];
  return [375, 600, 1280].map((width): [ReportLocale, string, number] => [locale, currency, width]);
});

describe('the e-mail in Chromium', () => {
  it.skipIf(!hasChromium).each(cases)(
    `fits %s (%s) at %i px: nothing scrolls sideways, no image passes the edge, chart text at least 11 px, the headline shown, every image with alt text (skipped outside CI without Chromium at ${CHROMIUM_PATH})`,
    async (locale, currency, width) => {
      // Prepare: every section filled (both lines of business), long names, stale data (the banner too)
      const report = fixtureReport({ locale, config: { reportCurrency: currency }, latestOrderAt: '2026-11-20T12:00:00Z', lines: 'both' });
      // The predictive CLV with its interval, in the currency's own size of numbers.
      const size = { en: 1, ko: 1300, ja: 150 }[locale];
      report.clv.push({ method: 'bgnbd', value: 117.25 * size, flags: [], interval: { low: 108.41 * size, high: 126.73 * size, level: 0.95, basis: 'delta_method' } });
      const charts = renderCharts(report);
      const email = renderEmail(report, charts);
      const html = withInlineImages(email.html, email.inlineImages.map((i) => ({ cid: i.cid, content: i.content })));
      const headline = formatter(locale, currency, 'UTC').money(report.headline.value);
      // Each image's chart by its alt text, which is unique in the message
      const chartOf = new Map(email.inlineImages.map((img) => [img.alt, [charts.trajectory, charts.cohorts, charts.tracking, ...Object.values(charts.sparklines)].find((c) => c?.png === img.content) ?? null]));

      // Act
      const { page, layout } = await openEmail(browser!, html, width);
      const number = page.getByText(headline, { exact: true }).first();
      const box = await number.boundingBox();
      const visible = await number.isVisible();
      await page.close();

      // Assess
      expect(layout.overflowing).toEqual([]);
      expect(layout.scrollWidth).toBeLessThanOrEqual(width);
      expect(layout.images).toHaveLength(email.inlineImages.length);
      for (const img of layout.images) {
        expect(img.left, img.alt).toBeGreaterThanOrEqual(0);
        expect(img.right, img.alt).toBeLessThanOrEqual(width);
        const chart = chartOf.get(img.alt);
        expect(chart, img.alt).toBeTruthy();
        if (chart!.minFontPx !== null) expect((chart!.minFontPx * img.width) / chart!.width, img.alt).toBeGreaterThanOrEqual(MIN_CHART_TEXT_PX);
      }
      expect(visible).toBe(true);
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(width);
      expect(layout.imagesWithoutAlt).toBe(0);
      expect(layout.brokenImages).toBe(0);
    },
  );
});
