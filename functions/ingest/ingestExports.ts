// Ingest: turn export files into lake tables. A format reader yields source records, a preset
// maps them to canonical cells, the table's row validator accepts or rejects each one with a
// reason, or leaves it out when it is no purchase at all (presets only). Rejected records are
// kept whole (personal fields of vendor exports masked); every export gets a manifest where
// rows read = accepted + rejected + superseded + left out. Raw exports are only ever read.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TABLES, type TableName } from '../schema/tables.ts';
import { faultPoint } from '../storage/faultPoint.ts';
import type { LakeLock } from '../storage/lakeLock.ts';
import { isRunning } from '../storage/localProcess.ts';
import type { ObjectStore } from '../storage/objectStore.ts';
import { openExport } from './openExport.ts';
import { FieldNames, formatOfExport, nestedValueProblem } from './sourceRecord.ts';
import { ExportFormatError, type ReadCounter } from './exportText.ts';
import { defaultLakeAccess, withLake, type LakeAccess } from './lakeAccess.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.ts';
import { TableStage } from './lakeWriter.ts';
import { manifestKey, readAllManifests, readManifest, rejectsKey, type Manifest } from './manifest.ts';
import { canonicalPreset } from './presets/canonical.ts';
import { mappingPreset, type Mapping } from './presets/mapping.ts';
import type { Preset, PresetName } from './presets/preset.ts';
import { shopifyPreset } from './presets/shopify.ts';
import { stripePreset } from './presets/stripe.ts';
import { presetSuggestion } from './presets/suggestPreset.ts';
import { maskPersonal, RejectsFile } from './rejectsFile.ts';
import type { RowContext } from './rowSchema.ts';

export interface IngestProgress {
  key: string;
  /** Records read so far from this export. */
  rowsRead: number;
  /** Bytes taken from storage so far (of the compressed file, for gzip). */
  bytesRead: number;
  /** The export's size in storage. */
  size: number;
}

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
  /** What the exports are (docs/ingest-presets.md); canonical when omitted. */
  preset?: PresetName;
  /** A user's mapping file, already validated (loadMapping); used instead of a preset. */
  mapping?: Mapping;
  /** How to wait for the lake's lock, and where to tell of repairs made to it; the defaults when omitted. */
  lakeAccess?: LakeAccess;
  /** Secret key of the customer ids derived from e-mail addresses and phone numbers; '' when unset. */
  customerKeySalt?: string;
  /** exports.dateFormat: the pattern of timestamps that do not read as the export writes them. */
  dateFormat?: string;
  /** Bounds on one export (docs/ingest.md, "Limits"); the defaults when omitted. */
  limits?: IngestLimits;
  onProgress?: (progress: IngestProgress) => void;
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

interface ExportObject {
  key: string;
  /** Keys its earlier versions were ingested under (a manifest from before keys were paths). */
  formerKeys: string[];
  size: number;
  etag: string;
  lastModified: Date;
}

/**
 * Exports of one table are applied in the order they were delivered (storage time), then by
 * key, so a correction uploaded after the original wins even when its name sorts first.
 */
