// `ltv ingest` killed with SIGKILL at each step of its writes to the lake, and two of them run at
// once, in processes of their own, on a local folder and on an S3-compatible server: a reader
// never finds an order missing, and a re-run leaves exactly the rows, manifests and nothing else.
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';
import { listAll, type ObjectStore } from '../../functions/storage/objectStore.ts';
import { S3ObjectStore } from '../../functions/storage/s3Store.ts';
import { ltv } from '../processes.ts';
import { startConditionalS3Server, type ConditionalS3Server } from '../storage/conditionalS3Server.ts';

const HEADER = 'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status';
const monthOf = (i: number): string => ['09', '10', '11'][i % 3]!;
/** 300 orders over three months. */
const FIRST = [HEADER, ...Array.from({ length: 300 }, (_, i) => `o${i},c${i % 40},2026-${monthOf(i)}-0${1 + (i % 8)}T10:00:00Z,${10 + (i % 7)}.25,,USD,paid`)].join('\n');
/** A correction moving 100 of them to the next month, and 50 new ones: 350 orders after it. */
const SECOND = [
  HEADER,
  ...Array.from({ length: 100 }, (_, i) => `o${i * 3},c${i % 40},2026-10-1${i % 9}T10:00:00Z,99.00,,USD,paid`),
  ...Array.from({ length: 50 }, (_, i) => `n${i},c${i % 40},2026-11-2${i % 9}T10:00:00Z,5.00,,USD,paid`),
].join('\n');
const BEFORE = Array.from({ length: 300 }, (_, i) => `o${i}`).sort();
const AFTER = [...BEFORE, ...Array.from({ length: 50 }, (_, i) => `n${i}`)].sort();

let s3: ConditionalS3Server;
let root: string;
let buckets = 0;

beforeAll(async () => {
  s3 = await startConditionalS3Server();
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-crash-'));
});

afterAll(async () => {
  await s3?.close();
  await rm(root, { recursive: true, force: true });
});

interface Setup {
  config: string;
  exportsDir: string;
  lake: ObjectStore;
  env: Record<string, string>;
}

let setups = 0;

async function setUp(kind: 'folder' | 's3'): Promise<Setup> {
  const dir = path.join(root, `case-${++setups}`);
  const exportsDir = path.join(dir, 'exports');
  await mkdir(exportsDir, { recursive: true });
  let storage: Record<string, unknown>;
  let lake: ObjectStore;
  if (kind === 'folder') {
    storage = { kind: 'local', root: path.join(dir, 'out') };
    lake = new LocalFolderStore(path.join(dir, 'out', 'lake'));
  } else {
    const bucket = `ltv-crash-${++buckets}`;
    await s3.createBucket(bucket);
    storage = { kind: 's3', lake: `s3://${bucket}/lake`, reports: `s3://${bucket}/reports` };
    lake = new S3ObjectStore(s3.client, { bucket, prefix: 'lake' });
  }
  const config = path.join(dir, 'ltv.config.json');
  await writeFile(
    config,
    JSON.stringify({ storage, exports: { dir: exportsDir }, engine: { kind: 'duckdb', lakeDir: path.join(dir, 'lake-copy') }, s3: s3.settings, lakeLock: { waitSeconds: 60, leaseSeconds: 2 } }),
  );
  return { config, exportsDir, lake, env: kind === 's3' ? s3.env : {} };
}

/** Order ids of the lake as a reader querying every Parquet file of the table would see them. */
async function orderIds(lake: ObjectStore): Promise<string[]> {
  const files: string[] = [];
  const copies = await mkdtemp(path.join(root, 'read-'));
  for (const [i, o] of (await listAll(lake, 'orders/')).entries()) {
    if (!o.key.endsWith('.parquet')) continue;
    const file = lake.localPathOf?.(o.key) ?? path.join(copies, `${i}.parquet`);
    if (!lake.localPathOf) await writeFile(file, await lake.getBytes(o.key));
    files.push(file);
  }
  if (files.length === 0) return [];
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const rows = await connection.runAndReadAll(`SELECT order_id FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}]) ORDER BY order_id`);
    return rows.getRowObjectsJson().map((r) => String(r.order_id));
  } finally {
    connection.closeSync();
    db.closeSync();
    await rm(copies, { recursive: true, force: true });
  }
}

async function keysUnder(lake: ObjectStore, prefix: string): Promise<string[]> {
  return (await listAll(lake, prefix)).map((o) => o.key);
}

