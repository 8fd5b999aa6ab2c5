// The Athena engine against a mocked Athena and S3 (aws-sdk-client-mock): what it sends, how it
// waits, and every way a query can go wrong. The clock, the sleep and the jitter are the
// test's, so backoff and timeouts run in no time and exactly.
import { Readable } from 'node:stream';
import {
  AthenaClient,
  AthenaServiceException,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  InvalidRequestException,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
  type GetQueryExecutionOutput,
  type GetQueryResultsCommandInput,
  type GetQueryResultsOutput,
  type Row,
} from '@aws-sdk/client-athena';
import { GetObjectCommand, S3Client, S3ServiceException, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AthenaEngine, type AthenaEngineOptions } from '../../functions/engine/athenaEngine.ts';
import { parseQueryFile } from '../../functions/engine/queryCatalog.ts';
import { param, runQuery } from '../../functions/engine/queryEngine.ts';
import { WRITEBACK_TABLES } from '../../functions/engine/writebackTables.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

const QUERY = parseQueryFile(
  'customer_orders',
  'queries/customer_orders.sql',
  `-- purpose: paid orders per customer since a start
-- grain: one row per customer
-- reads: orders
-- parameters:
--   window_start timestamp: first instant counted
--   report_currency varchar: currency of the amounts
-- columns:
--   customer_id varchar: customer key
--   paid_orders bigint: paid orders
--   net_revenue decimal(38,4): revenue
--   repeat_share double: share of repeat orders
--   first_order date: first order day
--   last_order_at timestamp: last order
--   subscriber boolean: has a subscription
--   orders_rank integer: rank by orders
SELECT customer_id, count(*) AS paid_orders FROM orders WHERE ordered_at >= ? AND currency = ? GROUP BY customer_id
`,
);
const PARAMETERS = { window_start: param.timestamp(new Date('2026-11-16T00:00:00Z')), report_currency: param.varchar('USD') };

const COLUMNS = [
  { Name: 'customer_id', Type: 'varchar' },
  { Name: 'paid_orders', Type: 'bigint' },
  { Name: 'net_revenue', Type: 'decimal' },
  { Name: 'repeat_share', Type: 'double' },
  { Name: 'first_order', Type: 'date' },
  { Name: 'last_order_at', Type: 'timestamp' },
  { Name: 'subscriber', Type: 'boolean' },
  { Name: 'orders_rank', Type: 'integer' },
];
const HEADER = COLUMNS.map((c) => c.Name);

function row(...values: (string | null)[]): Row {
  return { Data: values.map((v) => (v === null ? {} : { VarCharValue: v })) };
}

function customerRow(i: number): (string | null)[] {
  return [`c-${i}`, String(i % 7), `${i}.5000`, i % 2 === 0 ? '0.25' : '1.0E-4', '2026-11-16', '2026-11-20 10:00:00.000', i % 3 === 0 ? 'true' : 'false', String(i)];
}

const RESULT_OBJECT = 's3://ltv-athena-results/results/q-1.csv';

function execution(state: string, extra: Record<string, unknown> = {}): GetQueryExecutionOutput {
  return {
    QueryExecution: {
      QueryExecutionId: 'q-1',
      Status: { State: state as 'RUNNING', ...extra },
      Statistics: { DataScannedInBytes: 52_428_800 },
      ResultConfiguration: { OutputLocation: RESULT_OBJECT },
    },
  };
}

function page(rows: Row[], nextToken?: string): GetQueryResultsOutput {
  return { ResultSet: { Rows: rows, ResultSetMetadata: { ColumnInfo: COLUMNS } }, ...(nextToken ? { NextToken: nextToken } : {}) };
}

function harness(options: Partial<AthenaEngineOptions> = {}) {
  const athenaClient = new AthenaClient({ region: 'eu-central-1', credentials });
  const s3Client = new S3Client({ region: 'eu-central-1', credentials });
  const clock = { now: 1_000_000 };
  const sleeps: number[] = [];
  const engine = new AthenaEngine({
    athena: athenaClient,
    s3: s3Client,
    workgroup: 'ltv-pulse',
    database: 'ltv_lake',
    queryTimeoutMs: 60_000,
    pollMaxMs: 2000,
    clock: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
    random: () => 0.5,
    ...options,
  });
  return { engine, athena: mockClient(athenaClient), s3: mockClient(s3Client), clock, sleeps };
}

function throttled(): TooManyRequestsException {
  return new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 }, Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' });
}

