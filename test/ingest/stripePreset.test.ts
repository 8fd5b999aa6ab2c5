import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { CHARGED_INVOICES_PREFIX } from '../../functions/ingest/presets/stripeOverlap.ts';
import { readManifest } from '../../functions/ingest/manifest.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';
import { listAll, type ObjectStore } from '../../functions/storage/objectStore.ts';
import { S3ObjectStore } from '../../functions/storage/s3Store.ts';
import { startConditionalS3Server } from '../storage/conditionalS3Server.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'exports', 'stripe');
/** Payments and invoices of the same money: ch_A1 paid in_A1 (its Invoice ID), ch_A7 paid in_A2 (the invoice's Charge). */
const OVERLAP = path.join(import.meta.dirname, '..', 'fixtures', 'exports', 'stripe-overlap');
const CASES = path.join(import.meta.dirname, '..', 'fixtures', 'exports', 'stripe-cases');
const NOW = new Date('2026-11-23T00:00:00Z');
let root: string;

async function ingest(keys: string[], from = path.join(root, 'exports'), options: { dateFormat?: string; force?: boolean; lake?: ObjectStore } = {}) {
  // The run's time zone is not UTC on purpose: Stripe's "(UTC)" columns must not follow it.
  return ingestExports({
    lake: new LocalFolderStore(path.join(root, 'lake')),
    ...options,
    exports: new LocalFolderStore(from),
    keys,
    preset: 'stripe',
    customerKeySalt: 'test-salt',
    sourceTimeZone: 'Asia/Seoul',
    now: NOW,
  });
}

async function lakeRows(sql: string): Promise<Record<string, unknown>[]> {
  const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'lake') });
  try {
    return await engine.sql(sql);
  } finally {
    await engine.close();
  }
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-stripe-'));
  await mkdir(path.join(root, 'exports'));
  for (const name of ['unified_payments.csv', 'invoices.csv', 'subscriptions.csv', 'unified_customers.csv']) {
    await copyFile(path.join(FIXTURES, name), path.join(root, 'exports', name));
  }
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const ORDERS_SQL =
  "SELECT order_id, customer_id, strftime(ordered_at, '%Y-%m-%d %H:%M') AS ordered_at, CAST(amount AS VARCHAR) AS amount, CAST(refunded_amount AS VARCHAR) AS refunded, currency, status FROM orders ORDER BY order_id";

