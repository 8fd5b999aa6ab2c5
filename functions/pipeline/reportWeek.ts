// One week's run from configuration to delivery, shared by `ltv report` and the weekly Lambda:
// open the adapters the configuration names, optionally ingest what has not been ingested yet,
// and run the weekly job. Callers decide the week and how to show progress.
import type { Config } from '../config/schema.ts';
import { ingestExports, type IngestResult } from '../ingest/ingestExports.ts';
import { weekBounds, type IsoWeek, type WeekBounds } from '../time/isoWeek.ts';
import { wallTimeAt } from '../time/zonedTime.ts';
import { openEngine, openMailer, openStores, type Stores } from './adapters.ts';
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
  /** Queries still running at this instant are stopped (Athena), so the run fails while it can still say why. */
  deadline?: Date;
  onProgress?: (event: ReportWeekProgress) => void;
}

export type ReportWeekProgress =
  | { step: 'sample-generated'; dir: string }
  | { step: 'warning'; message: string }
  | { step: 'ingested'; result: IngestResult };

export interface ReportWeekResult extends WeeklyRunResult {
  /** Where the archive was written: a folder or s3://bucket/prefix. */
  reportsLocation: string;
}

/**
 * A local run's preparation, shared by `ltv report` and `ltv backfill`: with no exports
 * configured, the sample data set ending with `sampleThrough`; then every export without a
 * manifest is ingested. Throws when an export could not be ingested, so nothing is reported
 * from a half-updated lake.
 */
export async function ingestPending(
  config: Config,
  options: { sampleThrough: WeekBounds; now: Date; onProgress?: (event: ReportWeekProgress) => void },
): Promise<Stores> {
  const progress = options.onProgress ?? (() => undefined);
  if (!config.exports.dir) {
    const lastDay = wallTimeAt(new Date(options.sampleThrough.end.getTime() - 1), config.timeZone);
    const endDate = `${lastDay.year}-${String(lastDay.month).padStart(2, '0')}-${String(lastDay.day).padStart(2, '0')}`;
    const sample = await prepareSampleExports(config, endDate);
    if (sample.regenerated) progress({ step: 'sample-generated', dir: sample.dir });
  }
  const stores = openStores(config);
  const settings = await ingestSettingsOf(config);
  const warning = saltWarning(settings);
  if (warning) progress({ step: 'warning', message: warning });
  const ingest = await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: config.timeZone, now: options.now, ...settings });
  progress({ step: 'ingested', result: ingest });
  if (ingest.failed.length > 0) {
    throw new Error(`${ingest.failed.length} export(s) could not be ingested; fix or remove them and run again (nothing was sent)`);
  }
  return stores;
}

export async function reportWeek(config: Config, options: ReportWeekOptions): Promise<ReportWeekResult> {
  const week = weekBounds(options.week, config.timeZone);
  if (week.start.getTime() > options.now.getTime()) throw new Error(`${week.id} has not started yet`);
  const stores = options.ingestPending
    ? await ingestPending(config, { sampleThrough: week, now: options.now, ...(options.onProgress ? { onProgress: options.onProgress } : {}) })
    : openStores(config);

  const engine = await openEngine(config, options.deadline ? { deadline: options.deadline } : {});
  try {
    const result = await runWeeklyReport(
      { config, engine, lake: stores.lake, reports: stores.reports, mailer: openMailer(config) },
      options.week,
      { force: options.force ?? false, dryRun: options.dryRun ?? false, now: options.now },
    );
    return { ...result, reportsLocation: stores.reports.location };
  } finally {
    await engine.close();
  }
}
