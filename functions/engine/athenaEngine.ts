// Production engine: the same queries/ files on Athena (engine v3) over the lake in S3.
// Parameters travel as ExecutionParameters, which Athena reads as SQL literals: athenaLiteral is
// the one function that renders them. Athena answers asynchronously, so a query is started,
// polled with backoff until it ends, stopped when it outlives its time, and its rows are read
// from GetQueryResults (small results) or the result CSV in S3 (large ones).
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type ColumnInfo,
  type GetQueryResultsOutput,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import type { S3Client } from '@aws-sdk/client-s3';
import { CsvSyntaxError, CsvTokenizer, type CsvToken } from '../ingest/csvTokenizer.ts';
import { S3ObjectStore } from '../storage/s3Store.ts';
import { concurrencyLimit, type Limited } from './concurrencyLimit.ts';
import type { NamedQuery } from './queryCatalog.ts';
import { assertWeekId, WRITEBACK_TABLES, type WritebackTable } from './writebackTables.ts';
import { orderedParameters, type ParameterValue, type ParameterValues, type QueryEngine, type QueryStats, type RawRow, type RowParser } from './queryEngine.ts';

/** Athena's limit on one ExecutionParameters value. */
const MAX_PARAMETER_LENGTH = 1024;
/** GetQueryResults returns at most this many rows per call. */
const PAGE_ROWS = 1000;
const FIRST_POLL_MS = 200;
const RETRY_BASE_MS = 500;
const RETRY_CAP_MS = 20_000;
const MAX_RETRIES = 8;
const MiB = 2 ** 20;

/**
 * The SQL literal Athena substitutes for one `?`. Every value goes through here and nowhere
 * else. Strings are quoted with `'` doubled, the only escape a Trino string literal has
 * (backslashes are plain characters); doubles use exponent notation because a plain `0.01` is a
 * DECIMAL in Trino, not a DOUBLE. Anything that would not survive the trip unchanged is refused.
 */
export function athenaLiteral(p: ParameterValue): string {
  const literal = render(p);
  if (literal.length > MAX_PARAMETER_LENGTH) {
    throw new Error(`a ${p.type} parameter renders to ${literal.length} characters; Athena takes at most ${MAX_PARAMETER_LENGTH}`);
  }
  return literal;
}

function render(p: ParameterValue): string {
  switch (p.type) {
    case 'timestamp': {
      const iso = p.value instanceof Date && !Number.isNaN(p.value.getTime()) ? p.value.toISOString() : '';
      // Years beyond 0000-9999 come out of toISOString as "+010000-..."; no lake holds them.
      const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}\.\d{3})Z$/.exec(iso);
      if (!m) throw new Error('a timestamp parameter is not an instant between the years 0000 and 9999');
      return `TIMESTAMP '${m[1]} ${m[2]}'`;
    }
    case 'date':
      if (!/^\d{4}-\d{2}-\d{2}$/.test(p.value)) throw new Error(`a date parameter must be YYYY-MM-DD, got ${JSON.stringify(p.value)}`);
      return `DATE '${p.value}'`;
    case 'varchar':
      // NUL cannot be stored in Trino strings, and a lone surrogate would reach Athena as U+FFFD:
      // either way the query would compare against another value than the caller's.
      if (p.value.includes('\0')) throw new Error('a varchar parameter contains a NUL character');
      if (/\p{Cs}/u.test(p.value)) throw new Error('a varchar parameter contains a lone UTF-16 surrogate');
      return `'${p.value.replaceAll("'", "''")}'`;
    case 'bigint': {
      const text = typeof p.value === 'bigint' ? p.value.toString() : Number.isSafeInteger(p.value) ? String(p.value) : '';
      if (!/^-?\d+$/.test(text) || BigInt(text) < -(2n ** 63n) || BigInt(text) >= 2n ** 63n) {
        throw new Error(`a bigint parameter must be a whole number within 64 bits, got ${String(p.value)}`);
      }
      return text;
    }
    case 'double':
      if (typeof p.value !== 'number' || !Number.isFinite(p.value)) throw new Error(`a double parameter must be a finite number, got ${String(p.value)}`);
      // The shortest text that reads back as the same double, as a Trino DOUBLE literal.
      return p.value.toExponential().toUpperCase();
  }
}

