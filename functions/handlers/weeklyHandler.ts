// Lambda entry point of the weekly report, invoked by EventBridge Scheduler with the schedule's
// time in the payload. The week is the last complete one before that time in the configured
// zone, so a late or repeated delivery of the same event reports the same week, and the sent
// markers make a repeat send nothing twice. A failed run fails the invocation, so Lambda's retry
// and dead-letter destination see it; the owner's failure notice is the pipeline's own
// (runWeeklyReport), the same one a failed `ltv report` sends.
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig } from '../config/load.ts';
import { athenaCostUsd } from '../engine/athenaEngine.ts';
import { reportWeek } from '../pipeline/reportWeek.ts';
import type { Delivery } from '../pipeline/weeklyReport.ts';
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
});

export type WeeklyEvent = z.input<typeof weeklyEventSchema>;

export interface WeeklySummary {
  week: string;
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
  try {
    const result = await reportWeek(config, {
      week,
      now,
      ingestPending: false,
      force: input.force ?? false,
      ...(context ? { deadline: new Date(now.getTime() + context.getRemainingTimeInMillis() - STOP_MARGIN_MS) } : {}),
    });
    const scanned = result.report.queries.flatMap((q) => (q.bytesScanned === undefined ? [] : [q.bytesScanned]));
    const summary: WeeklySummary = {
      week: weekId,
      archive: result.reportsLocation,
      deliveries: result.deliveries,
      queries: result.report.queries.length,
      ...(scanned.length > 0
        ? { athena: { bytesScanned: scanned.reduce((a, b) => a + b, 0), costUsd: scanned.reduce((a, b) => a + athenaCostUsd(b), 0) } }
        : {}),
    };
    console.log(JSON.stringify({ message: 'weekly report finished', ...summary }));
    return summary;
  } catch (err) {
    console.error(JSON.stringify({ message: 'weekly report failed', week: weekId, error: (err as Error).message }));
    throw err;
  }
}
