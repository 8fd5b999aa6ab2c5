// The weekly job, one function for the Lambda handler and the CLI alike: query the lake for the
// week, compute KPIs, CLVs and the scorecard against kpi_history, build the report of every
// recipient locale, write the week's CLV scores and KPIs back to the lake, archive the report,
// and send it at most once per recipient. Nothing is written or sent until every message has
// rendered; a run that fails sends its owner a failure notice instead of a half report.
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import type { Config } from '../config/schema.ts';
import type { QueryEngine } from '../engine/queryEngine.ts';
import { WRITEBACK_TABLES } from '../engine/writebackTables.ts';
import { replaceWeekPartition, type WritebackRow } from '../engine/writebackWriter.ts';
import { withLake } from '../ingest/lakeAccess.ts';
import { readAllManifests } from '../ingest/manifest.ts';
import { computeStageKpis } from '../kpi/stageKpis.ts';
import { computeWeeklyKpis } from '../kpi/weeklyKpis.ts';
import { DeliveryInDoubtError, type Mailer } from '../mail/mailer.ts';
import { buildMime } from '../mail/message.ts';
import { buildReport, reportHistoryKeys, type WeekFacts } from '../report/buildReport.ts';
import { renderCharts } from '../report/charts/renderCharts.ts';
import { summariseIngest } from '../report/dataQuality.ts';
import type { Report, ReportLocale } from '../report/report.ts';
import { renderEmail } from '../report/renderEmail.ts';
import { withMessageId } from '../mail/rawMessage.ts';
import { readSampleOrigin } from '../sample/sampleOrigin.ts';
import { isRunning } from '../storage/localProcess.ts';
import { getJson, type ObjectStore } from '../storage/objectStore.ts';
import { formatWeekId, weekBounds, type IsoWeek, type WeekBounds } from '../time/isoWeek.ts';
import { lakeAccessOf } from './adapters.ts';
import { notifyOwner, ownerOf, sendIncompleteNotice, type IncompleteOutcome } from './failureNotice.ts';
import { gatherWeeklyInputs, windowsFor } from './gatherInputs.ts';
import { readKpiHistory, writeKpiHistory } from './kpiHistory.ts';
import { runContractualMethod } from './contractualMethod.ts';
import { runPredictiveMethod } from './predictiveMethod.ts';
import { settleAll } from './settleAll.ts';
import { gatherStageInputs } from './stageInputs.ts';
import { modelAccuracyRows } from './modelAccuracyRows.ts';

export interface WeeklyDeps {
  config: Config;
  engine: QueryEngine;
  lake: ObjectStore;
  reports: ObjectStore;
  mailer: Mailer;
}

export interface WeeklyRunOptions {
  /** Send again to recipients who already got this week's report. */
  force?: boolean;
  /** Send a week whose data is incomplete, marked so, even when completeness.onIncomplete is "hold". */
  sendIncomplete?: boolean;
  /** Build and archive, but send nothing (no failure notice either). */
  dryRun?: boolean;
  /**
   * With dryRun: mail the report to the owner alone, its subject marked "[dry run]", so a first
   * run on a deployment can be read as the executives would read it without reaching them.
   */
  previewToOwner?: boolean;
  /** When the run happens; only stamped on the message, never used in a number. */
  now?: Date;
}

export interface Delivery {
  recipient: string;
  /**
   * sent; resent: sent again after an interrupted delivery (the recipient may have two copies);
   * already-sent; in-progress: another run is delivering it now; in-doubt: handed to the
   * transport, its answer lost (the next run sends again); failed: not delivered.
   */
  status: 'sent' | 'resent' | 'already-sent' | 'in-progress' | 'in-doubt' | 'failed';
  messageId?: string;
  /** Why it was not delivered (failed, in-doubt). */
  error?: string;
  /** The report sent (or already sent) was marked incomplete. */
  incomplete?: boolean;
}

/** Some recipients did not get the report; every other one was still tried. */
export class DeliveryError extends Error {
  constructor(readonly deliveries: readonly Delivery[]) {
    const missed = deliveries.filter((d) => d.status === 'failed' || d.status === 'in-doubt');
    super(
      `the report did not reach ${missed.length} of ${deliveries.length} recipient(s): ` +
        missed.map((d) => `${d.recipient} (${d.status === 'in-doubt' ? 'in doubt, sent again by the next run' : 'failed'}: ${d.error ?? 'no reason given'})`).join('; '),
    );
    this.name = 'DeliveryError';
  }
}

