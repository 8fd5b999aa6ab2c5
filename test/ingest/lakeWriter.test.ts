import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';

const HEADER = 'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status';
const NOW = new Date('2026-11-23T00:00:00Z');
let root: string;

async function writeExport(name: string, lines: string[] | Buffer): Promise<void> {
  await writeFile(path.join(root, 'exports', name), Buffer.isBuffer(lines) ? lines : [HEADER, ...lines].join('\n'));
}

async function ingest(force = false) {
  return ingestExports({
    exports: new LocalFolderStore(path.join(root, 'exports')),
    lake: new LocalFolderStore(path.join(root, 'lake')),
    sourceTimeZone: 'UTC',
    now: NOW,
    force,
  });
}

async function partitions(): Promise<string[]> {
  return (await readdir(path.join(root, 'lake', 'orders'))).sort();
}

async function lakeOrders(): Promise<string[]> {
  const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'lake') });
  try {
    const rows = await engine.sql('SELECT order_id, CAST(amount AS VARCHAR) AS amount, order_month, source_key FROM orders ORDER BY order_id');
    return rows.map((r) => `${String(r.order_id)} ${String(r.amount)} ${String(r.order_month)} ${String(r.source_key)}`);
  } finally {
    await engine.close();
  }
}

/** The files of one partition, each as name, size, modification time and inode: what a rewrite changes. */
async function partitionState(partition: string): Promise<string[]> {
  const dir = path.join(root, 'lake', 'orders', partition);
  return Promise.all(
    (await readdir(dir)).sort().map(async (name) => {
      const s = await stat(path.join(dir, name));
      return `${name}:${s.size}:${s.mtimeMs}:${s.ino}`;
    }),
  );
}