describe('AthenaEngine running a query', () => {
  it('starts it in the workgroup and database with the parameters as literals, polls until it succeeds and returns typed rows', async () => {
    // Prepare
    const { engine, athena } = harness({ catalog: 'AwsDataCatalog', outputLocation: 's3://ltv-athena-results/results' });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolvesOnce(execution('QUEUED')).resolvesOnce(execution('RUNNING')).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(page([row(...HEADER), row(...customerRow(3)), row('c-empty', '0', '0.0000', null, null, null, null, null)]));

    // Act
    const { rows, stats } = await engine.runRaw(QUERY, PARAMETERS);

    // Assess
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({
      QueryString: QUERY.sql,
      WorkGroup: 'ltv-pulse',
      QueryExecutionContext: { Database: 'ltv_lake', Catalog: 'AwsDataCatalog' },
      ExecutionParameters: ["TIMESTAMP '2026-11-16 00:00:00.000'", "'USD'"],
      ResultConfiguration: { OutputLocation: 's3://ltv-athena-results/results' },
    });
    expect(start.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    expect(rows).toEqual([
      {
        customer_id: 'c-3',
        paid_orders: '3',
        net_revenue: '3.5000',
        repeat_share: 0.0001,
        first_order: '2026-11-16',
        last_order_at: '2026-11-20 10:00:00.000',
        subscriber: true,
        orders_rank: 3,
      },
      { customer_id: 'c-empty', paid_orders: '0', net_revenue: '0.0000', repeat_share: null, first_order: null, last_order_at: null, subscriber: null, orders_rank: null },
    ]);
    expect(stats).toMatchObject({ query: 'customer_orders', rows: 2, bytesScanned: 52_428_800, queryExecutionId: 'q-1' });
    expect(stats.costUsd).toBeCloseTo((50 / 2 ** 20) * 5, 12);
  });

  it('polls fast at first and backs off to pollMaxMs, with half of each wait jitter', async () => {
    // Prepare
    const { engine, athena, sleeps } = harness({ pollMaxMs: 2000, random: () => 1 - Number.EPSILON });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    const running = athena.on(GetQueryExecutionCommand);
    for (let i = 0; i < 7; i++) running.resolvesOnce(execution('RUNNING'));
    running.resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(page([row(...HEADER)]));

    // Act
    await engine.runRaw(QUERY, PARAMETERS);

    // Assess: steps of 200, 400, 800, 1600, then 2000 ms, each waited in full at the top of the jitter
    expect(sleeps.map(Math.round)).toEqual([200, 400, 800, 1600, 2000, 2000, 2000]);
  });

  it('retries a throttled StartQueryExecution with backoff and the same request token, then runs the query', async () => {
    // Prepare
    const { engine, athena, sleeps } = harness();
    athena.on(StartQueryExecutionCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(page([row(...HEADER), row(...customerRow(1))]));

    // Act
    const { rows } = await engine.runRaw(QUERY, PARAMETERS);

    // Assess: full jitter (random 0.5) over 500 ms, then 1000 ms
    const tokens = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(tokens).toHaveLength(3);
    expect(new Set(tokens).size).toBe(1);
    expect(sleeps).toEqual([250, 500]);
    expect(rows).toHaveLength(1);
  });

  it('retries throttled polls and result reads', async () => {
    // Prepare
    const { engine, athena } = harness();
    const throttling = new AthenaServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).rejectsOnce(throttling).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).rejectsOnce(throttling).resolves(page([row(...HEADER), row(...customerRow(1))]));

    // Act
    const { rows } = await engine.runRaw(QUERY, PARAMETERS);

    // Assess
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(2);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
    expect(rows).toHaveLength(1);
  });

  it('retries a start whose connection was reset, with the same request token, so a start that did reach Athena runs once', async () => {
    // Prepare: the socket resets after the request went out, as Node reports it
    const { engine, athena } = harness();
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: {} });
    athena.on(StartQueryExecutionCommand).rejectsOnce(reset).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(page([row(...HEADER), row(...customerRow(1))]));

    // Act
    const { rows } = await engine.runRaw(QUERY, PARAMETERS);

    // Assess
    const tokens = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(tokens[1]);
    expect(rows).toHaveLength(1);
  });

  it.each([
    ['a request timeout', Object.assign(new Error('Connection timed out after 30000 ms'), { name: 'TimeoutError' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a DNS lookup to try again', Object.assign(new Error('getaddrinfo EAI_AGAIN athena.eu-central-1.amazonaws.com'), { code: 'EAI_AGAIN' })],
    ['a 503 from a load balancer', new AthenaServiceException({ name: 'ServiceUnavailable', $fault: 'server', message: 'Service Unavailable', $metadata: { httpStatusCode: 503 } })],
  ])('retries polls and result reads after %s', async (_, fault) => {
    // Prepare
    const { engine, athena, sleeps } = harness();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).rejectsOnce(fault).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).rejectsOnce(fault).resolves(page([row(...HEADER), row(...customerRow(1))]));

    // Act
    const { rows } = await engine.runRaw(QUERY, PARAMETERS);

    // Assess: each retry waited its jittered backoff first
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(2);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
    expect(sleeps.filter((ms) => ms === 250)).toHaveLength(2);
    expect(rows).toHaveLength(1);
  });

  it('does not retry a failure that is not the connection’s: access denied fails at once', async () => {
    // Prepare
    const { engine, athena } = harness();
    athena.on(StartQueryExecutionCommand).rejects(
      new AthenaServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized to perform: athena:StartQueryExecution', $metadata: { httpStatusCode: 400 } }),
    );

    // Act / Assess
    await expect(engine.runRaw(QUERY, PARAMETERS)).rejects.toThrow('not authorized to perform: athena:StartQueryExecution (AccessDeniedException)');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });

  it('gives up on a start that stays throttled, saying how often it tried', async () => {
    // Prepare
    const { engine, athena } = harness();
    athena.on(StartQueryExecutionCommand).rejects(throttled());

    // Act / Assess
    await expect(engine.runRaw(QUERY, PARAMETERS)).rejects.toThrow(
      'queries/customer_orders.sql: cannot start the query on Athena: Rate exceeded (TooManyRequestsException); gave up after 9 attempts',
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(9);
  });

  it('does not retry a refused query, such as one Athena cannot parse', async () => {
    // Prepare
    const { engine, athena } = harness();
    athena.on(StartQueryExecutionCommand).rejects(
      new InvalidRequestException({ message: "line 1:8: mismatched input 'FORM'", $metadata: { httpStatusCode: 400 }, AthenaErrorCode: 'INVALID_INPUT' }),
    );

    // Act / Assess
    await expect(engine.runRaw(QUERY, PARAMETERS)).rejects.toThrow(
      "queries/customer_orders.sql: cannot start the query on Athena: line 1:8: mismatched input 'FORM' (InvalidRequestException)",
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });

  it('names the query file and Athena’s reason when the query fails', async () => {
    // Prepare
    const { engine, athena } = harness();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolvesOnce(execution('RUNNING')).resolves(
      execution('FAILED', {
        StateChangeReason: "TABLE_NOT_FOUND: line 5:6: Table 'awsdatacatalog.ltv_lake.orders' does not exist",
        AthenaError: { ErrorCategory: 2, ErrorType: 1301, Retryable: false },
      }),
    );

    // Act / Assess
    await expect(engine.runRaw(QUERY, PARAMETERS)).rejects.toThrow(
      "queries/customer_orders.sql failed on Athena (query execution id q-1): TABLE_NOT_FOUND: line 5:6: Table 'awsdatacatalog.ltv_lake.orders' does not exist",
    );
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('says so when the query was cancelled, and when Athena says a retry may succeed', async () => {
    // Prepare
    const { engine, athena } = harness();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('CANCELLED', { AthenaError: { ErrorMessage: 'Query cancelled by user', Retryable: true } }));

    // Act / Assess
    await expect(engine.runRaw(QUERY, PARAMETERS)).rejects.toThrow(
      'queries/customer_orders.sql was cancelled on Athena (query execution id q-1): Query cancelled by user (Athena says running it again may succeed)',
    );
  });

  it('stops a query that runs past its timeout and fails naming the timeout', async () => {
    // Prepare
    const { engine, athena, clock, sleeps } = harness({ queryTimeoutMs: 10_000 });
    const started = clock.now;
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});

    // Act / Assess
    await expect(engine.runRaw(QUERY, PARAMETERS)).rejects.toThrow(
      'queries/customer_orders.sql on Athena (query execution id q-1): it did not end within 10 s (engine.queryTimeoutSeconds); it was stopped',
    );
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: 'q-1' }]);
    expect(clock.now - started).toBe(10_000);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(2000);
  });

  it('stops a query at the run’s deadline when that comes before the query’s timeout', async () => {
    // Prepare
    const { engine, athena, clock } = harness({ queryTimeoutMs: 300_000, deadline: 1_000_000 + 4_000 });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});

    // Act / Assess
    await expect(engine.runRaw(QUERY, PARAMETERS)).rejects.toThrow('the run ran out of time before it ended; it was stopped');
    expect(clock.now).toBe(1_004_000);
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
  });

  it('still reports the timeout when stopping the query fails too', async () => {
    // Prepare
    const { engine, athena } = harness({ queryTimeoutMs: 10_000 });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athena.on(StopQueryExecutionCommand).rejects(new InvalidRequestException({ message: 'not authorized', $metadata: {} }));

    // Act / Assess
    await expect(engine.runRaw(QUERY, PARAMETERS)).rejects.toThrow(/did not end within 10 s .*; stopping it failed too, stop it in the Athena console: .*not authorized/);
  });

  it('stops the query when it can no longer watch it', async () => {
    // Prepare
    const { engine, athena } = harness();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolvesOnce(execution('RUNNING')).rejects(new InvalidRequestException({ message: 'access denied', $metadata: {} }));
    athena.on(StopQueryExecutionCommand).resolves({});

    // Act / Assess
    await expect(engine.runRaw(QUERY, PARAMETERS)).rejects.toThrow('queries/customer_orders.sql: cannot poll the query on Athena (query execution id q-1): access denied');
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
  });

  it('refuses a parameter value before anything reaches Athena, naming the parameter', async () => {
    // Prepare
    const { engine, athena } = harness();

    // Act / Assess
    await expect(engine.runRaw(QUERY, { ...PARAMETERS, report_currency: param.varchar('USD\0') })).rejects.toThrow(
      'queries/customer_orders.sql: parameter report_currency: a varchar parameter contains a NUL character',
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});

describe('AthenaEngine reading results', () => {
  function succeeded(options: Partial<AthenaEngineOptions> = {}) {
    const h = harness(options);
    h.athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    h.athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    return h;
  }

  it('pages through 2,500 rows 1,000 at a time, passing each NextToken on', async () => {
    // Prepare
    const { engine, athena } = succeeded();
    const rows = Array.from({ length: 2500 }, (_, i) => row(...customerRow(i)));
    const pages: Record<string, GetQueryResultsOutput> = {
      first: page([row(...HEADER), ...rows.slice(0, 1000)], 'token-2'),
      'token-2': page(rows.slice(1000, 2000), 'token-3'),
      'token-3': page(rows.slice(2000)),
    };
    athena.on(GetQueryResultsCommand).callsFake((input: GetQueryResultsCommandInput) => pages[input.NextToken ?? 'first']);

    // Act
    const result = await engine.runRaw(QUERY, PARAMETERS);

    // Assess
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => [c.args[0].input.MaxResults, c.args[0].input.NextToken])).toEqual([
      [1000, undefined],
      [1000, 'token-2'],
      [1000, 'token-3'],
    ]);
    expect(result.rows).toHaveLength(2500);
    expect(result.rows[0]!.customer_id).toBe('c-0');
    expect(result.rows[2499]).toMatchObject({ customer_id: 'c-2499', orders_rank: 2499 });
    expect(result.stats.rows).toBe(2500);
  });

  it('streams a result too large to page from the result CSV in S3, through the CSV tokenizer', async () => {
    // Prepare: the first page says there is more than pagedRowLimit; the CSV holds the whole
    // result, with quoted commas, quotes and line breaks, an empty string beside a NULL, and
    // chunks that split records and a multi-byte character.
    const { engine, athena, s3 } = succeeded({ pagedRowLimit: 1000 });
    athena.on(GetQueryResultsCommand).resolves(page([row(...HEADER), ...Array.from({ length: 1000 }, (_, i) => row(...customerRow(i)))], 'token-2'));
    const quoted = (values: (string | null)[]) => values.map((v) => (v === null ? '' : `"${v.replaceAll('"', '""')}"`)).join(',');
    const lines = [
      quoted(HEADER),
      quoted(['Müller, "Jürgen"\nGmbH', '12', '1234.5600', '0.5', '2026-01-05', '2026-11-20 10:00:00.000', 'true', '1']),
      quoted(['', '0', '0.0000', null, null, null, null, null]),
      ...Array.from({ length: 1498 }, (_, i) => quoted(customerRow(i + 2))),
    ];
    const csv = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const chunks = Array.from({ length: Math.ceil(csv.length / 7) }, (_, i) => csv.subarray(i * 7, i * 7 + 7));
    // The adapter reads the body as the Node stream the SDK gives in Node.
    s3.on(GetObjectCommand).resolves({ Body: Readable.from(chunks) as unknown as GetObjectCommandOutput['Body'] });

    // Act
    const { rows } = await engine.runRaw(QUERY, PARAMETERS);

    // Assess
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'ltv-athena-results', Key: 'results/q-1.csv' }]);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(1);
    expect(rows).toHaveLength(1500);
    expect(rows[0]).toEqual({
      customer_id: 'Müller, "Jürgen"\nGmbH',
      paid_orders: '12',
      net_revenue: '1234.5600',
      repeat_share: 0.5,
      first_order: '2026-01-05',
      last_order_at: '2026-11-20 10:00:00.000',
      subscriber: true,
      orders_rank: 1,
    });
    expect(rows[1]).toEqual({ customer_id: '', paid_orders: '0', net_revenue: '0.0000', repeat_share: null, first_order: null, last_order_at: null, subscriber: null, orders_rank: null });
    expect(rows[1499]).toMatchObject({ customer_id: 'c-1499' });
  });

  it.each([
    ['a row with a missing value', [row(...HEADER), row(...customerRow(1)), row('c-2', '1')], 'row 2 has 2 values, the result has 8 columns'],
    ['a value that is not of its column type', [row(...HEADER), row('c-1', 'twelve', '1.0000', '0.5', null, null, 'true', '1')], 'row 1, column paid_orders: "twelve" is not a bigint'],
    ['a header row that does not match the metadata', [row(...HEADER.slice(1)), row(...customerRow(1))], 'the header row is paid_orders, net_revenue'],
  ])('refuses a malformed result: %s', async (_what, rows, detail) => {
    // Prepare
    const { engine, athena } = succeeded();
    athena.on(GetQueryResultsCommand).resolves(page(rows));

    // Act / Assess
    await expect(engine.runRaw(QUERY, PARAMETERS)).rejects.toThrow(`queries/customer_orders.sql: malformed result from Athena (query execution id q-1): ${detail}`);
  });

  it('hands each row of a streamed result to the caller as it is read, and names the row the caller refuses', async () => {
    // Prepare
    const { engine, athena, s3 } = succeeded({ pagedRowLimit: 0 });
    athena.on(GetQueryResultsCommand).resolves(page([row(...HEADER)], 'token-2'));
    const line = (i: number, orders: string) => `"c-${i}","${orders}","1.0000","0.5","2026-01-05","2026-11-20 10:00:00.000","true","${i}"`;
    const csv = [HEADER.map((h) => `"${h}"`).join(','), line(1, '3'), line(2, '4'), line(3, '-1')].join('\n');
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from(csv)]) as unknown as GetObjectCommandOutput['Body'] });
    const schema = z.object({ customer_id: z.string(), paid_orders: z.string().regex(/^\d+$/, 'must be a count') });

    // Act / Assess
    await expect(runQuery(engine, QUERY, PARAMETERS, schema)).rejects.toThrow('queries/customer_orders.sql: row 3 does not match the expected columns: paid_orders: must be a count');
    const seen: string[] = [];
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from(csv)]) as unknown as GetObjectCommandOutput['Body'] });
    const { rows } = await engine.runRows(QUERY, PARAMETERS, (r, i) => {
      seen.push(`${i}:${String(r.customer_id)}`);
      return r.customer_id;
    });
    expect(rows).toEqual(['c-1', 'c-2', 'c-3']);
    expect(seen).toEqual(['0:c-1', '1:c-2', '2:c-3']);
  });

  it('names the query and the result object when the object cannot be read', async () => {
    // Prepare
    const { engine, athena, s3 } = succeeded({ pagedRowLimit: 0 });
    athena.on(GetQueryResultsCommand).resolves(page([row(...HEADER)], 'token-2'));
    s3.on(GetObjectCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: { httpStatusCode: 403 } }));

    // Act / Assess
    await expect(engine.runRaw(QUERY, PARAMETERS)).rejects.toThrow(
      `queries/customer_orders.sql: cannot read the result object ${RESULT_OBJECT} (query execution id q-1): ${RESULT_OBJECT}: cannot read`,
    );
  });

  it('refuses a result CSV whose record has more cells than the result has columns', async () => {
    // Prepare
    const { engine, athena, s3 } = succeeded({ pagedRowLimit: 0 });
    athena.on(GetQueryResultsCommand).resolves(page([row(...HEADER)], 'token-2'));
    const csv = `${HEADER.map((h) => `"${h}"`).join(',')}\n"c-1","1","1.0000","0.5","2026-01-05","2026-11-20 10:00:00.000","true","1","extra"\n`;
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from(csv)]) as unknown as GetObjectCommandOutput['Body'] });

    // Act / Assess
    await expect(engine.runRaw(QUERY, PARAMETERS)).rejects.toThrow('malformed result from Athena (query execution id q-1): row 1 has 9 values, the result has 8 columns');
  });
});

