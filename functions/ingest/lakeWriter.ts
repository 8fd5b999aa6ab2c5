// Stages validated rows of one table in DuckDB and rewrites that table's Parquet files in the
// lake: existing rows plus new ones, one row per key (the most recently ingested wins), with
// stable file names so a re-run overwrites instead of piling up.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  DuckDBAppender,
  DuckDBConnection,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBTimestampValue,
} from '@duckdb/node-api';
import { LINEAGE_COLUMNS, RATE_SCALE, TABLES, sqlTypeOf, type TableName } from '../schema/tables.ts';
import { listAll, type ObjectStore } from '../storage/objectStore.ts';
import type { CanonicalRow } from './rowSchema.ts';

export class TableStage {
  private appender: DuckDBAppender | undefined;
  private sequence = 0;

  private constructor(
    readonly table: TableName,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly scratchDir: string,
  ) {}

  static async open(table: TableName, scratchDir: string): Promise<TableStage> {
    await mkdir(scratchDir, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:', { temp_directory: path.join(scratchDir, 'duckdb-tmp') });
    const connection = await instance.connect();
    const columns = [
      ...TABLES[table].columns.map((c) => `${c.name} ${sqlTypeOf(c.type)}`),
      ...LINEAGE_COLUMNS.map((c) => `${c.name} ${c.sqlType}`),
      'ingest_seq BIGINT',
    ];
    await connection.run(`CREATE TABLE staged (${columns.join(', ')})`);
    return new TableStage(table, instance, connection, scratchDir);
  }

  /** Start a new export; rows appended after this win over rows of earlier exports. */
  async beginExport(): Promise<void> {
    await this.flush();
    this.sequence++;
    this.appender = await this.connection.createAppender('staged');
  }

  append(row: CanonicalRow, sourceKey: string, sourceLine: number): void {
    const a = this.appender;
    if (!a) throw new Error('beginExport() must be called before append()');
    for (const column of TABLES[this.table].columns) {
      const v = row[column.name];
      if (v === null || v === undefined) {
        a.appendNull();
        continue;
      }
      switch (column.type) {
        case 'timestamp':
          a.appendTimestamp(new DuckDBTimestampValue(BigInt(v as number) * 1000n));
          break;
        case 'date':
          a.appendDate(new DuckDBDateValue(v as number));
          break;
        case 'money':
          a.appendDecimal(new DuckDBDecimalValue(v as bigint, 18, 4));
          break;
        case 'rate':
          a.appendDecimal(new DuckDBDecimalValue(v as bigint, 18, RATE_SCALE));
          break;
        default:
          a.appendVarchar(v as string);
      }
    }
    a.appendVarchar(sourceKey);
    a.appendBigInt(BigInt(sourceLine));
    a.appendBigInt(BigInt(this.sequence));
    a.endRow();
  }

  /** Forget every row of an export that failed part-way, so nothing of it reaches the lake. */
  async discardExport(sourceKey: string): Promise<void> {
    await this.flush();
    await this.connection.run('DELETE FROM staged WHERE source_key = $key', { key: sourceKey });
  }

  private async flush(): Promise<void> {
    if (this.appender) {
      this.appender.closeSync();
      this.appender = undefined;
    }
  }

  /**
   * Merge the staged rows with the table's current lake files and replace those files.
   * Returns the number of rows now in the table.
   */
  async writeTo(lake: ObjectStore): Promise<number> {
    await this.flush();
    const def = TABLES[this.table];
    const prefix = `${this.table}/`;
    const existing = (await listAll(lake, prefix)).filter((o) => o.key.endsWith('.parquet'));
    const inDir = path.join(this.scratchDir, 'existing');
    const outDir = path.join(this.scratchDir, 'out');
    await rm(inDir, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
    await mkdir(inDir, { recursive: true });
    const columnList = [...def.columns.map((c) => c.name), ...LINEAGE_COLUMNS.map((c) => c.name)].join(', ');
    let union = `SELECT ${columnList}, ingest_seq FROM staged`;
    if (existing.length > 0) {
      for (const [i, o] of existing.entries()) {
        await pipeline(await lake.get(o.key), createWriteStream(path.join(inDir, `${i}.parquet`)));
      }
      const files = existing.map((_, i) => `'${path.join(inDir, `${i}.parquet`).replaceAll("'", "''")}'`).join(', ');
      union = `SELECT ${columnList}, 0 AS ingest_seq FROM read_parquet([${files}]) UNION ALL ${union}`;
    }
    const key = def.key.join(', ');
    const partition = def.partition;
    const select = partition
      ? `SELECT ${columnList}, strftime(${partition.source}, '%Y-%m') AS ${partition.name}`
      : `SELECT ${columnList}`;
    const deduped = `${select} FROM (${union}) QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ingest_seq DESC, source_line DESC) = 1 ORDER BY ${partition ? `${partition.name}, ` : ''}${key}`;
    await mkdir(outDir, { recursive: true });
    const target = partition ? outDir : path.join(outDir, 'data.parquet');
    const options = partition
      ? `FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${partition.name}), FILENAME_PATTERN 'data_{i}'`
      : 'FORMAT parquet, COMPRESSION zstd';
    await this.connection.run(`COPY (${deduped}) TO '${target.replaceAll("'", "''")}' (${options})`);
    const written = await filesUnder(outDir);
    const writtenFiles = written.map((rel) => `'${path.join(outDir, rel).replaceAll("'", "''")}'`).join(', ');
    const count = written.length === 0 ? undefined : await this.connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet([${writtenFiles}])`);
    const writtenKeys = new Set<string>();
    for (const rel of written) {
      const destination = `${prefix}${rel}`;
      writtenKeys.add(destination);
      await lake.put(destination, createReadStream(path.join(outDir, rel)), 'application/vnd.apache.parquet');
    }
    for (const o of existing) if (!writtenKeys.has(o.key)) await lake.delete(o.key);
    await rm(inDir, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
    return count ? Number(count.getRowObjectsJson()[0]!.n) : 0;
  }

  async close(): Promise<void> {
    await this.flush();
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

async function filesUnder(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, child)));
    else out.push(child);
  }
  return out.sort();
}
