// The mail port: deliver one finished MIME message. The bytes are built once (buildMime) and
// handed over unchanged, so what the archive keeps is exactly what was sent.
// Adapters: .eml outbox (local), SMTP; SES SendRawEmail takes the same bytes.

export interface MailToSend {
  /** RFC 5322 bytes, CRLF line ends, as built by buildMime. */
  raw: Buffer;
  /** Envelope sender (MAIL FROM); may differ from the From header. */
  from: string;
  /** Envelope recipients (RCPT TO); the To header does not decide who receives the message. */
  to: string[];
  /** Stable per week and recipient, so an adapter can refuse or name duplicates. */
  idempotencyKey: string;
}

export interface SendResult {
  messageId: string;
  accepted: string[];
}

export interface Mailer {
  readonly kind: string;
  send(message: MailToSend): Promise<SendResult>;
}

/**
 * The transport may have the message: it was handed over, and the answer was lost (a timeout,
 * a dropped connection). Not a failure to retry quietly, not a delivery to count on: the run
 * keeps the recipient's marker "in doubt" and the next run sends again, saying so.
 */
export class DeliveryInDoubtError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeliveryInDoubtError';
  }
}

/** How long a mail server may keep a run waiting, per connection step or request (mail.timeoutSeconds). */
export const DEFAULT_MAIL_TIMEOUT_SECONDS = 60;
