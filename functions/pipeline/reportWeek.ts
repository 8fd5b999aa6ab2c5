// One week's run from configuration to delivery, shared by `ltv report` and the weekly Lambda:
// open the adapters the configuration names, optionally ingest what has not been ingested yet,
// and run the weekly job. Callers decide the week and how to show progress.
import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.ts';
import { exportKeys, ingestExports, type IngestResult } from '../ingest/ingestExports.ts';
import { readSampleOrigin } from '../sample/sampleOrigin.ts';
import type { LockHolder } from '../storage/lakeLock.ts';
import type { ObjectStore } from '../storage/objectStore.ts';
import { compareWeeks, endedWeekBounds, formatWeekId, isoWeekOfCivilDate, lastCompleteWeek, weekBounds, type IsoWeek } from '../time/isoWeek.ts';
import { wallTimeAt } from '../time/zonedTime.ts';
import { lakeAccessOf, openEngine, openMailer, openStores, type Stores } from './adapters.ts';
import { notifyOwner } from './failureNotice.ts';
import { ingestSettingsOf, saltWarning } from './ingestSettings.ts';
import { prepareSampleExports } from './prepareExports.ts';
import { runWeeklyReport, type WeeklyRunResult } from './weeklyReport.ts';

export interface ReportWeekOptions {
  week: IsoWeek;
  /** The run's clock: future-dated rows are judged against it and the message is dated by it. */
  now: Date;
  /**
   * Ingest exports without a manifest first (a local run does). On AWS, ingest runs on each
   * upload instead, and a second writer of the same lake tables could overwrite its work.
   */
  ingestPending: boolean;
  /** Send again to recipients who already got this week's report. */
  force?: boolean;
  /** Build and archive, but send nothing. */
  dryRun?: boolean;
  /** With dryRun: mail the report to the owner alone, marked as a dry run. */
  previewToOwner?: boolean;
  /** Send a week whose data is incomplete, marked so, even when completeness.onIncomplete is "hold". */
  sendIncomplete?: boolean;
  /** Queries still running at this instant are stopped (Athena), so the run fails while it can still say why. */
  deadline?: Date;
  onProgress?: (event: ReportWeekProgress) => void;
}

export type ReportWeekProgress =
  | { step: 'sample-generated'; dir: string }
  /** No exports configured, and the lake holds exports the user ingested: the run reports on those. */
  | { step: 'ingested-lake'; lake: string; exports: number }
  | { step: 'warning'; message: string }
  /** Another writer (an ingest, a weekly run) holds the lake; the run waits for it. */
  | { step: 'waiting-for-lake'; holder: LockHolder }
  | { step: 'ingested'; result: IngestResult };

export interface ReportWeekResult extends WeeklyRunResult {
  /** Where the archive was written: a folder or s3://bucket/prefix. */
  reportsLocation: string;
}

