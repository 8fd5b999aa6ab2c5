// An Athena stand-in on 127.0.0.1 for end-to-end tests of the deployed functions: it speaks
// Athena's JSON protocol (StartQueryExecution, GetQueryExecution, GetQueryResults,
// StopQueryExecution), substitutes ExecutionParameters into the `?` as the SQL literals Athena
// takes, and runs the query on DuckDB over a copy of the lake read from the S3-compatible
// server, as Athena reads S3 through the Glue tables. As with Glue's non-projected write-back
// tables, a week of kpi_history or clv_scores is visible only once `ALTER TABLE … ADD PARTITION`
// named it. Results come back in pages of at most 1,000 rows, the first page led by the header.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';

export interface AthenaStandIn {
  endpoint: string;
  /** Every statement run, parameters substituted, in order. */
  statements: string[];
  /** ClientRequestTokens seen, one per started execution. */
  tokens: string[];
  close(): Promise<void>;
}

interface Execution {
  id: string;
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
  columns: { Name: string; Type: string }[];
  rows: (string | null)[][];
}

const PAGE = 1000;

export async function startAthenaStandIn(options: { s3: S3Client; lakeBucket: string }): Promise<AthenaStandIn> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ltv-athena-'));
  const executions = new Map<string, Execution>();
  const byToken = new Map<string, string>();
  const registered = new Set<string>();
  const statements: string[] = [];
  const tokens: string[] = [];
  // One query at a time, on a fresh copy of the lake, as each Athena query sees S3 as it is.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  async function run(sql: string): Promise<Execution> {
    const id = randomUUID();
    const ddl = /^\s*ALTER\s+TABLE\s+(\w+)\s+ADD\s+IF\s+NOT\s+EXISTS\s+PARTITION\s*\(\s*(\w+)\s*=\s*'([^']+)'\s*\)\s*$/i.exec(sql);
    if (ddl) {
      registered.add(`${ddl[1]}/${ddl[2]}=${ddl[3]}`);
      return { id, state: 'SUCCEEDED', columns: [], rows: [] };
    }
    return serial(async () => {
      const lakeDir = path.join(scratch, `lake-${id}`);
      await copyLake(lakeDir);
      const engine = await DuckDbEngine.open({ lakeDir });
      try {
        const described = await engine.sql(`DESCRIBE ${sql}`);
        const columns = described.map((c) => ({ Name: String(c.column_name), Type: athenaType(String(c.column_type)) }));
        const texts = described.map((c) => textOf(`"${String(c.column_name)}"`, String(c.column_type))).join(', ');
        const rows = (await engine.sql(`SELECT ${texts} FROM (${sql})`)).map((r) => Object.values(r).map((v) => (v === null ? null : String(v))));
        return { id, state: 'SUCCEEDED' as const, columns, rows };
      } catch (err) {
        return { id, state: 'FAILED' as const, reason: (err as Error).message, columns: [], rows: [] };
      } finally {
        await engine.close();
        await rm(lakeDir, { recursive: true, force: true });
      }
    });
  }

  /** The lake's objects, write-back weeks only once registered. */
  async function copyLake(dir: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await options.s3.send(new ListObjectsV2Command({ Bucket: options.lakeBucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const key = o.Key!;
        const writeback = /^(kpi_history|clv_scores)\/(week_id=[^/]+)\//.exec(key);
        if (writeback && !registered.has(`${writeback[1]}/${writeback[2]}`)) continue;
        const file = path.join(dir, ...key.split('/'));
        await mkdir(path.dirname(file), { recursive: true });
        const body = await (await options.s3.send(new GetObjectCommand({ Bucket: options.lakeBucket, Key: key }))).Body!.transformToByteArray();
        await writeFile(file, body);
      }
      token = page.NextContinuationToken;
    } while (token);
    await mkdir(dir, { recursive: true });
  }

  async function handle(target: string, input: Record<string, unknown>): Promise<unknown> {
    switch (target) {
      case 'StartQueryExecution': {
        const token = String(input.ClientRequestToken ?? '');
        const known = token ? byToken.get(token) : undefined;
        if (known) return { QueryExecutionId: known };
        const sql = substitute(String(input.QueryString), (input.ExecutionParameters as string[] | undefined) ?? []);
        statements.push(sql);
        tokens.push(token);
        const execution = await run(sql);
        executions.set(execution.id, execution);
        if (token) byToken.set(token, execution.id);
        return { QueryExecutionId: execution.id };
      }
      case 'GetQueryExecution': {
        const e = executionOf(input);
        return {
          QueryExecution: {
            QueryExecutionId: e.id,
            Status: { State: e.state, ...(e.reason ? { StateChangeReason: e.reason, AthenaError: { ErrorCategory: 2, ErrorType: 1000, Retryable: false, ErrorMessage: e.reason } } : {}) },
          },
        };
      }
      case 'GetQueryResults': {
        const e = executionOf(input);
        const start = input.NextToken ? Number(input.NextToken) : 0;
        const size = Math.min(PAGE, Number(input.MaxResults ?? PAGE));
        // The first page repeats the column names as its first row.
        const header = start === 0 ? [{ Data: e.columns.map((c) => ({ VarCharValue: c.Name })) }] : [];
        const take = start === 0 ? size - 1 : size;
        const rows = e.rows.slice(start, start + take).map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) }));
        const next = start + take < e.rows.length ? String(start + take) : undefined;
        return {
          ResultSet: { ResultSetMetadata: { ColumnInfo: e.columns.map((c) => ({ ...c, CatalogName: 'hive', Label: c.Name })) }, Rows: [...header, ...rows] },
          ...(next ? { NextToken: next } : {}),
        };
      }
      case 'StopQueryExecution':
        return {};
      default:
        throw Object.assign(new Error(`the stand-in does not do ${target}`), { type: 'InvalidRequestException' });
    }
  }

  function executionOf(input: Record<string, unknown>): Execution {
    const e = executions.get(String(input.QueryExecutionId));
    if (!e) throw Object.assign(new Error(`QueryExecution ${String(input.QueryExecutionId)} was not found`), { type: 'InvalidRequestException' });
    return e;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonAthena\./, '');
      handle(target, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>).then(
        (out) => {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(out));
        },
        (err: Error & { type?: string }) => {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ __type: err.type ?? 'InternalServerException', Message: err.message }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    statements,
    tokens,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** The `?` outside strings and comments, replaced in order by the literals given. */