export interface ArchivedMessage {
  html: string;
  text: string;
  eml: string;
}

export type ArchivedReport = { reportJson: string } & ArchivedMessage & { otherLocales: Partial<Record<ReportLocale, ArchivedMessage>> };

export interface WeeklyRunResult {
  /** The report in the configured locale, as archived in report.json. */
  report: Report;
  /**
   * sent: archived and delivered (or already delivered); dry-run: archived only; held: the data
   * is incomplete (report.dataQuality.incomplete says why), so nothing was written back,
   * archived or sent, and the owner was told.
   */
  outcome: 'sent' | 'dry-run' | 'held';
  /** Null when the week was held. */
  archived: ArchivedReport | null;
  deliveries: Delivery[];
}

/** Everything the week's report is built from, and the rows it writes back. */
export interface ComputedWeek {
  week: WeekBounds;
  facts: WeekFacts;
  /** clv_scores rows of the week, of each model that was fitted. */
  scores: WritebackRow[];
}

export function reportPrefix(weekId: string): string {
  return `${weekId}/`;
}

/**
 * Query and compute one week; reads the lake, writes nothing. It holds the lake meanwhile, so
 * no ingest swaps a table's files under its queries.
 */
export async function computeWeek(deps: Pick<WeeklyDeps, 'config' | 'engine' | 'lake'>, isoWeek: IsoWeek): Promise<ComputedWeek> {
  return withLake(deps.lake, lakeAccessOf(deps.config, `the report of ${formatWeekId(isoWeek)}`), () => computeHoldingLake(deps, isoWeek));
}

async function computeHoldingLake(deps: Pick<WeeklyDeps, 'config' | 'engine' | 'lake'>, isoWeek: IsoWeek): Promise<ComputedWeek> {
  const { config, engine } = deps;
  const week = weekBounds(isoWeek, config.timeZone);
  const windows = windowsFor(week, config);
  // Every query of the week is issued at once; the engine decides how many run together (Athena:
  // engine.maxConcurrentQueries; DuckDB: one after another). The model fit overlaps the queries still running.
  const [weeklyInputs, stage, predictive, contractual, history, manifests, sample] = await settleAll([
    gatherWeeklyInputs(engine, windows, config),
    gatherStageInputs(engine, windows, config),
    runPredictiveMethod(engine, week, config),
    runContractualMethod(engine, week, config),
    readKpiHistory(engine, reportHistoryKeys(config.headlineClvMethod), isoWeek, config),
    readAllManifests(deps.lake),
    readSampleOrigin(deps.lake),
  ]);
  const weekly = computeWeeklyKpis(weeklyInputs.inputs, config, [predictive.result, ...(contractual.result ? [contractual.result] : [])]);
  const ingest = summariseIngest(manifests);
  const accuracy = predictive.summary.accuracy;
  const stageKpis = computeStageKpis({
    inputs: stage.stage,
    ingest,
    weekEnd: week.end,
    accuracy: accuracy ? { mae: accuracy.mae } : { mae: null, guard: predictive.summary.accuracyGuard },
  });
  const clvByCustomer = new Map<string, number>();
  for (const row of predictive.scores) if (typeof row.customer_id === 'string' && typeof row.clv === 'number') clvByCustomer.set(row.customer_id, row.clv);
  return {
    week,
    facts: {
      config,
      week,
      inputs: weeklyInputs.inputs,
      weekly,
      kpis: [...weekly.kpis, ...stageKpis],
      history: history.history,
      settingsChange: history.settingsChange,
      stage: stage.stage,
      rfmScores: stage.rfmScores,
      movers: stage.movers,
      clvByCustomer,
      ingest,
      sample,
      predictive: predictive.summary,
      contractual: contractual.summary,
      queries: [...weeklyInputs.stats, ...stage.stats, ...predictive.stats, ...contractual.stats, ...history.stats],
    },
    scores: [...predictive.scores, ...contractual.scores],
  };
}

/**
 * Replace the week's partitions of clv_scores, kpi_history and model_accuracy, so a re-run never leaves two
 * sets, and register them with the engine's catalog so analysts' queries see the week.
 */
export async function writeBackWeek(lake: ObjectStore, engine: QueryEngine, computed: ComputedWeek): Promise<void> {
  await withLake(lake, lakeAccessOf(computed.facts.config, `the write-back of ${computed.week.id}`), () => writeBackHoldingLake(lake, engine, computed));
}

