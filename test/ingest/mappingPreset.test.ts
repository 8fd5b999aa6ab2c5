import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { loadMapping, parseMapping, type Mapping } from '../../functions/ingest/presets/mapping.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'exports', 'mapping');
const NOW = new Date('2026-11-23T00:00:00Z');
let root: string;

async function ingest(exportsDir: string, keys: string[], mapping: Mapping) {
  return ingestExports({
    exports: new LocalFolderStore(exportsDir),
    lake: new LocalFolderStore(path.join(root, 'lake')),
    keys,
    mapping,
    sourceTimeZone: 'UTC',
    now: NOW,
  });
}

async function lakeRows(sql: string): Promise<unknown[][]> {
  const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'lake') });
  try {
    return (await engine.sql(sql)).map((r) => Object.values(r));
  } finally {
    await engine.close();
  }
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-mapping-'));
  await mkdir(path.join(root, 'exports'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a mapping file', () => {
  it('maps a till export: renamed columns, minor units per currency, a local date format, a constant', async () => {
    // Prepare
    const mapping = await loadMapping(path.join(FIXTURES, 'till-sales.mapping.json'));

    // Act
    const result = await ingest(FIXTURES, ['till-sales.csv'], mapping);

    // Assess
    expect(result.ingested[0]).toMatchObject({
      table: 'orders',
      preset: 'mapping',
      rowsRead: 12,
      accepted: 7,
      rejected: 5,
      rejectedByRule: { not_timestamp: 1, not_money: 1, required: 1, unknown_currency: 2 },
      ignoredColumns: ['note'],
    });
    expect(
      await lakeRows(
        "SELECT order_id, customer_id, strftime(ordered_at, '%Y-%m-%d %H:%M') AS ordered_at, CAST(amount AS VARCHAR), CAST(refunded_amount AS VARCHAR), currency, status FROM orders ORDER BY source_line",
      ),
    ).toEqual([
      ['R-1', 'K-17', '2026-11-02 08:30', '19.9900', '0.0000', 'EUR', 'paid'], // 09:30 in Berlin (UTC+1), 1999 cents
      ['R-2', 'K-17', '2026-11-02 17:05', '4.5000', null, 'EUR', 'paid'],
      ['R-3', 'K-08', '2026-11-03 11:00', '150000.0000', '50000.0000', 'JPY', 'paid'], // yen have no minor unit
      ['R-4', 'K-08', '2026-03-29 01:30', '10.0000', null, 'EUR', 'paid'], // 02:30 does not exist that night: read at the winter offset
      ['R-5', 'K-21', '2026-11-04 09:00', '12345.0000', null, 'KRW', 'paid'], // nor have won
      ['R-8', 'K-30', '2026-11-05 09:00', '1.2340', null, 'BHD', 'paid'], // 1000 fils to the dinar
      ['R-12', 'K-33', '2026-11-07 07:05', '25.0000', null, 'USD', 'paid'], // one-digit day and hour
    ]);
  });

  it('maps JSON Lines, taking minor units from JSON numbers exactly', async () => {
    // Prepare
    const mapping = parseMapping(
      { table: 'marketing_spend', columns: { spend_date: { column: 'day', format: 'MM/DD/YYYY' }, channel: 'source', amount: { column: 'cost_micros_cents', unit: 'minor' }, currency: { constant: 'usd' } } },
      'ads.mapping.json',
    );
    await writeFile(
      path.join(root, 'exports', 'ads.jsonl'),
      ['{"day":"11/02/2026","source":"search","cost_micros_cents":123456789}', '{"day":"11/03/2026","source":"social","cost_micros_cents":1.5}', ''].join('\n'),
    );

    // Act
    const result = await ingest(path.join(root, 'exports'), ['ads.jsonl'], mapping);

    // Assess
    expect(result.ingested[0]).toMatchObject({ table: 'marketing_spend', format: 'jsonl', rowsRead: 2, accepted: 1, rejectedByRule: { not_money: 1 } });
    expect(await lakeRows('SELECT CAST(spend_date AS VARCHAR), channel, CAST(amount AS VARCHAR), currency FROM marketing_spend')).toEqual([['2026-11-02', 'search', '1234567.8900', 'USD']]);
  });

  it('names the file and the header columns it lacks', async () => {
    // Prepare
    const mapping = parseMapping({ table: 'customers', columns: { customer_id: 'Client No', country: 'Land' } }, 'm.json');
    await writeFile(path.join(root, 'exports', 'clients.csv'), 'Client,Land\nK-1,DE\n');

    // Act
    const result = await ingest(path.join(root, 'exports'), ['clients.csv'], mapping);

    // Assess
    expect(result.failed).toEqual([{ key: 'clients.csv', error: 'clients.csv, line 1: the header lacks "Client No" (for customer_id) named by the mapping (found: client, land)' }]);
  });

  it.each([
    {
      case: 'an unknown canonical column',
      input: { table: 'orders', columns: { order_id: 'a', customer_id: 'b', ordered_at: 'c', amount: 'd', currency: 'e', status: 'f', total: 'g' } },
      problems: ['$.columns.total: orders has no column "total" (columns: order_id, customer_id, ordered_at, amount, refunded_amount, currency, status)'],
    },
    {
      case: 'a required column without a source',
      input: { table: 'customers', columns: { country: 'Land' } },
      problems: ['$.columns: the required column customer_id has no source'],
    },
    {
      case: 'options on the wrong kind of column',
      input: { table: 'customers', columns: { customer_id: { column: 'id', unit: 'minor' }, signup_at: { column: 'since', format: 'DD/MM/YYY', timeZone: 'Mars/Olympus' } } },
      problems: [
        '$.columns.customer_id.unit: unit applies to money columns only; customer_id is id',
        '$.columns.signup_at.format: "DD/MM/YYY" has "Y" outside the known fields YYYY, YY, MM, DD, HH, mm, ss',
        '$.columns.signup_at.timeZone: must be an IANA time zone, e.g. UTC or Asia/Seoul',
      ],
    },
    {
      case: 'an unknown setting and an unknown table',
      input: { table: 'refunds', columns: {}, delimiter: ';' },
      problems: ['$.table: Invalid option: expected one of "customers"|"orders"|"subscriptions"|"marketing_spend"|"fx_rates"', '$: unknown setting "delimiter"'],
    },
  ])('rejects $case, naming the file and the JSON path', ({ input, problems }) => {
    // Act
    const act = () => parseMapping(input, 'exports/acme.mapping.json');

    // Assess
    expect(act).toThrow(`Invalid mapping file exports/acme.mapping.json:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  });

  it('says when the file is not JSON', async () => {
    // Prepare
    const file = path.join(root, 'broken.mapping.json');
    await writeFile(file, '{ "table": "orders", }');

    // Act
    const act = loadMapping(file);

    // Assess
    await expect(act).rejects.toThrow(/^Invalid mapping file .*broken\.mapping\.json:\n {2}- not valid JSON: /);
  });
});
