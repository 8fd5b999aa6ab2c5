import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { readManifest } from '../../functions/ingest/manifest.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';

const HEADER = 'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status';
const NOW = new Date('2026-11-23T00:00:00Z');
const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'exports');
let root: string;
let exportsStore: LocalFolderStore;
let lake: LocalFolderStore;

async function writeExport(name: string, body: string | Buffer): Promise<void> {
  await writeFile(path.join(root, 'exports', name), body);
}

async function ingest(keys?: string[]) {
  return ingestExports({ exports: exportsStore, lake, sourceTimeZone: 'Europe/Berlin', now: NOW, ...(keys ? { keys } : {}) });
}

async function lakeOrders(): Promise<Record<string, unknown>[]> {
  const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'lake') });
  try {
    return await engine.sql(
      'SELECT order_id, customer_id, CAST(ordered_at AS VARCHAR) AS ordered_at, CAST(amount AS VARCHAR) AS amount, CAST(refunded_amount AS VARCHAR) AS refunded_amount, currency, status, source_key, source_line, order_month FROM orders ORDER BY order_id',
    );
  } finally {
    await engine.close();
  }
}

async function lakeFiles(): Promise<string[]> {
  const entries = await readdir(path.join(root, 'lake'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(path.join(root, 'lake'), path.join(e.parentPath, e.name))).sort();
}

async function exportHashes(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await readdir(path.join(root, 'exports'))) {
    out[name] = createHash('sha256').update(await readFile(path.join(root, 'exports', name))).digest('hex');
  }
  return out;
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-ingest-'));
  await mkdir(path.join(root, 'exports'));
  exportsStore = new LocalFolderStore(path.join(root, 'exports'));
  lake = new LocalFolderStore(path.join(root, 'lake'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ingest of canonical order exports', () => {
  it('accepts or rejects every row with a reason, and the counts reconcile', async () => {
    // Prepare
    await writeExport(
      'orders.csv',
      [
        HEADER,
        'o1,c1,2026-11-01T10:00:00Z,10.00,,USD,paid',
        'o2,c1,2026-11-02 10:00:00,20.00,5,usd,PAID', // no offset: Berlin time; case folded
        'o3,,2026-11-02,5.00,,USD,paid', // missing customer
        'o4,c2,2031-01-01,5.00,,USD,paid', // future
        'o5,c2,2026-11-03,5.00,,XYZ,paid', // unknown currency
        'o6,c2,2026-11-03,-5.00,,USD,paid', // negative amount
        'o7,c2,2026-11-03,5.00,6.00,USD,paid', // refund larger than amount
        'o8,c2,2026-11-03,5.00,,USD,lost', // unknown status (docs/ingest.md lists the synonyms)
        'o9,c2,2026-11-03,5.00,USD,paid', // a field short
        'o10,c3,2026-11-04,0,,USD,paid', // zero amount: kept, not a paid order in KPIs
        'o11,c3,2026-11-05,12.50,,USD,cancelled',
      ].join('\n'),
    );

    // Act
    const result = await ingest();

    // Assess
    const m = result.ingested[0]!;
    expect(m).toMatchObject({ rowsRead: 11, accepted: 4, rejected: 7, rowsWritten: 4, format: 'csv', preset: 'canonical' });
    expect(m.accepted + m.rejected).toBe(m.rowsRead);
    expect(m.rejectedByRule).toEqual({ required: 1, future_date: 1, unknown_currency: 1, negative_amount: 1, refund_exceeds_amount: 1, not_allowed: 1, column_count: 1 });
    const rejects = await readFile(path.join(root, 'lake', '_rejects', 'orders.csv.rejects.csv'), 'utf8');
    expect(rejects.split('\n')[0]).toBe('line,field,value,rule,message,record');
    expect(rejects).toContain('4,customer_id,,required,customer_id is required,"o3,,2026-11-02,5.00,,USD,paid"');
    expect(rejects).toContain('6,currency,XYZ,unknown_currency');
    const rows = await lakeOrders();
    expect(rows.map((r) => r.order_id)).toEqual(['o1', 'o10', 'o11', 'o2']);
    expect(rows.find((r) => r.order_id === 'o2')).toMatchObject({ ordered_at: '2026-11-02 09:00:00', amount: '20.0000', status: 'paid', source_line: '3', order_month: '2026-11' });
  });

  // One export per edge case of real data, each reconciled on its own.
  it.each([
    { case: 'a refund recorded in refunded_amount is kept', line: 'r1,c1,2026-11-02T10:00:00Z,40.00,15.00,USD,paid', accepted: [['r1', '40.0000', '15.0000', 'paid']], rules: {} },
    { case: 'a refund sent as a negative line is rejected', line: 'r2,c1,2026-11-02T10:00:00Z,-15.00,,USD,paid', accepted: [], rules: { negative_amount: 1 } },
    { case: 'a refund larger than the order is rejected', line: 'r3,c1,2026-11-02T10:00:00Z,10.00,10.01,USD,paid', accepted: [], rules: { refund_exceeds_amount: 1 } },
    { case: 'a cancelled order is kept as cancelled', line: 'r4,c1,2026-11-02T10:00:00Z,30.00,,USD,Cancelled', accepted: [['r4', '30.0000', null, 'cancelled']], rules: {} },
    { case: 'a zero-amount order is kept', line: 'r5,c1,2026-11-02T10:00:00Z,0.00,,USD,paid', accepted: [['r5', '0.0000', null, 'paid']], rules: {} },
    { case: 'an order dated more than a day after the run is rejected', line: 'r6,c1,2026-11-24T00:00:01Z,9.00,,USD,paid', accepted: [], rules: { future_date: 1 } },
    { case: 'an order within the day of clock skew is kept', line: 'r7,c1,2026-11-23T23:59:59Z,9.00,,USD,paid', accepted: [['r7', '9.0000', null, 'paid']], rules: {} },
    { case: 'an unknown currency is rejected', line: 'r8,c1,2026-11-02T10:00:00Z,9.00,,BTC,paid', accepted: [], rules: { unknown_currency: 1 } },
    { case: 'a missing customer_id is rejected', line: 'r9,  ,2026-11-02T10:00:00Z,9.00,,USD,paid', accepted: [], rules: { required: 1 } },
  ])('$case', async ({ line, accepted, rules }) => {
    // Prepare
    await writeExport('orders.csv', `${HEADER}\n${line}\n`);

    // Act
    const result = await ingest();

    // Assess
    const m = result.ingested[0]!;
    expect(m.rowsRead).toBe(1);
    expect(m.accepted + m.rejected).toBe(m.rowsRead);
    expect(m.rejectedByRule).toEqual(rules);
    const rows = accepted.length > 0 ? await lakeOrders() : [];
    expect(rows.map((r) => [r.order_id, r.amount, r.refunded_amount, r.status])).toEqual(accepted);
  });

  it.each([
    { case: 'a header-only export', body: `${HEADER}\r\n` },
    { case: 'a 0-byte export', body: '' },
  ])('records $case as an export with zero rows', async ({ body }) => {
    // Prepare
    await writeExport('orders.csv', body);

    // Act
    const result = await ingest();

    // Assess
    expect(result.failed).toEqual([]);
    expect(result.ingested[0]).toMatchObject({ rowsRead: 0, accepted: 0, rejected: 0, rowsWritten: 0, rejectsKey: null, timeRange: { column: 'ordered_at', min: null, max: null } });
  });

  it('is a no-op when the same export is ingested again, and never changes the export', async () => {
    // Prepare
    const body = `${HEADER}\no1,c1,2026-11-01T10:00:00Z,10.00,,USD,paid\n`;
    await writeExport('orders.csv', body);
    await ingest();

    // Act
    const again = await ingest();

    // Assess
    expect(again.ingested).toEqual([]);
    expect(again.skipped).toEqual([{ key: 'orders.csv', reason: 'already ingested (same content)' }]);
    expect(await readFile(path.join(root, 'exports', 'orders.csv'), 'utf8')).toBe(body);
    expect(await lakeOrders()).toHaveLength(1);
  });

  it('stores an order once when a later export repeats it, keeping the later version', async () => {
    // Prepare
    await writeExport('orders-2026-10.csv', `${HEADER}\no1,c1,2026-10-30T10:00:00Z,10.00,,USD,paid\no2,c1,2026-10-31T10:00:00Z,11.00,,USD,paid\n`);
    await ingest();
    await writeExport('orders-2026-11.csv', `${HEADER}\no2,c1,2026-11-01T10:00:00Z,11.00,11.00,USD,paid\no3,c2,2026-11-02T10:00:00Z,3.00,,USD,paid\n`);

    // Act
    await ingest();

    // Assess: o2 moved month; the old copy in 2026-10 is gone
    const rows = await lakeOrders();
    expect(rows.map((r) => [r.order_id, r.order_month, r.source_key])).toEqual([
      ['o1', '2026-10', 'orders-2026-10.csv'],
      ['o2', '2026-11', 'orders-2026-11.csv'],
      ['o3', '2026-11', 'orders-2026-11.csv'],
    ]);
  });

  it('reads gzip exports, and leaves the lake as it was when one is truncated', async () => {
    // Prepare
    await writeExport('orders-a.csv.gz', gzipSync(`${HEADER}\no1,c1,2026-11-01T10:00:00Z,10.00,,USD,paid\n`));
    await ingest();
    const broken = gzipSync(`${HEADER}\n${Array.from({ length: 2000 }, (_, i) => `x${i},c9,2026-11-01T10:00:00Z,1.00,,USD,paid`).join('\n')}\n`);
    await writeExport('orders-b.csv.gz', broken.subarray(0, Math.floor(broken.length / 2)));

    // Act
    const result = await ingest();

    // Assess
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]!.error).toMatch(/orders-b\.csv\.gz: the gzip data is truncated or corrupt/);
    expect((await lakeOrders()).map((r) => r.order_id)).toEqual(['o1']);
    expect(await readManifest(lake, 'orders-b.csv.gz')).toBeUndefined();
  });

  // Whole-file problems: the export fails with its name, other exports land, the lake keeps
  // nothing of it, and the export's bytes are as they were.
  const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const XLSX = Buffer.concat([Buffer.from('504b0304140006000800', 'hex'), Buffer.from('[Content_Types].xml')]);
  it.each([
    { case: 'a PNG saved as .csv', body: PNG, error: 'orders-bad.csv: this is a PNG image, not a text export' },
    { case: 'a PDF saved as .csv', body: Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n', 'latin1'), error: 'orders-bad.csv: this is a PDF document, not a text export' },
    {
      case: 'an Excel workbook saved as .csv',
      body: XLSX,
      error: 'orders-bad.csv: this is a ZIP archive (an Excel .xlsx workbook is one), not a text export; save the sheet as CSV UTF-8',
    },
    { case: 'a binary file', body: Buffer.from([0x00, 0x01, 0x02, 0x03]), error: 'orders-bad.csv: this is not a text export (it contains NUL bytes)' },
    {
      case: 'a Windows-1252 file',
      body: Buffer.concat([Buffer.from(`${HEADER}\no2,Ren`), Buffer.from([0xe9]), Buffer.from(',2026-11-01T10:00:00Z,1.00,,EUR,paid\n')]),
      error: 'orders-bad.csv: the text is not UTF-8 (perhaps Latin-1 or Windows-1252); save it as UTF-8',
    },
    {
      case: 'a CSV with a wrong header',
      body: 'id;customer;date\n1;2;3\n',
      error: 'orders-bad.csv, line 1: the header lacks required columns order_id, customer_id, ordered_at, amount, currency, status for table orders (found: id;customer;date)',
    },
    { case: 'a quote never closed', body: `${HEADER}\no2,c1,2026-11-01T10:00:00Z,1.00,,USD,"paid\n`, error: 'orders-bad.csv, line 2: not valid CSV: a quoted field opened on line 2 is never closed' },
  ])('fails $case naming the file, and changes nothing', async ({ body, error }) => {
    // Prepare
    await writeExport('orders-good.csv', `${HEADER}\no1,c1,2026-11-01T10:00:00Z,10.00,,USD,paid\n`);
    await ingest();
    const lakeBefore = await lakeFiles();
    await writeExport('orders-bad.csv', body);
    const before = await exportHashes();

    // Act
    const result = await ingest();

    // Assess
    expect(result.failed).toEqual([{ key: 'orders-bad.csv', error }]);
    expect(result.ingested).toEqual([]);
    expect(await lakeFiles()).toEqual(lakeBefore);
    expect(await exportHashes()).toEqual(before);
  });
});

