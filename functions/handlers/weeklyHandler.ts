// Lambda entry point of the weekly report, invoked by EventBridge Scheduler with the schedule's
// time in the payload. The week is the last complete one before that time in the configured
// zone, so a late or repeated delivery of the same event reports the same week, and the sent
// markers make a repeat send nothing twice. A failed run fails the invocation, so Lambda's retry
// and dead-letter destination see it; the owner's failure notice is the pipeline's own
// (runWeeklyReport), the same one a failed `ltv report` sends. A week whose data is incomplete
// is held, which is not a failure: an hourly schedule invokes the handler with `retryHeld`, and
// the first run that finds the data complete sends the week.
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig } from '../config/load.ts';
import { athenaCostUsd } from '../engine/athenaEngine.ts';
import { openStores } from '../pipeline/adapters.ts';
import { reportWeek } from '../pipeline/reportWeek.ts';
import { heldKey, type Delivery } from '../pipeline/weeklyReport.ts';
import { formatWeekId, lastCompleteWeek, parseWeekId } from '../time/isoWeek.ts';

/** Time kept back from the Lambda's limit to stop running queries and send the failure notice. */
const STOP_MARGIN_MS = 30_000;

const weeklyEventSchema = z.strictObject({
  /** `<aws.scheduler.scheduled-time>`, e.g. 2026-11-23T07:00:00Z. */
  scheduledTime: z.iso.datetime({ offset: true }),
  /** A backfill or re-run of a given week, invoked by hand. */
  week: z.string().regex(/^\d{4}-W\d{2}$/, 'must be an ISO week id like 2026-W47').optional(),
  /** Send again to recipients who already got the week (a deliberate resend). */
  force: z.boolean().optional(),
  /** Send the week marked incomplete instead of holding it (an engineer's decision, by hand). */
  sendIncomplete: z.boolean().optional(),
  /**
   * The hourly retry: run only when the week is held (or went out marked incomplete) for
   * incomplete data, so that it is sent once its exports have landed.
   */
  retryHeld: z.boolean().optional(),
});

export type WeeklyEvent = z.input<typeof weeklyEventSchema>;

export interface WeeklySummary {
  week: string;
  /** held: the data is incomplete and nothing was sent (the owner was told); idle: a retry found nothing held. */
  outcome: 'sent' | 'held' | 'idle';
  archive: string;
  deliveries: Delivery[];
  queries: number;
  /** Athena's bytes scanned and their price; absent on engines that scan nothing billable. */
  athena?: { bytesScanned: number; costUsd: number };
}

export async function handler(event: WeeklyEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<WeeklySummary> {
  const parsed = weeklyEventSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
    throw new Error(`not a weekly report event ({ "scheduledTime": "<aws.scheduler.scheduled-time>" }): ${problems}`);
  }
  const input = parsed.data;
  const config = await loadConfig();
  const week = input.week ? parseWeekId(input.week) : lastCompleteWeek(new Date(input.scheduledTime), config.timeZone);
  const weekId = formatWeekId(week);
  const now = new Date();
  if (input.retryHeld) {
    const { reports } = openStores(config);
    if (!(await reports.head(heldKey(weekId)))) {
      return { week: weekId, outcome: 'idle', archive: reports.location, deliveries: [], queries: 0 };
    }
  }
  try {
    const result = await reportWeek(config, {
      week,
      now,
      ingestPending: false,
      force: input.force ?? false,
      sendIncomplete: input.sendIncomplete ?? false,
      ...(context ? { deadline: new Date(now.getTime() + context.getRemainingTimeInMillis() - STOP_MARGIN_MS) } : {}),
    });
    const scanned = result.report.queries.flatMap((q) => (q.bytesScanned === undefined ? [] : [q.bytesScanned]));
    const summary: WeeklySummary = {
      week: weekId,
      outcome: result.outcome === 'held' ? 'held' : 'sent',
      archive: result.reportsLocation,
      deliveries: result.deliveries,
      queries: result.report.queries.length,
      ...(scanned.length > 0
        ? { athena: { bytesScanned: scanned.reduce((a, b) => a + b, 0), costUsd: scanned.reduce((a, b) => a + athenaCostUsd(b), 0) } }
        : {}),
    };
    if (summary.outcome === 'held') {
      // Not a failed invocation: Lambda's own retries would only repeat the same check, so the
      // hourly retry schedule comes back instead, and the owner has the notice.
      console.warn(JSON.stringify({ message: 'weekly report held: data incomplete', reasons: result.report.dataQuality.incomplete, ...summary }));
    } else console.log(JSON.stringify({ message: 'weekly report finished', ...summary }));
    return summary;
  } catch (err) {
    console.error(JSON.stringify({ message: 'weekly report failed', week: weekId, error: (err as Error).message }));
    throw err;
  }
}
