// Every query of queries/ on DuckDB over a benchmark lake, for report week 2026-W47. Per query:
// time (median of the runs) and the Parquet bytes of the files it reads (all columns: an upper
// bound of Athena's bytes scanned, which reads only the referenced columns), with Athena's price
// of that scan ($5 per TB, 10 MB minimum per query).
import { existsSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDbEngine } from '../functions/engine/duckdbEngine.ts';
import { loadQueryCatalog, type NamedQuery } from '../functions/engine/queryCatalog.ts';
import type { ParameterValue, ParameterValues } from '../functions/engine/queryEngine.ts';
import { ingestExports } from '../functions/ingest/ingestExports.ts';
import { TABLE_NAMES } from '../functions/schema/tables.ts';
import { LocalFolderStore } from '../functions/storage/localFolderStore.ts';
import { WRITEBACK_TABLES } from '../functions/engine/writebackTables.ts';
import { benchExports, cacheRoot, BENCH_SEED } from './benchData.ts';
import { median } from './benchStats.ts';

const DAY = 86_400_000;
const WEEK_END = new Date('2026-11-23T00:00:00Z');
const ATHENA_USD_PER_BYTE = 5 / 1e12;
const ATHENA_MIN_BYTES = 10 * 1e6;

/** Parameter values of the report week, by the names the query headers use. */
function weekParameters(): Record<string, ParameterValue> {
  const ts = (d: Date): ParameterValue => ({ type: 'timestamp', value: d });
  const windowStart = new Date(WEEK_END.getTime() - 28 * DAY);
  return {
    window_start: ts(windowStart),
    window_end: ts(WEEK_END),
    data_end: ts(WEEK_END),
    cutoff: ts(WEEK_END),
    holdout_end: ts(WEEK_END),
    as_of: ts(WEEK_END),
    at: ts(WEEK_END),
    start_activity_from: ts(new Date(windowStart.getTime() - 365 * DAY)),
    end_activity_from: ts(new Date(WEEK_END.getTime() - 365 * DAY)),
    activity_from: ts(new Date(WEEK_END.getTime() - 365 * DAY)),
    acquired_from: ts(new Date(WEEK_END.getTime() - 90 * DAY)),
    acquired_until: ts(new Date(WEEK_END.getTime() - 62 * DAY)),
    spend_from: { type: 'date', value: windowStart.toISOString().slice(0, 10) },
    spend_until: { type: 'date', value: WEEK_END.toISOString().slice(0, 10) },
    cancel_days: { type: 'bigint', value: 30 },
    repeat_days: { type: 'bigint', value: 60 },
    report_currency: { type: 'varchar', value: 'USD' },
    to_month: { type: 'varchar', value: '2026-11' },
    up_to_week: { type: 'varchar', value: '2026-W47' },
    from_week: { type: 'varchar', value: '2026-W01' },
    to_week: { type: 'varchar', value: '2026-W47' },
  };
}

/** from_month: the month of the earliest instant the query is given. */
function parametersFor(query: NamedQuery): ParameterValues {
  const all = weekParameters();
  const values: ParameterValues = {};
  let earliest = WEEK_END;
  for (const p of query.parameters) {
    const v = all[p.name];
    if (v) values[p.name] = v;
    if (v?.type === 'timestamp' && v.value < earliest) earliest = v.value;
  }
  if (query.parameters.some((p) => p.name === 'from_month')) values.from_month = { type: 'varchar', value: earliest.toISOString().slice(0, 7) };
  const missing = query.parameters.filter((p) => !(p.name in values)).map((p) => p.name);
  if (missing.length > 0) throw new Error(`${query.file}: the benchmark has no value for ${missing.join(', ')}`);
  return values;
}

async function parquetFiles(dir: string): Promise<{ file: string; size: number }[]> {
  if (!existsSync(dir)) return [];
  const out: { file: string; size: number }[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.parquet')) {
      const file = path.join(e.parentPath, e.name);
      out.push({ file, size: (await stat(file)).size });
    }
  }
  return out;
}

/** Bytes of the files a query reads: the tables its header names, orders limited to its months. */
async function bytesRead(query: NamedQuery, values: ParameterValues, lakeDir: string): Promise<number> {
  const tables = [...TABLE_NAMES, ...Object.keys(WRITEBACK_TABLES)].filter((t) => new RegExp(`\\b${t}\\b`).test(query.reads));
  const month = (name: string): string | undefined => {
    const v = values[name];
    return v?.type === 'varchar' ? v.value : undefined;
  };
  let total = 0;
  for (const table of tables) {
    for (const { file, size } of await parquetFiles(path.join(lakeDir, table))) {
      const m = /order_month=(\d{4}-\d{2})/.exec(file)?.[1];
      const from = month('from_month');
      const to = month('to_month');
      if (m && ((from && m < from) || (to && m > to))) continue;
      total += size;
    }
  }
  return total;
}

export async function benchLake(size: string): Promise<string> {
  const { dir } = await benchExports(size);
  const lakeDir = path.join(cacheRoot(), `lake-${size}-${BENCH_SEED}`);
  const marker = path.join(lakeDir, '_bench-complete');
  if (existsSync(marker)) return lakeDir;
  process.stderr.write(`ingesting ${size} into ${lakeDir} ...\n`);
  const result = await ingestExports({
    exports: new LocalFolderStore(dir),
    lake: new LocalFolderStore(lakeDir),
    sourceTimeZone: 'UTC',
    now: WEEK_END,
    force: true,
  });
  if (result.failed.length > 0) throw new Error(result.failed.map((f) => f.error).join('; '));
  await writeFile(marker, new Date().toISOString());
  return lakeDir;
}

export interface QueryMeasurement {
  name: string;
  rows: number;
  seconds: number;
  bytesRead: number;
  athenaUsd: number;
}

export async function measureQueries(lakeDir: string, runs: number): Promise<QueryMeasurement[]> {
  const engine = await DuckDbEngine.open({ lakeDir });
  const out: QueryMeasurement[] = [];
  try {
    for (const query of [...(await loadQueryCatalog()).values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const values = parametersFor(query);
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        rows = (await engine.runRaw(query, values)).rows.length;
        times.push((performance.now() - started) / 1000);
      }
      const bytes = await bytesRead(query, values, lakeDir);
      out.push({ name: query.name, rows, seconds: median(times), bytesRead: bytes, athenaUsd: Math.max(bytes, ATHENA_MIN_BYTES) * ATHENA_USD_PER_BYTE });
    }
  } finally {
    await engine.close();
  }
  return out;
}
