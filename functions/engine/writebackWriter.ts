// Writes one week's partition of a write-back table to the lake: a single Parquet file with a
// fixed name under `<table>/week_id=<week>/`, so re-running a week replaces the partition
// instead of adding a second copy, and the table reads the same from DuckDB and Athena.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, DuckDBTimestampValue, type DuckDBAppender } from '@duckdb/node-api';
import { listAll, type ObjectStore } from '../storage/objectStore.ts';
import { assertWeekId, type WritebackTable } from './writebackTables.ts';

export type WritebackValue = string | number | Date | null;
export type WritebackRow = Readonly<Record<string, WritebackValue>>;

/**
 * Replace the table's partition for `weekId` with `rows` (no rows: remove the partition).
 * Returns the key written, or null when the partition was removed.
 */
export async function replaceWeekPartition(lake: ObjectStore, table: WritebackTable, weekId: string, rows: readonly WritebackRow[]): Promise<string | null> {
  assertWeekId(table, weekId);
  const prefix = `${table.name}/${table.partition.name}=${weekId}/`;
  const key = `${prefix}data.parquet`;
  if (rows.length > 0) {
    const scratch = await mkdtemp(path.join(os.tmpdir(), `ltv-${table.name}-`));
    try {
      const file = path.join(scratch, 'data.parquet');
      await writeParquet(table, rows, file);
      await lake.put(key, createReadStream(file), 'application/vnd.apache.parquet');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  // Files of an earlier run under another name (or all of them when there are no rows now).
  for (const o of await listAll(lake, prefix)) if (rows.length === 0 || o.key !== key) await lake.delete(o.key);
  return rows.length > 0 ? key : null;
}

async function writeParquet(table: WritebackTable, rows: readonly WritebackRow[], file: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE TABLE staged (${table.columns.map((c) => `${c.name} ${c.sqlType}`).join(', ')})`);
    const appender = await connection.createAppender('staged');
    rows.forEach((row, i) => {
      for (const column of table.columns) append(appender, column.sqlType, row[column.name], `${table.name} row ${i + 1}, ${column.name}`);
      appender.endRow();
    });
    appender.closeSync();
    await connection.run(`COPY staged TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function append(appender: DuckDBAppender, sqlType: string, value: WritebackValue | undefined, where: string): void {
  if (value === null) return appender.appendNull();
  if (value === undefined) throw new Error(`${where}: missing (pass null for an empty value)`);
  if (sqlType === 'VARCHAR' && typeof value === 'string') return appender.appendVarchar(value);
  if (sqlType === 'DOUBLE' && typeof value === 'number' && Number.isFinite(value)) return appender.appendDouble(value);
  if (sqlType === 'TIMESTAMP' && value instanceof Date && !Number.isNaN(value.getTime())) {
    return appender.appendTimestamp(new DuckDBTimestampValue(BigInt(value.getTime()) * 1000n));
  }
  throw new Error(`${where}: ${String(value)} is not a valid ${sqlType}`);
}
