// Local engine: the same SQL on DuckDB, over views of the Parquet lake built from the one
// schema declaration. Parameters are bound natively, never spliced into the text.
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DuckDBConnection,
  DuckDBInstance,
  DuckDBTimestampValue,
  DuckDBDateValue,
  DOUBLE,
  BIGINT,
  VARCHAR,
  TIMESTAMP,
  DATE,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { LINEAGE_COLUMNS, TABLES, sqlTypeOf, type TableDef } from '../schema/tables.ts';
import { concurrencyLimit } from './concurrencyLimit.ts';
import { orderedParameters, type ParameterValue, type ParameterValues, type QueryEngine, type RawRow, type RowParser } from './queryEngine.ts';
import type { NamedQuery } from './queryCatalog.ts';
import { jsonRows } from './duckdbRows.ts';
import { WRITEBACK_TABLES, type WritebackTable } from './writebackTables.ts';

export interface DuckDbEngineOptions {
  lakeDir: string;
  threads?: number;
  memoryLimit?: string;
}

export class DuckDbEngine implements QueryEngine {
  readonly kind = 'duckdb';

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly lakeDir: string,
  ) {}

  static async open(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    // Spill files go to the system's temporary folder, not a `.tmp` in whatever folder `ltv` runs from.
    config.temp_directory = path.join(os.tmpdir(), `ltv-duckdb-${process.pid}`);
    const instance = await DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    const engine = new DuckDbEngine(instance, connection, path.resolve(options.lakeDir));
    await engine.refreshViews();
    return engine;
  }

  /** (Re)create one view per lake table; call after the lake changed. */
  async refreshViews(): Promise<void> {
    for (const table of Object.values(TABLES)) {
      await this.connection.run(viewSql(table.name, lakeColumns(table), table.partition?.name, this.lakeDir));
    }
    for (const table of Object.values(WRITEBACK_TABLES)) await this.connection.run(await this.writebackViewSql(table));
  }

  /**
   * Write-back tables gain columns over time (kpi_history's settings), and their weeks' files
   * are not rewritten: older files are read by column name, a column they lack reads as NULL.
   */
  private async writebackViewSql(table: WritebackTable): Promise<string> {
    const columns = writebackColumns(table);
    const source = parquetSource(table.name, table.partition.name, this.lakeDir, { unionByName: true });
    if (source === undefined) return viewSql(table.name, columns, table.partition.name, this.lakeDir);
    const present = new Set((await this.connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJson().map((r) => String(r.column_name)));
    const all = [...columns, { name: table.partition.name, sqlType: 'VARCHAR' }];
    const select = all.map((c) => (present.has(c.name) ? `CAST(${c.name} AS ${c.sqlType}) AS ${c.name}` : `CAST(NULL AS ${c.sqlType}) AS ${c.name}`)).join(', ');
    return `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${select} FROM ${source}`;
  }

  /** One query at a time on the one connection; DuckDB spreads each query over its threads itself. */
  private readonly serial = concurrencyLimit(1);
  private closed = false;

  runRaw(query: NamedQuery, parameters: ParameterValues): Promise<{ rows: RawRow[]; stats: { query: string; rows: number; elapsedMs: number } }> {
    return this.runRows(query, parameters, (row) => row);
  }

  runRows<T>(query: NamedQuery, parameters: ParameterValues, parse: RowParser<T>): Promise<{ rows: T[]; stats: { query: string; rows: number; elapsedMs: number } }> {
    return this.serial(() => this.runNow(query, parameters, parse));
  }

  private async runNow<T>(query: NamedQuery, parameters: ParameterValues, parse: RowParser<T>): Promise<{ rows: T[]; stats: { query: string; rows: number; elapsedMs: number } }> {
    const ordered = orderedParameters(query, parameters);
    if (this.closed) throw new Error(`${query.file}: the DuckDB engine was closed before the query could run`);
    const started = performance.now();
    let result;
    try {
      result = await this.connection.run(query.sql, ordered.map(toDuckValue), ordered.map(toDuckType));
    } catch (err) {
      throw new Error(`${query.file} failed on DuckDB: ${(err as Error).message}`);
    }
    const rows = jsonRows(result, parse);
    return { rows, stats: { query: query.name, rows: rows.length, elapsedMs: performance.now() - started } };
  }

  /**
   * DuckDB has no catalog: the table's view reads its folder by glob, and only needs rebuilding
   * when it was made while the folder was empty (an empty placeholder view).
   */
  async registerWeekPartition(table: WritebackTable): Promise<null> {
    await this.serial(() => {
      if (this.closed) throw new Error(`${table.name}: the DuckDB engine was closed before the week could be registered`);
      return this.writebackViewSql(table).then((sql) => this.connection.run(sql));
    });
    return null;
  }

  /** Run ad-hoc SQL (tests and the ingest writer); not for queries/ files. */
  async sql(text: string): Promise<RawRow[]> {
    return jsonRows(await this.connection.run(text));
  }

  /** Queries already queued end first: closing the connection under a running query would crash DuckDB. */
  async close(): Promise<void> {
    await this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      this.connection.closeSync();
      this.instance.closeSync();
    });
  }
}