describe('the Stripe preset', () => {
  it('turns the payments export into orders: refunds, failures, foreign currencies, uncaptured charges', async () => {
    // Act
    const result = await ingest(['unified_payments.csv']);

    // Assess
    const m = result.ingested[0]!;
    expect(m).toMatchObject({ table: 'orders', preset: 'stripe', rowsRead: 12, accepted: 11, rejected: 1, rowsWritten: 11, rejectedByRule: { future_date: 1 } });
    expect(m.ignoredColumns).toContain('customer description');
    expect(m.ignoredColumns).not.toContain('customer email');
    expect(await lakeRows(ORDERS_SQL)).toEqual([
      { order_id: 'ch_3P01', customer_id: 'cus_PmA1', ordered_at: '2026-11-02 14:03', amount: '19.9900', refunded: '0.0000', currency: 'USD', status: 'paid' },
      { order_id: 'ch_3P02', customer_id: 'cus_PmB2', ordered_at: '2026-11-03 09:30', amount: '49.0000', refunded: '10.0000', currency: 'USD', status: 'paid' },
      { order_id: 'ch_3P03', customer_id: 'cus_PmC3', ordered_at: '2026-11-03 10:00', amount: '25.0000', refunded: '25.0000', currency: 'USD', status: 'paid' },
      { order_id: 'ch_3P04', customer_id: 'cus_PmD4', ordered_at: '2026-11-04 08:15', amount: '19.9900', refunded: '0.0000', currency: 'USD', status: 'cancelled' },
      { order_id: 'ch_3P05', customer_id: 'cus_PmE5', ordered_at: '2026-11-05 16:45', amount: '89.0000', refunded: '0.0000', currency: 'EUR', status: 'paid' },
      { order_id: 'ch_3P06', customer_id: 'cus_PmF6', ordered_at: '2026-11-06 01:10', amount: '3000.0000', refunded: '0.0000', currency: 'JPY', status: 'paid' },
      // ch_3P07: a guest checkout, keyed by HMAC-SHA-256(key "test-salt", "guest@example.com")
      { order_id: 'ch_3P07', customer_id: 'stripe:b050378bd10c8996097444eb7df188347b0ea8eb8406742277f41a29bf9f8adf', ordered_at: '2026-11-06 12:00', amount: '12.5000', refunded: '0.0000', currency: 'USD', status: 'paid' },
      { order_id: 'ch_3P08', customer_id: 'cus_PmA1', ordered_at: '2026-11-07 18:20', amount: '150.0000', refunded: '0.0000', currency: 'USD', status: 'pending' },
      { order_id: 'ch_3P09', customer_id: 'cus_PmG7', ordered_at: '2026-11-08 07:05', amount: '19.9900', refunded: '0.0000', currency: 'USD', status: 'paid' },
      { order_id: 'ch_3P10', customer_id: 'cus_PmB2', ordered_at: '2026-11-09 11:11', amount: '49.0000', refunded: '0.0000', currency: 'USD', status: 'paid' },
      // ch_3P11: dated 2031, rejected
      { order_id: 'ch_3P12', customer_id: 'cus_PmI9', ordered_at: '2026-11-10 13:37', amount: '5.0000', refunded: '0.0000', currency: 'USD', status: 'cancelled' },
    ]);
  });

  it('turns the invoices export into orders: what a paid invoice brought in, open and void invoices', async () => {
    // Act
    const result = await ingest(['invoices.csv']);

    // Assess
    expect(result.ingested[0]).toMatchObject({ table: 'orders', rowsRead: 12, accepted: 11, rejected: 1, rejectedByRule: { required: 1 } });
    expect((await lakeRows(ORDERS_SQL)).map((r) => [r.order_id, r.ordered_at, r.amount, r.currency, r.status])).toEqual([
      ['in_1Q01', '2026-10-02 14:03', '29.0000', 'USD', 'paid'],
      ['in_1Q02', '2026-10-03 09:30', '19.0000', 'USD', 'paid'], // Total 29.00, 10.00 of it from credit balance
      ['in_1Q03', '2026-11-01 00:05', '29.0000', 'USD', 'pending'], // open
      ['in_1Q04', '2026-10-15 12:00', '29.0000', 'USD', 'cancelled'], // void
      ['in_1Q05', '2026-10-05 16:45', '290.0000', 'EUR', 'paid'],
      ['in_1Q06', '2026-09-06 01:10', '3000.0000', 'JPY', 'cancelled'], // uncollectible
      ['in_1Q07', '2026-11-20 07:00', '49.0000', 'USD', 'pending'], // draft
      ['in_1Q08', '2026-11-08 07:05', '0.0000', 'USD', 'paid'],
      ['in_1Q09', '2026-11-03 09:30', '29.0000', 'USD', 'paid'],
      ['in_1Q10', '2026-11-10 13:37', '45.0000', 'GBP', 'paid'],
      ['in_1Q12', '2026-11-02 14:03', '29.0000', 'USD', 'paid'],
    ]);
  });

  it('turns the subscriptions export into monthly-normalised MRR per interval and quantity', async () => {
    // Act
    const result = await ingest(['subscriptions.csv']);

    // Assess
    expect(result.ingested[0]).toMatchObject({ table: 'subscriptions', rowsRead: 12, accepted: 11, rejected: 1, rejectedByRule: { not_allowed: 1 } });
    const rows = await lakeRows(
      "SELECT subscription_id, plan, CAST(mrr AS VARCHAR) AS mrr, currency, strftime(started_at, '%Y-%m-%d %H:%M') AS started, strftime(ended_at, '%Y-%m-%d %H:%M') AS ended FROM subscriptions ORDER BY subscription_id",
    );
    expect(rows.map((r) => [r.subscription_id, r.mrr, r.currency, r.started, r.ended])).toEqual([
      ['sub_1R01', '29.0000', 'USD', '2026-06-02 14:03', null],
      ['sub_1R02', '45.0000', 'USD', '2026-07-03 09:30', null], // 3 seats × 15.00
      ['sub_1R03', '24.1667', 'USD', '2026-01-15 10:00', null], // 290.00 a year / 12 = 24.1666…
      ['sub_1R04', '29.0000', 'USD', '2026-03-01 12:00', '2026-10-01 12:00'], // Ended At, not Canceled At
      ['sub_1R05', '200.0000', 'EUR', '2026-02-05 16:45', null], // 2 × 1200.00 / 12
      ['sub_1R06', '3000.0000', 'JPY', '2026-05-06 01:10', null], // past_due is still a subscriber
      ['sub_1R07', '43.3333', 'USD', '2026-10-01 07:00', null], // 10.00 a week × 52 / 12
      ['sub_1R08', '30.4167', 'USD', '2026-11-08 07:05', null], // 1.00 a day × 365 / 12
      ['sub_1R09', '45.0000', 'GBP', '2026-11-10 13:37', '2026-11-10 13:37'], // incomplete_expired: never active
      ['sub_1R10', '29.0000', 'USD', '2026-04-01 00:00', '2026-08-31 23:59'], // canceled, no Ended At
      // sub_1R11: a "quarter" interval, rejected
      ['sub_1R12', '7.5000', 'USD', '2026-09-09 09:09', null], // empty Quantity counts as 1
    ]);
  });

  it('turns the customers export into customers without keeping e-mail addresses or names', async () => {
    // Act
    const result = await ingest(['unified_customers.csv']);

    // Assess
    expect(result.ingested[0]).toMatchObject({ table: 'customers', rowsRead: 6, accepted: 6, rejected: 0 });
    expect(result.ingested[0]!.ignoredColumns).toEqual(expect.arrayContaining(['email', 'name', 'description']));
    const rows = await lakeRows("SELECT customer_id, strftime(signup_at, '%Y-%m-%d %H:%M') AS signup, acquisition_channel, country FROM customers ORDER BY customer_id");
    expect(rows).toEqual([
      { customer_id: 'cus_PmA1', signup: '2026-06-02 14:01', acquisition_channel: 'search', country: 'US' },
      { customer_id: 'cus_PmB2', signup: '2026-07-03 09:28', acquisition_channel: 'referral', country: 'KR' },
      { customer_id: 'cus_PmC3', signup: '2026-01-15 09:59', acquisition_channel: null, country: 'CA' },
      { customer_id: 'cus_PmD4', signup: '2026-03-01 11:58', acquisition_channel: 'paid_social', country: 'GB' },
      { customer_id: 'cus_PmE5', signup: '2026-02-05 16:40', acquisition_channel: 'search', country: 'DE' },
      { customer_id: 'cus_PmF6', signup: null, acquisition_channel: null, country: 'JP' },
    ]);
    expect(JSON.stringify(await lakeRows('SELECT * FROM customers'))).not.toMatch(/@|Ann Lee/);
  });

  it('tells the export from its header when the file was renamed, and skips files it does not know', async () => {
    // Prepare
    await copyFile(path.join(FIXTURES, 'unified_payments.csv'), path.join(root, 'exports', 'export-2026-11.csv'));
    await writeFile(path.join(root, 'exports', 'notes.csv'), 'topic,text\nq4,"plan, later"\n');

    // Act
    const result = await ingest(['export-2026-11.csv', 'notes.csv']);

    // Assess
    expect(result.ingested.map((m) => [m.sourceKey, m.table, m.accepted])).toEqual([['export-2026-11.csv', 'orders', 11]]);
    expect(result.skipped).toEqual([
      { key: 'notes.csv', reason: 'neither the file name nor the header tells which Stripe export this is (payments, invoices, subscriptions or customers)' },
    ]);
  });

  it('names the missing columns when a file named like a Stripe export is not one', async () => {
    // Prepare
    await writeFile(path.join(root, 'exports', 'payments-old.csv'), 'id,Created,Amount\nch_1,2026-11-01 10:00,5.00\n');

    // Act
    const result = await ingest(['payments-old.csv']);

    // Assess
    expect(result.failed).toEqual([
      {
        key: 'payments-old.csv',
        error: 'payments-old.csv, line 1: this does not look like a Stripe payments export: the header lacks Customer ID or Customer or Customer Email, Currency, Status (found: id, created, amount)',
      },
    ]);
  });

  it('reads amounts written with a decimal comma', async () => {
    // Prepare: a Dashboard set to a German locale
    await writeFile(
      path.join(root, 'exports', 'payments-de.csv'),
      'id,Created (UTC),Amount,Amount Refunded,Currency,Status,Customer ID\nch_de1,2026-11-02 10:00,"19,99","0,00",eur,Paid,cus_1\nch_de2,2026-11-02 11:00,"1,234.50",0,eur,Paid,cus_2\n',
    );

    // Act
    const result = await ingest(['payments-de.csv']);

    // Assess: "1,234.50" has both separators and stays unreadable rather than guessed
    expect(result.ingested[0]).toMatchObject({ rowsRead: 2, accepted: 1, rejected: 1, rejectedByRule: { not_money: 1 } });
    expect((await lakeRows(ORDERS_SQL)).map((r) => [r.order_id, r.amount, r.refunded])).toEqual([['ch_de1', '19.9900', '0.0000']]);
  });

  it('leaves out payment attempts that never became a charge, counted apart from data errors', async () => {
    // Act
    const result = await ingest(['unified_payments.csv'], OVERLAP);

    // Assess: pi_A2 (requires_payment_method) and pi_A3 (canceled, no charge) moved no money;
    // ch_A4 is a canceled charge and stays a cancelled order
    const m = result.ingested[0]!;
    expect(m).toMatchObject({ rowsRead: 7, accepted: 4, rejected: 1, leftOut: { not_a_purchase: 2 }, rejectedByRule: { not_money: 1 } });
    expect(m.rowsRead).toBe(m.accepted + m.rejected + m.superseded + m.leftOut!.not_a_purchase!);
    expect((await lakeRows(ORDERS_SQL)).map((r) => [r.order_id, r.status])).toEqual([
      ['ch_A1', 'paid'],
      ['ch_A4', 'cancelled'],
      ['ch_A5', 'paid'],
      ['ch_A7', 'paid'],
    ]);
  });

  it('masks names, e-mail addresses and card addresses in the rejects file, keeping line, field and rule', async () => {
    // Act
    await ingest(['unified_payments.csv'], OVERLAP);

    // Assess
    const rejects = await readFile(path.join(root, 'lake', '_rejects', 'unified_payments.csv.rejects.csv'), 'utf8');
    expect(rejects.split('\n')[1]).toBe(
      '7,amount,12 dollars,not_money,amount must be a decimal number with at most 4 decimals,"ch_A6,2026-11-03 10:00,12 dollars,0.00,usd,Paid,cus_D,[masked],true,[masked],[masked],[masked],,pi_A6"',
    );
    expect(rejects).not.toMatch(/dee@example\.com|Dee Doe|4 Low St/);
  });

  it('counts an invoice a payment paid once, as the payment, when both exports are ingested together', async () => {
    // Act: the invoices sort first by name; the payments are read first all the same
    const result = await ingest(['invoices.csv', 'unified_payments.csv'], OVERLAP);

    // Assess
    const invoices = result.ingested.find((m) => m.sourceKey === 'invoices.csv')!;
    expect(invoices).toMatchObject({ rowsRead: 4, accepted: 2, rejected: 0, leftOut: { counted_in_payments: 2 } });
    expect((await lakeRows(ORDERS_SQL)).map((r) => [r.order_id, r.amount])).toEqual([
      ['ch_A1', '29.0000'],
      ['ch_A4', '29.0000'],
      ['ch_A5', '12.0000'],
      ['ch_A7', '49.0000'],
      ['in_A3', '15.0000'],
      ['in_A4', '20.0000'],
    ]);
  });

  it.each([
    ['payments first, invoices in a later run', ['unified_payments.csv'], ['invoices.csv']],
    ['invoices first, payments in a later run', ['invoices.csv'], ['unified_payments.csv']],
  ])('counts it once across runs too: %s', async (_, first, second) => {
    // Act
    await ingest(first, OVERLAP);
    const later = await ingest(second, OVERLAP);

    // Assess: a later payments export makes the ingest read the invoices again
    expect(later.ingested.map((m) => m.sourceKey).sort()).toEqual(second[0] === 'invoices.csv' ? ['invoices.csv'] : ['invoices.csv', 'unified_payments.csv']);
    expect((await lakeRows(ORDERS_SQL)).map((r) => r.order_id)).toEqual(['ch_A1', 'ch_A4', 'ch_A5', 'ch_A7', 'in_A3', 'in_A4']);
  });

  it('counts it once across runs on an S3 lake as well', async () => {
    // Prepare
    const s3 = await startConditionalS3Server();
    try {
      await s3.createBucket('stripe-overlap');
      const lake = new S3ObjectStore(s3.client, { bucket: 'stripe-overlap', prefix: 'lake' });

      // Act
      await ingest(['invoices.csv'], OVERLAP, { lake });
      await ingest(['unified_payments.csv'], OVERLAP, { lake });

      // Assess
      expect(await readManifest(lake, 'invoices.csv')).toMatchObject({ rowsRead: 4, accepted: 2, leftOut: { counted_in_payments: 2 } });
      expect((await listAll(lake, CHARGED_INVOICES_PREFIX)).map((o) => o.key)).toEqual([`${CHARGED_INVOICES_PREFIX}unified_payments.csv.json`]);
    } finally {
      await s3.close();
    }
  });

  it('keeps every invoice when the payments export that paid them fails', async () => {
    // Prepare: the same payments with "Amount" twice in the header, which fails the whole file
    const exportsDir = path.join(root, 'broken');
    await mkdir(exportsDir);
    const payments = await readFile(path.join(OVERLAP, 'unified_payments.csv'), 'utf8');
    await writeFile(path.join(exportsDir, 'unified_payments.csv'), payments.replace('Amount Refunded', 'Amount'));
    await copyFile(path.join(OVERLAP, 'invoices.csv'), path.join(exportsDir, 'invoices.csv'));

    // Act
    const result = await ingest(['invoices.csv', 'unified_payments.csv'], exportsDir);

    // Assess
    expect(result.failed.map((f) => f.key)).toEqual(['unified_payments.csv']);
    expect(result.ingested[0]).toMatchObject({ sourceKey: 'invoices.csv', accepted: 4 });
    expect((await lakeRows(ORDERS_SQL)).map((r) => r.order_id)).toEqual(['in_A1', 'in_A2', 'in_A3', 'in_A4']);
  });

  it('refuses a subscriptions export that cannot say when a canceled subscription ended', async () => {
    // Act
    const result = await ingest(['subscriptions_without_end.csv'], CASES);

    // Assess: sub_B2 would otherwise stay active, with its MRR, for ever
    expect(result.ingested).toEqual([]);
    expect(result.failed).toEqual([
      {
        key: 'subscriptions_without_end.csv',
        error:
          'subscriptions_without_end.csv, line 3: subscription sub_B2 is canceled, but the export has neither Canceled At nor Ended At, so when it ended is unknown: export the subscriptions again with those columns',
      },
    ]);
  });

  it('reads a subscriptions export a spreadsheet re-saved, given its date format; a canceled one without an end is rejected', async () => {
    // Act
    const without = await ingest(['subscriptions_resaved.csv'], CASES);
    const withFormat = await ingest(['subscriptions_resaved.csv'], CASES, { dateFormat: 'MM/DD/YY HH:mm', force: true });

    // Assess
    expect(without.ingested[0]).toMatchObject({ accepted: 0, rejected: 3 });
    expect(withFormat.ingested[0]).toMatchObject({ accepted: 2, rejected: 1, rejectedByRule: { required: 1 } });
    const rows = await lakeRows(
      "SELECT subscription_id, strftime(started_at, '%Y-%m-%d %H:%M') AS started, strftime(ended_at, '%Y-%m-%d %H:%M') AS ended FROM subscriptions ORDER BY subscription_id",
    );
    expect(rows).toEqual([
      { subscription_id: 'sub_C1', started: '2025-12-25 20:18', ended: null },
      { subscription_id: 'sub_C2', started: '2026-01-05 07:03', ended: '2026-03-31 09:00' },
    ]);
  });

  it('takes a customer\'s country from the card when the address has none', async () => {
    // Act
    await ingest(['unified_customers.csv'], CASES);

    // Assess
    expect(await lakeRows('SELECT customer_id, country FROM customers ORDER BY customer_id')).toEqual([
      { customer_id: 'cus_A', country: 'US' },
      { customer_id: 'cus_B', country: 'KR' },
      { customer_id: 'cus_C', country: 'JP' },
      { customer_id: 'cus_D', country: null },
    ]);
  });
});
