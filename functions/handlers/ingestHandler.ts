// Lambda entry point: an export landed in the exports bucket, so ingest exactly the objects the
// S3 notification names, the way `ltv ingest` would. A failed export makes the invocation fail,
// so Lambda retries it and then hands the event to the dead-letter destination.
import type { S3Event } from 'aws-lambda';
import { loadConfig } from '../config/load.ts';
import { ingestExports } from '../ingest/ingestExports.ts';
import { lakeAccessOf, openStores } from '../pipeline/adapters.ts';
import { ingestSettingsOf, saltWarning } from '../pipeline/ingestSettings.ts';
import { createdObjectsOf, exportKeysOf } from './s3Event.ts';
import { DEPLOYMENT_VARIABLE, emfLine, publishMetrics } from './metrics.ts';

export interface IngestSummary {
  ingested: { key: string; table: string; rowsRead: number; accepted: number; rejected: number; superseded: number; leftOut: Record<string, number>; rejectsKey: string | null }[];
  skipped: { key: string; reason: string }[];
  failed: { key: string; error: string }[];
  rowsIngested: number;
  /** Rejected rows / rows read over the ingested exports; null when no row was read. */
  rejectedRowRatio: number | null;
}

export async function handler(event: S3Event): Promise<IngestSummary> {
  const { created, ignored } = createdObjectsOf(event);
  const config = await loadConfig();
  if (config.exports.dir === undefined) {
    throw new Error('exports.dir is not configured: set it to the s3://bucket/prefix whose uploads trigger this function');
  }
  const { keys, outside } = exportKeysOf(created, config.exports.dir);
  const stores = openStores(config);
  const settings = await ingestSettingsOf(config);
  const warning = saltWarning(settings);
  if (warning) console.warn(warning);
  const now = new Date();
  const result =
    keys.length > 0
      ? await ingestExports({
          exports: stores.exports,
          lake: stores.lake,
          keys,
          sourceTimeZone: config.timeZone,
          now,
          lakeAccess: lakeAccessOf(config, 'the ingest function', {
            onWait: (holder) => console.log(JSON.stringify({ message: 'waiting for the lake', holder })),
            onRepair: (repair) => console.warn(JSON.stringify({ message: 'lake repaired', repair })),
          }),
          ...settings,
        })
      : { ingested: [], skipped: [], failed: [] };

  const rowsRead = result.ingested.reduce((n, m) => n + m.rowsRead, 0);
  const rejected = result.ingested.reduce((n, m) => n + m.rejected, 0);
  const summary: IngestSummary = {
    ingested: result.ingested.map((m) => ({
      key: m.sourceKey,
      table: m.table,
      rowsRead: m.rowsRead,
      accepted: m.accepted,
      rejected: m.rejected,
      superseded: m.superseded,
      leftOut: m.leftOut ?? {},
      rejectsKey: m.rejectsKey,
    })),
    skipped: [...[...ignored, ...outside].map((o) => ({ key: o.object, reason: o.reason })), ...result.skipped],
    failed: result.failed,
    rowsIngested: result.ingested.reduce((n, m) => n + m.accepted, 0),
    rejectedRowRatio: rowsRead > 0 ? rejected / rowsRead : null,
  };
  console.log(JSON.stringify({ message: 'ingest finished', exports: stores.exports.location, ...summary }));
  // One line per export, so an alarm on the ratio points at one file rather than a batch average.
  const deployment = process.env[DEPLOYMENT_VARIABLE] || undefined;
  publishMetrics(
    result.ingested.map((m) =>
      emfLine(
        [
          { name: 'RowsIngested', unit: 'Count', value: m.accepted },
          ...(m.rowsRead > 0 ? [{ name: 'RejectedRowRatio', unit: 'None' as const, value: m.rejected / m.rowsRead }] : []),
        ],
        { export: m.sourceKey, table: m.table },
        now,
        deployment,
      ),
    ),
  );
  if (summary.failed.length > 0) {
    throw new Error(`${summary.failed.length} export(s) could not be ingested: ${summary.failed.map((f) => f.error).join('; ')}`);
  }
  return summary;
}