interface ViewColumn {
  name: string;
  sqlType: string;
}

function lakeColumns(table: TableDef): ViewColumn[] {
  return [
    ...table.columns.map((c) => ({ name: c.name, sqlType: sqlTypeOf(c.type) })),
    ...LINEAGE_COLUMNS.map((c) => ({ name: c.name, sqlType: c.sqlType })),
  ];
}

function writebackColumns(table: WritebackTable): ViewColumn[] {
  return table.columns.map((c) => ({ name: c.name, sqlType: c.sqlType }));
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The table's files as a read_parquet() call, or undefined when it has none yet. */
function parquetSource(name: string, partition: string | undefined, lakeDir: string, options: { unionByName?: boolean } = {}): string | undefined {
  const dir = path.join(lakeDir, name);
  if (!hasParquet(dir, partition !== undefined)) return undefined;
  const pattern = partition ? path.join(dir, `${partition}=*`, '*.parquet') : path.join(dir, '*.parquet');
  const hive = partition ? `, hive_partitioning = true, hive_types = {'${partition}': VARCHAR}` : '';
  return `read_parquet(${quoteLiteral(pattern)}${hive}${options.unionByName ? ', union_by_name = true' : ''})`;
}

function viewSql(name: string, columns: ViewColumn[], partition: string | undefined, lakeDir: string): string {
  const all = partition ? [...columns, { name: partition, sqlType: 'VARCHAR' }] : columns;
  const source = parquetSource(name, partition, lakeDir);
  if (source === undefined) {
    // No data yet: an empty view with the declared columns keeps every query valid.
    const select = all.map((c) => `CAST(NULL AS ${c.sqlType}) AS ${c.name}`).join(', ');
    return `CREATE OR REPLACE VIEW ${name} AS SELECT ${select} WHERE false`;
  }
  const select = all.map((c) => `CAST(${c.name} AS ${c.sqlType}) AS ${c.name}`).join(', ');
  return `CREATE OR REPLACE VIEW ${name} AS SELECT ${select} FROM ${source}`;
}

function hasParquet(dir: string, partitioned: boolean): boolean {
  if (!existsSync(dir)) return false;
  const entries = readdirSync(dir, { withFileTypes: true });
  if (!partitioned) return entries.some((e) => e.isFile() && e.name.endsWith('.parquet'));
  return entries.some((e) => e.isDirectory() && readdirSync(path.join(dir, e.name)).some((f) => f.endsWith('.parquet')));
}

function toDuckValue(p: ParameterValue): DuckDBValue {
  switch (p.type) {
    case 'timestamp':
      return new DuckDBTimestampValue(BigInt(p.value.getTime()) * 1000n);
    case 'date': {
      const [y, m, d] = p.value.split('-').map(Number);
      return new DuckDBDateValue(Math.round(Date.UTC(y!, m! - 1, d!) / 86_400_000));
    }
    case 'varchar':
      return p.value;
    case 'bigint':
      return BigInt(p.value);
    case 'double':
      return p.value;
  }
}

function toDuckType(p: ParameterValue): DuckDBType {
  switch (p.type) {
    case 'timestamp':
      return TIMESTAMP;
    case 'date':
      return DATE;
    case 'varchar':
      return VARCHAR;
    case 'bigint':
      return BIGINT;
    case 'double':
      return DOUBLE;
  }
}
