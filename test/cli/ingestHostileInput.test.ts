// `ltv ingest` on exports built to break it: every one is bounded, and every refusal or rejection
// names the file, the line, the field and the limit (docs/ingest.md, "Limits").
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ingestCommand } from '../../functions/cli/ingestCommand.ts';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';

const HEADER = 'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status';
let root: string;
let config: string;
let exportsDir: string;
let out: string[];
let errors: string[];

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-ingest-hostile-'));
  exportsDir = path.join(root, 'exports');
  await mkdir(exportsDir);
  config = path.join(root, 'ltv.config.json');
  await writeConfig();
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

async function writeConfig(limits?: Record<string, number>): Promise<void> {
  await writeFile(config, JSON.stringify({ storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: exportsDir, ...(limits ? { limits } : {}) } }));
}

async function writeExport(name: string, body: string | Buffer): Promise<void> {
  await writeFile(path.join(exportsDir, name), body);
}

async function ingest(): Promise<number> {
  return ingestCommand.run({ config }, [exportsDir]);
}

/** The summary table's file, table, rows read, accepted, rejected and top rule columns. */
function summary(): string[][] {
  return out.filter((line) => !line.includes(': ')).map((line) => line.split(/\s{2,}/).slice(0, 6));
}

async function lake(sql: string): Promise<Record<string, unknown>[]> {
  const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'out', 'lake') });
  try {
    return await engine.sql(sql);
  } finally {
    await engine.close();
  }
}

async function manifest(key: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path.join(root, 'out', 'lake', '_manifests', `${key}.json`), 'utf8')) as Record<string, unknown>;
}

async function rejects(key: string): Promise<string[][]> {
  const text = await readFile(path.join(root, 'out', 'lake', '_rejects', `${key}.rejects.csv`), 'utf8');
  // line, field, rule of each rejected record (values here hold no commas before the rule)
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [lineNo, field] = line.split(',');
      const rule = /,(too_long|text_after_quote|nested_value|malformed_json|out_of_range|required|not_allowed),/.exec(line)?.[1] ?? '?';
      return [lineNo!, field!, rule];
    });
}