/** What Athena bills for a query: $5 per TB scanned, rounded up to whole MB, 10 MB at least (TB and MB binary, as AWS bills). */
export function athenaCostUsd(bytesScanned: number): number {
  const megabytes = Math.max(10, Math.ceil(bytesScanned / MiB));
  return (megabytes / MiB) * 5;
}

export interface AthenaQueryStats extends QueryStats {
  bytesScanned: number;
  costUsd: number;
  queryExecutionId: string;
}

export interface AthenaEngineOptions {
  athena: AthenaClient;
  /** Reads large results from the query's result object. */
  s3: S3Client;
  workgroup: string;
  database: string;
  catalog?: string;
  /** Unset: the workgroup's result location. */
  outputLocation?: string;
  queryTimeoutMs: number;
  pollMaxMs: number;
  /** Queries running at once; more wait their turn (1 when unset). */
  maxConcurrentQueries?: number;
  /** Results with more rows are read from the result CSV in S3 instead of page by page. */
  pagedRowLimit?: number;
  /** Clock time (of `clock`) by which every query must have ended, e.g. shortly before a Lambda's end. */
  deadline?: number;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): the jitter of every backoff. */
  random?: () => number;
}

export class AthenaQueryError extends Error {
  constructor(
    message: string,
    readonly queryExecutionId: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AthenaQueryError';
  }
}

/** A request without an answer this long is given up and retried (every call is small). */
export const ATHENA_REQUEST_TIMEOUT_MS = 30_000;
export const ATHENA_CONNECTION_TIMEOUT_MS = 5_000;

/**
 * An Athena client that does not retry on its own: the engine retries throttling, server faults
 * and dropped connections with its own backoff (and the query's deadline), so one request is
 * never retried by two loops at once. Its timeouts turn a connection that hangs into a
 * TimeoutError the engine retries, instead of a run that waits for the Lambda's end.
 */
export function createAthenaClient(region: string | undefined): AthenaClient {
  return new AthenaClient({
    region,
    maxAttempts: 1,
    requestHandler: { requestTimeout: ATHENA_REQUEST_TIMEOUT_MS, connectionTimeout: ATHENA_CONNECTION_TIMEOUT_MS },
  });
}

interface RunSettings extends AthenaEngineOptions {
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  pagedRowLimit: number;
}

export class AthenaEngine implements QueryEngine {
  readonly kind = 'athena';
  private readonly settings: RunSettings;
  private readonly limited: Limited;

  /** The engine owns both clients: close() destroys them. */
  constructor(options: AthenaEngineOptions) {
    this.settings = {
      ...options,
      clock: options.clock ?? (() => Date.now()),
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
      pagedRowLimit: options.pagedRowLimit ?? 10 * PAGE_ROWS,
    };
    this.limited = concurrencyLimit(options.maxConcurrentQueries ?? 1);
  }

  runRaw(query: NamedQuery, parameters: ParameterValues): Promise<{ rows: RawRow[]; stats: AthenaQueryStats }> {
    return this.runRows(query, parameters, (row) => row);
  }

  async runRows<T>(query: NamedQuery, parameters: ParameterValues, parse: RowParser<T>): Promise<{ rows: T[]; stats: AthenaQueryStats }> {
    const literals = orderedParameters(query, parameters).map((p, i) => {
      try {
        return athenaLiteral(p);
      } catch (err) {
        throw new Error(`${query.file}: parameter ${query.parameters[i]!.name}: ${(err as Error).message}`);
      }
    });
    return this.limited(async () => {
      // The query's time starts when it gets its turn, not while it waits for one.
      const started = this.settings.clock();
      const run = new QueryRun(this.settings, { label: query.file, sql: query.sql }, this.limitFrom(started));
      const id = await run.start(literals);
      const execution = await run.waitUntilDone(id);
      const rows = await run.readRows(id, execution, parse);
      return { rows, stats: this.statsOf(query.name, id, execution, rows.length, started) };
    });
  }

