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
  /** Every image as drawn: its alt text, left and right edge and width, in CSS px. */
  images: { alt: string; left: number; right: number; width: number }[];
  /** Elements whose box passes the viewport's right edge (at most 10), to say what overflows. */
  overflowing: { tag: string; text: string; right: number }[];
}

const pageLayout = z.object({
  viewportWidth: z.number(),
  scrollWidth: z.number(),
  imagesWithoutAlt: z.number(),
  brokenImages: z.number(),
  images: z.array(z.object({ alt: z.string(), left: z.number(), right: z.number(), width: z.number() })),
  overflowing: z.array(z.object({ tag: z.string(), text: z.string(), right: z.number() })),
});

// Runs in the page, so it is written as the page's own JavaScript.
const MEASURE = `({
  viewportWidth: window.innerWidth,
  scrollWidth: document.documentElement.scrollWidth,
  imagesWithoutAlt: [...document.images].filter((img) => !img.getAttribute('alt')).length,
  brokenImages: [...document.images].filter((img) => !img.complete || img.naturalWidth === 0).length,
  images: [...document.images].map((img) => {
    const box = img.getBoundingClientRect();
    return { alt: img.getAttribute('alt') ?? '', left: box.left, right: box.right, width: box.width };
  }),
  overflowing: [...document.body.querySelectorAll('*')]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .slice(0, 10)
    .map((el) => ({ tag: el.tagName.toLowerCase(), text: (el.textContent ?? '').trim().slice(0, 60), right: el.getBoundingClientRect().right })),
})`;

export async function openEmail(browser: Browser, html: string, width: number): Promise<{ page: Page; layout: PageLayout }> {
  const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  await page.setContent(html, { waitUntil: 'load' });
  const layout = pageLayout.parse(await page.evaluate(MEASURE));
  return { page, layout };
}