async function ingest(setup: Setup, env: Record<string, string> = {}) {
  return ltv(['ingest', setup.exportsDir, '--config', setup.config], { ...setup.env, ...env }).finished;
}

const KILL_POINTS = ['lake-locked', 'ingest-staged', 'swap-journal', 'swap-put@1', 'swap-put@2', 'swap-delete@1', 'manifest'];

describe.each(['folder', 's3'] as const)('ltv ingest on %s storage', (kind) => {
  it.each(KILL_POINTS)('killed at %s: no order goes missing, and a re-run leaves exactly the orders of both exports', async (point) => {
    // Prepare: the first export in the lake, then its correction delivered
    const setup = await setUp(kind);
    await writeFile(path.join(setup.exportsDir, 'orders-1.csv'), FIRST);
    expect((await ingest(setup)).code).toBe(0);
    await writeFile(path.join(setup.exportsDir, 'orders-2.csv'), SECOND);

    // Act
    const killed = await ingest(setup, { LTV_KILL_AT: point });
    const seenAfterKill = await orderIds(setup.lake);
    const rerun = await ingest(setup);

    // Assess
    expect(killed.signal).toBe('SIGKILL');
    expect(BEFORE.filter((id) => !seenAfterKill.includes(id))).toEqual([]);
    expect(rerun.code).toBe(0);
    expect(await orderIds(setup.lake)).toEqual(AFTER);
    expect(await keysUnder(setup.lake, '_manifests/')).toEqual(['_manifests/orders-1.csv.json', '_manifests/orders-2.csv.json']);
    expect(await keysUnder(setup.lake, '_swaps/')).toEqual([]);
    expect(await keysUnder(setup.lake, '_lock/')).toEqual([]);
  });

  it('lets two ingests started at once both land, one after the other', async () => {
    // Prepare: two exports in two folders of the exports location
    const setup = await setUp(kind);
    await mkdir(path.join(setup.exportsDir, 'a'));
    await mkdir(path.join(setup.exportsDir, 'b'));
    await writeFile(path.join(setup.exportsDir, 'a', 'orders.csv'), FIRST);
    await writeFile(path.join(setup.exportsDir, 'b', 'orders.csv'), [HEADER, ...Array.from({ length: 50 }, (_, i) => `n${i},c1,2026-11-2${i % 9}T10:00:00Z,5.00,,USD,paid`)].join('\n'));

    // Act
    const start = (folder: string) => ltv(['ingest', path.join(setup.exportsDir, folder), '--config', setup.config], setup.env).finished;
    const [a, b] = await Promise.all([start('a'), start('b')]);
    const again = await ingest(setup);

    // Assess
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(`${a.stdout}${b.stdout}`.match(/orders\.csv\s+orders\s+\d+\s+\d+/g)).toHaveLength(2);
    expect(await orderIds(setup.lake)).toEqual([...BEFORE, ...Array.from({ length: 50 }, (_, i) => `n${i}`)].sort());
    expect(await keysUnder(setup.lake, '_manifests/')).toEqual(['_manifests/a/orders.csv.json', '_manifests/b/orders.csv.json']);
    expect(again.stdout).toContain('2 export(s) already ingested, unchanged.');
  });
});

describe('leftovers of a killed ingest on a local folder', () => {
  it('are cleared by the next run: half-written files and its scratch folder', async () => {
    // Prepare: a run killed while staging leaves its scratch folder; a put killed mid-write leaves a .partial
    const setup = await setUp('folder');
    await writeFile(path.join(setup.exportsDir, 'orders-1.csv'), FIRST);
    const killed = ltv(['ingest', setup.exportsDir, '--config', setup.config], { LTV_KILL_AT: 'ingest-staged' });
    const pid = killed.child.pid!;
    await killed.finished;
    const scratch = (await readdir(os.tmpdir())).filter((name) => name.startsWith(`ltv-ingest-${pid}-`));
    const partial = path.join(setup.lake.localPathOf!('orders'), `data_x_0.parquet.${pid}.1700000000000.partial`);
    await mkdir(path.dirname(partial), { recursive: true });
    await cp(setup.config, partial);

    // Act
    const rerun = await ingest(setup);

    // Assess
    expect(scratch).toHaveLength(1);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain('removed 1 half-written file(s) a killed writer left');
    expect((await readdir(os.tmpdir())).filter((name) => name.startsWith(`ltv-ingest-${pid}-`))).toEqual([]);
    expect(await readdir(path.dirname(partial))).not.toContain(path.basename(partial));
  });
});