async function writeBackHoldingLake(lake: ObjectStore, engine: QueryEngine, computed: ComputedWeek): Promise<void> {
  const written = [
    (await replaceWeekPartition(lake, WRITEBACK_TABLES.clv_scores, computed.week.id, computed.scores)) && WRITEBACK_TABLES.clv_scores,
    (await writeKpiHistory(lake, computed.week, computed.facts.kpis, computed.facts.config)) && WRITEBACK_TABLES.kpi_history,
    (await replaceWeekPartition(lake, WRITEBACK_TABLES.model_accuracy, computed.week.id, modelAccuracyRows(computed.facts.predictive, computed.week, computed.facts.config))) &&
      WRITEBACK_TABLES.model_accuracy,
  ];
  for (const table of written) if (table) await engine.registerWeekPartition(table, computed.week.id);
}

export async function runWeeklyReport(deps: WeeklyDeps, isoWeek: IsoWeek, options: WeeklyRunOptions = {}): Promise<WeeklyRunResult> {
  const now = options.now ?? new Date();
  const deliveries: Delivery[] = [];
  try {
    return await reportWeek(deps, isoWeek, options, now, deliveries);
  } catch (err) {
    if (options.dryRun) throw err;
    const reached = deliveries.filter((d) => d.status === 'sent' || d.status === 'resent' || d.status === 'already-sent').map((d) => d.recipient);
    await notifyOwner(deps.config, deps.mailer, { weekId: formatWeekId(isoWeek), error: err, now, deliveredTo: reached });
    throw err;
  }
}

async function reportWeek(deps: WeeklyDeps, isoWeek: IsoWeek, options: WeeklyRunOptions, now: Date, deliveries: Delivery[]): Promise<WeeklyRunResult> {
  const { config } = deps;
  const computed = await computeWeek(deps, isoWeek);
  const { week } = computed;
  const localeOf = (r: Config['recipients'][number]): ReportLocale => r.locale ?? config.locale;
  const locales = [...new Set([config.locale, ...config.recipients.map(localeOf)])];
  const reports = new Map(locales.map((l) => [l, buildReport(computed.facts, l)]));
  const main = reports.get(config.locale)!;
  const incomplete = main.dataQuality.incomplete.length > 0;
  const hold = incomplete && !options.sendIncomplete && config.completeness.onIncomplete === 'hold';
  if (hold && !options.dryRun) {
    await markIncomplete(deps, main, now, 'held');
    return { report: main, outcome: 'held', archived: null, deliveries: [] };
  }
  const charts = renderCharts(main);
  const domain = config.sender.address.split('@')[1];
  const messages = new Map<ReportLocale, { html: string; text: string; raw: Buffer }>();
  for (const [locale, report] of reports) {
    const email = renderEmail(report, charts);
    const to = config.recipients.filter((r) => localeOf(r) === locale).map((r) => ({ address: r.address, ...(r.name ? { name: r.name } : {}) }));
    const raw = await buildMime(
      // A locale no recipient reads is still archived; it is addressed to the owner.
      { from: config.sender, to: to.length > 0 ? to : [ownerOf(config)], ...email },
      // The archived copy's id; each recipient's message gets its own (messageIdFor).
      { date: now, messageId: `<ltv-pulse.${week.id}${locale === config.locale ? '' : `.${locale}`}.${now.getTime().toString(36)}@${domain}>` },
    );
    messages.set(locale, { html: email.html, text: email.text, raw });
  }

  await writeBackWeek(deps.lake, deps.engine, computed);

  const prefix = reportPrefix(week.id);
  const archive = async (locale: ReportLocale): Promise<ArchivedMessage> => {
    const suffix = locale === config.locale ? '' : `.${locale}`;
    const keys = { html: `${prefix}email${suffix}.html`, text: `${prefix}email${suffix}.txt`, eml: `${prefix}email${suffix}.eml` };
    const message = messages.get(locale)!;
    await deps.reports.put(keys.html, message.html, 'text/html; charset=utf-8');
    await deps.reports.put(keys.text, message.text, 'text/plain; charset=utf-8');
    await deps.reports.put(keys.eml, message.raw, 'message/rfc822');
    return keys;
  };
  const otherLocales: Partial<Record<ReportLocale, ArchivedMessage>> = {};
  for (const locale of locales) if (locale !== config.locale) otherLocales[locale] = await archive(locale);
  const archived = { reportJson: `${prefix}report.json`, ...(await archive(config.locale)), otherLocales };
  // report.json last: its presence says the week's archive is complete.
  await deps.reports.put(archived.reportJson, `${JSON.stringify(main, null, 2)}\n`, 'application/json');

  if (options.dryRun) {
    if (options.previewToOwner) deliveries.push(await sendPreview(deps, computed, main, charts, now, domain));
    return { report: main, outcome: 'dry-run', archived, deliveries };
  }
  if (incomplete) await markIncomplete(deps, main, now, 'sent-flagged');
  // Every recipient is tried, whoever failed before them; the failures are reported together.
  for (const recipient of config.recipients) {
    const raw = withMessageId(messages.get(localeOf(recipient))!.raw, messageIdFor(week.id, recipient.address, now, domain));
    deliveries.push(await deliverOnce(deps, week.id, recipient.address, raw, { force: options.force ?? false, incomplete, now }));
  }
  if (deliveries.some((d) => d.status === 'failed' || d.status === 'in-doubt')) throw new DeliveryError(deliveries);
  if (!incomplete) await deps.reports.delete(heldKey(week.id));
  return { report: main, outcome: 'sent', archived, deliveries };
}