describe('ltv ingest bounds hostile input', () => {
  it('rejects the row of a 3 MB text value as too_long, with its line and field, and lands the others', async () => {
    // Prepare: a pasted 3 MB blob in a channel; DuckDB alone would fail the whole batch past 2 MB a line
    await writeExport('customers.csv', ['customer_id,signup_at,acquisition_channel,country', `c1,,${'x'.repeat(3_000_000)},DE`, 'c2,,ads,FR'].join('\n'));

    // Act
    const code = await ingest();

    // Assess
    expect(code).toBe(0);
    expect(summary()).toEqual([
      ['file', 'table', 'rows read', 'accepted', 'rejected', 'top reject rule'],
      ['customers.csv', 'customers', '2', '1', '1', 'too_long (1)'],
    ]);
    expect(await rejects('customers.csv')).toEqual([['2', 'acquisition_channel', 'too_long']]);
    expect(await lake('SELECT customer_id, acquisition_channel FROM customers')).toEqual([{ customer_id: 'c2', acquisition_channel: 'ads' }]);
  });

  it('takes a text value at the configured limit and rejects one character more', async () => {
    // Prepare: maxValueChars 300; plans of 300 and 301 characters
    await writeConfig({ maxValueChars: 300 });
    await writeExport(
      'subscriptions.csv',
      ['subscription_id,customer_id,plan,mrr,currency,started_at', `s1,c1,${'p'.repeat(300)},10,USD,2026-01-01`, `s2,c1,${'p'.repeat(301)},10,USD,2026-01-01`].join('\n'),
    );

    // Act
    await ingest();

    // Assess
    expect(summary()[1]).toEqual(['subscriptions.csv', 'subscriptions', '2', '1', '1', 'too_long (1)']);
    expect(await rejects('subscriptions.csv')).toEqual([['3', 'plan', 'too_long']]);
  });

  it('refuses a gzip that expands past the byte limit, naming file and limit, and lands the other exports', async () => {
    // Prepare: 40,000 distinct orders (1.9 MB of text, gzipped about 8 times smaller) against a 1,000,000-byte limit
    await writeConfig({ maxExpandedBytes: 1_000_000 });
    const rows = Array.from({ length: 40_000 }, (_, i) => `o${i},c${i % 97},2026-11-02T10:00:00Z,${i % 500}.25,,USD,paid`);
    await writeExport('orders.csv.gz', gzipSync([HEADER, ...rows].join('\n')));
    await writeExport('customers.csv', 'customer_id,country\nc1,DE\n');

    // Act
    const code = await ingest();

    // Assess
    expect(code).toBe(1);
    expect(errors).toEqual(['FAILED orders.csv.gz: the gzip data expands to more than 1000000 bytes (exports.limits.maxExpandedBytes); refused']);
    expect(summary().slice(1)).toEqual([['customers.csv', 'customers', '1', '1', '0']]);
    expect(await readdir(path.join(root, 'out', 'lake', '_manifests'))).toEqual(['customers.csv.json']);
    expect(await readdir(path.join(root, 'out', 'lake'))).not.toContain('orders');
  });

  it('refuses a gzip that expands past the ratio limit (200 times its size by default)', async () => {
    // Prepare: 100,000 identical lines (4.3 MB) gzip to about 12.6 KB, 340 times smaller
    const gz = gzipSync([HEADER, ...Array.from({ length: 100_000 }, () => 'o1,c1,2026-11-02T10:00:00Z,10.00,,USD,paid')].join('\n'));
    await writeExport('orders.csv.gz', gz);

    // Act
    const code = await ingest();

    // Assess
    expect(code).toBe(1);
    expect(errors).toEqual([`FAILED orders.csv.gz: the gzip data expands to more than 200 times its ${gz.length} bytes (exports.limits.maxExpansionRatio); refused`]);
  });

  it('refuses a record longer than the record limit with file and line, before holding it', async () => {
    // Prepare: maxRecordChars 65,536; line 3 is one quoted field of 100,000 characters with line breaks
    await writeConfig({ maxRecordChars: 65_536 });
    const huge = `"${'note\n'.repeat(20_000)}"`;
    await writeExport('customers.csv', ['customer_id,country', 'c1,DE', `c2,${huge}`, 'c3,FR'].join('\n'));
    await writeExport('customers.jsonl', `{"customer_id":"c4"}\n{"customer_id":"c5","country":"${'y'.repeat(100_000)}"}\n`);

    // Act
    const code = await ingest();

    // Assess
    expect(code).toBe(1);
    expect(errors.sort()).toEqual([
      'FAILED customers.csv, line 3: the record starting on line 3 is longer than 65536 characters (exports.limits.maxRecordChars); refused',
      'FAILED customers.jsonl, line 2: the line is longer than 65536 characters (exports.limits.maxRecordChars); refused',
    ]);
  });

  it('refuses JSON Lines that use more than 10,000 distinct keys, naming the line', async () => {
    // Prepare: a file keyed by customer id, one new key per line
    await writeExport('customers.jsonl', Array.from({ length: 10_001 }, (_, i) => `{"c${i}":{"country":"DE"}}`).join('\n'));

    // Act
    const code = await ingest();

    // Assess
    expect(code).toBe(1);
    expect(errors).toEqual(['FAILED customers.jsonl, line 10001: the lines use more than 10000 distinct keys; refused']);
  });

  it('refuses a NUL byte anywhere in the file, not only in its first 64 KB', async () => {
    // Prepare: 3,000 good lines (about 90 KB), then one with a NUL
    const good = Array.from({ length: 3_000 }, (_, i) => `c${i},somewhere-in-the-world`);
    await writeExport('customers.csv', ['customer_id,country', ...good, 'c9,D\0E'].join('\n'));

    // Act
    const code = await ingest();

    // Assess
    expect(code).toBe(1);
    expect(errors).toEqual(['FAILED customers.csv: this is not a text export (it contains NUL bytes)']);
  });

  it('refuses a header that names a column it reads twice; a repeated column nobody reads is harmless', async () => {
    // Prepare
    await writeExport('orders.csv', ['order_id,customer_id,ordered_at,amount,Amount,currency,status', 'o1,c1,2026-11-02T10:00:00Z,10.00,99.00,USD,paid'].join('\n'));
    await writeExport('customers.csv', ['customer_id,note,country,Note', 'c1,a,DE,b'].join('\n'));

    // Act
    const code = await ingest();

    // Assess
    expect(code).toBe(1);
    expect(errors).toEqual(['FAILED orders.csv, line 1: the header names the column "Amount" twice (columns 4 and 5); rename or remove one']);
    expect(summary().slice(1)).toEqual([['customers.csv', 'customers', '1', '1', '0']]);
  });

  it('rejects a row with text after a closing quote instead of gluing it on; blanks after the quote are fine', async () => {
    // Prepare: line 2 would have become amount 100; line 3 has a space after its quoted amount
    await writeExport('orders.csv', [HEADER, 'o1,c1,2026-11-02T10:00:00Z,"10"0,,USD,paid', 'o2,c1,2026-11-02T10:00:00Z,"20.00" ,,USD,paid'].join('\n'));

    // Act
    await ingest();

    // Assess
    expect(summary()[1]).toEqual(['orders.csv', 'orders', '2', '1', '1', 'text_after_quote (1)']);
    expect(await rejects('orders.csv')).toEqual([['2', 'amount', 'text_after_quote']]);
    expect(await lake('SELECT order_id, CAST(amount AS VARCHAR) AS amount FROM orders')).toEqual([{ order_id: 'o2', amount: '20.0000' }]);
  });

  it('does not take JSON objects or arrays as ids, nor a key given twice in one object', async () => {
    // Prepare: line 3 has a nested value in a field no one reads, which is fine
    await writeExport(
      'customers.jsonl',
      [
        '{"customer_id":{"id":"c1"},"country":"DE"}',
        '{"customer_id":["c2"]}',
        '{"customer_id":"c3","meta":{"source":"crm"}}',
        '{"customer_id":"c4","Customer_ID":"c5"}',
      ].join('\n'),
    );

    // Act
    await ingest();

    // Assess
    expect(summary()[1]).toEqual(['customers.jsonl', 'customers', '4', '1', '3', 'nested_value (2)']);
    expect(await rejects('customers.jsonl')).toEqual([
      ['1', 'customer_id', 'nested_value'],
      ['2', 'customer_id', 'nested_value'],
      ['4', '', 'malformed_json'],
    ]);
    expect(await lake('SELECT customer_id FROM customers')).toEqual([{ customer_id: 'c3' }]);
  });

  it('rejects years 0000-0099 as out of range instead of reading them as 1900-1999', async () => {
    // Prepare
    await writeExport('orders.csv', [HEADER, 'o1,c1,0025-11-02T10:00:00Z,10.00,,USD,paid', 'o2,c1,1925-11-02T10:00:00Z,10.00,,USD,paid', 'o3,c1,2025-11-02,10.00,,USD,paid'].join('\n'));
    await writeExport('marketing_spend.csv', ['spend_date,channel,amount,currency', '0099-01-01,ads,5,USD', '2026-01-01,ads,5,USD'].join('\n'));

    // Act
    await ingest();

    // Assess: 1925 is a real year, kept; 0025 is not 1925
    expect(summary().slice(1)).toEqual([
      ['marketing_spend.csv', 'marketing_spend', '2', '1', '1', 'out_of_range (1)'],
      ['orders.csv', 'orders', '3', '2', '1', 'out_of_range (1)'],
    ]);
    expect(await rejects('orders.csv')).toEqual([['2', 'ordered_at', 'out_of_range']]);
    expect(await lake('SELECT order_id, CAST(ordered_at AS VARCHAR) AS t FROM orders ORDER BY order_id')).toEqual([
      { order_id: 'o2', t: '1925-11-02 10:00:00' },
      { order_id: 'o3', t: '2025-11-02 00:00:00' },
    ]);
  });

  it('reads years 0000-0099 as written through a mapping date format too', async () => {
    // Prepare: a mapping reading signup times as DD/MM/YYYY HH:mm
    const mapping = path.join(root, 'crm.mapping.json');
    await writeFile(mapping, JSON.stringify({ table: 'customers', columns: { customer_id: 'id', signup_at: { column: 'since', format: 'DD/MM/YYYY HH:mm' } } }));
    await writeExport('crm.csv', ['id,since', 'c1,02/11/0025 10:00', 'c2,02/11/2025 10:00'].join('\n'));

    // Act
    await ingestCommand.run({ config, mapping }, [exportsDir]);

    // Assess
    expect(summary()[1]).toEqual(['crm.csv', 'customers', '2', '1', '1', 'out_of_range (1)']);
    expect(await lake('SELECT customer_id, CAST(signup_at AS VARCHAR) AS t FROM customers')).toEqual([{ customer_id: 'c2', t: '2025-11-02 10:00:00' }]);
  });

  it('counts a key repeated inside one export as superseded, so read = accepted + rejected + superseded', async () => {
    // Prepare: o1 on lines 2 and 4 (the later wins), o2 once, one rejected row
    await writeExport(
      'orders.csv',
      [HEADER, 'o1,c1,2026-11-02T10:00:00Z,10.00,,USD,paid', 'o2,c1,2026-11-02T10:00:00Z,20.00,,USD,paid', 'o1,c1,2026-11-02T10:00:00Z,15.00,,USD,paid', 'o3,c1,2026-11-02T10:00:00Z,5.00,,XYZ,paid'].join('\n'),
    );

    // Act
    await ingest();

    // Assess
    expect(summary()[1]).toEqual(['orders.csv', 'orders', '4', '2', '1', 'unknown_currency (1)']);
    expect(out).toContain('orders.csv: 1 row(s) superseded by a later line with the same order_id');
    expect(await manifest('orders.csv')).toMatchObject({ rowsRead: 4, accepted: 2, rejected: 1, superseded: 1, rowsWritten: 2 });
    expect(await lake('SELECT order_id, CAST(amount AS VARCHAR) AS amount FROM orders ORDER BY order_id')).toEqual([
      { order_id: 'o1', amount: '15.0000' },
      { order_id: 'o2', amount: '20.0000' },
    ]);
  });
});

