// npm run preview [-- --week 2026-W47] [--reports out/reports] [--out out/preview]
// Opens a week's archived e-mail (every locale archived for it) in headless Chromium at phone
// and desktop width, saves full-page screenshots, and says whether the phone view scrolls
// sideways. The images come from the archived .eml, as a mail client would show them.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { simpleParser } from 'mailparser';
import { launchChromium, openEmail, withInlineImages } from './emailPreview.ts';

const WIDTHS = [375, 600, 1280];

const { values } = parseArgs({
  options: { week: { type: 'string' }, reports: { type: 'string', default: path.join('out', 'reports') }, out: { type: 'string', default: path.join('out', 'preview') } },
});
const reportsDir = values.reports!;
const weeks = (await readdir(reportsDir).catch(() => [])).filter((w) => /^\d{4}-W\d{2}$/.test(w)).sort();
const week = values.week ?? weeks.at(-1);
if (!week) {
  console.error(`No archived reports in ${reportsDir}; run \`npm start\` first.`);
  process.exit(1);
}
const dir = path.join(reportsDir, week);
const pages = (await readdir(dir)).filter((f) => /^email(\.[a-z]{2})?\.html$/.test(f)).sort();
if (pages.length === 0) {
  console.error(`No email.html in ${dir}; run \`npm start -- --week ${week}\` first.`);
  process.exit(1);
}
const outDir = path.join(values.out!, week);
await mkdir(outDir, { recursive: true });
const browser = await launchChromium();
let overflow = false;
try {
  for (const file of pages) {
    const name = file.replace(/\.html$/, '');
    const parsed = await simpleParser(await readFile(path.join(dir, `${name}.eml`)), { keepCidLinks: true });
    const images = parsed.attachments.filter((a) => a.cid).map((a) => ({ cid: a.cid!, content: a.content }));
    const html = withInlineImages(await readFile(path.join(dir, file), 'utf8'), images);
    for (const width of WIDTHS) {
      const { page, layout } = await openEmail(browser, html, width);
      const shot = path.join(outDir, `${name}-${width}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      await page.close();
      const fits = layout.scrollWidth <= width;
      overflow ||= !fits;
      console.log(
        `${shot}: ${fits ? 'fits' : `scrolls sideways (${layout.scrollWidth}px wide)`}` +
          `${layout.imagesWithoutAlt > 0 ? `, ${layout.imagesWithoutAlt} image(s) without alt text` : ''}` +
          `${layout.brokenImages > 0 ? `, ${layout.brokenImages} image(s) not shown` : ''}`,
      );
    }
  }
} finally {
  await browser.close();
}
process.exitCode = overflow ? 1 : 0;