describe('rejected records', () => {
  it('are written whole, with line, field, value, rule and message, however many there are', async () => {
    // Prepare: 30,000 rejects, more than one write buffer, and a record spanning two lines
    const bad = Array.from({ length: 30_000 }, (_, i) => `b${i},c1,2026-11-01T10:00:00Z,1.00,,XYZ,paid`);
    await writeExport('orders.csv', [HEADER, 'o1,c1,2026-11-01T10:00:00Z,1.00,,USD,"paid\nnow"', ...bad, 'o2,c1,2026-11-01T10:00:00Z,2.00,,USD,paid'].join('\n'));

    // Act
    const result = await ingest();

    // Assess
    const m = result.ingested[0]!;
    expect(m).toMatchObject({ rowsRead: 30_002, accepted: 1, rejected: 30_001, rejectedByRule: { not_allowed: 1, unknown_currency: 30_000 } });
    const lines = (await readFile(path.join(root, 'lake', '_rejects', 'orders.csv.rejects.csv'), 'utf8')).split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'line,field,value,rule,message,record',
      '2,status,"paid',
      'now",not_allowed,"status must be one of paid, pending, cancelled","o1,c1,2026-11-01T10:00:00Z,1.00,,USD,""paid',
      'now"""',
    ]);
    expect(lines[4]).toBe('4,currency,XYZ,unknown_currency,"currency ""XYZ"" is not an ISO 4217 currency code","b0,c1,2026-11-01T10:00:00Z,1.00,,XYZ,paid"');
    expect(lines).toHaveLength(1 + 3 + 29_999 + 1 + 1); // header, the two-line record (3 text lines), the rest, trailing newline
  });

  it('hand a spreadsheet no formula: a rejected value or record that starts like one is defused', async () => {
    // Prepare
    await writeExport('orders.csv', [HEADER, 'o1,c1,2026-11-01T10:00:00Z,1.00,,=cmd|calc,paid', '=o2,c1,2026-11-01T10:00:00Z,-1.00,,USD,paid'].join('\n'));

    // Act
    await ingest();

    // Assess
    const lines = (await readFile(path.join(root, 'lake', '_rejects', 'orders.csv.rejects.csv'), 'utf8')).split('\n');
    expect(lines[1]).toBe(`2,currency,'=cmd|calc,unknown_currency,"currency ""=cmd|calc"" is not an ISO 4217 currency code","o1,c1,2026-11-01T10:00:00Z,1.00,,=cmd|calc,paid"`);
    expect(lines[2]).toMatch(/^3,amount,-1\.00,[a-z_]+,.*,"'=o2,c1,2026-11-01T10:00:00Z,-1\.00,,USD,paid"$/);
  });

  it('are removed from the lake when a corrected export has none', async () => {
    // Prepare
    await writeExport('orders.csv', `${HEADER}\no1,,2026-11-01T10:00:00Z,1.00,,USD,paid\n`);
    await ingest();

    // Act
    await writeExport('orders.csv', `${HEADER}\no1,c1,2026-11-01T10:00:00Z,1.00,,USD,paid\n`);
    const result = await ingest();

    // Assess
    expect(result.ingested[0]).toMatchObject({ rejected: 0, rejectsKey: null });
    expect(await lakeFiles()).not.toContain(path.join('_rejects', 'orders.csv.rejects.csv'));
  });
});