function civilDateOf(instant: Date, timeZone: string): string {
  const d = wallTimeAt(instant, timeZone);
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/**
 * A local run's preparation, shared by `ltv report` and `ltv backfill`: with no exports
 * configured, the sample data set (generated once, through the last complete week, then kept),
 * unless the lake already holds exports the user ingested; then every export without a manifest
 * is ingested. Throws when an export could not be ingested, so nothing is reported from a
 * half-updated lake, and when configured exports would land in a lake of sample data.
 */
export async function ingestPending(config: Config, options: { now: Date; onProgress?: (event: ReportWeekProgress) => void }): Promise<Stores> {
  const progress = options.onProgress ?? (() => undefined);
  const stores = openStores(config);
  if (!config.exports.dir) {
    const through = weekBounds(lastCompleteWeek(options.now, config.timeZone), config.timeZone);
    const sample = await prepareSampleExports(config, stores.lake, civilDateOf(new Date(through.end.getTime() - 1), config.timeZone));
    if (sample.kind === 'ingested') {
      progress({ step: 'ingested-lake', lake: stores.lake.location, exports: sample.exports });
      return stores;
    }
    if (sample.generated) progress({ step: 'sample-generated', dir: sample.dir });
  } else if ((await readSampleOrigin(stores.lake)) !== null) {
    throw new Error(
      `${stores.lake.location} holds the generated sample data set, and reporting on ${config.exports.dir} there would mix the two: ` +
        'remove that lake (it holds sample data only) or set storage.root to a new folder, then run again (nothing was sent)',
    );
  }
  const settings = await ingestSettingsOf(config);
  const warning = saltWarning(settings);
  if (warning) progress({ step: 'warning', message: warning });
  const keys = await mustHoldExports(stores.exports);
  const lakeAccess = lakeAccessOf(config, 'ltv report (ingesting)', {
    onWait: (holder) => progress({ step: 'waiting-for-lake', holder }),
    onRepair: (message) => progress({ step: 'warning', message }),
  });
  const ingest = await ingestExports({ exports: stores.exports, lake: stores.lake, keys, sourceTimeZone: config.timeZone, now: options.now, lakeAccess, ...settings });
  progress({ step: 'ingested', result: ingest });
  if (ingest.failed.length > 0) {
    throw new Error(`${ingest.failed.length} export(s) could not be ingested; fix or remove them and run again (nothing was sent)`);
  }
  return stores;
}

/**
 * A configured exports location with no export in it is a mistake (a typo, a folder not yet
 * mounted, the wrong prefix), never a quiet week: reporting on the lake as it was would send
 * last week's data as this week's.
 */
async function mustHoldExports(store: ObjectStore): Promise<string[]> {
  const keys = await exportKeys(store);
  if (keys.length > 0) return keys;
  const folder = store.localPathOf?.('');
  const problem = folder !== undefined && !existsSync(folder) ? 'does not exist' : 'holds no export (.csv, .jsonl or .ndjson files, optionally .gz)';
  throw new Error(`exports.dir: ${store.location} ${problem}; point exports.dir at your exports and run again (nothing was ingested or sent)`);
}

/**
 * The week `ltv report` reports when none is given: the last complete week, or, on a sample
 * data set generated before it, the sample's last week (a sample is never silently stretched
 * into weeks it has no data for).
 */
export async function defaultReportWeek(config: Config, now: Date): Promise<{ week: IsoWeek; sampleEndDate?: string }> {
  const last = lastCompleteWeek(now, config.timeZone);
  if (config.exports.dir) return { week: last };
  const origin = await readSampleOrigin(openStores(config).lake);
  if (origin === null) return { week: last };
  const sampleWeek = isoWeekOfCivilDate(new Date(`${origin.endDate}T00:00:00Z`));
  return compareWeeks(sampleWeek, last) < 0 ? { week: sampleWeek, sampleEndDate: origin.endDate } : { week: last };
}

/** A run that stops while preparing its data tells the owner, as one that stops later does. */
async function preparedOrNoticed(config: Config, options: ReportWeekOptions): Promise<Stores> {
  try {
    return await ingestPending(config, { now: options.now, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  } catch (err) {
    if (options.dryRun) throw err;
    await notifyOwner(config, openMailer(config), { weekId: formatWeekId(options.week), error: err, now: options.now, deliveredTo: [] });
    throw err;
  }
}

export async function reportWeek(config: Config, options: ReportWeekOptions): Promise<ReportWeekResult> {
  // Throws for a week that has not ended: its data cannot be complete.
  endedWeekBounds(options.week, config.timeZone, options.now, 'report');
  const stores = options.ingestPending ? await preparedOrNoticed(config, options) : openStores(config);

  const engine = await openEngine(config, options.deadline ? { deadline: options.deadline } : {});
  try {
    const result = await runWeeklyReport(
      { config, engine, lake: stores.lake, reports: stores.reports, mailer: openMailer(config) },
      options.week,
      { force: options.force ?? false, dryRun: options.dryRun ?? false, previewToOwner: options.previewToOwner ?? false, sendIncomplete: options.sendIncomplete ?? false, now: options.now },
    );
    return { ...result, reportsLocation: stores.reports.location };
  } finally {
    await engine.close();
  }
}
