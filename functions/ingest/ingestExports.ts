// Ingest: turn export files into lake tables. Each row is accepted or rejected with a reason;
// rejected records are kept whole; every export gets a manifest where
// rows read = accepted + rejected. Raw exports are only ever read.
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { TABLES, type TableName } from '../schema/tables.ts';
import type { ObjectStore } from '../storage/objectStore.ts';
import { TableStage } from './lakeWriter.ts';
import { manifestKey, readManifest, rejectsKey, type Manifest } from './manifest.ts';
import { ExportFormatError, readCsvRecords } from './readCsv.ts';
import { rowValidator, type RowContext } from './rowSchema.ts';
import { tableOfExport } from './tableOfExport.ts';

export interface IngestOptions {
  exports: ObjectStore;
  lake: ObjectStore;
  /** Export keys to ingest; all of them when omitted. */
  keys?: string[];
  /** Time zone for timestamps written without an offset. */
  sourceTimeZone: string;
  /** Rows dated after this instant (plus a day of clock skew) are rejected as future-dated. */
  now: Date;
  /** Re-ingest exports whose manifest says they are already in. */
  force?: boolean;
  onProgress?: (progress: { key: string; rows: number; bytes: number }) => void;
}

export interface IngestFailure {
  key: string;
  error: string;
}

export interface IngestResult {
  ingested: Manifest[];
  skipped: { key: string; reason: string }[];
  failed: IngestFailure[];
  tableRows: Partial<Record<TableName, number>>;
}

const CLOCK_SKEW_MS = 86_400_000;
/** Files an export folder may hold; anything else (notes, params) is left alone. */
const EXPORT_FILE = /\.csv(\.gz)?$/i;

export async function ingestExports(options: IngestOptions): Promise<IngestResult> {
  const result: IngestResult = { ingested: [], skipped: [], failed: [], tableRows: {} };
  const keys = options.keys ?? (await allKeys(options.exports));
  const byTable = new Map<TableName, { key: string; size: number; etag: string }[]>();
  for (const key of keys.sort()) {
    const table = tableOfExport(key);
    if (!table) {
      result.skipped.push({ key, reason: `the file name names no table (${Object.keys(TABLES).join(', ')})` });
      continue;
    }
    const info = await options.exports.head(key);
    if (!info) {
      result.failed.push({ key, error: `${options.exports.location}/${key}: no such export` });
      continue;
    }
    const previous = await readManifest(options.lake, key);
    if (previous && previous.etag === info.etag && !options.force) {
      result.skipped.push({ key, reason: 'already ingested (same content)' });
      continue;
    }
    byTable.set(table, [...(byTable.get(table) ?? []), { key, size: info.size, etag: info.etag }]);
  }
  const context: RowContext = { sourceTimeZone: options.sourceTimeZone, notAfterMs: options.now.getTime() + CLOCK_SKEW_MS };
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ltv-ingest-'));
  try {
    for (const [table, objects] of byTable) {
      const stage = await TableStage.open(table, path.join(scratch, table));
      try {
        const manifests: { manifest: Manifest; rejects: string | null }[] = [];
        for (const object of objects) {
          await stage.beginExport(object.key);
          try {
            manifests.push(await ingestOne(stage, table, object, options, context));
          } catch (err) {
            await stage.discardExport(object.key);
            result.failed.push({ key: object.key, error: (err as Error).message });
          }
        }
        if (manifests.length === 0) continue;
        result.tableRows[table] = await stage.writeTo(options.lake);
        // Manifests last: a crash before this point leaves the exports to be ingested again.
        for (const { manifest, rejects } of manifests) {
          if (rejects !== null) await options.lake.put(rejectsKey(manifest.sourceKey), rejects, 'text/csv');
          else await options.lake.delete(rejectsKey(manifest.sourceKey));
          await options.lake.put(manifestKey(manifest.sourceKey), `${JSON.stringify(manifest, null, 2)}\n`, 'application/json');
          result.ingested.push(manifest);
        }
      } finally {
        await stage.close();
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return result;
}

async function allKeys(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list('')) if (EXPORT_FILE.test(info.key)) keys.push(info.key);
  return keys;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

async function ingestOne(
  stage: TableStage,
  table: TableName,
  object: { key: string; size: number; etag: string },
  options: IngestOptions,
  context: RowContext,
): Promise<{ manifest: Manifest; rejects: string | null }> {
  const def = TABLES[table];
  const validator = rowValidator(table, context);
  const timeColumn = def.columns.find((c) => c.type === 'timestamp' || c.type === 'date');
  let header: string[] | undefined;
  let positions: { name: string; index: number }[] = [];
  let rowsRead = 0;
  let accepted = 0;
  const rejectedByRule: Record<string, number> = {};
  const rejectLines: string[] = [];
  let minTime: number | undefined;
  let maxTime: number | undefined;
  let ignoredColumns: string[] = [];
  for await (const record of readCsvRecords(await options.exports.get(object.key), object.key)) {
    if (!header) {
      header = record.cells.map((c) => c.trim().toLowerCase());
      const missing = def.columns.filter((c) => c.required && !header!.includes(c.name)).map((c) => c.name);
      if (missing.length > 0) {
        throw new ExportFormatError(
          object.key,
          record.line,
          `the header lacks required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for table ${table} (found: ${header.join(', ') || 'nothing'})`,
        );
      }
      positions = def.columns.map((c) => ({ name: c.name, index: header!.indexOf(c.name) })).filter((p) => p.index >= 0);
      ignoredColumns = header.filter((h) => !def.columns.some((c) => c.name === h));
      continue;
    }
    rowsRead++;
    let outcome;
    if (record.cells.length !== header.length) {
      outcome = {
        rejection: {
          field: '',
          value: '',
          rule: 'column_count',
          message: `has ${record.cells.length} fields, the header has ${header.length}`,
        },
      };
    } else {
      const cells: Record<string, string | undefined> = {};
      for (const p of positions) cells[p.name] = record.cells[p.index];
      outcome = validator.validate(cells);
    }
    if ('row' in outcome) {
      accepted++;
      stage.append(outcome.row, object.key, record.line);
      if (timeColumn) {
        const t = outcome.row[timeColumn.name];
        if (typeof t === 'number') {
          const ms = timeColumn.type === 'date' ? t * 86_400_000 : t;
          if (minTime === undefined || ms < minTime) minTime = ms;
          if (maxTime === undefined || ms > maxTime) maxTime = ms;
        }
      }
    } else {
      const r = outcome.rejection;
      rejectedByRule[r.rule] = (rejectedByRule[r.rule] ?? 0) + 1;
      rejectLines.push([String(record.line), r.field, r.value, r.rule, r.message, record.raw].map(csvCell).join(','));
    }
    if (rowsRead % 50_000 === 0) options.onProgress?.({ key: object.key, rows: rowsRead, bytes: object.size });
  }
  options.onProgress?.({ key: object.key, rows: rowsRead, bytes: object.size });
  const rejected = rowsRead - accepted;
  const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
  const manifest: Manifest = {
    sourceKey: object.key,
    table,
    size: object.size,
    etag: object.etag,
    rowsRead,
    accepted,
    rejected,
    rejectedByRule,
    ignoredColumns,
    timeRange: timeColumn ? { column: timeColumn.name, min: iso(minTime), max: iso(maxTime) } : null,
    rejectsKey: rejected > 0 ? rejectsKey(object.key) : null,
    ingestedAt: new Date().toISOString(),
  };
  const rejects = rejected > 0 ? `line,field,value,rule,message,record\n${rejectLines.join('\n')}\n` : null;
  return { manifest, rejects };
}