/** The dry run's report, to the owner only; no sent marker, so it never stands in for the real send. */
async function sendPreview(deps: WeeklyDeps, computed: ComputedWeek, report: Report, charts: ReturnType<typeof renderCharts>, now: Date, domain: string | undefined): Promise<Delivery> {
  const owner = ownerOf(deps.config);
  const email = renderEmail(report, charts);
  const raw = await buildMime(
    { from: deps.config.sender, to: [owner], ...email, subject: `[dry run] ${email.subject}` },
    { date: now, messageId: messageIdFor(computed.week.id, owner.address, now, domain) },
  );
  try {
    const sent = await deps.mailer.send({ raw, from: deps.config.sender.address, to: [owner.address], idempotencyKey: `${computed.week.id}-preview-${now.getTime()}` });
    return { recipient: owner.address, status: 'sent', messageId: sent.messageId };
  } catch (err) {
    throw new DeliveryError([{ recipient: owner.address, status: 'failed', error: (err as Error).message }]);
  }
}

/**
 * Present while a week's complete report is still to be sent (held, or sent marked incomplete):
 * what a retry looks for (docs/architecture.md).
 */
export function heldKey(weekId: string): string {
  return `${reportPrefix(weekId)}held.json`;
}

/**
 * Record that the week's data is incomplete and tell the owner, once per week: the marker
 * records when it began and why it still holds; a later run with complete data sends the
 * report and removes it.
 */
async function markIncomplete(deps: WeeklyDeps, report: Report, now: Date, outcome: IncompleteOutcome): Promise<void> {
  const key = heldKey(report.week.id);
  const state = (since: string) => JSON.stringify({ weekId: report.week.id, outcome, since, checkedAt: now.toISOString(), reasons: report.dataQuality.incomplete });
  if (await deps.reports.putIfAbsent(key, state(now.toISOString()), 'application/json')) {
    try {
      await sendIncompleteNotice(deps.config, deps.mailer, { report, now, outcome });
    } catch (err) {
      // Without its notice the hold would go unseen: the next run tries both again.
      await deps.reports.delete(key);
      throw err;
    }
    return;
  }
  const previous = z.object({ since: z.string() }).safeParse(await getJson(deps.reports, key));
  await deps.reports.put(key, state(previous.success ? previous.data.since : now.toISOString()), 'application/json');
}

/**
 * Unique per message: per recipient and per send, so a corrected, completed or re-sent report
 * of the same week is never dropped by a mailbox as a duplicate of the first.
 */
function messageIdFor(weekId: string, recipient: string, now: Date, domain: string | undefined): string {
  const who = createHash('sha256').update(recipient.toLowerCase()).digest('hex').slice(0, 10);
  return `<ltv-pulse.${weekId}.${who}.${now.getTime().toString(36)}.${randomBytes(4).toString('hex')}@${domain}>`;
}

/**
 * A "sending" marker older than this whose writer cannot be asked (another machine) belongs to
 * a run that died mid-delivery: far beyond a send's mail.timeoutSeconds and its retries.
 */
export const SENDING_LEASE_MS = 15 * 60_000;

