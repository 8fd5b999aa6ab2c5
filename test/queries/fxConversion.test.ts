// Converting money at 10-decimal fx rates: exact to the cent on both engines, and no overflow for
// large amounts (DuckDB multiplies two DECIMAL(18) values in 64 bits unless one is widened, which
// the queries do for products from 9,999 up only).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { getQuery } from '../../functions/engine/queryCatalog.ts';
import { param } from '../../functions/engine/queryEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';

const WINDOW = { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-11-23T00:00:00Z') };
let root: string;
let engine: DuckDbEngine;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-fx-'));
  const exportsDir = path.join(root, 'exports');
  await mkdir(exportsDir);
  // 50,000,000.00 EUR × 1.1499344423 = 57,496,722.11500000 USD; 34,172.79 × 1.1499344423 = 39,296.46817...
  // October, on either side of 9,999: 1.00 × 1.00005 = 1.00005 (a half, rounded up);
  // 8,695.00 × 1.1499344423 = 9,998.6799757985; 8,696.00 × 1.1499344423 = 9,999.8299102408.
  await writeFile(
    path.join(exportsDir, 'orders.csv'),
    [
      'order_id,customer_id,ordered_at,amount,currency,status',
      'big,c1,2026-11-10T10:00:00Z,50000000.00,EUR,paid',
      'small,c2,2026-11-10T11:00:00Z,10.00,USD,paid',
      'half,c3,2026-10-05T10:00:00Z,1.00,EUR,paid',
      'below,c3,2026-10-06T10:00:00Z,8695.00,EUR,paid',
      'above,c3,2026-10-06T11:00:00Z,8696.00,EUR,paid',
      '',
    ].join('\n'),
  );
  await writeFile(path.join(exportsDir, 'customers.csv'), 'customer_id,signup_at,acquisition_channel\nc1,2026-11-10T09:00:00Z,search\nc2,2026-11-10T09:00:00Z,search\nc3,2026-10-05T09:00:00Z,search\n');
  await writeFile(path.join(exportsDir, 'marketing_spend.csv'), 'spend_date,channel,amount,currency\n2026-11-10,search,34172.79,EUR\n');
  await writeFile(path.join(exportsDir, 'fx_rates.csv'), 'rate_date,from_currency,to_currency,rate\n2026-10-05,EUR,USD,1.00005\n2026-10-06,EUR,USD,1.1499344423\n2026-11-10,EUR,USD,1.1499344423\n');
  const result = await ingestExports({
    exports: new LocalFolderStore(exportsDir),
    lake: new LocalFolderStore(path.join(root, 'lake')),
    sourceTimeZone: 'UTC',
    now: WINDOW.end,
  });
  expect(result.failed).toEqual([]);
  engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'lake') });
});

afterAll(async () => {
  await engine?.close();
  await rm(root, { recursive: true, force: true });
});

describe('money converted at fx rates', () => {
  it('sums a 50-million order with a small one, rounded to 4 decimals after converting', async () => {
    const { rows } = await engine.runRaw(await getQuery('orders_window'), {
      from_month: param.varchar('2026-11'),
      to_month: param.varchar('2026-11'),
      window_start: param.timestamp(WINDOW.start),
      window_end: param.timestamp(WINDOW.end),
      report_currency: param.varchar('USD'),
    });
    expect(rows[0]).toMatchObject({ paid_orders: '2', net_revenue: '57496732.1150', unconverted_orders: '0' });
  });

  it('rounds each order half up, with products on either side of 9,999 alike', async () => {
    const { rows } = await engine.runRaw(await getQuery('orders_window'), {
      from_month: param.varchar('2026-10'),
      to_month: param.varchar('2026-10'),
      window_start: param.timestamp(new Date('2026-10-01T00:00:00Z')),
      window_end: param.timestamp(new Date('2026-11-01T00:00:00Z')),
      report_currency: param.varchar('USD'),
    });
    // 1.0001 + 9,998.6800 + 9,999.8299; the unrounded sum would give 19,999.5099
    expect(rows[0]).toMatchObject({ paid_orders: '3', net_revenue: '19999.5100', unconverted_orders: '0' });
  });

  it('converts marketing spend the same way, without overflowing', async () => {
    const { rows } = await engine.runRaw(await getQuery('acquisition_by_channel'), {
      to_month: param.varchar('2026-11'),
      window_start: param.timestamp(WINDOW.start),
      window_end: param.timestamp(WINDOW.end),
      spend_from: param.date('2026-11-01'),
      spend_until: param.date('2026-11-23'),
      report_currency: param.varchar('USD'),
    });
    expect(rows).toEqual([expect.objectContaining({ channel: 'search', acquired_customers: '2', marketing_spend: '39296.4682', converted_spend_rows: '1', unconverted_spend_rows: '0' })]);
  });
});