  /**
   * Glue learns of a write-back week only when told (the tables are not partition-projected,
   * docs/deploy.md): `ALTER TABLE ... ADD IF NOT EXISTS PARTITION`, which is harmless to repeat.
   * DDL takes no `?` parameters, so the week id is rendered by athenaLiteral after it passed
   * the ISO week pattern, and the table name comes from the declaration, not from input.
   */
  async registerWeekPartition(table: WritebackTable, weekId: string): Promise<AthenaQueryStats> {
    assertWeekId(table, weekId);
    const declared = WRITEBACK_TABLES[table.name];
    if (declared !== table) throw new Error(`${table.name} is not a declared write-back table`);
    const label = `registering ${table.name} week ${weekId}`;
    const sql = `ALTER TABLE ${declared.name} ADD IF NOT EXISTS PARTITION (${declared.partition.name} = ${athenaLiteral({ type: 'varchar', value: weekId })})`;
    return this.limited(async () => {
      const started = this.settings.clock();
      const run = new QueryRun(this.settings, { label, sql }, this.limitFrom(started));
      const id = await run.start([]);
      return this.statsOf(label, id, await run.waitUntilDone(id), 0, started);
    });
  }

  private limitFrom(started: number): { at: number; why: string } {
    const { queryTimeoutMs, deadline } = this.settings;
    const timeout = started + queryTimeoutMs;
    return deadline !== undefined && deadline < timeout
      ? { at: deadline, why: 'the run ran out of time before it ended' }
      : { at: timeout, why: `it did not end within ${Math.round(queryTimeoutMs / 1000)} s (engine.queryTimeoutSeconds)` };
  }

  private statsOf(name: string, id: string, execution: QueryExecution, rows: number, started: number): AthenaQueryStats {
    const bytesScanned = execution.Statistics?.DataScannedInBytes ?? 0;
    return { query: name, rows, elapsedMs: this.settings.clock() - started, bytesScanned, costUsd: athenaCostUsd(bytesScanned), queryExecutionId: id };
  }

  async close(): Promise<void> {
    this.settings.athena.destroy();
    this.settings.s3.destroy();
  }
}

/** One query's life on Athena: start, poll, read; every message names the query file (or the statement). */
class QueryRun {
  constructor(
    private readonly s: RunSettings,
    private readonly statement: { label: string; sql: string },
    /** When the query must have ended, and how to say why it was stopped. */
    private readonly limit: { at: number; why: string },
  ) {}

  async start(parameters: string[]): Promise<string> {
    // The same token on every retry: if a throttled-looking attempt did start the query, Athena
    // returns that execution instead of starting a second one.
    const token = randomUUID();
    const out = await this.retrying('start', undefined, () =>
      this.s.athena.send(
        new StartQueryExecutionCommand({
          QueryString: this.statement.sql,
          WorkGroup: this.s.workgroup,
          QueryExecutionContext: { Database: this.s.database, ...(this.s.catalog ? { Catalog: this.s.catalog } : {}) },
          ...(parameters.length > 0 ? { ExecutionParameters: parameters } : {}),
          ...(this.s.outputLocation ? { ResultConfiguration: { OutputLocation: this.s.outputLocation } } : {}),
          ClientRequestToken: token,
        }),
      ),
    );
    if (!out.QueryExecutionId) throw new AthenaQueryError(`${this.statement.label}: Athena started the query but returned no query execution id`, undefined);
    return out.QueryExecutionId;
  }