function deliveryOrder(a: ExportObject, b: ExportObject): number {
  return a.lastModified.getTime() - b.lastModified.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

const CLOCK_SKEW_MS = 86_400_000;
/** Scratch folders are named for their process, so a later run can tell a killed run's from a running one's. */
const SCRATCH_PREFIX = 'ltv-ingest-';

async function removeScratchOfKilledRuns(): Promise<void> {
  const pattern = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-`);
  for (const name of await readdir(os.tmpdir()).catch(() => [])) {
    const pid = pattern.exec(name)?.[1];
    if (pid !== undefined && !isRunning(Number(pid))) await rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}
/** Files an export folder may hold; anything else (notes, params) is left alone. */
export const EXPORT_NAME = /\.(csv|jsonl|ndjson)(\.gz)?$/i;
/** Progress is reported after at least this many rows, and at the end of each export. */
const PROGRESS_ROWS = 10_000;

function presetOf(options: IngestOptions): Preset {
  if (options.mapping) {
    if (options.preset !== undefined && options.preset !== 'canonical') {
      throw new Error(`a mapping file replaces the preset: give the ${options.preset} preset or a mapping, not both`);
    }
    return mappingPreset(options.mapping);
  }
  switch (options.preset ?? 'canonical') {
    case 'canonical':
      return canonicalPreset;
    case 'stripe':
      return stripePreset;
    case 'shopify':
      return shopifyPreset;
  }
}

/** Ingests holding the lake, so two ingests (or an ingest and a weekly run) never interleave. */
export async function ingestExports(options: IngestOptions): Promise<IngestResult> {
  return withLake(options.lake, options.lakeAccess ?? defaultLakeAccess('an ingest'), (lock) => ingestHoldingLake(options, lock));
}

async function ingestHoldingLake(options: IngestOptions, lock: LakeLock): Promise<IngestResult> {
  await removeScratchOfKilledRuns();
  const result: IngestResult = { ingested: [], skipped: [], failed: [], tableRows: {} };
  const base = presetOf(options);
  const run = base.forRun ? await base.forRun(options.lake) : undefined;
  const preset: Preset = run ?? base;
  const keys = options.keys ?? (await exportKeys(options.exports));
  const limits = options.limits ?? DEFAULT_INGEST_LIMITS;
  const byTable = new Map<TableName, ExportObject[]>();
  const add = (table: TableName, object: ExportObject): void => {
    byTable.set(table, [...(byTable.get(table) ?? []), object]);
  };
  for (const key of keys.sort()) {
    let table = preset.tableFromKey(key);
    const info = await options.exports.head(key);
    if (!info) {
      result.failed.push({ key, error: `${options.exports.location}/${key}: no such export` });
      continue;
    }
    if (table === undefined && !preset.tableFromHeader) {
      // A canonical export the name does not place may be a vendor's, ingested without its preset.
      const suggestion =
        preset.name === 'canonical' && formatOfExport(key) === 'csv'
          ? presetSuggestion(await fieldsOf(options.exports, key, limits, info.size).catch(() => FieldNames.fromHeader([])))
          : undefined;
      result.skipped.push({ key, reason: suggestion ? `${preset.unrecognised}; ${suggestion}` : preset.unrecognised });
      continue;
    }
    if (table === undefined && preset.tableFromHeader) {
      try {
        table = preset.tableFromHeader(await fieldsOf(options.exports, key, limits, info.size));
      } catch (err) {
        result.failed.push({ key, error: failureMessage(key, err) });
        continue;
      }
    }
    if (table === undefined) {
      result.skipped.push({ key, reason: preset.unrecognised });
      continue;
    }
    const previous = (await readManifest(options.lake, key)) ?? (await adoptByName(options.lake, key, info.etag, table));
    if (previous && previous.etag === info.etag && !options.force) {
      result.skipped.push({ key, reason: 'already ingested (same content)' });
      continue;
    }
    const formerKeys = previous?.formerKeys ?? [];
    add(table, { key, size: info.size, etag: info.etag, lastModified: info.lastModified, formerKeys });
  }
  if (run) {
    const reading = [...byTable.values()].flat().map((o) => o.key);
    for (const again of run.readAgain(reading, await readAllManifests(options.lake))) {
      const info = await options.exports.head(again.key);
      const manifest = await readManifest(options.lake, again.key);
      if (!info || !manifest) {
        result.skipped.push({ key: again.key, reason: `not found in ${options.exports.location}, so it could not be ${again.reason}; ingest it again from where it is` });
        continue;
      }
      result.skipped = result.skipped.filter((skip) => skip.key !== again.key);
      add(manifest.table, { key: again.key, size: info.size, etag: info.etag, lastModified: info.lastModified, formerKeys: manifest.formerKeys ?? [] });
    }
  }
  const rank = (o: ExportObject): number => run?.rank(o.key) ?? 0;
  for (const objects of byTable.values()) objects.sort((a, b) => rank(a) - rank(b) || deliveryOrder(a, b));
  const context: RowContext = {
    sourceTimeZone: options.sourceTimeZone,
    notAfterMs: options.now.getTime() + CLOCK_SKEW_MS,
    maxValueChars: (options.limits ?? DEFAULT_INGEST_LIMITS).maxValueChars,
  };
  const scratch = await mkdtemp(path.join(os.tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
  try {
    await mkdir(path.join(scratch, 'rejects'));
    let exportCount = 0;
    for (const [table, objects] of byTable) {
      const stage = await TableStage.open(table, path.join(scratch, table));
      try {
        const done: { manifest: Manifest; rejects: string | null }[] = [];
        for (const object of objects) {
          await stage.beginExport(object.key, object.formerKeys);
          const rejects = new RejectsFile(path.join(scratch, 'rejects', `${exportCount++}.csv`));
          try {
            const manifest = await ingestOne(stage, table, object, preset, rejects, options, context);
            done.push({ manifest, rejects: await rejects.close() });
          } catch (err) {
            await rejects.discard();
            await stage.discardExport(object.key, object.formerKeys);
            run?.failed(object.key);
            result.failed.push({ key: object.key, error: failureMessage(object.key, err) });
          }
        }
        if (done.length === 0) continue;
        faultPoint('ingest-staged');
        result.tableRows[table] = await stage.writeTo(options.lake, lock);
        // Manifests last: a crash before this point leaves the exports to be ingested again.
        await lock.assertHeld();
        for (const { manifest, rejects } of done) {
          if (rejects !== null) await options.lake.put(rejectsKey(manifest.sourceKey), createReadStream(rejects), 'text/csv');
          else await options.lake.delete(rejectsKey(manifest.sourceKey));
          await run?.landing(options.lake, manifest);
          await options.lake.put(manifestKey(manifest.sourceKey), `${JSON.stringify(manifest, null, 2)}\n`, 'application/json');
          faultPoint('manifest');
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

/**
 * An export is identified by its key under the exports location (`2026-10/orders.csv`). Lakes
 * ingested when `ltv ingest <file>` keyed exports by file name hold `orders.csv` instead: the
 * same content under a path takes that manifest over (it moves to the path, remembering the name,
 * whose rows a later version of the export then replaces). A different content is a different
 * export, so `2026-11/orders.csv` never replaces October's.
 */
async function adoptByName(lake: ObjectStore, key: string, etag: string, table: TableName): Promise<Manifest | undefined> {
  const name = key.split('/').pop()!;
  if (name === key) return undefined;
  const byName = await readManifest(lake, name);
  if (!byName || byName.etag !== etag || byName.table !== table || byName.identity === 'path') return undefined;
  const adopted: Manifest = { ...byName, sourceKey: key, identity: 'path', formerKeys: [...(byName.formerKeys ?? []), name] };
  if (byName.rejectsKey !== null) {
    await lake.put(rejectsKey(key), await lake.getBytes(byName.rejectsKey), 'text/csv');
    adopted.rejectsKey = rejectsKey(key);
  }
  await lake.put(manifestKey(key), `${JSON.stringify(adopted, null, 2)}\n`, 'application/json');
  await lake.delete(manifestKey(name));
  if (byName.rejectsKey !== null) await lake.delete(byName.rejectsKey);
  return adopted;
}

/** Every whole-file error names the file, also those no reader raised (a storage or staging failure). */
function failureMessage(key: string, err: unknown): string {
  return err instanceof ExportFormatError ? err.message : `${key}: ${(err as Error).message}`;
}

/** The keys under a store (and a prefix of it) that name export files, whatever their table. */
export async function exportKeys(store: ObjectStore, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) if (EXPORT_NAME.test(info.key)) keys.push(info.key);
  return keys;
}

/** Reads only the header of an export: what it names tells its table, or the preset it was meant for. */
async function fieldsOf(store: ObjectStore, key: string, limits: IngestLimits, size: number): Promise<FieldNames> {
  const reader = await openExport(formatOfExport(key), await store.get(key), key, { bytes: 0 }, { limits, size });
  try {
    return reader.fields;
  } finally {
    await reader.close();
  }
}

async function ingestOne(
  stage: TableStage,
  table: TableName,
  object: ExportObject,
  preset: Preset,
  rejects: RejectsFile,
  options: IngestOptions,
  context: RowContext,
): Promise<Manifest> {
  const format = formatOfExport(object.key);
  const counter: ReadCounter = { bytes: 0 };
  const limits = options.limits ?? DEFAULT_INGEST_LIMITS;
  const reader = await openExport(format, await options.exports.get(object.key), object.key, counter, { limits, size: object.size });
  try {
    const mapper = preset.open(table, {
      file: object.key,
      format,
      fields: reader.fields,
      headerLine: reader.header?.line,
      row: context,
      customerKeySalt: options.customerKeySalt ?? '',
      ...(options.dateFormat !== undefined ? { dateFormat: options.dateFormat } : {}),
    });
    const repeated = reader.fields.repeatedAmong(mapper.reads);
    if (repeated) {
      const [first, second] = repeated.columns;
      throw new ExportFormatError(object.key, reader.header?.line, `the header names the column "${repeated.name}" twice (columns ${first} and ${second}); rename or remove one`);
    }
    const timeColumn = TABLES[table].columns.find((c) => c.type === 'timestamp' || c.type === 'date');
    const timeName = timeColumn?.name ?? '';
    const msPerUnit = timeColumn?.type === 'date' ? 86_400_000 : 1;
    let rowsRead = 0;
    let accepted = 0;
    let rowsWritten = 0;
    let reportedAt = 0;
    let leftOutCount = 0;
    const rejectedByRule: Record<string, number> = {};
    const leftOut: Record<string, number> = {};
    let minTime = Infinity;
    let maxTime = -Infinity;
    const progress = (): void => options.onProgress?.({ key: object.key, rowsRead, bytesRead: counter.bytes, size: object.size });
    for await (const batch of reader.batches) {
      for (const record of batch) {
        rowsRead++;
        const problem = record.problem ?? (record.nested && nestedValueProblem(record, reader.fields, mapper.reads));
        const outcome = problem ? { rejection: problem } : mapper.map(record);
        if ('row' in outcome) {
          accepted++;
          rowsWritten++;
          stage.append(outcome.row, record.line);
          const t = outcome.row[timeName];
          if (typeof t === 'number') {
            if (t < minTime) minTime = t;
            if (t > maxTime) maxTime = t;
          }
        } else if ('partOf' in outcome) {
          accepted++;
        } else if ('leftOut' in outcome) {
          leftOutCount++;
          leftOut[outcome.leftOut] = (leftOut[outcome.leftOut] ?? 0) + 1;
        } else {
          const rule = outcome.rejection.rule;
          rejectedByRule[rule] = (rejectedByRule[rule] ?? 0) + 1;
          const stored = maskPersonal(record, outcome.rejection, reader.fields, mapper.personal);
          await rejects.add(record.line, stored.rejection, stored.raw);
        }
      }
      if (rowsRead - reportedAt >= PROGRESS_ROWS) {
        reportedAt = rowsRead;
        progress();
      }
    }
    progress();
    const rejected = rowsRead - accepted - leftOutCount;
    // A key repeated inside the export lands once (the later line): the earlier lines are counted apart.
    const superseded = await stage.supersededWithin(object.key);
    const iso = (t: number): string | null => (Number.isFinite(t) ? new Date(t * msPerUnit).toISOString() : null);
    return {
      sourceKey: object.key,
      table,
      format,
      preset: preset.name,
      size: object.size,
      etag: object.etag,
      rowsRead,
      accepted: accepted - superseded,
      rejected,
      superseded,
      rowsWritten: rowsWritten - superseded,
      rejectedByRule,
      ...(leftOutCount > 0 ? { leftOut } : {}),
      ignoredColumns: reader.fields.names.filter((n) => !mapper.reads.has(n)),
      timeRange: timeColumn ? { column: timeColumn.name, min: iso(minTime), max: iso(maxTime) } : null,
      rejectsKey: rejected > 0 ? rejectsKey(object.key) : null,
      ingestedAt: new Date().toISOString(),
      identity: 'path',
      ...(object.formerKeys.length > 0 ? { formerKeys: object.formerKeys } : {}),
    };
  } finally {
    await reader.close();
  }
}