describe('ingest of canonical JSON Lines exports', () => {
  it('reads one object per line, keeps numbers exact, and rejects lines that are not objects', async () => {
    // Prepare: the fixture has a BOM, CRLF line ends, a blank line, numbers written as JSON
    // numbers, keys in other case, nested values, a line that is an array and a truncated line
    await copyFile(path.join(FIXTURES, 'canonical', 'orders.jsonl'), path.join(root, 'exports', 'orders.jsonl'));
    const before = await exportHashes();

    // Act
    const result = await ingest();

    // Assess
    const m = result.ingested[0]!;
    expect(m).toMatchObject({ format: 'jsonl', rowsRead: 9, accepted: 4, rejected: 5, rowsWritten: 4, ignoredColumns: ['meta', 'note'] });
    expect(m.rejectedByRule).toEqual({ not_money: 1, required: 1, malformed_json: 2, negative_amount: 1 });
    expect((await lakeOrders()).map((r) => [r.order_id, r.customer_id, r.ordered_at, r.amount, r.refunded_amount, r.currency, r.status, r.source_line])).toEqual([
      ['j1', 'c1', '2026-11-02 10:00:00', '19.9900', null, 'USD', 'paid', '1'],
      ['j2', 'c1', '2026-11-03 09:00:00', '250.1000', '50.0000', 'EUR', 'paid', '2'],
      ['j6', 'c3', '2026-11-04 23:00:00', '1234567890123.4567', null, 'JPY', 'pending', '7'],
      ['j8', 'c4', '2026-11-06 00:00:00', '12.0000', null, 'USD', 'cancelled', '9'],
    ]);
    const rejects = (await readFile(path.join(root, 'lake', '_rejects', 'orders.jsonl.rejects.csv'), 'utf8')).split('\n');
    expect(rejects.slice(1, 6).map((r) => r.split(',').slice(0, 4).join(','))).toEqual([
      '4,amount,0.1e1,not_money',
      '5,customer_id,,required',
      '6,,,malformed_json',
      '8,,,malformed_json',
      '10,amount,-3,negative_amount',
    ]);
    expect(rejects[3]).toBe('6,,,malformed_json,not a JSON object: the line is not a JSON object (column 1),"[""j5"",""c3""]"');
    expect(await exportHashes()).toEqual(before);
  });

  it('reads gzip-compressed JSON Lines, reporting progress in compressed bytes', async () => {
    // Prepare
    const body = gzipSync('{"order_id":"g1","customer_id":"c1","ordered_at":"2026-11-02T10:00:00Z","amount":7.5,"currency":"USD","status":"paid"}\n');
    await writeExport('orders.ndjson.gz', body);
    const progress: unknown[] = [];

    // Act
    const result = await ingestExports({ exports: exportsStore, lake, sourceTimeZone: 'UTC', now: NOW, onProgress: (p) => progress.push(p) });

    // Assess
    expect(result.ingested[0]).toMatchObject({ format: 'jsonl', rowsRead: 1, accepted: 1 });
    expect((await lakeOrders()).map((r) => r.amount)).toEqual(['7.5000']);
    expect(progress).toEqual([{ key: 'orders.ndjson.gz', rowsRead: 1, bytesRead: body.length, size: body.length }]);
  });
});

