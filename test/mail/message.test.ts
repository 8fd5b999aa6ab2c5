import { simpleParser, type AddressObject } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMime, type OutgoingEmail } from '../../functions/mail/message.ts';
import { messageIdOf } from '../../functions/mail/rawMessage.ts';
import { CHART_PNG, FIXED_DATE, sampleEmail } from './sampleEmail.ts';

function addresses(field: AddressObject | AddressObject[] | undefined): { name: string; address: string | undefined }[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => ({ name: v.name, address: v.address })));
}

describe('buildMime', () => {
  it('builds text and html alternatives, the chart inline by cid and the attachment', async () => {
    // Arrange
    const email = sampleEmail();

    // Act
    const raw = await buildMime(email, { date: FIXED_DATE, messageId: '<2026-W03@example.com>' });
    const parsed = await simpleParser(raw, { keepCidLinks: true });

    // Assess
    expect(parsed.subject).toBe(email.subject);
    expect(parsed.messageId).toBe('<2026-W03@example.com>');
    expect(parsed.date?.toISOString()).toBe(FIXED_DATE.toISOString());
    expect(addresses(parsed.from)).toEqual([{ name: 'LTV Pulse', address: 'reports@example.com' }]);
    expect(addresses(parsed.to)).toEqual([
      { name: 'Jürgen Müller', address: 'cfo@example.com' },
      { name: '', address: 'ceo@example.com' },
    ]);
    expect(parsed.text).toBe(email.text.replace(/\r\n/g, '\n'));
    expect(parsed.html).toContain('src="cid:chart-clv@ltv-pulse"');
    expect(parsed.html).toContain('€1,234.56');
    expect(parsed.headers.get('x-ltv-week')).toBe('2026-W03');

    const image = parsed.attachments.find((a) => a.cid === 'chart-clv@ltv-pulse');
    expect(image).toMatchObject({ contentType: 'image/png', filename: 'clv.png', contentDisposition: 'inline', related: true });
    expect(image?.content.equals(CHART_PNG)).toBe(true);
    expect(image?.headers.get('content-description')).toBe('CLV trend, last 12 weeks');

    const csv = parsed.attachments.find((a) => a.filename === 'kpis.csv');
    expect(csv).toMatchObject({ contentType: 'text/csv', contentDisposition: 'attachment' });
    expect(csv?.related).not.toBe(true);
    expect(csv?.content.toString('utf8')).toBe('kpi,value\nclv,1234.56\n');
  });

  it('nests the parts so clients show the html with its images, or the text', async () => {
    // Act
    const raw = (await buildMime(sampleEmail(), { date: FIXED_DATE })).toString('latin1');

    // Assess: the order of the Content-Type lines is the tree walked depth first.
    const types = [...raw.matchAll(/^Content-Type: ([^;\r\n]+)/gim)].map((m) => m[1]);
    expect(types).toEqual(['multipart/mixed', 'multipart/alternative', 'text/plain', 'multipart/related', 'text/html', 'image/png', 'text/csv']);
  });

  it('uses CRLF line ends only', async () => {
    // Act
    const raw = await buildMime(sampleEmail({ text: 'one\ntwo\n', html: '<p>one</p>\n<img src="cid:chart-clv@ltv-pulse">\n' }), { date: FIXED_DATE });

    // Assess
    expect(raw.toString('latin1')).not.toMatch(/[^\r]\n/);
  });

  it('gives the same bytes for the same e-mail, boundaries included', async () => {
    // Act
    const first = await buildMime(sampleEmail(), { date: FIXED_DATE });
    const second = await buildMime(sampleEmail(), { date: FIXED_DATE });
    const other = await buildMime(sampleEmail({ subject: 'another week' }), { date: FIXED_DATE });

    // Assess
    expect(first.equals(second)).toBe(true);
    const boundaryOf = (raw: Buffer): string | undefined => /boundary="([^"]+)"/.exec(raw.toString('latin1'))?.[1];
    expect(boundaryOf(first)).toBeDefined();
    expect(boundaryOf(other)).not.toBe(boundaryOf(first));
  });

  it('derives a Message-ID on the sender domain when none is given', async () => {
    // Act
    const raw = await buildMime(sampleEmail(), { date: FIXED_DATE });

    // Assess
    expect(messageIdOf(raw)).toMatch(/^<[0-9a-f]{32}\.ltv-pulse@example\.com>$/);
  });

  it('adds the angle brackets to a bare messageId', async () => {
    const raw = await buildMime(sampleEmail(), { date: FIXED_DATE, messageId: 'ltv-pulse.2026-W03@example.com' });
    expect(messageIdOf(raw)).toBe('<ltv-pulse.2026-W03@example.com>');
  });

  it('keeps a display name with a comma, quotes and brackets as one name, not as extra recipients', async () => {
    // Arrange
    const email = sampleEmail({ to: [{ name: 'Evil, "Boss" <boss@attacker.test>', address: 'cfo@example.com' }] });

    // Act
    const parsed = await simpleParser(await buildMime(email, { date: FIXED_DATE }));

    // Assess
    expect(addresses(parsed.to)).toEqual([{ name: 'Evil, "Boss" <boss@attacker.test>', address: 'cfo@example.com' }]);
  });

  it('sends a message without images or attachments as plain multipart/alternative', async () => {
    const raw = await buildMime(sampleEmail({ inlineImages: [], attachments: [], html: '<p>hi</p>' }), { date: FIXED_DATE });
    const types = [...raw.toString('latin1').matchAll(/^Content-Type: ([^;\r\n]+)/gim)].map((m) => m[1]);
    expect(types).toEqual(['multipart/alternative', 'text/plain', 'text/html']);
  });
});

