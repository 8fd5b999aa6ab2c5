import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
    return await engine.sql('SELECT order_id, customer_id, CAST(ordered_at AS VARCHAR) AS ordered_at, CAST(amount AS VARCHAR) AS amount, status, source_key, source_line, order_month FROM orders ORDER BY order_id');
  } finally {
    await engine.close();
  }
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
        'o8,c2,2026-11-03,5.00,,USD,shipped', // unknown status
        'o9,c2,2026-11-03,5.00,USD,paid', // a field short
        'o10,c3,2026-11-04,0,,USD,paid', // zero amount: kept, not a paid order in KPIs
        'o11,c3,2026-11-05,12.50,,USD,cancelled',
      ].join('\n'),
    );

    // Act
    const result = await ingest();

    // Assess
    const m = result.ingested[0]!;
    expect(m).toMatchObject({ rowsRead: 11, accepted: 4, rejected: 7 });
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

  it('names the file and the missing columns when an export is not an orders CSV', async () => {
    // Prepare
    await writeExport('orders.csv', '%PDF-1.7 binary\u0000stuff');
    await writeExport('orders-2.csv', 'id;customer;date\n1;2;3\n');

    // Act
    const result = await ingest();

    // Assess
    expect(result.failed.map((f) => f.error)).toEqual([
      'orders-2.csv, line 1: the header lacks required columns order_id, customer_id, ordered_at, amount, currency, status for table orders (found: id;customer;date)',
      'orders.csv, line 1: this is not a text CSV file (it contains NUL bytes)',
    ]);
    expect(result.ingested).toEqual([]);
  });

  it('records an empty export with zero rows', async () => {
    // Prepare
    await writeExport('orders.csv', `${HEADER}\n`);

    // Act
    const result = await ingest();

    // Assess
    expect(result.ingested[0]).toMatchObject({ rowsRead: 0, accepted: 0, rejected: 0, rejectsKey: null });
  });
});