describe('a vendor export ingested without its preset', () => {
  it.each([
    ['shopify/orders_export_1.csv', 'fails, naming the preset its header looks like', 'a Shopify orders export: ingest it with --preset shopify'],
    ['stripe/subscriptions.csv', 'fails, naming the preset its header looks like', 'a Stripe subscriptions export: ingest it with --preset stripe'],
  ])('%s %s', async (fixture, _, suggestion) => {
    // Prepare
    const name = path.basename(fixture);
    await copyFile(path.join(FIXTURES, fixture), path.join(root, 'exports', name));

    // Act
    const result = await ingest([name]);

    // Assess
    expect(result.ingested).toEqual([]);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]!.error).toMatch(new RegExp(`^${name}, line 1: the header lacks required columns .*; its header looks like ${suggestion} \\(exports\\.preset in the configuration\\)$`));
  });

  it('is skipped with the preset named when its file name names no table', async () => {
    // Prepare
    await copyFile(path.join(FIXTURES, 'stripe', 'unified_payments.csv'), path.join(root, 'exports', 'unified_payments.csv'));
    await writeExport('notes.csv', 'topic,text\nq4,later\n');

    // Act
    const result = await ingest(['unified_payments.csv', 'notes.csv']);

    // Assess
    expect(result.skipped).toEqual([
      { key: 'notes.csv', reason: 'the file name names no table (customers, orders, subscriptions, marketing_spend, fx_rates)' },
      {
        key: 'unified_payments.csv',
        reason:
          'the file name names no table (customers, orders, subscriptions, marketing_spend, fx_rates); its header looks like a Stripe orders export: ingest it with --preset stripe (exports.preset in the configuration)',
      },
    ]);
  });
});