describe('AthenaEngine registering a write-back week', () => {
  it('adds the partition with DDL in the workgroup and database: no parameters, the week as a quoted literal', async () => {
    // Prepare
    const { engine, athena } = harness();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolvesOnce(execution('RUNNING')).resolves(execution('SUCCEEDED'));

    // Act
    const stats = await engine.registerWeekPartition(WRITEBACK_TABLES.kpi_history, '2026-W47');

    // Assess
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start.QueryString).toBe("ALTER TABLE kpi_history ADD IF NOT EXISTS PARTITION (week_id = '2026-W47')");
    expect(start).toMatchObject({ WorkGroup: 'ltv-pulse', QueryExecutionContext: { Database: 'ltv_lake' } });
    expect(start.ExecutionParameters).toBeUndefined();
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
    expect(stats).toMatchObject({ query: 'registering kpi_history week 2026-W47', rows: 0, queryExecutionId: 'q-1' });
  });

  it.each(["2026-W47') ; DROP TABLE kpi_history --", '2026-47', "2026-W4'7"])('refuses the week id %s before anything reaches Athena', async (weekId) => {
    // Prepare
    const { engine, athena } = harness();

    // Act, Assess
    await expect(engine.registerWeekPartition(WRITEBACK_TABLES.clv_scores, weekId)).rejects.toThrow('is not an ISO week id like 2026-W47');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  it('refuses a table that is not one of the declared write-back tables', async () => {
    // Prepare
    const { engine } = harness();
    const impostor = { ...WRITEBACK_TABLES.kpi_history, name: 'kpi_history; DROP TABLE orders' } as unknown as typeof WRITEBACK_TABLES.kpi_history;

    // Act, Assess
    await expect(engine.registerWeekPartition(impostor, '2026-W47')).rejects.toThrow('is not a declared write-back table');
  });

  it('names the statement and Athena’s reason when the DDL fails', async () => {
    // Prepare
    const { engine, athena } = harness();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('FAILED', { StateChangeReason: 'AccessDeniedException: glue:BatchCreatePartition' }));

    // Act, Assess
    await expect(engine.registerWeekPartition(WRITEBACK_TABLES.clv_scores, '2026-W47')).rejects.toThrow(/registering clv_scores week 2026-W47 .*glue:BatchCreatePartition/);
  });
});

