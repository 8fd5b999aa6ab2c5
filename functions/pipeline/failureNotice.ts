// The owner's notices of the weekly job: when a run fails, or cannot vouch for the week's data,
// its owner gets a short message saying which week, what went wrong and what to do, and never a
// half-filled report. The CLI path (runWeeklyReport) and the Lambda handlers send them through
// this module.
import type { Config } from '../config/schema.ts';
import { buildMime, type Address, type OutgoingEmail } from '../mail/message.ts';
import type { Mailer } from '../mail/mailer.ts';
import { escapeHtml } from '../report/escapeHtml.ts';
import type { Report } from '../report/report.ts';

/** Enough of a stack-less message to act on, short enough to read on a phone. */
const MAX_ERROR_CHARS = 2000;

export interface FailureNotice {
  weekId: string;
  error: unknown;
  /** When the run failed; stamped on the message. */
  now: Date;
  /** Recipients the week's report reached (every recipient is tried, whoever fails). */
  deliveredTo?: readonly string[];
}

/** Who is told about failures: the configured owner, else the sender (often the team's own mailbox). */
export function ownerOf(config: Config): Address {
  const owner = config.owner ?? config.sender;
  return { ...(owner.name ? { name: owner.name } : {}), address: owner.address };
}

function ownerEmail(config: Config, subject: string, lines: string[]): OutgoingEmail {
  const text = `${lines.join('\n')}\n`;
  return {
    from: config.sender,
    to: [ownerOf(config)],
    subject,
    html: `<!DOCTYPE html><html><body><pre style="font-family:Menlo,Consolas,monospace;white-space:pre-wrap">${escapeHtml(text)}</pre></body></html>`,
    text,
    inlineImages: [],
    attachments: [],
  };
}

export function failureNoticeEmail(config: Config, notice: FailureNotice): OutgoingEmail {
  const message = notice.error instanceof Error ? notice.error.message : String(notice.error);
  const error = message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS)}…` : message;
  const delivered = notice.deliveredTo ?? [];
  // Fixed text and a validated week id only in the subject: nothing from the error reaches a header.
  return ownerEmail(config, `ltv-pulse: the weekly report for ${notice.weekId} failed`, [
    delivered.length > 0
      ? `The weekly CLV report for ${notice.weekId} failed for some recipients; the others have it.`
      : `The weekly CLV report for ${notice.weekId} failed, so no report was sent for it.`,
    '',
    `What went wrong: ${error}`,
    '',
    delivered.length > 0 ? `Delivered to: ${delivered.join(', ')}.` : 'No recipient received a report for this week.',
    `Fix the cause and run \`ltv report --week ${notice.weekId}\` again: recipients who already have the week's report are skipped.`,
    '',
    `Failed at ${notice.now.toISOString()}.`,
  ]);
}

async function sendToOwner(config: Config, mailer: Mailer, email: OutgoingEmail, now: Date, idempotencyKey: string): Promise<void> {
  const raw = await buildMime(email, { date: now });
  await mailer.send({ raw, from: config.sender.address, to: [ownerOf(config).address], idempotencyKey });
}

async function sendFailureNotice(config: Config, mailer: Mailer, notice: FailureNotice): Promise<void> {
  await sendToOwner(config, mailer, failureNoticeEmail(config, notice), notice.now, `${notice.weekId}-failure-${notice.now.toISOString()}`);
}

/** held: nothing went to the recipients; sent-flagged: they got the report marked incomplete. */
/**
 * Tells the owner a run failed; when even that fails, the error says both, so the engineer
 * knows nobody was told.
 */
export async function notifyOwner(config: Config, mailer: Mailer, notice: FailureNotice): Promise<void> {
  try {
    await sendFailureNotice(config, mailer, notice);
  } catch (noticeError) {
    const err = notice.error;
    throw new Error(`${err instanceof Error ? err.message : String(err)}; the failure notice could not be sent either: ${(noticeError as Error).message}`, { cause: err });
  }
}

export type IncompleteOutcome = 'held' | 'sent-flagged';

export interface IncompleteNotice {
  report: Report;
  now: Date;
  outcome: IncompleteOutcome;
}

export function incompleteNoticeEmail(config: Config, notice: IncompleteNotice): OutgoingEmail {
  const weekId = notice.report.week.id;
  const held = notice.outcome === 'held';
  return ownerEmail(config, `ltv-pulse: the weekly report for ${weekId} ${held ? 'is held' : 'went out marked incomplete'}: its data is incomplete`, [
    held
      ? `The weekly CLV report for ${weekId} is held: nothing was sent to the recipients, because this run cannot vouch for the week's data.`
      : `The weekly CLV report for ${weekId} was sent to the recipients marked incomplete (completeness.onIncomplete is "send-flagged" or --send-incomplete was given), because this run cannot vouch for the week's data.`,
    '',
    `What is missing: ${notice.report.dataQuality.staleness ?? ''}`,
    '',
    `Once the missing exports are ingested, the next run ${held ? 'sends the report' : 'sends the complete report once more'}: ` +
      `on AWS the hourly retry of held weeks, locally \`ltv report --week ${weekId}\`.`,
    ...(held ? [`To send it now as it is, marked incomplete: \`ltv report --week ${weekId} --send-incomplete\`.`] : []),
    '',
    `Checked at ${notice.now.toISOString()}.`,
  ]);
}

export async function sendIncompleteNotice(config: Config, mailer: Mailer, notice: IncompleteNotice): Promise<void> {
  await sendToOwner(config, mailer, incompleteNoticeEmail(config, notice), notice.now, `${notice.report.week.id}-incomplete-${notice.now.toISOString()}`);
}
