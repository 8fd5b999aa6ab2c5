import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'exports', 'shopify');
const CASES = path.join(import.meta.dirname, '..', 'fixtures', 'exports', 'shopify-cases');
const NOW = new Date('2026-11-23T00:00:00Z');
const SALT = 'test-salt';
// HMAC-SHA-256 with key "test-salt", computed outside this code base:
//   printf 'ann@example.com' | openssl dgst -sha256 -hmac 'test-salt'
const ANN = 'shopify:20a3859c71f97cf163fc60a5a9795c8d2d2fd3dec832e7cc1e467293755a844d';
const BO = 'shopify:b2dc803f5dc55f006f5f6ffb987ac63bfb502456de1e31877b0a0d999b0508cb';
const CY = 'shopify:d5e2b39162c74617d24d89d173f22568d449a1a812357823cd695c0e8a6edc16';
const DEE = 'shopify:72a4e6e5bd3ef2cca9d5149ed3894a1506568d1b71316772f45a0988186cf505';
const EVA = 'shopify:9f5f1458b6ade2d36596b5a2d2aad87d0d859d864e223a44333edb52ffedf3fe';
// printf 'tel:+821012345678' | openssl dgst -sha256 -hmac 'test-salt'
const KIM_PHONE = 'shopify:26d148f0be96675718804da965252615da6edf9a4d007f0da98de59696eda911';
const LEE = 'shopify:9eee23906fa538322991abc5c0244e1b4fb72891bbc9fb6059714b5fdfb6c37e';
const GUS = 'shopify:2cc0ffb6c267e37091514f64469b9d9d1fd4533a2dddd015996480f9e9ffb5e7';
let root: string;

async function ingest(exportsDir: string, keys: string[]) {
  return ingestExports({
    exports: new LocalFolderStore(exportsDir),
    lake: new LocalFolderStore(path.join(root, 'lake')),
    keys,
    preset: 'shopify',
    customerKeySalt: SALT,
    sourceTimeZone: 'UTC',
    now: NOW,
  });
}