describe('buildMime refuses header injection', () => {
  const injected = 'x\r\nBcc: attacker@evil.test';
  const base = sampleEmail();
  const image = base.inlineImages[0]!;
  const cases: [string, Partial<OutgoingEmail>, RegExp][] = [
    ['subject', { subject: `Weekly${injected}` }, /^subject contains a line break/],
    ['from name', { from: { name: injected, address: 'reports@example.com' } }, /^from name contains a line break/],
    ['from address', { from: { address: `reports@example.com\nBcc: a@evil.test` } }, /^from address contains a line break/],
    ['to name', { to: [{ name: injected, address: 'cfo@example.com' }] }, /^to\[0\] name contains a line break/],
    ['to address', { to: [{ address: 'cfo@example.com' }, { address: 'ceo@example.com\r\n' }] }, /^to\[1\] address contains a line break/],
    ['header value', { headers: { 'X-Week': injected } }, /^header X-Week contains a line break/],
    ['header name', { headers: { 'X-Week\r\nBcc': 'a' } }, /^header name "X-Week\r\nBcc" is not a valid header field name/],
    ['header overriding Bcc', { headers: { Bcc: 'attacker@evil.test' } }, /^header Bcc is set by the message builder/],
    ['image cid', { inlineImages: [{ ...image, cid: `chart${injected}` }] }, /^inlineImages\[0\]\.cid contains a line break/],
    ['image filename', { inlineImages: [{ ...image, filename: `clv.png${injected}` }] }, /^inlineImages\[0\]\.filename contains a line break/],
    ['image alt', { inlineImages: [{ ...image, alt: `trend${injected}` }] }, /^inlineImages\[0\]\.alt contains a line break/],
    ['attachment filename', { attachments: [{ filename: `a.csv${injected}`, contentType: 'text/csv', content: '' }] }, /^attachments\[0\]\.filename contains a line break/],
    ['attachment type', { attachments: [{ filename: 'a.csv', contentType: `text/csv${injected}`, content: '' }] }, /^attachments\[0\]\.contentType contains a line break/],
  ];

  it.each(cases)('in the %s', async (_field, override, message) => {
    await expect(buildMime(sampleEmail(override), { date: FIXED_DATE })).rejects.toThrow(message);
  });

  it('in the messageId', async () => {
    await expect(buildMime(base, { date: FIXED_DATE, messageId: `<a@example.com>${injected}` })).rejects.toThrow(/^messageId contains a line break/);
  });
});

describe('buildMime explains other mistakes', () => {
  const image = sampleEmail().inlineImages[0]!;
  const cases: [string, Partial<OutgoingEmail>, RegExp][] = [
    ['an invalid address', { to: [{ address: 'cfo at example.com' }] }, /^to\[0\] address "cfo at example\.com" is not a valid e-mail address/],
    ['no recipients', { to: [] }, /^to is empty/],
    ['an image the html does not show', { html: '<p>no chart</p>' }, /cid "chart-clv@ltv-pulse" is not referenced by the html/],
    ['two images with one cid', { inlineImages: [image, { ...image, filename: 'b.png' }] }, /^inlineImages\[1\]\.cid "chart-clv@ltv-pulse" is used by two images/],
    ['a cid with brackets', { inlineImages: [{ ...image, cid: '<chart>' }] }, /^inlineImages\[0\]\.cid "<chart>" may only contain/],
    ['a PNG that is not one', { inlineImages: [{ ...image, content: Buffer.from('GIF89a') }] }, /^inlineImages\[0\] \("clv\.png"\) is declared image\/png but its content is not a PNG/],
    ['a content type that is not one', { attachments: [{ filename: 'a.csv', contentType: 'csv', content: '' }] }, /^attachments\[0\]\.contentType "csv" is not a MIME type/],
  ];

  it.each(cases)('%s', async (_case, override, message) => {
    await expect(buildMime(sampleEmail(override), { date: FIXED_DATE })).rejects.toThrow(message);
  });

  it('an invalid date', async () => {
    await expect(buildMime(sampleEmail(), { date: new Date('not a date') })).rejects.toThrow(/^options\.date is not a valid date/);
  });

  it('a messageId without a domain', async () => {
    await expect(buildMime(sampleEmail(), { date: FIXED_DATE, messageId: 'week-3' })).rejects.toThrow(/^messageId "week-3" must look like <unique-part@domain>/);
  });
});
