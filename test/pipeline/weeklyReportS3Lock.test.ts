// The weekly run against an S3 lake while an ingest holds it: it must not read a table an ingest
// may be swapping. An ingest function in a process of its own holds the lake's lock on an
// S3-compatible server (create-only writes); the weekly run's engine records who holds the lake
// whenever it is asked to query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { QueryEngine } from '../../functions/engine/queryEngine.ts';
import { computeWeek } from '../../functions/pipeline/weeklyReport.ts';
import { LOCK_PREFIX } from '../../functions/storage/lakeLock.ts';
import { getJson, listAll, type ObjectStore } from '../../functions/storage/objectStore.ts';
import { S3ObjectStore } from '../../functions/storage/s3Store.ts';
import { parseWeekId } from '../../functions/time/isoWeek.ts';
import { script } from '../processes.ts';
import { startConditionalS3Server, type ConditionalS3Server } from '../storage/conditionalS3Server.ts';

let s3: ConditionalS3Server;
let buckets = 0;

beforeAll(async () => {
  s3 = await startConditionalS3Server();
});

afterAll(async () => {
  await s3?.close();
});

/** An engine that answers nothing, but notes which writer held the lake at each query. */
function recordingEngine(lake: ObjectStore): { engine: QueryEngine; holders: string[] } {
  const holders: string[] = [];
  const record = async (): Promise<never> => {
    const leases = (await listAll(lake, LOCK_PREFIX)).map((o) => o.key).sort();
    const current = leases.length > 0 ? ((await getJson(lake, leases.at(-1)!)) as { purpose: string }) : undefined;
    holders.push(current?.purpose ?? '(nobody)');
    throw new Error('recording engine: no data');
  };
  return { engine: { kind: 'recording', runRaw: record, runRows: record, registerWeekPartition: async () => null, close: async () => undefined }, holders };
}

async function s3Lake(): Promise<{ lake: S3ObjectStore; location: string }> {
  const bucket = `ltv-weekly-lock-${++buckets}`;
  await s3.createBucket(bucket);
  return { lake: new S3ObjectStore(s3.client, { bucket, prefix: 'lake' }), location: `s3://${bucket}/lake` };
}

const config = (waitSeconds: number) => parseConfig({ lakeLock: { waitSeconds, leaseSeconds: 60 } }, 'test');

describe('the weekly run on an S3 lake an ingest holds', () => {
  it('does not query while the ingest holds the lake, and fails after lakeLock.waitSeconds naming it', async () => {
    // Prepare
    const { lake, location } = await s3Lake();
    const ingest = script('holdLake.ts', [location, 'the ingest function', s3.endpoint], s3.env);
    await ingest.line(/^held 1$/);
    const { engine, holders } = recordingEngine(lake);

    // Act
    const run = (await computeWeek({ config: config(1), engine, lake }, parseWeekId('2026-W47')).then(
      () => new Error('the run went on'),
      (err: unknown) => err as Error,
    ));
    ingest.child.kill('SIGKILL');
    await ingest.finished;

    // Assess
    expect(run.message).toMatch(/is being written by the ingest function \(pid \d+ on .+\)/);
    expect(holders).toEqual([]);
  });

  it('queries only once it holds the lake itself, after the ingest’s lease ran out', async () => {
    // Prepare: the ingest is killed mid-write; its lease (1.5 s) must run out first
    const { lake, location } = await s3Lake();
    const ingest = script('holdLake.ts', [location, 'the ingest function', s3.endpoint], { ...s3.env, LEASE_MS: '1500' });
    await ingest.line(/^held 1$/);
    ingest.child.kill('SIGKILL');
    await ingest.finished;
    const { engine, holders } = recordingEngine(lake);

    // Act
    await computeWeek({ config: config(30), engine, lake }, parseWeekId('2026-W47')).catch(() => undefined);

    // Assess: every query the run issued ran while the weekly run held the lake
    expect(holders.length).toBeGreaterThan(5);
    expect(new Set(holders)).toEqual(new Set(['the report of 2026-W47']));
    expect(await listAll(lake, LOCK_PREFIX)).toEqual([]);
  });
});