export function substitute(sql: string, literals: readonly string[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'") {
      const end = sql.indexOf("'", i + 1);
      out += sql.slice(i, end + 1);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      out += sql.slice(i, end < 0 ? sql.length : end);
      i = end < 0 ? sql.length : end - 1;
    } else if (c === '?') {
      if (next >= literals.length) throw Object.assign(new Error(`the query has more ? than the ${literals.length} ExecutionParameters`), { type: 'InvalidRequestException' });
      out += literals[next++];
    } else out += c;
  }
  if (next !== literals.length) throw Object.assign(new Error(`${literals.length} ExecutionParameters for ${next} ?`), { type: 'InvalidRequestException' });
  return out;
}

/** Athena's names of the result types. */
function athenaType(duckdb: string): string {
  const t = duckdb.toUpperCase();
  if (t.startsWith('DECIMAL')) return t.toLowerCase().replace(/\s+/g, '');
  if (t === 'BIGINT' || t === 'HUGEINT' || t === 'UBIGINT') return 'bigint';
  if (t === 'INTEGER' || t === 'SMALLINT' || t === 'TINYINT') return 'integer';
  if (t === 'DOUBLE' || t === 'FLOAT') return 'double';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (t === 'DATE' || t === 'BOOLEAN' || t === 'VARCHAR') return t.toLowerCase();
  throw new Error(`the stand-in has no Athena type for ${duckdb}`);
}

/** A column as Athena writes it: timestamps with milliseconds, everything else as its text. */
function textOf(column: string, duckdb: string): string {
  return duckdb.toUpperCase().startsWith('TIMESTAMP') ? `strftime(${column}, '%Y-%m-%d %H:%M:%S.%g')` : `CAST(${column} AS VARCHAR)`;
}
