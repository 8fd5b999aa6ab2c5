// Stages validated rows of one table and rewrites that table's Parquet files in the lake:
// existing rows plus new ones, one row per key (the most recently ingested wins); the files it
// replaces are deleted once their successors are in place, so nothing piles up.
//
// Rows are spooled to a plain CSV file per export and bulk-loaded by DuckDB's parallel CSV
// reader: per-value appender calls cost more than validating the row (measured in
// docs/benchmarks.md). DuckDB spills the stage to disk past its memory limit, so memory stays
// flat however large the export.
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { MONEY_SCALE } from '../money/decimal.ts';
import { LINEAGE_COLUMNS, RATE_SCALE, TABLES, sqlTypeOf, type ColumnDef, type TableName } from '../schema/tables.ts';
import type { LakeLock } from '../storage/lakeLock.ts';
import { listAll, type ObjectStore } from '../storage/objectStore.ts';
import type { CanonicalRow } from './rowSchema.ts';
import { SpoolFile } from './spoolFile.ts';
import { swapFiles } from './tableSwap.ts';

/** Rows per spool file: each full file is loaded by DuckDB while the next one is being read. */
const SPOOL_FILE_ROWS = 250_000;
/** DuckDB's memory while staging and writing; past it DuckDB spills to scratch, which keeps peak RSS flat (docs/benchmarks.md). */
const STAGE_MEMORY_LIMIT = '512MB';

export class TableStage {
  private spool: SpoolFile | undefined;
  private spoolFiles = 0;
  private sequence = 0;
  /** Bulk loads run in the background, one after another; the first failure is kept here. */
  private loading: Promise<void> = Promise.resolve();
  private readonly columns: readonly ColumnDef[];
  private readonly cells: readonly { name: string; write: CellWriter }[];

  private constructor(
    readonly table: TableName,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly scratchDir: string,
  ) {
    this.columns = TABLES[table].columns;
    this.cells = this.columns.map((c) => ({ name: c.name, write: cellWriter(c) }));
  }

  static async open(table: TableName, scratchDir: string): Promise<TableStage> {
    await mkdir(scratchDir, { recursive: true });
    // In memory, spilling to the scratch folder past the limit: an on-disk database would write
    // every staged row twice (WAL, checkpoint) only to be thrown away.
    const instance = await DuckDBInstance.create(':memory:', {
      temp_directory: path.join(scratchDir, 'duckdb-tmp'),
      memory_limit: STAGE_MEMORY_LIMIT,
      preserve_insertion_order: 'false',
      // Background loads get one thread, leaving the other core to the row validation feeding them.
      threads: '1',
    });
    const connection = await instance.connect();
    const columns = [
      ...TABLES[table].columns.map((c) => `${c.name} ${sqlTypeOf(c.type)}`),
      ...LINEAGE_COLUMNS.map((c) => `${c.name} ${c.sqlType}`),
      'ingest_seq BIGINT',
    ];
    await connection.run(`CREATE TABLE staged (${columns.join(', ')})`);
    await connection.run('CREATE TABLE replaced (source_key VARCHAR PRIMARY KEY)');
    return new TableStage(table, instance, connection, scratchDir);
  }

  /**
   * Start a new export; rows appended after this win over rows of earlier exports. All rows an
   * earlier version of the same export left in the lake are dropped: a re-sent export replaces
   * its predecessor whole, including rows the correction removed, and so are the rows of the
   * keys it was ingested under before (`formerKeys`).
   */
  async beginExport(sourceKey: string, formerKeys: readonly string[] = []): Promise<void> {
    await this.settle();
    this.sequence++;
    for (const key of [sourceKey, ...formerKeys]) await this.connection.run('INSERT OR IGNORE INTO replaced VALUES ($key)', { key });
    this.spool = this.newSpool(sourceKey);
  }

  /** Stage a row of the export begun last, read from its line `sourceLine`. */
  append(row: CanonicalRow, sourceLine: number): void {
    const spool = this.spool;
    if (!spool) throw new Error('beginExport() must be called before append()');
    for (const cell of this.cells) {
      cell.write(spool, row[cell.name]);
      spool.comma();
    }
    spool.integer(sourceLine);
    spool.endRow();
    if (spool.rows >= SPOOL_FILE_ROWS) {
      this.loadInBackground(spool);
      this.spool = this.newSpool(spool.sourceKey);
    }
  }

