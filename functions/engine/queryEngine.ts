// The engine port: run a named query from queries/ with typed parameters, get rows back as
// plain JSON values (text for decimals and timestamps, as Athena returns them), then check
// them against the caller's row schema.
import type { z } from 'zod';
import type { NamedQuery, ParameterType } from './queryCatalog.ts';
import type { WritebackTable } from './writebackTables.ts';

export type ParameterValue =
  | { type: 'timestamp'; value: Date }
  | { type: 'date'; value: string }
  | { type: 'varchar'; value: string }
  | { type: 'bigint'; value: bigint | number }
  | { type: 'double'; value: number };

export type ParameterValues = Record<string, ParameterValue>;

export type RawRow = Record<string, string | number | boolean | null>;

export interface QueryStats {
  query: string;
  rows: number;
  elapsedMs: number;
  /** Bytes the engine read; Athena's billed figure, or the Parquet bytes DuckDB touched. */
  bytesScanned?: number;
}

/** Turns one result row into the caller's value; `index` counts from 0. */
export type RowParser<T> = (row: RawRow, index: number) => T;

export interface QueryEngine {
  readonly kind: string;
  runRaw(query: NamedQuery, parameters: ParameterValues): Promise<{ rows: RawRow[]; stats: QueryStats }>;
  /**
   * Like runRaw, with each row handed to `parse` as it is read, so a large result is never
   * held twice (as raw rows and as parsed ones) at once.
   */
  runRows<T>(query: NamedQuery, parameters: ParameterValues, parse: RowParser<T>): Promise<{ rows: T[]; stats: QueryStats }>;
  /**
   * Make a week's partition of a write-back table, just written to the lake, visible to later
   * queries. Returns the statement's stats when the engine ran one.
   */
  registerWeekPartition(table: WritebackTable, weekId: string): Promise<QueryStats | null>;
  close(): Promise<void>;
}

export const param = {
  timestamp: (value: Date): ParameterValue => ({ type: 'timestamp', value }),
  date: (value: string): ParameterValue => ({ type: 'date', value }),
  varchar: (value: string): ParameterValue => ({ type: 'varchar', value }),
  bigint: (value: bigint | number): ParameterValue => ({ type: 'bigint', value }),
  double: (value: number): ParameterValue => ({ type: 'double', value }),
};

/** The parameters in the order of the query's `?` placeholders, each checked against the header. */
export function orderedParameters(query: NamedQuery, values: ParameterValues): ParameterValue[] {
  const missing = [...new Set(query.parameters.map((p) => p.name))].filter((n) => !(n in values));
  if (missing.length > 0) {
    throw new Error(`${query.file}: missing parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
  const known = new Set(query.parameters.map((p) => p.name));
  const unknown = Object.keys(values).filter((n) => !known.has(n));
  if (unknown.length > 0) throw new Error(`${query.file}: unknown parameter ${unknown.join(', ')}`);
  return query.parameters.map((spec) => {
    const v = values[spec.name]!;
    if (v.type !== spec.type) {
      throw new Error(`${query.file}: parameter ${spec.name} must be a ${spec.type}, got a ${v.type}`);
    }
    assertValid(query.file, spec.name, v);
    return v;
  });
}

function assertValid(file: string, name: string, v: ParameterValue): void {
  const bad = (why: string): never => {
    throw new Error(`${file}: parameter ${name} ${why}`);
  };
  switch (v.type) {
    case 'timestamp':
      if (!(v.value instanceof Date) || Number.isNaN(v.value.getTime())) bad('is not a valid instant');
      break;
    case 'date':
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v.value)) bad(`must be YYYY-MM-DD, got "${v.value}"`);
      break;
    case 'double':
      if (!Number.isFinite(v.value)) bad('must be a finite number');
      break;
    case 'bigint':
      if (typeof v.value === 'number' && !Number.isSafeInteger(v.value)) bad('must be a whole number');
      break;
    case 'varchar':
      break;
  }
}

/** Run a query and validate every row against `schema`; a mismatch names the query and row. */
export async function runQuery<S extends z.ZodType>(
  engine: QueryEngine,
  query: NamedQuery,
  parameters: ParameterValues,
  schema: S,
): Promise<{ rows: z.output<S>[]; stats: QueryStats }> {
  return engine.runRows(query, parameters, (row, i) => {
    const r = schema.safeParse(row);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new Error(
        `${query.file}: row ${i + 1} does not match the expected columns: ${issue.path.join('.')}: ${issue.message}`,
      );
    }
    return r.data as z.output<S>;
  });
}

export type { ParameterType };