  async waitUntilDone(id: string): Promise<QueryExecution> {
    for (let poll = 0; ; poll++) {
      let execution: QueryExecution | undefined;
      try {
        execution = (await this.retrying('poll', id, () => this.s.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id })))).QueryExecution;
      } catch (err) {
        // A query nobody watches any more would run on, scanning and billing, for nothing.
        await this.stopQuietly(id);
        throw err;
      }
      const state = execution?.Status?.State;
      if (execution && state === 'SUCCEEDED') return execution;
      if (state === 'FAILED' || state === 'CANCELLED') throw this.ended(id, execution, state);
      const remaining = this.limit.at - this.s.clock();
      if (remaining <= 0) throw await this.stop(id);
      // Polls start fast (most queries end in seconds) and back off to pollMaxMs; half of each wait is jitter.
      const step = Math.min(this.s.pollMaxMs, FIRST_POLL_MS * 2 ** poll);
      await this.s.sleep(Math.min(remaining, step / 2 + (this.s.random() * step) / 2));
    }
  }

  async readRows<T>(id: string, execution: QueryExecution, parse: RowParser<T>): Promise<T[]> {
    const rows: T[] = [];
    let columns: ColumnInfo[] | undefined;
    let nextToken: string | undefined;
    let page = 0;
    do {
      const out: GetQueryResultsOutput = await this.retrying('read results', id, () =>
        this.s.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: PAGE_ROWS, ...(nextToken ? { NextToken: nextToken } : {}) })),
      );
      columns ??= this.columnsOf(id, out);
      const data = out.ResultSet?.Rows ?? [];
      // The first row of the first page repeats the column names.
      const header = page === 0 ? data.shift() : undefined;
      if (header) this.checkHeader(id, columns, header.Data?.map((d) => d.VarCharValue ?? '') ?? []);
      for (const row of data) {
        const values = row.Data ?? [];
        rows.push(parse(this.convert(id, columns, values.map((d) => d.VarCharValue ?? null), rows.length + 1), rows.length));
      }
      nextToken = out.NextToken;
      page++;
    } while (nextToken && rows.length < this.s.pagedRowLimit);
    if (!nextToken) return rows;
    // The result object holds every row, so the pages read so far are dropped, not joined to it.
    return this.readResultObject(id, execution, columns, parse);
  }

  /** Large results: the CSV Athena wrote, streamed through the CSV tokenizer the ingest uses. */
  private async readResultObject<T>(id: string, execution: QueryExecution, columns: ColumnInfo[], parse: RowParser<T>): Promise<T[]> {
    const location = execution.ResultConfiguration?.OutputLocation;
    const m = location ? /^s3:\/\/([^/]+)\/(.+)$/.exec(location) : null;
    if (!m) throw new AthenaQueryError(`${this.statement.label}: the result is too large to page and Athena names no result object (query execution id ${id})`, id);
    const rows: T[] = [];
    let header = true;
    const take = (tokens: CsvToken[]): void => {
      for (const token of tokens) {
        if (header) {
          header = false;
          this.checkHeader(id, columns, token.cells);
          continue;
        }
        const nulls = unquotedEmptyCells(token.raw);
        rows.push(parse(this.convert(id, columns, token.cells.map((cell, i) => (nulls[i] ? null : cell)), rows.length + 1), rows.length));
      }
    };
    const tokenizer = new CsvTokenizer();
    try {
      const body = await new S3ObjectStore(this.s.s3, { bucket: m[1]! }).get(m[2]!);
      for await (const text of utf8Chunks(body)) take(tokenizer.push(text));
      take(tokenizer.end());
    } catch (err) {
      if (err instanceof AthenaQueryError) throw err;
      if (err instanceof CsvSyntaxError) throw this.malformed(id, `${location}, line ${err.line}: ${err.message}`);
      throw new AthenaQueryError(`${this.statement.label}: cannot read the result object ${location} (query execution id ${id}): ${(err as Error).message}`, id, { cause: err });
    }
    return rows;
  }

  private columnsOf(id: string, out: GetQueryResultsOutput): ColumnInfo[] {
    const columns = out.ResultSet?.ResultSetMetadata?.ColumnInfo;
    if (!columns || columns.length === 0) throw this.malformed(id, 'the result has no column metadata');
    return columns;
  }

  private checkHeader(id: string, columns: ColumnInfo[], names: string[]): void {
    const expected = columns.map((c) => c.Name ?? '');
    if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) {
      throw this.malformed(id, `the header row is ${names.join(', ')}, the metadata names ${expected.join(', ')}`);
    }
  }

  private convert(id: string, columns: ColumnInfo[], values: (string | null)[], rowNumber: number): RawRow {
    if (values.length !== columns.length) {
      throw this.malformed(id, `row ${rowNumber} has ${values.length} values, the result has ${columns.length} columns`);
    }
    const row: RawRow = {};
    columns.forEach((column, i) => {
      const name = column.Name ?? '';
      const value = values[i]!;
      const typed = value === null ? null : typedValue(column.Type ?? 'varchar', value);
      if (typed === undefined) throw this.malformed(id, `row ${rowNumber}, column ${name}: ${JSON.stringify(value)} is not a ${column.Type}`);
      row[name] = typed;
    });
    return row;
  }

  private malformed(id: string, detail: string): AthenaQueryError {
    return new AthenaQueryError(`${this.statement.label}: malformed result from Athena (query execution id ${id}): ${detail}`, id);
  }

  private ended(id: string, execution: QueryExecution | undefined, state: 'FAILED' | 'CANCELLED'): AthenaQueryError {
    const status = execution?.Status;
    const reason = status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage;
    const hint = status?.AthenaError?.Retryable ? ' (Athena says running it again may succeed)' : '';
    const verb = state === 'FAILED' ? 'failed on Athena' : 'was cancelled on Athena';
    return new AthenaQueryError(`${this.statement.label} ${verb} (query execution id ${id}): ${reason ?? 'Athena gave no reason'}${hint}`, id);
  }

  /** Past the deadline: cancel the query so it stops scanning (and billing), then fail. */
  private async stop(id: string): Promise<AthenaQueryError> {
    const problem = await this.stopQuietly(id);
    const stopped = problem === undefined ? 'it was stopped' : `stopping it failed too, stop it in the Athena console: ${problem}`;
    return new AthenaQueryError(`${this.statement.label} on Athena (query execution id ${id}): ${this.limit.why}; ${stopped}`, id);
  }

  /** StopQueryExecution; the problem when it fails, which must not hide the error that led here. */
  private async stopQuietly(id: string): Promise<string | undefined> {
    try {
      await this.retrying('stop', id, () => this.s.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })), Infinity);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /**
   * Runs one Athena request, retrying throttling and server errors with capped exponential
   * backoff and full jitter, until MAX_RETRIES or the query's deadline. Other errors (a syntax
   * error, a missing table, access denied) fail at once.
   */
  private async retrying<T>(action: string, id: string | undefined, request: () => Promise<T>, deadline = this.limit.at): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (err) {
        const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
        const where = `${this.statement.label}: cannot ${action} the query on Athena${id ? ` (query execution id ${id})` : ''}`;
        const detail = `${e.message ?? String(err)}${e.name ? ` (${e.name})` : ''}`;
        if (!isTransient(e)) throw new AthenaQueryError(`${where}: ${detail}`, id, { cause: err });
        const delay = this.s.random() * Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
        if (attempt > MAX_RETRIES || this.s.clock() + delay > deadline) {
          throw new AthenaQueryError(`${where}: ${detail}; gave up after ${attempt} attempts`, id, { cause: err });
        }
        await this.s.sleep(delay);
      }
    }
  }
}

