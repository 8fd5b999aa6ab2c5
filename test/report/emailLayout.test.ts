import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCharts } from '../../functions/report/charts/renderCharts.ts';
import { formatter } from '../../functions/report/format.ts';
import type { ReportLocale } from '../../functions/report/report.ts';
import { renderEmail } from '../../functions/report/renderEmail.ts';
import { CHROMIUM_PATH, launchChromium, openEmail, withInlineImages } from '../../scripts/emailPreview.ts';
import { fixtureReport } from './reportFixture.ts';

// The e-mail in a real browser engine at a phone's width. Mail apps on phones render like a
// narrow browser: a page wider than the screen scrolls sideways and reads badly.
// CI installs Chromium (.ci/run), so there a missing browser fails the test instead of skipping it.
const hasChromium = existsSync(CHROMIUM_PATH) || process.env.CI === 'true';
let browser: Browser | undefined;

beforeAll(async () => {
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('the e-mail at 375 px in Chromium', () => {
  it.skipIf(!hasChromium).each<[ReportLocale, string]>([
    ['en', 'USD'],
    ['ko', 'KRW'],
    ['ja', 'JPY'],
  ])(`fits the width, shows the headline number and gives every image alt text (%s, %s; skipped outside CI without Chromium at ${CHROMIUM_PATH})`, async (locale, currency) => {
    // Prepare: every section filled (both lines of business), with long names and stale data (the banner is shown too)
    const report = fixtureReport({ locale, config: { reportCurrency: currency }, latestOrderAt: '2026-11-20T12:00:00Z', lines: 'both' });
    const email = renderEmail(report, renderCharts(report));
    const html = withInlineImages(email.html, email.inlineImages.map((i) => ({ cid: i.cid, content: i.content })));
    const headline = formatter(locale, currency, 'UTC').money(report.headline.value);

    // Act
    const { page, layout } = await openEmail(browser!, html, 375);
    const number = page.getByText(headline, { exact: true }).first();
    const box = await number.boundingBox();
    const visible = await number.isVisible();
    await page.close();

    // Assess
    expect(layout.scrollWidth).toBeLessThanOrEqual(375);
    expect(visible).toBe(true);
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    expect(layout.imagesWithoutAlt).toBe(0);
    expect(layout.brokenImages).toBe(0);
  });
});