const markerSchema = z.object({
  recipient: z.string(),
  state: z.enum(['sending', 'sent', 'in-doubt']),
  /** When the claim was made; markers of older releases have none and count as long ago. */
  since: z.string().optional(),
  host: z.string().optional(),
  pid: z.number().int().optional(),
});
type Marker = z.infer<typeof markerSchema>;

/** A marker left "sending" by a run that no longer runs, or "in doubt": the next run delivers it again. */
function isStale(marker: Marker, now: Date): boolean {
  if (marker.state === 'in-doubt') return true;
  if (marker.state !== 'sending') return false;
  if (marker.host === os.hostname() && marker.pid !== undefined && !isRunning(marker.pid)) return true;
  return marker.since === undefined || now.getTime() - Date.parse(marker.since) > SENDING_LEASE_MS;
}

/** Marker of a complete report sent to a recipient, and of one sent marked incomplete. */
function sentMarker(weekId: string, recipient: string, incomplete: boolean): string {
  return `${reportPrefix(weekId)}sent/${recipient.toLowerCase()}${incomplete ? '.incomplete' : ''}.json`;
}

/**
 * Send to one recipient unless a marker says it was done. The marker is created (create-only)
 * before sending, so two concurrent runs cannot both send; it is removed if sending fails, so a
 * re-run can try again, and kept "in doubt" when the transport may have the message. A marker
 * left by a run killed mid-delivery, or in doubt, is delivered again by the next run (never
 * skipped), once: the re-send is claimed create-only too. A recipient who got the week marked
 * incomplete gets the complete report once, when a later run has it; one who got the complete
 * report gets nothing more. Never throws for the transport: the outcome is in the Delivery.
 */
async function deliverOnce(
  deps: WeeklyDeps,
  weekId: string,
  recipient: string,
  raw: Buffer,
  options: { force: boolean; incomplete: boolean; now: Date },
): Promise<Delivery> {
  const flagged = options.incomplete ? { incomplete: true } : {};
  const complete = sentMarker(weekId, recipient, false);
  const marker = sentMarker(weekId, recipient, options.incomplete);
  if (options.force) await Promise.all([deps.reports.delete(complete), deps.reports.delete(sentMarker(weekId, recipient, true))]);
  else if (options.incomplete && (await deps.reports.head(complete))) return { recipient, status: 'already-sent' };
  const claim = (): string => JSON.stringify({ recipient, state: 'sending', since: options.now.toISOString(), host: os.hostname(), pid: process.pid });
  let resend = false;
  if (!(await deps.reports.putIfAbsent(marker, claim(), 'application/json'))) {
    const found = markerSchema.safeParse(await getJson(deps.reports, marker).catch(() => null));
    const existing: Marker = found.success ? found.data : { recipient, state: 'in-doubt' };
    if (!isStale(existing, options.now)) return { recipient, status: existing.state === 'sent' ? 'already-sent' : 'in-progress', ...flagged };
    // One run takes over a given stale claim: the take-over is keyed by the claim it replaces.
    const takeOver = `${marker.slice(0, -'.json'.length)}.resend-${(existing.since ?? 'unknown').replace(/[^0-9A-Za-z]/g, '')}.json`;
    if (!(await deps.reports.putIfAbsent(takeOver, claim(), 'application/json'))) return { recipient, status: 'in-progress', ...flagged };
    await deps.reports.put(marker, claim(), 'application/json');
    resend = true;
  }
  try {
    const sent = await deps.mailer.send({ raw, from: deps.config.sender.address, to: [recipient], idempotencyKey: `${weekId}-${recipient}${options.incomplete ? '-incomplete' : ''}` });
    await deps.reports.put(marker, JSON.stringify({ recipient, state: 'sent', since: options.now.toISOString(), messageId: sent.messageId, ...(resend ? { resent: true } : {}) }), 'application/json');
    return { recipient, status: resend ? 'resent' : 'sent', messageId: sent.messageId, ...flagged };
  } catch (err) {
    const error = (err as Error).message;
    if (err instanceof DeliveryInDoubtError) {
      await deps.reports.put(marker, JSON.stringify({ recipient, state: 'in-doubt', since: options.now.toISOString(), error }), 'application/json');
      return { recipient, status: 'in-doubt', error, ...flagged };
    }
    await deps.reports.delete(marker);
    return { recipient, status: 'failed', error, ...flagged };
  }
}