/** Throttling and server faults Athena answers with; retried. */
const TRANSIENT_NAMES = new Set(['TooManyRequestsException', 'ThrottlingException', 'InternalServerException', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
/**
 * Failures of the connection rather than of the request (a reset or refused socket, a timeout, a
 * DNS lookup that should be tried again), the ones the SDK's own retry treats as transient: the
 * request may or may not have reached Athena, and every call retried here is idempotent (a start
 * carries its ClientRequestToken).
 */
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

function isTransient(e: { name?: string; code?: string; $metadata?: { httpStatusCode?: number } }): boolean {
  if (e.name !== undefined && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code !== undefined && TRANSIENT_NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status === 429 || (status !== undefined && status >= 500);
}

/**
 * RawRow values the way the DuckDB engine gives them, so one row schema reads both: bigint and
 * decimal as exact text, small integers and finite doubles as numbers, booleans as booleans,
 * dates and timestamps as text. undefined: the text is not a value of the type.
 */
function typedValue(type: string, text: string): string | number | boolean | undefined {
  // Athena names parameterised types with their parameters, e.g. decimal(38,4).
  switch (type.toLowerCase().replace(/\(.*$/, '')) {
    case 'bigint':
      return /^-?\d+$/.test(text) ? text : undefined;
    case 'integer':
    case 'smallint':
    case 'tinyint':
      return /^-?\d+$/.test(text) ? Number(text) : undefined;
    case 'double':
    case 'real':
    case 'float': {
      if (text === 'NaN' || text === 'Infinity' || text === '-Infinity') return text;
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? n : undefined;
    }
    case 'decimal':
      return /^-?\d+(\.\d+)?$/.test(text) ? text : undefined;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    default:
      return text;
  }
}

/**
 * Which cells of a result CSV record are NULL. Athena quotes every value and writes NULL as an
 * empty, unquoted cell, so `""` is an empty string and nothing at all is NULL; the tokenizer
 * gives both as '', and the record's raw text tells them apart.
 */
function unquotedEmptyCells(raw: string): boolean[] {
  const nulls: boolean[] = [];
  let inQuotes = false;
  let length = 0;
  for (const c of raw) {
    if (c === '"') inQuotes = !inQuotes;
    if (c === ',' && !inQuotes) {
      nulls.push(length === 0);
      length = 0;
    } else length++;
  }
  nulls.push(length === 0);
  return nulls;
}

async function* utf8Chunks(body: Readable): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of body) {
    const text = decoder.decode(chunk as Uint8Array, { stream: true });
    if (text.length > 0) yield text;
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}
