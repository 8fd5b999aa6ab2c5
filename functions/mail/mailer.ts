// The mail port: deliver one finished MIME message. Adapters: .eml outbox (local), SMTP.

export interface MailToSend {
  raw: Buffer;
  from: string;
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

/** The Message-ID header of a raw message, for adapters that do not assign their own. */
export function messageIdOf(raw: Buffer): string {
  const head = raw.subarray(0, Math.min(raw.length, 16_384)).toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
  const m = /^message-id:\s*(.+)$/im.exec(head);
  return m ? m[1]!.trim() : '';
}
