// Production mail adapter: SES SendRawEmail with the finished MIME bytes unchanged, so the
// archived email.eml is what SES was given. The envelope decides who receives it: Destinations
// are the message's envelope recipients (from configuration), never addresses read from headers.
import { SendRawEmailCommand, SESClient, type SendRawEmailCommandOutput } from '@aws-sdk/client-ses';
import { assertEmailAddress } from './headerSafety.ts';
import { DEFAULT_MAIL_TIMEOUT_SECONDS, DeliveryInDoubtError, type MailToSend, type Mailer, type SendResult } from './mailer.ts';

const RETRY_BASE_MS = 1000;
const RETRY_CAP_MS = 30_000;
/** Tries per message, the first included. */
const MAX_ATTEMPTS = 6;

export interface SesMailerOptions {
  client: SESClient;
  /** SES configuration set, for bounce, complaint and delivery events. */
  configurationSet?: string;
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): the jitter of every backoff. */
  random?: () => number;
}

/** SES refused the message for good (MessageRejected: e.g. a virus, or an unverified address in the sandbox). */
export class SesMessageRejectedError extends Error {
  constructor(
    readonly recipients: string[],
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`SES rejected the message to ${recipients.join(', ')}: ${reason}; it was not sent and will not be retried`, options);
    this.name = 'SesMessageRejectedError';
  }
}

/**
 * An SES client that does not retry on its own. SendRawEmail is not idempotent: a request that
 * timed out may have been sent, and the SDK would send it again. The mailer retries only
 * answers that mean "not sent" (throttling).
 */
export function createSesClient(region: string | undefined, timeoutSeconds = DEFAULT_MAIL_TIMEOUT_SECONDS): SESClient {
  const ms = timeoutSeconds * 1000;
  return new SESClient({ region, maxAttempts: 1, requestHandler: { connectionTimeout: ms, requestTimeout: ms } });
}

export class SesMailer implements Mailer {
  readonly kind = 'ses';
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: SesMailerOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** SES replaces the Message-ID header; the id returned is SES's, the one bounce and complaint events carry. */
  async send(message: MailToSend): Promise<SendResult> {
    assertEmailAddress('envelope from', message.from);
    if (message.to.length === 0) throw new Error('no envelope recipients given; nothing to send');
    message.to.forEach((to, i) => assertEmailAddress(`envelope to[${i}]`, to));
    const command = new SendRawEmailCommand({
      RawMessage: { Data: message.raw },
      Source: message.from,
      Destinations: [...message.to],
      ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
    });
    for (let attempt = 1; ; attempt++) {
      let out: SendRawEmailCommandOutput;
      try {
        out = await this.options.client.send(command);
      } catch (err) {
        const e = err as { name?: string; message?: string };
        if (e.name === 'MessageRejected') throw new SesMessageRejectedError(message.to, e.message ?? 'no reason given', { cause: err });
        if (mayHaveBeenSent(err)) {
          throw new DeliveryInDoubtError(`SES did not answer the request to send to ${message.to.join(', ')} (${e.message ?? e.name ?? String(err)}); it may have been sent`, { cause: err });
        }
        const throttled = isSendingRateThrottle(e);
        if (!throttled || attempt >= MAX_ATTEMPTS) {
          const reason = `${e.message ?? String(err)}${e.name ? ` (${e.name})` : ''}`;
          const tries = throttled ? `; gave up after ${attempt} attempts` : '';
          throw new Error(`could not send to ${message.to.join(', ')} via SES: ${reason}${tries}${hintFor(e) ?? ''}`, { cause: err });
        }
        await this.sleep(this.random() * Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1)));
        continue;
      }
      if (!out.MessageId) throw new Error(`SES accepted the message to ${message.to.join(', ')} but returned no message id`);
      return { messageId: out.MessageId, accepted: [...message.to] };
    }
  }
}

/**
 * No answer from SES (the request timed out, the connection dropped) leaves the send in doubt;
 * an answer SES gave says what happened.
 */
function mayHaveBeenSent(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (e.$metadata?.httpStatusCode !== undefined) return false;
  return e.name === 'TimeoutError' || e.name === 'RequestTimeout' || /ECONNRESET|EPIPE|socket hang up/i.test(`${e.code ?? ''} ${e.message ?? ''}`);
}

/**
 * Throttling that passes within seconds. SES also answers "Throttling" when the daily quota is
 * used up, which waiting minutes would not cure, so that one is not retried.
 */
function isSendingRateThrottle(e: { name?: string; message?: string }): boolean {
  if (/daily message quota/i.test(e.message ?? '')) return false;
  return e.name === 'Throttling' || e.name === 'ThrottlingException' || e.name === 'MaxSendingRateExceeded';
}

function hintFor(e: { name?: string; message?: string }): string | undefined {
  if (/daily message quota/i.test(e.message ?? '')) return ' (the 24-hour sending quota is used up; a run tomorrow, or a higher quota, sends it)';
  if (e.name === 'MailFromDomainNotVerifiedException') return ' (the MAIL FROM domain of the sender is not verified in SES)';
  if (e.name === 'ConfigurationSetDoesNotExistException') return ' (mail.configurationSet names no configuration set in this region)';
  if (e.name === 'AccountSendingPausedException') return ' (sending is paused for this AWS account; see the SES console)';
  return undefined;
}
