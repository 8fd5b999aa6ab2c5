// SMTP mail adapter: sends the finished MIME bytes unchanged (nodemailer `raw`), so what is
// archived is byte for byte what was sent; the envelope, not the To header, decides who gets it.
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { z } from 'zod';
import { assertEmailAddress } from './headerSafety.ts';
import { DEFAULT_MAIL_TIMEOUT_SECONDS, DeliveryInDoubtError, type MailToSend, type Mailer, type SendResult } from './mailer.ts';
import { messageIdOf } from './rawMessage.ts';

// An empty string from an environment variable means "not set", not "log in as nobody".
const optionalSecret = z.string().optional().transform((v) => (v === '' ? undefined : v));

export const smtpOptionsSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    /** true: TLS from the first byte (port 465); false: plain, upgraded by STARTTLS when offered. */
    secure: z.boolean().default(false),
    user: optionalSecret,
    password: optionalSecret,
    /** Each step (connecting, the greeting, every reply) may take this long before the send fails. */
    timeoutSeconds: z.number().positive().default(DEFAULT_MAIL_TIMEOUT_SECONDS),
  })
  .refine((o) => (o.user === undefined) === (o.password === undefined), {
    message: 'set both user and password for SMTP authentication, or neither',
    path: ['user'],
  });

export type SmtpOptions = z.input<typeof smtpOptionsSchema>;

export interface RecipientRejection {
  recipient: string;
  /** The server's reply, e.g. "550 5.1.1 Mailbox unavailable". */
  response: string;
}

/** The server refused some or all recipients; `accepted` lists those that did get the message. */
export class SmtpRecipientsRejectedError extends Error {
  constructor(
    readonly server: string,
    readonly rejected: RecipientRejection[],
    readonly accepted: string[],
  ) {
    const refused = rejected.map((r) => `${r.recipient} (server said: ${r.response})`).join('; ');
    const delivered = accepted.length > 0 ? `; delivered to ${accepted.join(', ')}, do not resend to them` : '';
    super(`SMTP server ${server} refused recipient${rejected.length > 1 ? 's' : ''} ${refused}${delivered}`);
    this.name = 'SmtpRecipientsRejectedError';
  }
}

export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  private readonly server: string;
  private readonly tlsRequiredForLogin: boolean;
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(options: SmtpOptions) {
    const parsed = smtpOptionsSchema.safeParse(options);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
      throw new Error(`SMTP mail options are invalid: ${issues}`);
    }
    const o = parsed.data;
    this.server = `${o.host}:${o.port}`;
    const auth = o.user !== undefined && o.password !== undefined ? { user: o.user, pass: o.password } : undefined;
    // Never send a password in clear text to another machine: with credentials on a plain
    // connection, insist on STARTTLS (a server on this machine is the exception, for tests).
    this.tlsRequiredForLogin = auth !== undefined && !o.secure && !isLoopback(o.host);
    this.transport = nodemailer.createTransport({
      host: o.host,
      port: o.port,
      secure: o.secure,
      ...(auth ? { auth } : {}),
      requireTLS: this.tlsRequiredForLogin,
      connectionTimeout: o.timeoutSeconds * 1000,
      greetingTimeout: o.timeoutSeconds * 1000,
      // Later than the greeting's, so a server that never greets fails as such (certainly not
      // sent) rather than as a silent socket, which may be a reply lost.
      socketTimeout: o.timeoutSeconds * 1500,
    });
  }

  async send(message: MailToSend): Promise<SendResult> {
    // The envelope goes into SMTP commands: a line break there would add commands.
    assertEmailAddress('envelope from', message.from);
    if (message.to.length === 0) throw new Error('no envelope recipients given; nothing to send');
    message.to.forEach((to, i) => assertEmailAddress(`envelope to[${i}]`, to));

    let info: SMTPTransport.SentMessageInfo;
    try {
      info = await this.transport.sendMail({ envelope: { from: message.from, to: message.to }, raw: message.raw });
    } catch (err) {
      throw this.explain(err, message.to);
    }
    const accepted = [...info.accepted];
    if (info.rejected.length > 0) {
      throw new SmtpRecipientsRejectedError(this.server, rejectionsOf(info.rejected, info.rejectedErrors), accepted);
    }
    return { messageId: messageIdOf(message.raw) ?? info.messageId, accepted };
  }

  private explain(err: unknown, to: string[]): Error {
    const e: SmtpError = err instanceof Error ? err : new Error(String(err));
    if (e.rejectedErrors && e.rejectedErrors.length > 0) {
      return new SmtpRecipientsRejectedError(this.server, rejectionsOf(e.rejected ?? [], e.rejectedErrors), []);
    }
    const hint = hintFor(e, this.tlsRequiredForLogin);
    if (mayHaveArrived(e)) {
      return new DeliveryInDoubtError(
        `the SMTP server ${this.server} stopped answering while the message to ${to.join(', ')} was under way (${e.message}); it may have arrived`,
        { cause: err },
      );
    }
    return new Error(`could not send to ${to.join(', ')} via SMTP server ${this.server}: ${e.message}${hint ? ` (${hint})` : ''}`, { cause: err });
  }
}

// The fields nodemailer adds to its errors that matter here.
interface SmtpError extends Error {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  recipient?: string;
  response?: string;
  rejected?: string[];
  rejectedErrors?: SmtpError[];
}

function rejectionsOf(rejected: string[], errors: SmtpError[] | undefined): RecipientRejection[] {
  const byRecipient = new Map((errors ?? []).map((e) => [e.recipient ?? '', e.response ?? e.message]));
  const recipients = rejected.length > 0 ? rejected : [...byRecipient.keys()];
  return recipients.map((recipient) => ({ recipient, response: byRecipient.get(recipient) ?? 'no reason given' }));
}

function hintFor(e: SmtpError, tlsRequiredForLogin: boolean): string | undefined {
  const code = e.originalCode ?? e.code;
  if (code === 'ECONNREFUSED') return 'nothing listens there: check mail.host and mail.port, and that the server runs';
  if (code === 'ENOTFOUND' || code === 'EDNS') return 'the host name does not resolve: check mail.host';
  if (code === 'ETIMEDOUT') return 'the server did not answer in time: check mail.host, mail.port and firewalls';
  if (code === 'EAUTH') return 'the server refused the login: check mail.user and mail.password';
  if (code === 'ETLS' && tlsRequiredForLogin) return 'the server offers no STARTTLS and the password is never sent unencrypted: use mail.secure true (port 465) or a server with STARTTLS';
  if (code === 'ETLS') return 'TLS failed: port 465 usually needs mail.secure true, ports 25 and 587 need false';
  return undefined;
}

/**
 * A connection lost or silent after the server greeted us may have taken the message (its reply
 * to the end of DATA lost); nodemailer does not say which step timed out. Refusals (a reply
 * code), a connection never made and a greeting never received are certain failures.
 */
function mayHaveArrived(e: SmtpError): boolean {
  if (e.responseCode !== undefined) return false;
  const code = e.originalCode ?? e.code;
  if (code === 'ETIMEDOUT') return !/greeting never received|connection timeout/i.test(e.message);
  return code === 'ESOCKET' || code === 'ECONNRESET' || (code === 'ECONNECTION' && !/ECONNREFUSED/.test(e.message));
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
