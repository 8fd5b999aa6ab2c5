import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ingestCommand, ProgressLine } from '../../functions/cli/ingestCommand.ts';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'exports');
let root: string;
let config: string;
let exportsDir: string;
let out: string[];
let errors: string[];

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-ingest-cli-'));
  exportsDir = path.join(root, 'exports');
  await mkdir(exportsDir);
  config = path.join(root, 'ltv.config.json');
  await writeFile(config, JSON.stringify({ storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: exportsDir } }));
  out = [];
  errors = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await rm(root, { recursive: true, force: true });
});

async function writeExport(name: string, body: string | Buffer): Promise<void> {
  await writeFile(path.join(exportsDir, name), body);
}

const ORDERS = [
  'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status',
  'o1,c1,2026-11-02T10:00:00Z,10.00,,USD,paid',
  'o2,c1,2026-11-02T10:00:00Z,10.00,,XYZ,paid',
  'o3,,2026-11-02T10:00:00Z,10.00,,XYZ,paid',
  'o4,c2,2026-11-02T10:00:00Z,10.00,,ABC,paid',
].join('\n');

describe('ltv ingest', () => {
  it('prints one summary row per export and exits 1 when a file failed', async () => {
    // Prepare
    await writeExport('orders.csv', ORDERS);
    await writeExport('customers.csv', 'customer_id,country\nc1,DE\n');
    await writeExport('orders-bad.csv', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));

    // Act
    const code = await ingestCommand.run({ config }, [exportsDir]);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([
      'file           table      rows read  accepted  rejected  top reject rule       rejects file',
      'customers.csv  customers          1         1         0',
      'orders.csv     orders             4         1         3  unknown_currency (2)  _rejects/orders.csv.rejects.csv',
    ]);
    expect(errors).toEqual(['FAILED orders-bad.csv: this is a PNG image, not a text export']);
  });

  it('exits 0 when rows were rejected but every file was read', async () => {
    // Prepare
    await writeExport('orders.csv', ORDERS);

    // Act
    const code = await ingestCommand.run({ config }, [path.join(exportsDir, 'orders.csv')]);

    // Assess
    expect(code).toBe(0);
    expect(errors).toEqual([]);
  });

  it('reads a folder of Stripe exports with --preset stripe', async () => {
    // Prepare
    await cp(path.join(FIXTURES, 'stripe'), exportsDir, { recursive: true });

    // Act
    const code = await ingestCommand.run({ config, preset: 'stripe' }, [exportsDir]);

    // Assess
    expect(code).toBe(0);
    expect(out.map((line) => line.split(/\s{2,}/).slice(0, 5))).toEqual([
      ['file', 'table', 'rows read', 'accepted', 'rejected'],
      ['invoices.csv', 'orders', '12', '11', '1'],
      ['subscriptions.csv', 'subscriptions', '12', '11', '1'],
      ['unified_customers.csv', 'customers', '6', '6', '0'],
      ['unified_payments.csv', 'orders', '12', '11', '1'],
    ]);
  });

  it('says which rows a preset left out as no data, apart from the rejected ones', async () => {
    // Prepare
    await cp(path.join(FIXTURES, 'stripe-overlap'), exportsDir, { recursive: true });

    // Act
    const code = await ingestCommand.run({ config, preset: 'stripe' }, [exportsDir]);

    // Assess
    expect(code).toBe(0);
    expect(out.slice(3)).toEqual([
      'invoices.csv: 2 row(s) left out, invoices already counted by their payment in a payments export (no data error)',
      'unified_payments.csv: 2 row(s) left out, payment attempts that never became a charge (no data error)',
    ]);
  });

  it('reads re-saved timestamps with --date-format, and refuses a pattern it cannot read', async () => {
    // Prepare
    await cp(path.join(FIXTURES, 'stripe-cases', 'subscriptions_resaved.csv'), path.join(exportsDir, 'subscriptions.csv'));

    // Act
    const refused = ingestCommand.run({ config, preset: 'stripe', 'date-format': 'MM/DD/YYY' }, [exportsDir]);
    await expect(refused).rejects.toThrow(
      '--date-format: "MM/DD/YYY" has "Y" outside the known fields YYYY, YY, MM, DD, HH, mm, ss; give a pattern of YYYY or YY, MM, DD, HH, mm, ss such as "MM/DD/YY HH:mm"',
    );
    const code = await ingestCommand.run({ config, preset: 'stripe', 'date-format': 'MM/DD/YY HH:mm' }, [exportsDir]);

    // Assess
    expect(code).toBe(0);
    expect(out[1]!.split(/\s{2,}/).slice(0, 6)).toEqual(['subscriptions.csv', 'subscriptions', '3', '2', '1', 'required (1)']);
  });

  it('says how Shopify line items were counted', async () => {
    // Prepare
    await cp(path.join(FIXTURES, 'shopify'), exportsDir, { recursive: true });
    vi.stubEnv('LTV_CUSTOMER_KEY_SALT', 'cli-test');

    // Act
    const code = await ingestCommand.run({ config, preset: 'shopify' }, [exportsDir]);

    // Assess
    expect(code).toBe(0);
    expect(out.at(-1)).toBe('orders_export_1.csv: 10 rows accepted as 7 orders');
  });

  it('reads every export under an s3:// prefix', async () => {
    // Prepare: an S3-compatible server in this process (fauxqs), with two exports and a note
    const server = buildApp({ logger: false });
    const endpoint = await server.listen({ port: 0, host: '127.0.0.1' });
    const s3 = { endpoint, forcePathStyle: true, region: 'us-east-1' };
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const client = new S3Client({ ...s3, requestChecksumCalculation: 'WHEN_REQUIRED' });
    try {
      await client.send(new CreateBucketCommand({ Bucket: 'acme-exports' }));
      for (const [key, body] of [
        ['2026-11/orders.csv', ORDERS],
        ['2026-11/customers.jsonl', '{"customer_id":"c1","country":"DE"}\n'],
        ['2026-11/README.txt', 'exported by the nightly job'],
        ['2026-10/orders.csv', ORDERS],
      ]) {
        await client.send(new PutObjectCommand({ Bucket: 'acme-exports', Key: key, Body: body }));
      }
      await writeFile(config, JSON.stringify({ storage: { kind: 'local', root: path.join(root, 'out') }, s3 }));

      // Act
      const code = await ingestCommand.run({ config }, ['s3://acme-exports/2026-11']);

      // Assess
      expect(code).toBe(0);
      // Outside exports.dir, an export is known by its key in the bucket.
      expect(out.slice(1).map((line) => line.split(/\s{2,}/).slice(0, 5))).toEqual([
        ['2026-11/customers.jsonl', 'customers', '1', '1', '0'],
        ['2026-11/orders.csv', 'orders', '4', '1', '3'],
      ]);
      expect(await readdir(path.join(root, 'out', 'lake', '_manifests', '2026-11'))).toEqual(['customers.jsonl.json', 'orders.csv.json']);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('fails a path that does not exist and still ingests the others', async () => {
    // Prepare
    await writeExport('orders.csv', ORDERS);

    // Act
    const code = await ingestCommand.run({ config }, [path.join(root, 'nowhere.csv'), exportsDir]);

    // Assess
    expect(code).toBe(1);
    expect(out).toHaveLength(2);
    expect(errors).toEqual([`FAILED ${path.join(root, 'nowhere.csv')}: no such file or folder`]);
  });

  it('refuses a preset and a mapping file together', async () => {
    // Prepare
    const mapping = path.join(root, 'm.json');
    await writeFile(mapping, JSON.stringify({ table: 'customers', columns: { customer_id: 'id' } }));

    // Act
    const run = ingestCommand.run({ config, preset: 'stripe', mapping }, [exportsDir]);

    // Assess
    await expect(run).rejects.toThrow('a mapping file replaces the preset: give the stripe preset or a mapping, not both');
  });

  it('refuses an unknown preset before reading anything', async () => {
    // Act
    const run = ingestCommand.run({ config, preset: 'paypal' }, [exportsDir]);

    // Assess
    await expect(run).rejects.toThrow('--preset must be one of canonical, stripe, shopify, not "paypal"');
  });
});

describe('the progress line', () => {
  function terminal(isTTY: boolean) {
    const writes: string[] = [];
    return { writes, out: { isTTY, columns: 60, write: (text: string) => writes.push(text) > 0 } };
  }

  it('redraws at most five times a second, counting rows and bytes across exports', () => {
    // Prepare
    const { writes, out: tty } = terminal(true);
    let now = 0;
    const line = new ProgressLine(tty, () => now);

    // Act: updates at 0.1 s steps; the export changes at 0.3 s
    for (const [t, key, rowsRead, bytesRead] of [
      [100, 'a.csv', 10_000, 1_000_000],
      [200, 'a.csv', 20_000, 2_000_000],
      [300, 'b.csv', 5_000, 500_000],
      [400, 'b.csv', 30_000, 3_000_000],
    ] as const) {
      now = t;
      line.update({ key, rowsRead, bytesRead, size: 9_000_000 });
    }
    line.clear();

    // Assess: drawn at 0.1 s and 0.3 s (0.2 and 0.4 s are too soon), then cleared
    expect(writes).toEqual([
      '\ra.csv  10,000 rows  100,000 rows/s  1.0 MB read\x1b[K',
      '\rb.csv  25,000 rows  83,333 rows/s  2.5 MB read\x1b[K',
      '\r\x1b[K',
    ]);
  });

  it('draws nothing when the output is not a terminal', () => {
    // Prepare
    const { writes, out: pipe } = terminal(false);
    const line = new ProgressLine(pipe, () => 1000);

    // Act
    line.update({ key: 'a.csv', rowsRead: 1, bytesRead: 1, size: 1 });
    line.clear();

    // Assess
    expect(writes).toEqual([]);
  });
});

describe('an export is known by its key under exports.dir, not by its file name', () => {
  const ordersOf = (month: string, ids: string[]): string =>
    ['order_id,customer_id,ordered_at,amount,refunded_amount,currency,status', ...ids.map((id) => `${id},c1,2026-${month}-02T10:00:00Z,10.00,,USD,paid`)].join('\n');

  async function writeAt(relative: string, body: string): Promise<void> {
    await mkdir(path.dirname(path.join(exportsDir, relative)), { recursive: true });
    await writeFile(path.join(exportsDir, relative), body);
  }

  async function lakeOrderIds(): Promise<string[]> {
    const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'out', 'lake') });
    try {
      return (await engine.sql('SELECT order_id FROM orders ORDER BY order_id')).map((r) => String(r.order_id));
    } finally {
      await engine.close();
    }
  }

  it.each([
    ['files', (month: string) => path.join(exportsDir, month, 'orders.csv')],
    ['folders', (month: string) => path.join(exportsDir, month)],
  ])('keeps October when November of the same name is ingested after it, given as %s', async (_, location) => {
    // Prepare: monthly exports in dated folders, all named orders.csv
    await writeAt('2026-10/orders.csv', ordersOf('10', ['o1', 'o2']));
    await writeAt('2026-11/orders.csv', ordersOf('11', ['o3']));

    // Act
    const october = await ingestCommand.run({ config }, [location('2026-10')]);
    const november = await ingestCommand.run({ config }, [location('2026-11')]);

    // Assess
    expect([october, november]).toEqual([0, 0]);
    expect(await lakeOrderIds()).toEqual(['o1', 'o2', 'o3']);
    expect(out.filter((line) => line.includes('orders.csv')).map((line) => line.split(/\s{2,}/)[0])).toEqual(['2026-10/orders.csv', '2026-11/orders.csv']);
  });

  it('replaces an export re-sent under the same key whole, rows it no longer has included', async () => {
    // Prepare
    await writeAt('2026-10/orders.csv', ordersOf('10', ['o1', 'o2']));
    await writeAt('2026-11/orders.csv', ordersOf('11', ['o3']));
    await ingestCommand.run({ config }, [exportsDir]);

    // Act: October is corrected, o2 was a test order
    await writeAt('2026-10/orders.csv', ordersOf('10', ['o1']));
    await ingestCommand.run({ config }, [path.join(exportsDir, '2026-10', 'orders.csv')]);

    // Assess
    expect(await lakeOrderIds()).toEqual(['o1', 'o3']);
  });

  it('takes over a manifest written when exports were known by file name, so a correction still replaces it', async () => {
    // Prepare: a lake where October's file was ingested as "orders.csv" (before exports were
    // keyed by path, `ltv ingest <file>` keyed them by name)
    await writeAt('2026-10/orders.csv', ordersOf('10', ['o1', 'o2']));
    await ingestExports({ exports: new LocalFolderStore(path.join(exportsDir, '2026-10')), lake: new LocalFolderStore(path.join(root, 'out', 'lake')), sourceTimeZone: 'UTC', now: new Date() });
    const legacy = path.join(root, 'out', 'lake', '_manifests', 'orders.csv.json');
    const { identity: _identity, ...byName } = JSON.parse(await readFile(legacy, 'utf8')) as Record<string, unknown>;
    await writeFile(legacy, JSON.stringify(byName));

    // Act: the same file by its path, then a correction of it
    await ingestCommand.run({ config }, [path.join(exportsDir, '2026-10', 'orders.csv')]);
    const adopted = JSON.parse(await readFile(path.join(root, 'out', 'lake', '_manifests', '2026-10', 'orders.csv.json'), 'utf8')) as Record<string, unknown>;
    await writeAt('2026-10/orders.csv', ordersOf('10', ['o1']));
    await ingestCommand.run({ config }, [path.join(exportsDir, '2026-10', 'orders.csv')]);

    // Assess
    expect(out).toContain('1 export(s) already ingested, unchanged.');
    expect(adopted).toMatchObject({ sourceKey: '2026-10/orders.csv', identity: 'path', formerKeys: ['orders.csv'] });
    expect(await readdir(path.join(root, 'out', 'lake', '_manifests'))).toEqual(['2026-10']);
    expect(await lakeOrderIds()).toEqual(['o1']);
  });
});