describe('ltv ingest reads common order statuses', () => {
  it('maps synonyms to paid, pending or cancelled; a refund without an amount is the whole amount', async () => {
    // Prepare
    await writeExport(
      'orders.csv',
      [
        HEADER,
        'o1,c1,2026-11-02T10:00:00Z,10.00,,USD,refunded', // whole amount back
        'o2,c1,2026-11-02T10:00:00Z,10.00,4.00,USD,Partially Refunded',
        'o3,c1,2026-11-02T10:00:00Z,10.00,,USD,completed',
        'o4,c1,2026-11-02T10:00:00Z,10.00,,USD,fulfilled',
        'o5,c1,2026-11-02T10:00:00Z,10.00,,USD,voided',
        'o6,c1,2026-11-02T10:00:00Z,10.00,,USD,on-hold',
        'o7,c1,2026-11-02T10:00:00Z,10.00,3.00,USD,refunded', // part of it back, as the amount says
        'o8,c1,2026-11-02T10:00:00Z,10.00,,USD,partially_refunded', // how much?
        'o9,c1,2026-11-02T10:00:00Z,10.00,,USD,lost',
      ].join('\n'),
    );

    // Act
    await ingest();

    // Assess
    expect(summary()[1]).toEqual(['orders.csv', 'orders', '9', '7', '2', 'not_allowed (1)']);
    expect(await rejects('orders.csv')).toEqual([
      ['9', 'refunded_amount', 'required'],
      ['10', 'status', 'not_allowed'],
    ]);
    expect(await lake('SELECT order_id, status, CAST(refunded_amount AS VARCHAR) AS refunded FROM orders ORDER BY order_id')).toEqual([
      { order_id: 'o1', status: 'paid', refunded: '10.0000' },
      { order_id: 'o2', status: 'paid', refunded: '4.0000' },
      { order_id: 'o3', status: 'paid', refunded: null },
      { order_id: 'o4', status: 'paid', refunded: null },
      { order_id: 'o5', status: 'cancelled', refunded: null },
      { order_id: 'o6', status: 'pending', refunded: null },
      { order_id: 'o7', status: 'paid', refunded: '3.0000' },
    ]);
  });
});

