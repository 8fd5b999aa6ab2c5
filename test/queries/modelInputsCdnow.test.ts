// The published reference: CDNOW's transaction log, ingested as orders, must give the model
// inputs of the published per-customer summary (Fader, Hardie & Lee 2005; lifetimes' CDNOW
// summary): 39-week calibration ending 1997-09-30, time in weeks.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { readModelInputs, type ModelCustomer } from '../../functions/pipeline/modelInputs.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';
import { cdnowOrdersCsv } from '../clv/cdnowData.ts';

const CDNOW = path.resolve(import.meta.dirname, '../fixtures/cdnow');
/** The day after the calibration period: orders before it are observed, 1997-09-30 is the last day. */
const CUTOFF = new Date('1997-10-01T00:00:00Z');

let root: string;
let published: Map<string, { frequency: number; recency: number; T: number }>;
let computed: ModelCustomer[];

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-cdnow-'));
  await mkdir(path.join(root, 'exports'));
  await writeFile(path.join(root, 'exports', 'orders.csv'), cdnowOrdersCsv());
  const ingest = await ingestExports({
    exports: new LocalFolderStore(path.join(root, 'exports')),
    lake: new LocalFolderStore(path.join(root, 'lake')),
    sourceTimeZone: 'UTC',
    now: new Date('2026-11-23T00:00:00Z'),
  });
  expect(ingest.ingested[0]).toMatchObject({ rowsRead: 6919, accepted: 6919 });
  const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'lake') });
  try {
    computed = (await readModelInputs(engine, CUTOFF, 'USD')).customers;
  } finally {
    await engine.close();
  }
  const summary = (await readFile(path.join(CDNOW, 'cdnow_customers_summary.csv'), 'utf8')).trim().split('\n').slice(1);
  published = new Map(
    summary.map((line) => {
      const [id, frequency, recency, T] = line.split(',');
      return [String(Number(id)), { frequency: Number(frequency), recency: Number(recency), T: Number(T) }];
    }),
  );
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('queries/model_inputs.sql on the CDNOW sample', () => {
  it('finds every one of the 2,357 customers of the published summary', () => {
    expect(published.size).toBe(2357);
    expect(computed.map((c) => c.customerId).sort()).toEqual([...published.keys()].sort());
  });

  it('reproduces frequency exactly, and recency and T within 0.01 week', () => {
    const mismatches = computed.flatMap((c) => {
      const p = published.get(c.customerId)!;
      const recency = c.tx / 7;
      const T = c.T / 7;
      return c.x !== p.frequency || Math.abs(recency - p.recency) > 0.01 || Math.abs(T - p.T) > 0.01
        ? [`${c.customerId}: x ${c.x} vs ${p.frequency}, t_x ${recency.toFixed(2)} vs ${p.recency}, T ${T.toFixed(2)} vs ${p.T}`]
        : [];
    });
    expect(mismatches).toEqual([]);
  });

  it('gives the published totals: 1,411 customers without a repeat purchase, 2,457 repeat purchases', () => {
    expect(computed.filter((c) => c.x === 0)).toHaveLength(1411);
    expect(computed.reduce((n, c) => n + c.x, 0)).toBe(2457);
  });
});
