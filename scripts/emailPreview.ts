// Shared by `npm run preview` and the layout test: the e-mail's HTML in headless Chromium with
// its cid: images swapped for data: URLs, the way a mail client shows the related parts.
import { chromium, type Browser, type Page } from 'playwright-core';
import { z } from 'zod';

/** Debian's chromium package; set CHROMIUM_PATH for another browser binary. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface CidImage {
  cid: string;
  content: Buffer;
}

export function withInlineImages(html: string, images: readonly CidImage[]): string {
  return images.reduce((page, img) => page.replaceAll(`cid:${img.cid}`, `data:image/png;base64,${img.content.toString('base64')}`), html);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH });
}

export interface PageLayout {
  viewportWidth: number;
  /** document.documentElement.scrollWidth: above the viewport width means horizontal scrolling. */
  scrollWidth: number;
  /** Images without an alt attribute (or with an empty one). */
  imagesWithoutAlt: number;
  /** Images that did not load. */
  brokenImages: number;
}

const pageLayout = z.object({
  viewportWidth: z.number(),
  scrollWidth: z.number(),
  imagesWithoutAlt: z.number(),
  brokenImages: z.number(),
});

// Runs in the page, so it is written as the page's own JavaScript.
const MEASURE = `({
  viewportWidth: window.innerWidth,
  scrollWidth: document.documentElement.scrollWidth,
  imagesWithoutAlt: [...document.images].filter((img) => !img.getAttribute('alt')).length,
  brokenImages: [...document.images].filter((img) => !img.complete || img.naturalWidth === 0).length,
})`;

export async function openEmail(browser: Browser, html: string, width: number): Promise<{ page: Page; layout: PageLayout }> {
  const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  await page.setContent(html, { waitUntil: 'load' });
  const layout = pageLayout.parse(await page.evaluate(MEASURE));
  return { page, layout };
}
