// The one failure notice of the weekly job: when a run fails, its owner gets a short message
// saying which week, what went wrong and what to do, and never a half-filled report. The CLI
// path (runWeeklyReport) and the Lambda handlers send it through this function.
import type { Config } from '../config/schema.ts';
import { buildMime, type Address, type OutgoingEmail } from '../mail/message.ts';
import type { Mailer } from '../mail/mailer.ts';
import { escapeHtml } from '../report/escapeHtml.ts';

/** Enough of a stack-less message to act on, short enough to read on a phone. */
const MAX_ERROR_CHARS = 2000;

export interface FailureNotice {
  weekId: string;
  error: unknown;
  /** When the run failed; stamped on the message. */
  now: Date;
  /** Recipients the week's report had already reached before the failure. */
  deliveredTo?: readonly string[];
}

/** Who is told about failures: the configured owner, else the sender (often the team's own mailbox). */
export function ownerOf(config: Config): Address {
  const owner = config.owner ?? config.sender;
  return { ...(owner.name ? { name: owner.name } : {}), address: owner.address };
}

export function failureNoticeEmail(config: Config, notice: FailureNotice): OutgoingEmail {
  const message = notice.error instanceof Error ? notice.error.message : String(notice.error);
  const error = message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS)}…` : message;
  const delivered = notice.deliveredTo ?? [];
  const lines = [
    `The weekly CLV report for ${notice.weekId} failed, so no report was sent for it${delivered.length > 0 ? ' to the remaining recipients' : ''}.`,
    '',
    `What went wrong: ${error}`,
    '',
    delivered.length > 0 ? `Already delivered before the failure: ${delivered.join(', ')}.` : 'No recipient received a report for this week.',
    `Fix the cause and run \`ltv report --week ${notice.weekId}\` again: recipients who already have the week's report are skipped.`,
    '',
    `Failed at ${notice.now.toISOString()}.`,
  ];
  const text = `${lines.join('\n')}\n`;
  return {
    from: config.sender,
    to: [ownerOf(config)],
    // Fixed text and a validated week id only: nothing from the error reaches a header.
    subject: `ltv-pulse: the weekly report for ${notice.weekId} failed`,
    html: `<!DOCTYPE html><html><body><pre style="font-family:Menlo,Consolas,monospace;white-space:pre-wrap">${escapeHtml(text)}</pre></body></html>`,
    text,
    inlineImages: [],
    attachments: [],
  };
}

export async function sendFailureNotice(config: Config, mailer: Mailer, notice: FailureNotice): Promise<void> {
  const email = failureNoticeEmail(config, notice);
  const raw = await buildMime(email, { date: notice.now });
  await mailer.send({ raw, from: config.sender.address, to: [ownerOf(config).address], idempotencyKey: `${notice.weekId}-failure-${notice.now.toISOString()}` });
}
