// Builds the one MIME message of a report: text and HTML alternatives, inline images by
// Content-ID, attachments. Header values are checked here, because a line break in a subject
// or name would let configuration inject headers.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { z } from 'zod';

export interface Address {
  name?: string;
  address: string;
}

export interface InlineImage {
  cid: string;
  filename: string;
  contentType: 'image/png';
  content: Buffer;
  alt: string;
}

export interface Attachment {
  filename: string;
  contentType: string;
  content: Buffer | string;
}

export interface OutgoingEmail {
  from: Address;
  to: Address[];
  subject: string;
  html: string;
  text: string;
  inlineImages: InlineImage[];
  attachments: Attachment[];
  headers?: Record<string, string>;
}

const emailAddress = z.email();

function assertHeaderSafe(field: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new Error(`${field} contains a line break; remove it (line breaks would inject mail headers)`);
}

function checkAddress(field: string, a: Address): void {
  assertHeaderSafe(`${field} address`, a.address);
  if (a.name !== undefined) assertHeaderSafe(`${field} name`, a.name);
  if (!emailAddress.safeParse(a.address).success) throw new Error(`${field} address "${a.address}" is not a valid e-mail address`);
}

export async function buildMime(email: OutgoingEmail, options: { date: Date; messageId?: string }): Promise<Buffer> {
  assertHeaderSafe('subject', email.subject);
  checkAddress('from', email.from);
  if (email.to.length === 0) throw new Error('the message has no recipients');
  email.to.forEach((a) => checkAddress('to', a));
  for (const [k, v] of Object.entries(email.headers ?? {})) {
    assertHeaderSafe(`header ${k}`, k);
    assertHeaderSafe(`header ${k}`, v);
  }
  if (options.messageId) assertHeaderSafe('messageId', options.messageId);
  const composer = new MailComposer({
    from: email.from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    date: options.date,
    ...(options.messageId ? { messageId: options.messageId } : {}),
    headers: email.headers ?? {},
    attachments: [
      ...email.inlineImages.map((img) => ({ filename: img.filename, content: img.content, contentType: img.contentType, cid: img.cid, contentDisposition: 'inline' as const })),
      ...email.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
    ],
    // Fixed boundaries make the same report produce the same bytes.
    baseBoundary: 'ltv-pulse',
  });
  return composer.compile().build();
}
