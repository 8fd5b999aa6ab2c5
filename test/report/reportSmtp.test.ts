import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMime } from '../../functions/mail/message.ts';
import { SmtpMailer } from '../../functions/mail/smtpMailer.ts';
import { renderCharts } from '../../functions/report/charts/renderCharts.ts';
import { renderEmail } from '../../functions/report/renderEmail.ts';
import { startSmtpCapture, type SmtpCapture } from '../mail/smtpCapture.ts';
import { fixtureReport } from './reportFixture.ts';

// The whole report message through a real SMTP server on 127.0.0.1 and parsed back: what a relay
// receives is what executives' clients parse.

/** RFC 2047 encoded words as the builder writes non-ASCII header text (base64 UTF-8). */
const decodeWords = (header: unknown): string =>
  String(header).replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
let smtp: SmtpCapture;

beforeAll(async () => {
  smtp = await startSmtpCapture();
});

afterAll(async () => {
  await smtp.close();
});

describe('the report message over SMTP', () => {
  it('arrives with its subject, both parts, the inline charts and the CSV intact', async () => {
    // Prepare
    const report = fixtureReport({ locale: 'ko', config: { reportCurrency: 'KRW' } });
    const email = renderEmail(report, renderCharts(report));
    const raw = await buildMime({ from: { address: 'ltv-pulse@example.com' }, to: [{ name: '김 대표', address: 'ceo@example.com' }], ...email }, { date: new Date('2026-11-23T07:00:00Z') });

    // Act
    await new SmtpMailer({ host: '127.0.0.1', port: smtp.port, secure: false }).send({ raw, from: 'ltv-pulse@example.com', to: ['ceo@example.com'], idempotencyKey: '2026-W47-ceo@example.com' });
    const parsed = await simpleParser(smtp.received.at(-1)!.raw, { keepCidLinks: true });

    // Assess
    expect(parsed.subject).toBe(email.subject);
    expect(parsed.text).toBe(email.text);
    expect(parsed.html).toBe(email.html);
    for (const image of email.inlineImages) {
      const part = parsed.attachments.find((a) => a.cid === image.cid)!;
      expect(part.content.equals(image.content)).toBe(true);
      expect(decodeWords(part.headers.get('content-description'))).toBe(image.alt);
      expect(parsed.html).toContain(`src="cid:${image.cid}"`);
    }
    const csv = parsed.attachments.find((a) => a.filename === 'scorecard-2026-W47.csv')!;
    expect(csv.content.toString('utf8')).toBe(email.attachments[0]!.content);
  });
});