/** `data_<stamp>_0.parquet` -> `data_0.parquet`: each rewrite names its files afresh. */
const withoutStamp = (name: string): string => name.replace(/^data_[0-9a-z]+_/, 'data_');

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-lake-'));
  await mkdir(path.join(root, 'exports'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the Parquet lake, partitioned by order month', () => {
  it('rewrites only the months a new export touches and leaves the other files as they were', async () => {
    // Prepare
    await writeExport('orders-a.csv', ['o1,c1,2026-09-03T10:00:00Z,10.00,,USD,paid', 'o2,c1,2026-10-03T10:00:00Z,20.00,,USD,paid']);
    await ingest();
    const september = await partitionState('order_month=2026-09');

    // Act
    await writeExport('orders-b.csv', ['o3,c2,2026-10-20T10:00:00Z,30.00,,USD,paid', 'o4,c2,2026-11-02T10:00:00Z,40.00,,USD,paid']);
    const result = await ingest();

    // Assess
    expect(result.tableRows.orders).toBe(4);
    expect(await partitionState('order_month=2026-09')).toEqual(september);
    expect(await partitions()).toEqual(['order_month=2026-09', 'order_month=2026-10', 'order_month=2026-11']);
    expect(await lakeOrders()).toEqual([
      'o1 10.0000 2026-09 orders-a.csv',
      'o2 20.0000 2026-10 orders-a.csv',
      'o3 30.0000 2026-10 orders-b.csv',
      'o4 40.0000 2026-11 orders-b.csv',
    ]);
  });

  it('moves an order to its new month when a later export corrects its date, leaving no copy behind', async () => {
    // Prepare
    await writeExport('orders-a.csv', ['o1,c1,2026-09-30T23:30:00Z,10.00,,USD,paid', 'o2,c1,2026-10-03T10:00:00Z,20.00,,USD,paid']);
    await ingest();

    // Act
    await writeExport('orders-b.csv', ['o1,c1,2026-10-01T00:30:00Z,11.00,,USD,paid']);
    const result = await ingest();

    // Assess
    expect(result.tableRows.orders).toBe(2);
    expect(await partitions()).toEqual(['order_month=2026-10']);
    expect(await lakeOrders()).toEqual(['o1 11.0000 2026-10 orders-b.csv', 'o2 20.0000 2026-10 orders-a.csv']);
  });

  it('replaces a re-sent export whole: rows the correction dropped disappear, other exports stay', async () => {
    // Prepare
    await writeExport('orders-other.csv', ['o9,c9,2026-08-15T10:00:00Z,90.00,,USD,paid']);
    await writeExport('orders.csv', [
      'o1,c1,2026-08-03T10:00:00Z,10.00,,USD,paid',
      'o2,c1,2026-10-03T10:00:00Z,20.00,,USD,paid',
      'o3,c2,2026-09-03T10:00:00Z,30.00,,USD,paid', // booked by mistake
    ]);
    await ingest();

    // Act
    await writeExport('orders.csv', ['o1,c1,2026-08-03T10:00:00Z,12.00,,USD,paid', 'o2,c1,2026-10-03T10:00:00Z,20.00,,USD,paid']);
    const result = await ingest();

    // Assess
    expect(result.ingested.map((m) => m.sourceKey)).toEqual(['orders.csv']);
    expect(result.tableRows.orders).toBe(3);
    expect(await partitions()).toEqual(['order_month=2026-08', 'order_month=2026-10']);
    expect(await lakeOrders()).toEqual([
      'o1 12.0000 2026-08 orders.csv',
      'o2 20.0000 2026-10 orders.csv',
      'o9 90.0000 2026-08 orders-other.csv',
    ]);
  });

  it('keeps the earlier version of an export when its re-sent version cannot be read', async () => {
    // Prepare
    await writeExport('orders.csv.gz', gzipSync([HEADER, 'o1,c1,2026-08-03T10:00:00Z,10.00,,USD,paid'].join('\n')));
    await ingest();
    const full = gzipSync([HEADER, 'o1,c1,2026-08-03T10:00:00Z,99.00,,USD,paid', 'o2,c1,2026-08-04T10:00:00Z,5.00,,USD,paid'].join('\n'));

    // Act
    await writeExport('orders.csv.gz', full.subarray(0, full.length - 12));
    const result = await ingest();

    // Assess
    expect(result.failed.map((f) => f.key)).toEqual(['orders.csv.gz']);
    expect(await lakeOrders()).toEqual(['o1 10.0000 2026-08 orders.csv.gz']);
  });

  it('applies the exports of one run in delivery order, so a later correction wins whatever its name', async () => {
    // Prepare
    await writeExport('orders-2026-10.csv', ['o1,c1,2026-10-03T10:00:00Z,10.00,,USD,paid']);
    await writeExport('orders-2026-10-fix.csv', ['o1,c1,2026-10-03T10:00:00Z,12.00,,USD,paid']); // sorts first by name
    await utimes(path.join(root, 'exports', 'orders-2026-10.csv'), new Date('2026-11-01T00:00:00Z'), new Date('2026-11-01T00:00:00Z'));
    await utimes(path.join(root, 'exports', 'orders-2026-10-fix.csv'), new Date('2026-11-02T00:00:00Z'), new Date('2026-11-02T00:00:00Z'));

    // Act
    await ingest();

    // Assess
    expect(await lakeOrders()).toEqual(['o1 12.0000 2026-10 orders-2026-10-fix.csv']);
  });

  it('gives the same lake when the same exports are ingested again with --force', async () => {
    // Prepare
    await writeExport('orders-a.csv', ['o1,c1,2026-09-03T10:00:00Z,10.00,,USD,paid', 'o1,c1,2026-09-04T10:00:00Z,15.00,,USD,paid']);
    await writeExport('orders-b.csv', ['o2,c2,2026-10-03T10:00:00Z,20.00,,USD,paid']);
    await ingest();
    const before = await lakeOrders();

    // Act
    const result = await ingest(true);

    // Assess
    expect(result.tableRows.orders).toBe(2);
    expect(await lakeOrders()).toEqual(before);
    expect(before).toEqual(['o1 15.0000 2026-09 orders-a.csv', 'o2 20.0000 2026-10 orders-b.csv']);
  });
});