describe('ltv ingest from an s3:// prefix', () => {
  it('applies the same limits: the ratio against the object size, the value length, the superseded count', async () => {
    // Prepare: an S3-compatible server in this process (fauxqs) holding a gzip bomb and an export with a repeated key
    const server = buildApp({ logger: false });
    const endpoint = await server.listen({ port: 0, host: '127.0.0.1' });
    const s3 = { endpoint, forcePathStyle: true, region: 'us-east-1' };
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const client = new S3Client({ ...s3, requestChecksumCalculation: 'WHEN_REQUIRED' });
    try {
      const bomb = gzipSync([HEADER, ...Array.from({ length: 100_000 }, () => 'o1,c1,2026-11-02T10:00:00Z,10.00,,USD,paid')].join('\n'));
      const customers = ['customer_id,acquisition_channel', `c1,${'x'.repeat(70_000)}`, 'c2,ads', 'c2,partner'].join('\n');
      await client.send(new CreateBucketCommand({ Bucket: 'acme-exports' }));
      await client.send(new PutObjectCommand({ Bucket: 'acme-exports', Key: '2026-11/orders.csv.gz', Body: bomb }));
      await client.send(new PutObjectCommand({ Bucket: 'acme-exports', Key: '2026-11/customers.csv', Body: customers }));
      await writeFile(config, JSON.stringify({ storage: { kind: 'local', root: path.join(root, 'out') }, s3 }));

      // Act
      const code = await ingestCommand.run({ config }, ['s3://acme-exports/2026-11']);

      // Assess: 3 rows read = 1 accepted + 1 rejected + 1 superseded
      expect(code).toBe(1);
      expect(errors).toEqual([`FAILED 2026-11/orders.csv.gz: the gzip data expands to more than 200 times its ${bomb.length} bytes (exports.limits.maxExpansionRatio); refused`]);
      expect(summary().slice(1)).toEqual([['2026-11/customers.csv', 'customers', '3', '1', '1', 'too_long (1)']]);
      expect(out).toContain('2026-11/customers.csv: 1 row(s) superseded by a later line with the same customer_id');
      expect(await lake('SELECT customer_id, acquisition_channel FROM customers')).toEqual([{ customer_id: 'c2', acquisition_channel: 'partner' }]);
    } finally {
      client.destroy();
      await server.close();
    }
  });
});