  /** Rows of an export that a later row of the same export replaces (same key): staged, never in the lake. */
  async supersededWithin(sourceKey: string): Promise<number> {
    await this.settle();
    const key = TABLES[this.table].key.join(', ');
    const of = 'FROM staged WHERE source_key = $key';
    const result = await this.connection.runAndReadAll(`SELECT (SELECT count(*) ${of}) - (SELECT count(*) FROM (SELECT DISTINCT ${key} ${of})) AS n`, { key: sourceKey });
    return Number(result.getRowObjectsJson()[0]!.n);
  }

  /** Forget every row of an export that failed part-way, so nothing of it reaches the lake. */
  async discardExport(sourceKey: string, formerKeys: readonly string[] = []): Promise<void> {
    if (this.spool) {
      this.spool.close();
      await rm(this.spool.file, { force: true });
      this.spool = undefined;
    }
    await this.loading;
    await this.connection.run('DELETE FROM staged WHERE source_key = $key', { key: sourceKey });
    for (const key of [sourceKey, ...formerKeys]) await this.connection.run('DELETE FROM replaced WHERE source_key = $key', { key });
  }

  private newSpool(sourceKey: string): SpoolFile {
    return new SpoolFile(path.join(this.scratchDir, `spool-${++this.spoolFiles}.csv`), sourceKey);
  }

  /** Load the current spool file and wait for every load to finish. */
  private async settle(): Promise<void> {
    if (this.spool) this.loadInBackground(this.spool);
    this.spool = undefined;
    await this.loading;
  }

  private loadInBackground(spool: SpoolFile): void {
    spool.close();
    const sequence = this.sequence;
    this.loading = this.loading.then(() => this.load(spool, sequence));
    // Surfaced by the next settle(); this only keeps Node from reporting it as unhandled meanwhile.
    this.loading.catch(() => undefined);
  }

  private async load(spool: SpoolFile, sequence: number): Promise<void> {
    const spec = [...this.columns.map((c) => `${sqlString(c.name)}: ${sqlString(spoolType(c))}`), `'source_line': 'BIGINT'`].join(', ');
    const select = [...this.columns.map(fromSpool), sqlString(spool.sourceKey), 'source_line', String(sequence)].join(', ');
    await this.connection.run(
      `INSERT INTO staged SELECT ${select} FROM read_csv(${sqlString(spool.file)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', new_line = '\\n', columns = {${spec}})`,
    );
    await rm(spool.file, { force: true });
  }

