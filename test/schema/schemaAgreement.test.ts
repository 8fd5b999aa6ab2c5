// The one table declaration drives row validation, the Parquet files, the DuckDB views and the
// Glue catalog. This proves the four agree, column by column and type by type.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { rowValidator } from '../../functions/ingest/rowSchema.ts';
import { glueTableDefinition, glueTypeOf } from '../../functions/schema/glueTables.ts';
import { LINEAGE_COLUMNS, TABLE_NAMES, TABLES, sqlTypeOf, type TableName } from '../../functions/schema/tables.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';

/** One valid export line per table, every column filled. */
const VALID: Record<TableName, Record<string, string>> = {
  customers: { customer_id: 'c1', signup_at: '2026-10-01T08:00:00Z', acquisition_channel: 'search', country: 'KR' },
  orders: { order_id: 'o1', customer_id: 'c1', ordered_at: '2026-10-02T08:00:00Z', amount: '12.3400', refunded_amount: '1.5', currency: 'USD', status: 'paid' },
  subscriptions: { subscription_id: 's1', customer_id: 'c1', plan: 'pro', mrr: '49', currency: 'EUR', started_at: '2026-10-01', ended_at: '2026-11-01' },
  marketing_spend: { spend_date: '2026-10-01', channel: 'search', amount: '100.25', currency: 'USD' },
  fx_rates: { rate_date: '2026-10-01', from_currency: 'KRW', to_currency: 'USD', rate: '0.0007123456' },
};

const NOW = new Date('2026-11-23T00:00:00Z');
let root: string;
let duck: DuckDBInstance;

function declaredColumns(table: TableName): { name: string; sqlType: string }[] {
  return [
    ...TABLES[table].columns.map((c) => ({ name: c.name, sqlType: sqlTypeOf(c.type) })),
    ...LINEAGE_COLUMNS.map((c) => ({ name: c.name, sqlType: c.sqlType })),
  ];
}

async function describeSql(sql: string): Promise<{ name: string; sqlType: string }[]> {
  const connection = await duck.connect();
  try {
    const reader = await connection.runAndReadAll(`DESCRIBE ${sql}`);
    return reader.getRowObjectsJson().map((r) => ({ name: String(r.column_name), sqlType: String(r.column_type) }));
  } finally {
    connection.closeSync();
  }
}

async function firstParquet(dir: string): Promise<string> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.parquet')) return path.join(e.parentPath, e.name);
  }
  throw new Error(`no Parquet file under ${dir}`);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-schema-'));
  await mkdir(path.join(root, 'exports'));
  for (const table of TABLE_NAMES) {
    const row = VALID[table];
    await writeFile(path.join(root, 'exports', `${table}.csv`), `${Object.keys(row).join(',')}\n${Object.values(row).join(',')}\n`);
  }
  const result = await ingestExports({
    exports: new LocalFolderStore(path.join(root, 'exports')),
    lake: new LocalFolderStore(path.join(root, 'lake')),
    sourceTimeZone: 'UTC',
    now: NOW,
  });
  expect(result.failed).toEqual([]);
  expect(result.ingested.every((m) => m.accepted === 1)).toBe(true);
  duck = await DuckDBInstance.create(':memory:');
});

afterAll(async () => {
  duck?.closeSync();
  await rm(root, { recursive: true, force: true });
});

describe.each(TABLE_NAMES)('table %s', (table) => {
  it('validates a row into exactly the declared columns', () => {
    // Act
    const outcome = rowValidator(table, { sourceTimeZone: 'UTC', notAfterMs: NOW.getTime() }).validate(VALID[table]);

    // Assess
    expect('row' in outcome && Object.keys(outcome.row)).toEqual(TABLES[table].columns.map((c) => c.name));
  });

  it('writes Parquet files with the declared columns and types', async () => {
    // Act
    const file = await firstParquet(path.join(root, 'lake', table));
    const columns = await describeSql(`SELECT * FROM read_parquet('${file}', hive_partitioning = false)`);

    // Assess
    expect(columns).toEqual(declaredColumns(table));
  });

  it('is seen by the DuckDB engine as the declared columns plus its partition column', async () => {
    // Prepare
    const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'lake') });

    // Act
    let rows;
    try {
      rows = await engine.sql(`DESCRIBE ${table}`);
    } finally {
      await engine.close();
    }

    // Assess
    const partition = TABLES[table].partition;
    expect(rows.map((r) => ({ name: String(r.column_name), sqlType: String(r.column_type) }))).toEqual([
      ...declaredColumns(table),
      ...(partition ? [{ name: partition.name, sqlType: 'VARCHAR' }] : []),
    ]);
  });

  it('is declared in Glue with the same columns, Hive-spelled, and a projected month partition', () => {
    // Act
    const glue = glueTableDefinition(table, 's3://lake-bucket/lake');

    // Assess
    expect(glue.columns.map((c) => ({ name: c.name, sqlType: c.type }))).toEqual(
      declaredColumns(table).map((c) => ({ name: c.name, sqlType: glueTypeOf(c.sqlType) })),
    );
    expect(glue.location).toBe(`s3://lake-bucket/lake/${table}/`);
    const partition = TABLES[table].partition;
    expect(glue.partitionKeys.map((k) => k.name)).toEqual(partition ? [partition.name] : []);
    if (partition) {
      expect(glue.parameters[`projection.${partition.name}.format`]).toBe('yyyy-MM');
      expect(glue.parameters['storage.location.template']).toBe(`s3://lake-bucket/lake/${table}/${partition.name}=\${${partition.name}}/`);
    }
  });
});

describe('Glue type spelling', () => {
  it('maps each lake SQL type to its Hive name', () => {
    expect(['VARCHAR', 'TIMESTAMP', 'DATE', 'BIGINT', 'DOUBLE', 'DECIMAL(18,4)', 'DECIMAL(18,10)'].map(glueTypeOf)).toEqual([
      'string',
      'timestamp',
      'date',
      'bigint',
      'double',
      'decimal(18,4)',
      'decimal(18,10)',
    ]);
  });

  it('refuses a type it has no spelling for', () => {
    expect(() => glueTypeOf('HUGEINT')).toThrow('no Glue type for SQL type HUGEINT');
  });
});
