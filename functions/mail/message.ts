// Builds the one MIME message of a report: text and HTML alternatives, charts as inline images
// referenced by Content-ID, attachments. Everything that becomes a header is checked here,
// because the subject, names and addresses come from configuration and report data.
import { createHash } from 'node:crypto';
import MailComposer, { type MailComposerAttachment } from 'nodemailer/lib/mail-composer/index.js';
import { assertEmailAddress, assertNoLineBreak } from './headerSafety.ts';

export interface Address {
  name?: string;
  address: string;
}

export interface InlineImage {
  /** Referenced from the HTML as `src="cid:<cid>"`. */
  cid: string;
  filename: string;
  contentType: 'image/png';
  content: Buffer;
  /** Also sent as the part's Content-Description, for clients that list the image. */
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

export interface BuildMimeOptions {
  /** Always explicit: the same report re-run must give the same bytes. */
  date: Date;
  /** `<id@domain>`; derived from the content and the sender's domain when left out. */
  messageId?: string;
}

// These are written from the typed fields; a custom header of the same name would either be
// dropped silently or contradict the structure, so it is refused.
const RESERVED_HEADERS = new Set([
  'from', 'sender', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'mime-version',
  'content-type', 'content-transfer-encoding', 'content-disposition', 'content-id',
]);
// RFC 5322 field-name: printable ASCII except the colon.
const HEADER_NAME = /^[!-9;-~]+$/;
// Content-ID goes between angle brackets and into a cid: URL, so no brackets, spaces or quotes.
const CID = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.@]+$/;
const CONTENT_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;.*)?$/;
const MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export async function buildMime(email: OutgoingEmail, options: BuildMimeOptions): Promise<Buffer> {
  validate(email);
  if (Number.isNaN(options.date.getTime())) throw new Error('options.date is not a valid date');
  const fingerprint = contentFingerprint(email, options);
  const messageId = options.messageId === undefined ? defaultMessageId(email.from, fingerprint) : normalizeMessageId(options.messageId);

  const composer = new MailComposer({
    from: email.from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    date: options.date,
    messageId,
    headers: email.headers ?? {},
    attachments: [...email.inlineImages.map(inlinePart), ...email.attachments.map(attachmentPart)],
    // Boundaries derived from the content: the same e-mail gives the same bytes, and a boundary
    // that is a hash of the content cannot plausibly occur inside that content.
    baseBoundary: fingerprint.slice(0, 24),
    // SMTP servers increasingly refuse bare LF (SMTP smuggling defences): CRLF throughout.
    newline: 'win',
    // Content is always passed as data; never let a string be read as a path or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}

function validate(email: OutgoingEmail): void {
  assertNoLineBreak('subject', email.subject);
  checkAddress('from', email.from);
  if (email.to.length === 0) throw new Error('to is empty: the message needs at least one recipient');
  email.to.forEach((a, i) => checkAddress(`to[${i}]`, a));

  for (const [name, value] of Object.entries(email.headers ?? {})) {
    if (!HEADER_NAME.test(name)) throw new Error(`header name "${name}" is not a valid header field name (printable ASCII, no colon or spaces)`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new Error(`header ${name} is set by the message builder; use the matching field of the e-mail instead`);
    assertNoLineBreak(`header ${name}`, value);
  }

  const cids = new Set<string>();
  email.inlineImages.forEach((img, i) => {
    const field = `inlineImages[${i}]`;
    assertNoLineBreak(`${field}.cid`, img.cid);
    if (!CID.test(img.cid)) throw new Error(`${field}.cid "${img.cid}" may only contain letters, digits and !#$%&'*+-/=?^_\`{|}~.@`);
    if (cids.has(img.cid)) throw new Error(`${field}.cid "${img.cid}" is used by two images; give each image its own cid`);
    cids.add(img.cid);
    // An image the HTML does not show would appear as a stray attachment in most clients.
    if (!email.html.includes(`cid:${img.cid}`)) throw new Error(`${field}.cid "${img.cid}" is not referenced by the html; add <img src="cid:${img.cid}"> or drop the image`);
    checkFilename(`${field}.filename`, img.filename);
    assertNoLineBreak(`${field}.alt`, img.alt);
    if (img.content.length < PNG_SIGNATURE.length || !img.content.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) {
      throw new Error(`${field} ("${img.filename}") is declared image/png but its content is not a PNG`);
    }
  });

  email.attachments.forEach((a, i) => {
    const field = `attachments[${i}]`;
    checkFilename(`${field}.filename`, a.filename);
    assertNoLineBreak(`${field}.contentType`, a.contentType);
    if (!CONTENT_TYPE.test(a.contentType)) throw new Error(`${field}.contentType "${a.contentType}" is not a MIME type such as text/csv`);
  });
}

function checkAddress(field: string, a: Address): void {
  if (a.name !== undefined) assertNoLineBreak(`${field} name`, a.name);
  assertEmailAddress(`${field} address`, a.address);
}

function checkFilename(field: string, filename: string): void {
  assertNoLineBreak(field, filename);
  if (filename.trim() === '') throw new Error(`${field} is empty`);
}

function normalizeMessageId(id: string): string {
  assertNoLineBreak('messageId', id);
  const bracketed = id.startsWith('<') ? id : `<${id}>`;
  if (!MESSAGE_ID.test(bracketed)) throw new Error(`messageId "${id}" must look like <unique-part@domain>`);
  return bracketed;
}

function defaultMessageId(from: Address, fingerprint: string): string {
  const domain = from.address.slice(from.address.lastIndexOf('@') + 1);
  return `<${fingerprint.slice(0, 32)}.ltv-pulse@${domain}>`;
}

function inlinePart(img: InlineImage): MailComposerAttachment {
  return {
    filename: img.filename,
    content: img.content,
    contentType: img.contentType,
    cid: img.cid,
    contentDisposition: 'inline',
    headers: { 'Content-Description': img.alt },
  };
}

function attachmentPart(a: Attachment): MailComposerAttachment {
  return { filename: a.filename, content: a.content, contentType: a.contentType, contentDisposition: 'attachment' };
}

/** SHA-256 over every input, length-prefixed so that moving bytes between fields changes it. */
function contentFingerprint(email: OutgoingEmail, options: BuildMimeOptions): string {
  const hash = createHash('sha256');
  const put = (value: string | Buffer): void => {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  };
  const putAddress = (a: Address): void => {
    put(a.name ?? '');
    put(a.address);
  };
  putAddress(email.from);
  put(String(email.to.length));
  email.to.forEach(putAddress);
  put(email.subject);
  put(email.text);
  put(email.html);
  put(options.date.toISOString());
  put(options.messageId ?? '');
  put(String(email.inlineImages.length));
  for (const img of email.inlineImages) [img.cid, img.filename, img.contentType, img.alt, img.content].forEach(put);
  put(String(email.attachments.length));
  for (const a of email.attachments) [a.filename, a.contentType, typeof a.content === 'string' ? 's' : 'b', a.content].forEach(put);
  const headers = Object.entries(email.headers ?? {});
  put(String(headers.length));
  for (const [name, value] of headers) [name, value].forEach(put);
  return hash.digest('hex');
}