describe('the same exports', () => {
  it('give byte-identical lake files on every run, however many rows they hold', async () => {
    // Prepare: enough rows for DuckDB to split the work; with two threads writing, row groups
    // used to land in a file in the order the threads finished.
    const lines: string[] = [];
    for (let i = 0; i < 300_000; i++) lines.push(`o${i},c${i % 5_000},2026-${i % 2 ? '09' : '10'}-0${1 + (i % 9)}T10:00:00Z,${i % 1000}.50,,USD,paid`);
    await writeExport('orders.csv', lines);
    const lakeFiles = async (): Promise<Record<string, string>> => {
      const out: Record<string, string> = {};
      for (const month of await partitions()) {
        const dir = path.join(root, 'lake', 'orders', month);
        for (const name of await readdir(dir)) out[`${month}/${withoutStamp(name)}`] = createHash('sha256').update(await readFile(path.join(dir, name))).digest('hex');
      }
      return out;
    };
    await ingest();
    const first = await lakeFiles();

    // Act
    await rm(path.join(root, 'lake'), { recursive: true });
    await ingest();

    // Assess
    expect(Object.keys(first)).toEqual(['order_month=2026-09/data_0.parquet', 'order_month=2026-10/data_0.parquet']);
    expect(await lakeFiles()).toEqual(first);
  });
});

describe('values in the lake', () => {
  it('are the validated values exactly: quoted, non-ASCII and long text, extreme amounts, rates and dates', async () => {
    // Prepare
    // As long as a text value may be (exports.limits.maxValueChars), and longer than the spool's 64 KiB buffer.
    const longChannel = `partner ${'x'.repeat(65_536 - 8)}`;
    await writeFile(
      path.join(root, 'exports', 'customers.csv'),
      ['customer_id,signup_at,acquisition_channel,country', `"c,1",2026-10-01T08:00:00.123Z,"say ""hi""",Köln`, `c2,,${longChannel},日本`, 'c3,1969-12-31T23:59:59Z,,'].join('\n'),
    );
    await writeExport('orders.csv', ['o1,c1,2026-09-03T10:00:00Z,99999999999999.9999,0,USD,paid', 'o2,c1,2026-09-03T10:00:00Z,0.0001,,USD,paid']);
    await writeFile(path.join(root, 'exports', 'fx_rates.csv'), 'rate_date,from_currency,to_currency,rate\n2026-10-01,KRW,USD,0.0000000001\n1969-12-31,USD,EUR,12345678.9012345678\n');

    // Act
    const result = await ingest();

    // Assess
    expect(result.failed).toEqual([]);
    const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'lake') });
    try {
      const customers = await engine.sql("SELECT customer_id, strftime(signup_at, '%Y-%m-%d %H:%M:%S.%g') AS signup_at, acquisition_channel, country FROM customers ORDER BY customer_id");
      expect(customers).toEqual([
        { customer_id: 'c,1', signup_at: '2026-10-01 08:00:00.123', acquisition_channel: 'say "hi"', country: 'Köln' },
        { customer_id: 'c2', signup_at: null, acquisition_channel: longChannel, country: '日本' },
        { customer_id: 'c3', signup_at: '1969-12-31 23:59:59.000', acquisition_channel: null, country: null },
      ]);
      const orders = await engine.sql('SELECT order_id, CAST(amount AS VARCHAR) AS amount, CAST(refunded_amount AS VARCHAR) AS refunded FROM orders ORDER BY order_id');
      expect(orders).toEqual([
        { order_id: 'o1', amount: '99999999999999.9999', refunded: '0.0000' },
        { order_id: 'o2', amount: '0.0001', refunded: null },
      ]);
      const rates = await engine.sql('SELECT CAST(rate_date AS VARCHAR) AS rate_date, CAST(rate AS VARCHAR) AS rate FROM fx_rates ORDER BY rate_date');
      expect(rates).toEqual([
        { rate_date: '1969-12-31', rate: '12345678.9012345678' },
        { rate_date: '2026-10-01', rate: '0.0000000001' },
      ]);
    } finally {
      await engine.close();
    }
  });
});
