// A report-shaped e-mail shared by the mail tests: non-ASCII subject and names, a chart inline
// by cid, a CSV attachment, and text lines that start with a dot (SMTP dot-stuffing).
import type { OutgoingEmail } from '../../functions/mail/message.ts';

const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** A valid PNG followed by a few KB of varied bytes (ignored after IEND), so base64 spans many lines. */
export const CHART_PNG = Buffer.concat([PIXEL_PNG, Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 7919 + (i >> 3)) % 256))]);

export const FIXED_DATE = new Date('2026-01-19T07:00:00Z');

export function sampleEmail(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    from: { name: 'LTV Pulse', address: 'reports@example.com' },
    to: [
      { name: 'Jürgen Müller', address: 'cfo@example.com' },
      { address: 'ceo@example.com' },
    ],
    subject: 'CLV weekly 2026-W03: headline CLV €1,234.56 — 한국어',
    text: 'Headline CLV: €1,234.56\r\n.\r\n..starts with dots\r\nEnd.\r\n',
    html: '<!doctype html><html><body><h1>CLV weekly</h1><img src="cid:chart-clv@ltv-pulse" alt="CLV trend"><p>€1,234.56</p></body></html>',
    inlineImages: [{ cid: 'chart-clv@ltv-pulse', filename: 'clv.png', contentType: 'image/png', content: CHART_PNG, alt: 'CLV trend, last 12 weeks' }],
    attachments: [{ filename: 'kpis.csv', contentType: 'text/csv; charset=utf-8', content: 'kpi,value\nclv,1234.56\n' }],
    headers: { 'X-LTV-Week': '2026-W03' },
    ...overrides,
  };
}