async function lakeOrders(): Promise<unknown[][]> {
  const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'lake') });
  try {
    const rows = await engine.sql(
      "SELECT order_id, customer_id, strftime(ordered_at, '%Y-%m-%d %H:%M:%S') AS ordered_at, CAST(amount AS VARCHAR) AS amount, CAST(refunded_amount AS VARCHAR) AS refunded, currency, status, source_line FROM orders ORDER BY order_id",
    );
    return rows.map((r) => Object.values(r));
  } finally {
    await engine.close();
  }
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-shopify-'));
  await mkdir(path.join(root, 'exports'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the Shopify preset', () => {
  it('makes one order of each order\'s line items and accounts for every row', async () => {
    // Act: straight from the fixture folder, which ingest only reads
    const result = await ingest(FIXTURES, ['orders_export_1.csv']);

    // Assess: 12 rows = 8 orders; #1006 (2 rows) has no e-mail, so no customer
    const m = result.ingested[0]!;
    expect(m).toMatchObject({ table: 'orders', preset: 'shopify', rowsRead: 12, accepted: 10, rejected: 2, rowsWritten: 7, rejectedByRule: { required: 2 } });
    expect(m.accepted + m.rejected).toBe(m.rowsRead);
    expect(await lakeOrders()).toEqual([
      // #1001, two line items; created 09:15:22 at UTC-5
      ['5829431001', ANN, '2026-11-02 14:15:22', '54.0000', '0.0000', 'USD', 'paid', '2'],
      // #1002 refunded in full: paid, with the refund
      ['5829431002', BO, '2026-11-03 16:00:00', '30.0000', '30.0000', 'USD', 'paid', '4'],
      // #1003 partially refunded, three line items, a quoted comma in the billing name
      ['5829431003', CY, '2026-11-03 23:42:10', '120.0000', '20.0000', 'USD', 'paid', '5'],
      // #1004 voided
      ['5829431004', DEE, '2026-11-04 13:00:00', '80.0000', '0.0000', 'USD', 'cancelled', '8'],
      // #1005 authorised, not captured, in Canadian dollars
      ['5829431005', EVA, '2026-11-05 18:30:00', '72.0000', '0.0000', 'CAD', 'pending', '9'],
      // #1007 refunded and cancelled; "Ann@Example.com " and "ann@example.com" are one customer
      ['5829431007', ANN, '2026-11-07 17:00:00', '40.0000', '40.0000', 'USD', 'cancelled', '12'],
      // #1008 free with a 100% discount code
      ['5829431008', GUS, '2026-11-08 14:00:00', '0.0000', '0.0000', 'USD', 'paid', '13'],
    ]);
    const rejects = (await readFile(path.join(root, 'lake', '_rejects', 'orders_export_1.csv.rejects.csv'), 'utf8')).split('\n');
    expect(rejects[1]).toMatch(/^10,customer_id,,required,customer_id is required,"#1006,,paid,/);
    expect(rejects[2]).toMatch(/^11,customer_id,,required,"customer_id is required \(line item of order #1006, rejected on line 10\)","#1006,,,/);
    expect(rejects).toHaveLength(4);
  });

  it('never stores an e-mail address', async () => {
    // Act
    await ingest(FIXTURES, ['orders_export_1.csv']);

    // Assess
    const lakeText = JSON.stringify(await lakeOrders());
    expect(lakeText).not.toMatch(/@|example/i);
  });

  it('rejects a line item that follows another order\'s rows', async () => {
    // Prepare
    const header = 'Name,Email,Financial Status,Currency,Total,Created at,Lineitem name,Id';
    await writeFile(
      path.join(root, 'exports', 'orders_export_2.csv'),
      [header, '#2001,a@example.com,paid,USD,10.00,2026-11-02 10:00:00 +0000,Cap,9001', '#2000,,,,,,Scarf,', '#2001,,,,,,Gloves,'].join('\n'),
    );

    // Act
    const result = await ingest(path.join(root, 'exports'), ['orders_export_2.csv']);

    // Assess: #2000's item is an orphan; #2001's item still belongs to the last order row above it
    expect(result.ingested[0]).toMatchObject({ rowsRead: 3, accepted: 2, rejected: 1, rowsWritten: 1, rejectedByRule: { orphan_line_item: 1 } });
  });

  it('names what is missing when a file is not a Shopify orders export', async () => {
    // Prepare
    await writeFile(path.join(root, 'exports', 'orders.csv'), 'order_id,customer_id,ordered_at,amount,currency,status\n');

    // Act
    const result = await ingest(path.join(root, 'exports'), ['orders.csv']);

    // Assess
    expect(result.failed).toEqual([
      {
        key: 'orders.csv',
        error:
          'orders.csv, line 1: this does not look like a Shopify orders export: the header lacks Name, Email, Financial Status, Total, Created at (found: order_id, customer_id, ordered_at, amount, currency, status)',
      },
    ]);
  });

  it('keys an order without an e-mail address by its phone number, written any way', async () => {
    // Act
    const result = await ingest(CASES, ['orders_export_phone.csv']);

    // Assess: #2001 (Billing Phone "+82 10-1234-5678") and #2002 (Phone "0082 10 1234 5678") are one
    // customer; #2004 has both and keeps its e-mail key; #2003, a cash sale, has no customer
    expect(result.ingested[0]).toMatchObject({ rowsRead: 4, accepted: 3, rejected: 1, rejectedByRule: { required: 1 } });
    expect((await lakeOrders()).map(([id, customer]) => [id, customer])).toEqual([
      ['7001', KIM_PHONE],
      ['7002', KIM_PHONE],
      ['7004', LEE],
    ]);
    expect(JSON.stringify(await lakeOrders())).not.toMatch(/1234|5678/);
  });

  it('masks names, phone numbers and addresses in the rejects file', async () => {
    // Act
    await ingest(CASES, ['orders_export_phone.csv', 'customers_export.csv']);

    // Assess
    const orders = await readFile(path.join(root, 'lake', '_rejects', 'orders_export_phone.csv.rejects.csv'), 'utf8');
    expect(orders.split('\n')[1]).toBe(
      '4,customer_id,,required,customer_id is required,"#2003,,paid,USD,15.00,2026-11-04 09:00:00 +0900,Cash sale,,,,,0.00,7003,"',
    );
    const customers = await readFile(path.join(root, 'lake', '_rejects', 'customers_export.csv.rejects.csv'), 'utf8');
    expect(customers.split('\n')[1]).toBe('4,customer_id,,required,customer_id is required,"1003,[masked],[masked],,[masked],,[masked],,,,,,0.00,0,,"');
  });

  it('reads the customers export: the same keys as orders, country, and a channel:<name> tag', async () => {
    // Act
    const result = await ingest(CASES, ['customers_export.csv']);

    // Assess: the export has no sign-up date, so each customer's first paid order stands for it
    expect(result.ingested[0]).toMatchObject({ table: 'customers', rowsRead: 3, accepted: 2, rejected: 1 });
    const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'lake') });
    try {
      expect(await engine.sql('SELECT customer_id, signup_at, acquisition_channel, country FROM customers ORDER BY country DESC')).toEqual([
        { customer_id: ANN, signup_at: null, acquisition_channel: 'instagram', country: 'US' },
        { customer_id: KIM_PHONE, signup_at: null, acquisition_channel: null, country: 'KR' },
      ]);
    } finally {
      await engine.close();
    }
  });
});
