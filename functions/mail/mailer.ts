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
