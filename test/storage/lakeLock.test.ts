import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeBusyError, LakeLock, LakeLockLostError, withLakeLock } from '../../functions/storage/lakeLock.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';
import { listAll, type ObjectStore } from '../../functions/storage/objectStore.ts';
import { S3ObjectStore } from '../../functions/storage/s3Store.ts';
import { script } from '../processes.ts';
import { startConditionalS3Server, type ConditionalS3Server } from './conditionalS3Server.ts';

let s3: ConditionalS3Server;
let folders: string[] = [];
let buckets = 0;

beforeAll(async () => {
  s3 = await startConditionalS3Server();
});

afterAll(async () => {
  await s3.close();
  for (const f of folders) await rm(f, { recursive: true, force: true });
});

interface Lake {
  store: ObjectStore;
  /** The location a process of its own opens, and the endpoint it needs. */
  args: string[];
}

const stores: [string, () => Promise<Lake>][] = [
  [
    'a local folder',
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'ltv-lock-'));
      folders.push(dir);
      return { store: new LocalFolderStore(dir), args: [dir] };
    },
  ],
  [
    'S3 (an S3-compatible server with create-only writes)',
    async () => {
      const bucket = `ltv-lock-${++buckets}`;
      await s3.createBucket(bucket);
      return { store: new S3ObjectStore(s3.client, { bucket, prefix: 'lake' }), args: [`s3://${bucket}/lake`] };
    },
  ],
];

const quick = { waitMs: 5_000, leaseMs: 60_000 };

describe.each(stores)('the lake lock on %s', (_, open) => {
  it('lets one writer in at a time, however many try at once', async () => {
    // Prepare
    const { store } = await open();
    let inside = 0;
    let most = 0;
    const entered: number[] = [];

    // Act: six writers, each inside for a few milliseconds
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        withLakeLock(store, { ...quick, purpose: `writer ${i}` }, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((resolve) => setTimeout(resolve, 20));
          entered.push(i);
          inside--;
        }),
      ),
    );

    // Assess
    expect(most).toBe(1);
    expect(entered.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await listAll(store, '_lock/')).toEqual([]);
  });

  it('makes a writer wait for the holder and says who it is waiting for', async () => {
    // Prepare
    const { store } = await open();
    const holder = await LakeLock.acquire(store, { ...quick, purpose: 'ltv ingest' });
    const told: string[] = [];

    // Act
    const waiting = LakeLock.acquire(store, { ...quick, purpose: 'the weekly report', onWait: (h) => told.push(h.purpose) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await holder.release();
    const next = await waiting;

    // Assess
    expect(told).toEqual(['ltv ingest']);
    expect(next.generation).toBe(1);
    await next.release();
  });

  it('gives up after waitMs, naming the holder, its process and its lease', async () => {
    // Prepare
    const { store } = await open();
    const holder = await LakeLock.acquire(store, { ...quick, purpose: 'ltv ingest' });

    // Act
    const refused = await LakeLock.acquire(store, { waitMs: 300, leaseMs: 60_000, purpose: 'ltv report' }).catch((err: unknown) => err);

    // Assess
    expect(refused).toBeInstanceOf(LakeBusyError);
    expect((refused as Error).message).toMatch(
      new RegExp(`is being written by ltv ingest \\(pid ${process.pid} on ${os.hostname()}\\) since .*, its lease running to .*; waited 0 s\\. Run again once it has finished, or raise lakeLock\\.waitSeconds`),
    );
    await holder.release();
  });

  it('is taken over once a holder stops renewing its lease, and the old holder learns it lost the lake', async () => {
    // Prepare: a holder whose lease is short and whose renewals are stopped (a paused process)
    const { store } = await open();
    const paused = await LakeLock.acquire(store, { waitMs: 0, leaseMs: 400, purpose: 'a paused writer' });
    (paused as unknown as { renewing: NodeJS.Timeout }).renewing.close();

    // Act
    const next = await LakeLock.acquire(store, { ...quick, purpose: 'ltv ingest' });

    // Assess
    expect(next.generation).toBe(paused.generation + 1);
    await expect(paused.assertHeld()).rejects.toBeInstanceOf(LakeLockLostError);
    await next.assertHeld();
    await paused.release();
    expect((await listAll(store, '_lock/')).map((o) => o.key)).toEqual(['_lock/000000000002.json']);
    await next.release();
  });

  it('keeps a live holder’s lease renewed, so a long write is not taken over', async () => {
    // Prepare
    const { store } = await open();
    const holder = await LakeLock.acquire(store, { waitMs: 0, leaseMs: 1_200, purpose: 'a long ingest' });

    // Act: three leases' worth of time
    await new Promise((resolve) => setTimeout(resolve, 3_600));
    const refused = await LakeLock.acquire(store, { waitMs: 0, leaseMs: 1_200, purpose: 'ltv report' }).catch((err: unknown) => err);

    // Assess
    expect(refused).toBeInstanceOf(LakeBusyError);
    await holder.assertHeld();
    await holder.release();
  });
});

describe('a holder killed with SIGKILL', () => {
  it('frees a local lake at once: its process is gone from this machine', async () => {
    // Prepare
    const { store, args } = await stores[0]![1]();
    const holder = script('holdLake.ts', [...args, 'ltv ingest']);
    await holder.line(/^held 1$/);

    // Act
    holder.child.kill('SIGKILL');
    await holder.finished;
    const next = await LakeLock.acquire(store, { waitMs: 0, leaseMs: 60_000, purpose: 'ltv ingest' });

    // Assess
    expect(next.generation).toBe(2);
    await next.release();
  });

  it('frees an S3 lake when its lease runs out, not before: another machine cannot see the process', async () => {
    // Prepare
    const { store, args } = await stores[1]![1]();
    const holder = script('holdLake.ts', [...args, 'the ingest function', s3.endpoint], { ...s3.env, LEASE_MS: '1500' });
    await holder.line(/^held 1$/);
    holder.child.kill('SIGKILL');
    await holder.finished;

    // Act
    const early = await LakeLock.acquire(store, { waitMs: 0, leaseMs: 60_000, purpose: 'ltv ingest' }).catch((err: unknown) => err);
    const later = await LakeLock.acquire(store, { waitMs: 5_000, leaseMs: 60_000, purpose: 'ltv ingest' });

    // Assess
    expect((early as Error).message).toContain('is being written by the ingest function');
    expect(later.generation).toBe(2);
    await later.release();
  });
});
