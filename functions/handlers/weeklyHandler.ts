// Lambda entry point of the weekly report, invoked by EventBridge Scheduler with the schedule's
// time in the payload. The week is the last complete one before that time in the configured
// zone, so a late or repeated delivery of the same event reports the same week, and the sent
// markers make a repeat send nothing twice. A failed run fails the invocation, so Lambda's retry
// and dead-letter destination see it; the owner's failure notice is the pipeline's own
// (runWeeklyReport), the same one a failed `ltv report` sends. A week whose data is incomplete
// is held, which is not a failure: an hourly schedule invokes the handler with `retryHeld`, and
// the first run that finds the data complete sends the week. Invoked by hand it also takes a
// dry run (archived, mailed to the owner alone) and a backfill of past weeks' history
// (docs/deploy.md, "The first run").
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig } from '../config/load.ts';
import { athenaCostUsd } from '../engine/athenaEngine.ts';
import type { Config } from '../config/schema.ts';
import { openEngine, openStores } from '../pipeline/adapters.ts';
import { backfillWeeks, weeksFromTo, type BackfilledWeek } from '../pipeline/backfill.ts';
import { reportWeek } from '../pipeline/reportWeek.ts';
import { heldKey, type Delivery } from '../pipeline/weeklyReport.ts';
import { endedWeekBounds, formatWeekId, lastCompleteWeek, parseWeekId } from '../time/isoWeek.ts';

/** Time kept back from the Lambda's limit to stop running queries and send the failure notice. */
const STOP_MARGIN_MS = 30_000;

const weekId = z.string().regex(/^\d{4}-W\d{2}$/, 'must be an ISO week id like 2026-W47');

const weeklyEventSchema = z.strictObject({
  /** `<aws.scheduler.scheduled-time>`, e.g. 2026-11-23T07:00:00Z; by hand, any instant (the week is the last complete one before it). */
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
  /** A backfill or re-run of a given week, invoked by hand. */
  week: weekId.optional(),
  /** Send again to recipients who already got the week (a deliberate resend). */
  force: z.boolean().optional(),
  /** Send the week marked incomplete instead of holding it (an engineer's decision, by hand). */
  sendIncomplete: z.boolean().optional(),
  /**
   * The hourly retry: run only when the week is held (or went out marked incomplete) for
   * incomplete data, so that it is sent once its exports have landed.
   */
  retryHeld: z.boolean().optional(),
  /** Build and archive the week and mail it to the owner alone, marked "[dry run]"; the recipients get nothing. */
  dryRun: z.boolean().optional(),
  /**
   * Compute these weeks into kpi_history and clv_scores, oldest first, sending nothing. Weeks
   * the invocation has no time left for are named in the answer (`next`), to invoke again with.
   */
  backfill: z.strictObject({ from: weekId, to: weekId }).optional(),
})
  .refine((e) => e.scheduledTime !== undefined || e.week !== undefined || e.backfill !== undefined, {
    message: 'give scheduledTime (as the schedule does), week, or backfill',
  })
  .refine((e) => !(e.backfill && (e.week || e.force || e.sendIncomplete || e.retryHeld || e.dryRun)), {
    message: 'backfill computes history and sends nothing: it takes no week, force, sendIncomplete, retryHeld or dryRun',
  })
  .refine((e) => !(e.dryRun && (e.force || e.retryHeld)), { message: 'a dry run sends to nobody but the owner: it takes no force or retryHeld' });

type EventInput = z.input<typeof weeklyEventSchema>;
/** What the schedule sends, or a week by hand. */
export type WeeklyEvent = Omit<EventInput, 'backfill'> & { backfill?: undefined };
/** Past weeks' history by hand. */
export type BackfillEvent = { backfill: { from: string; to: string } };

export interface WeeklySummary {
  week: string;
  /**
   * held: the data is incomplete and nothing was sent (the owner was told); idle: a retry found
   * nothing held; dry-run: archived and mailed to the owner alone.
   */
  outcome: 'sent' | 'held' | 'idle' | 'dry-run';
  archive: string;
  deliveries: Delivery[];
  queries: number;
  /** Athena's bytes scanned and their price; absent on engines that scan nothing billable. */
  athena?: { bytesScanned: number; costUsd: number };
}

export interface BackfillSummary {
  outcome: 'backfilled';
  weeks: BackfilledWeek[];
  /** The first week not computed for want of time: invoke again with backfill.from set to it. */
  next: string | null;
}

type LambdaContext = Pick<Context, 'getRemainingTimeInMillis'>;

export function handler(event: BackfillEvent, context?: LambdaContext): Promise<BackfillSummary>;
export function handler(event: WeeklyEvent, context?: LambdaContext): Promise<WeeklySummary>;
export async function handler(event: unknown, context?: LambdaContext): Promise<WeeklySummary | BackfillSummary> {
  const parsed = weeklyEventSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
    throw new Error(`not a weekly report event ({ "scheduledTime": "<aws.scheduler.scheduled-time>" }, or by hand { "week": "2026-W47", "dryRun": true } or { "backfill": { "from": "2026-W01", "to": "2026-W47" } }): ${problems}`);
  }
  const input = parsed.data;
  const config = await loadConfig();
  if (input.backfill) return backfill(config, input.backfill, context);
  const week = input.week ? parseWeekId(input.week) : lastCompleteWeek(new Date(input.scheduledTime!), config.timeZone);
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
      dryRun: input.dryRun ?? false,
      previewToOwner: input.dryRun ?? false,
      ...(context ? { deadline: new Date(now.getTime() + context.getRemainingTimeInMillis() - STOP_MARGIN_MS) } : {}),
    });
    const scanned = result.report.queries.flatMap((q) => (q.bytesScanned === undefined ? [] : [q.bytesScanned]));
    const summary: WeeklySummary = {
      week: weekId,
      outcome: result.outcome,
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

/** A week of backfill takes a few Athena queries' time; one is not started with less left than this. */
const BACKFILL_WEEK_MARGIN_MS = 120_000;

async function backfill(config: Config, range: { from: string; to: string }, context?: LambdaContext): Promise<BackfillSummary> {
  const from = parseWeekId(range.from);
  const to = parseWeekId(range.to);
  const weeks = weeksFromTo(from, to);
  // A week that has not ended cannot be complete (the same refusal as a report).
  endedWeekBounds(to, config.timeZone, new Date(), 'backfill');
  const { lake } = openStores(config);
  const engine = await openEngine(config, context ? { deadline: new Date(Date.now() + context.getRemainingTimeInMillis() - STOP_MARGIN_MS) } : {});
  const mayStart = () => !context || context.getRemainingTimeInMillis() >= STOP_MARGIN_MS + BACKFILL_WEEK_MARGIN_MS;
  const done = await backfillWeeks({ config, lake, engine }, from, to, undefined, mayStart).finally(() => engine.close());
  const next = done.length < weeks.length ? formatWeekId(weeks[done.length]!) : null;
  const summary: BackfillSummary = { outcome: 'backfilled', weeks: done, next };
  console.log(JSON.stringify({ message: next ? `backfill stopped for time: invoke again from ${next}` : 'backfill finished', ...summary }));
  return summary;
}