  /**
   * Merge the staged rows into the table's lake files and replace only the files that change:
   * the partitions the staged rows fall in, and those holding a row the stage supersedes (same
   * key, or an earlier version of a re-sent export). Every other partition is left untouched.
   * Returns the number of rows now in the table.
   */
  async writeTo(lake: ObjectStore, lock: LakeLock): Promise<number> {
    await this.settle();
    const def = TABLES[this.table];
    const prefix = `${this.table}/`;
    const work = path.join(this.scratchDir, 'write');
    await rm(work, { recursive: true, force: true });
    await mkdir(path.join(work, 'existing'), { recursive: true });
    try {
      const existing = await this.localCopies(lake, prefix, path.join(work, 'existing'));
      const touched = await this.touchedFiles(existing);
      const columnList = [...def.columns.map((c) => c.name), ...LINEAGE_COLUMNS.map((c) => c.name)].join(', ');
      let union = `SELECT ${columnList}, ingest_seq FROM staged`;
      const rewritten = existing.filter((f) => touched.has(f.key));
      if (rewritten.length > 0) {
        union = `SELECT ${columnList}, 0 AS ingest_seq FROM read_parquet([${sqlList(rewritten.map((f) => f.file))}]) WHERE source_key NOT IN (SELECT source_key FROM replaced) UNION ALL ${union}`;
      }
      const key = def.key.join(', ');
      const partition = def.partition;
      const select = partition
        ? `SELECT ${columnList}, strftime(${partition.source}, '%Y-%m') AS ${partition.name}`
        : `SELECT ${columnList}`;
      await this.connection.run(`SET threads = ${Math.max(1, os.availableParallelism())}`);
      // The window that keeps the last version of each key costs a fifth of the write; a first
      // load of distinct keys (the usual bulk case) does not need it.
      const needsDedupe = rewritten.length > 0 || (await this.count(`SELECT count(*) AS n FROM (SELECT 1 FROM staged GROUP BY ${key} HAVING count(*) > 1)`)) > 0;
      // A first load is written in the order its rows were read, unsorted. The window leaves rows in hash order,
      // which makes files a tenth larger; those are sorted by key, as all files used to be.
      const latest = needsDedupe
        ? ` QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ingest_seq DESC, source_line DESC) = 1 ORDER BY ${partition ? `${partition.name}, ` : ''}${key}`
        : '';
      const deduped = `${select} FROM (${union})${latest}`;
      const outDir = path.join(work, 'out');
      await mkdir(outDir, { recursive: true });
      const stamp = freshStamp(existing.map((f) => f.key));
      const target = partition ? outDir : path.join(outDir, `data_${stamp}.parquet`);
      const options = partition
        ? `FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${partition.name}), FILENAME_PATTERN 'data_${stamp}_{i}'`
        : 'FORMAT parquet, COMPRESSION zstd';
      // One thread writes, in the order of its input, so the same exports give the same files on
      // every run. With two, each thread's row groups landed in a file in whatever order they
      // finished, even after an ORDER BY: 3 of the 25 files of 1M orders differed from run to run.
      // Unsorted and on one thread, writing 1M orders takes 0.9 s instead of 1.4-2.0 s (10M:
      // 10 s instead of 13-22 s, most of which was the sort spilling to disk).
      await this.connection.run('SET threads = 1');
      await this.connection.run('SET preserve_insertion_order = true');
      await this.connection.run(`COPY (${deduped}) TO ${sqlString(target)} (${options})`);
      const written = await filesUnder(outDir);
      const writtenKeys = new Set(written.map((rel) => `${prefix}${rel}`));
      // Count before replacing: the untouched files and the new ones make up the table.
      const kept = existing.filter((f) => !touched.has(f.key) && !writtenKeys.has(f.key));
      const allFiles = [...kept.map((f) => f.file), ...written.map((rel) => path.join(outDir, rel))];
      const total = allFiles.length === 0 ? 0 : await this.count(`SELECT count(*) AS n FROM read_parquet([${sqlList(allFiles)}])`);
      await swapFiles(
        lake,
        lock,
        this.table,
        written.map((rel) => ({ key: `${prefix}${rel}`, file: path.join(outDir, rel) })),
        rewritten.filter((f) => !writtenKeys.has(f.key)).map((f) => f.key),
      );
      return total;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** The table's current Parquet files as local paths: in place when the store is a folder. */
  private async localCopies(lake: ObjectStore, prefix: string, dir: string): Promise<{ key: string; file: string }[]> {
    const out: { key: string; file: string }[] = [];
    for (const [i, o] of (await listAll(lake, prefix)).entries()) {
      if (!o.key.endsWith('.parquet')) continue;
      let file = lake.localPathOf?.(o.key);
      if (file === undefined) {
        file = path.join(dir, `${i}.parquet`);
        await pipeline(await lake.get(o.key), createWriteStream(file));
      }
      out.push({ key: o.key, file });
    }
    return out;
  }

  /**
   * Existing files that must be rewritten: those in a partition the staged rows land in, and
   * those holding a row with a staged key or from a re-sent export (whose old rows all go).
   * Only the key and lineage columns are read to find them.
   */
  private async touchedFiles(existing: { key: string; file: string }[]): Promise<Set<string>> {
    const touched = new Set<string>();
    if (existing.length === 0) return touched;
    const def = TABLES[this.table];
    const partition = def.partition;
    const byFile = new Map(existing.map((f) => [f.file, f.key]));
    const match = def.key.map((k) => `s.${k} = e.${k}`).join(' AND ');
    const hits = await this.connection.runAndReadAll(
      `SELECT DISTINCT e.filename AS file FROM read_parquet([${sqlList(existing.map((f) => f.file))}], filename = true) e
       WHERE EXISTS (SELECT 1 FROM staged s WHERE ${match}) OR e.source_key IN (SELECT source_key FROM replaced)`,
    );
    for (const row of hits.getRowObjectsJson()) {
      const key = byFile.get(String(row.file));
      if (key) touched.add(key);
    }
    if (partition) {
      const months = await this.connection.runAndReadAll(`SELECT DISTINCT strftime(${partition.source}, '%Y-%m') AS m FROM staged`);
      const stagedParts = new Set(months.getRowObjectsJson().map((r) => `${partition.name}=${String(r.m)}`));
      const touchedParts = new Set([...touched].map((k) => partitionOf(k)));
      for (const f of existing) {
        const p = partitionOf(f.key);
        if (stagedParts.has(p) || touchedParts.has(p)) touched.add(f.key);
      }
    } else {
      // One file per unpartitioned table: any change rewrites it.
      const staged = await this.count('SELECT count(*) AS n FROM staged');
      if (staged > 0 || touched.size > 0) for (const f of existing) touched.add(f.key);
    }
    return touched;
  }

  private async count(sql: string): Promise<number> {
    const result = await this.connection.runAndReadAll(sql);
    return Number(result.getRowObjectsJson()[0]!.n);
  }

  async close(): Promise<void> {
    this.spool?.close();
    this.spool = undefined;
    await this.loading.catch(() => undefined);
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

type CellWriter = (spool: SpoolFile, value: CanonicalRow[string] | undefined) => void;

/** Columns whose values travel through the spool file as integers: instants, days, and decimals in units of their last digit. */
const INTEGER_SPOOL: ReadonlySet<ColumnDef['type']> = new Set(['timestamp', 'date', 'money', 'rate']);

/** How a validated value travels through the spool file; NULL is an empty field. */
function cellWriter(column: ColumnDef): CellWriter {
  if (INTEGER_SPOOL.has(column.type)) {
    return (spool, v) => {
      if (v !== null && v !== undefined) spool.integer(v as number | bigint);
    };
  }
  return (spool, v) => {
    if (v !== null && v !== undefined) spool.text(v as string);
  };
}

function spoolType(column: ColumnDef): string {
  return INTEGER_SPOOL.has(column.type) ? 'BIGINT' : sqlTypeOf(column.type);
}

function fromSpool(column: ColumnDef): string {
  switch (column.type) {
    case 'timestamp':
      return `make_timestamp(${column.name} * 1000)`;
    case 'date':
      return `CAST(DATE '1970-01-01' + CAST(${column.name} AS INTEGER) AS DATE)`;
    case 'money':
      return scaledDown(column, MONEY_SCALE);
    case 'rate':
      return scaledDown(column, RATE_SCALE);
    default:
      return column.name;
  }
}

/** Integer units of 10^-scale back to the column's DECIMAL: DuckDB multiplies decimals exactly. */
function scaledDown(column: ColumnDef, scale: number): string {
  return `CAST(CAST(${column.name} AS DECIMAL(18,0)) * 0.${'0'.repeat(scale - 1)}1 AS ${sqlTypeOf(column.type)})`;
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function sqlList(files: string[]): string {
  return files.map(sqlString).join(', ');
}

/**
 * A name part no file of the table has yet (the time, in base 36), so new files never overwrite
 * ones a reader may be reading; under the lake's lock only one writer picks at a time.
 */
function freshStamp(existingKeys: readonly string[]): string {
  for (let t = Date.now(); ; t++) {
    const stamp = t.toString(36);
    if (!existingKeys.some((key) => key.includes(`/data_${stamp}`))) return stamp;
  }
}

/** `orders/order_month=2026-11/data_0.parquet` -> `order_month=2026-11`. */
function partitionOf(key: string): string {
  return key.split('/').slice(1, -1).join('/');
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