describe('AthenaEngine running many queries at once', () => {
  /** Five queries issued together; each polls RUNNING once, then SUCCEEDED; returns the most that were running at one time. */
  async function peakRunning(options: Partial<AthenaEngineOptions>): Promise<{ peak: number; finished: number }> {
    const { engine, athena } = harness(options);
    let started = 0;
    let running = 0;
    let peak = 0;
    const polls = new Map<string, number>();
    athena.on(StartQueryExecutionCommand).callsFake(() => {
      running++;
      peak = Math.max(peak, running);
      return { QueryExecutionId: `q-${++started}` };
    });
    athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => {
      const n = (polls.get(input.QueryExecutionId) ?? 0) + 1;
      polls.set(input.QueryExecutionId, n);
      return execution(n === 1 ? 'RUNNING' : 'SUCCEEDED');
    });
    athena.on(GetQueryResultsCommand).callsFake(() => {
      running--;
      return page([row(...HEADER)]);
    });
    const results = await Promise.all(Array.from({ length: 5 }, () => engine.runRaw(QUERY, PARAMETERS)));
    return { peak, finished: results.length };
  }

  it('keeps at most maxConcurrentQueries running and starts the rest as earlier ones end', async () => {
    expect(await peakRunning({ maxConcurrentQueries: 2 })).toEqual({ peak: 2, finished: 5 });
  });

  it('runs one at a time when no cap is configured', async () => {
    expect(await peakRunning({})).toEqual({ peak: 1, finished: 5 });
  });
});
