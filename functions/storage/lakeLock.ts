// One writer of a lake at a time, on any store that has create-only writes (a local folder, S3
// with conditional writes). The lock is a sequence of lease objects, `_lock/<generation>.json`:
// the highest generation is the current one; it is held until its holder releases it (deletes
// it, so an idle lake holds no lock object) or its lease runs out. Taking the lock means creating
// the next generation, which only one contender can do, so no compare-and-swap of an existing
// object is needed. Only the holder ever rewrites its own generation (to renew its lease).
import os from 'node:os';
import { z } from 'zod';
import { isRunning } from './localProcess.ts';
import type { ObjectStore } from './objectStore.ts';

export const LOCK_PREFIX = '_lock/';
/** Defaults of lakeLock.waitSeconds and lakeLock.leaseSeconds: under the 10 minutes the functions may run. */
export const DEFAULT_WAIT_SECONDS = 300;
export const DEFAULT_LEASE_SECONDS = 120;

const holderSchema = z.object({
  /** What holds the lake, for the message a waiting writer shows: "ltv ingest", "weekly report". */
  purpose: z.string(),
  host: z.string(),
  pid: z.number().int(),
  acquiredAt: z.string(),
  expiresAt: z.string(),
});

export type LockHolder = z.infer<typeof holderSchema>;

export interface LakeLockOptions {
  purpose: string;
  /** How long to wait for another writer before giving up. */
  waitMs: number;
  /** How long the lock outlives a holder that stops renewing it (a crash, a frozen sandbox). */
  leaseMs: number;
  /** Told once when the lock is held by someone else and the wait begins. */
  onWait?: (holder: LockHolder) => void;
}

/** "ltv ingest (pid 4242 on build-7) since 2026-11-23T07:00:00.000Z" */
export const describeHolder = (holder: LockHolder): string => `${holder.purpose} (pid ${holder.pid} on ${holder.host}) since ${holder.acquiredAt}`;

export class LakeBusyError extends Error {
  constructor(location: string, holder: LockHolder, waitedMs: number) {
    super(
      `${location} is being written by ${describeHolder(holder)}, ` +
        `its lease running to ${holder.expiresAt}; waited ${Math.round(waitedMs / 1000)} s. Run again once it has finished, ` +
        'or raise lakeLock.waitSeconds (docs/configuration.md)',
    );
    this.name = 'LakeBusyError';
  }
}

export class LakeLockLostError extends Error {
  constructor(location: string, generation: number) {
    super(`${location}: the lake lock (generation ${generation}) was taken over by another writer after its lease ran out; nothing more was written`);
    this.name = 'LakeLockLostError';
  }
}

const keyOf = (generation: number): string => `${LOCK_PREFIX}${String(generation).padStart(12, '0')}.json`;
const POLL_MS = 250;
/** A lease object still empty this long after its creation belongs to a writer that died creating it. */
const CREATING_MS = 10_000;

interface Current {
  generation: number;
  holder: LockHolder | undefined;
  lastModified: Date;
}

async function currentGeneration(store: ObjectStore): Promise<Current | undefined> {
  let last: { key: string; lastModified: Date } | undefined;
  for await (const info of store.list(LOCK_PREFIX)) if (/^_lock\/\d{12}\.json$/.test(info.key)) last = info;
  if (last === undefined) return undefined;
  const generation = Number(last.key.slice(LOCK_PREFIX.length, -'.json'.length));
  let holder: LockHolder | undefined;
  try {
    holder = holderSchema.parse(JSON.parse((await store.getBytes(last.key)).toString('utf8')));
  } catch {
    holder = undefined;
  }
  return { generation, holder, lastModified: last.lastModified };
}

/** A holder on this machine whose process is gone (killed): its lease need not be waited out. */
const goneFromThisMachine = (holder: LockHolder): boolean => holder.host === os.hostname() && !isRunning(holder.pid);

function isFree(current: Current | undefined, now: number, sameMachineKnown: boolean): boolean {
  if (current === undefined) return true;
  const { holder } = current;
  if (holder === undefined) return now - current.lastModified.getTime() > CREATING_MS;
  if (Date.parse(holder.expiresAt) <= now) return true;
  return sameMachineKnown && goneFromThisMachine(holder);
}

export class LakeLock {
  private renewing: NodeJS.Timeout | undefined;
  private renewal: Promise<void> = Promise.resolve();
  private lost = false;

  private constructor(
    private readonly store: ObjectStore,
    readonly generation: number,
    private holder: LockHolder,
    private readonly leaseMs: number,
  ) {}

  /**
   * Waits for the lake to be free and takes it. A holder on this machine whose process is gone
   * (killed) frees it at once; elsewhere its lease has to run out.
   */
  static async acquire(store: ObjectStore, options: LakeLockOptions): Promise<LakeLock> {
    // Waiting is timed on the monotonic clock; leases are wall-clock instants other machines read.
    const started = performance.now();
    // Processes of this machine can be asked whether they still run only when the lake is a
    // local folder: Lambda sandboxes on S3 may share host names.
    const sameMachineKnown = store.localPathOf !== undefined;
    let told = false;
    for (;;) {
      const current = await currentGeneration(store);
      const now = Date.now();
      if (isFree(current, now, sameMachineKnown)) {
        const generation = (current?.generation ?? 0) + 1;
        const holder: LockHolder = {
          purpose: options.purpose,
          host: os.hostname(),
          pid: process.pid,
          acquiredAt: new Date(now).toISOString(),
          expiresAt: new Date(now + options.leaseMs).toISOString(),
        };
        if (await store.putIfAbsent(keyOf(generation), `${JSON.stringify(holder)}\n`, 'application/json')) {
          const lock = new LakeLock(store, generation, holder, options.leaseMs);
          lock.renewEvery(Math.max(1000, Math.floor(options.leaseMs / 3)));
          // The generation taken over (released, expired or its holder killed) is history.
          if (generation > 1) await store.delete(keyOf(generation - 1));
          return lock;
        }
        continue; // another writer created that generation first
      }
      const waited = performance.now() - started;
      if (waited >= options.waitMs) throw new LakeBusyError(store.location, current!.holder ?? unknownHolder(current!), waited);
      if (!told && current?.holder) options.onWait?.(current.holder);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(1, options.waitMs - waited))));
    }
  }

  private renewEvery(ms: number): void {
    this.renewing = setInterval(() => {
      this.renewal = this.renewal.then(() => this.renew()).catch(() => undefined);
    }, ms);
    this.renewing.unref();
  }

  private async renew(): Promise<void> {
    if (this.lost) return;
    if (!(await this.stillHeld())) {
      this.lost = true;
      return;
    }
    this.holder = { ...this.holder, expiresAt: new Date(Date.now() + this.leaseMs).toISOString() };
    await this.store.put(keyOf(this.generation), `${JSON.stringify(this.holder)}\n`, 'application/json');
  }

  private async stillHeld(): Promise<boolean> {
    const current = await currentGeneration(this.store);
    return current?.generation === this.generation;
  }

  /**
   * Throws when another writer has taken the lake over (this holder's lease ran out unseen, e.g.
   * a paused process); called before each change a writer makes to the lake.
   */
  async assertHeld(): Promise<void> {
    if (this.lost || !(await this.stillHeld())) {
      this.lost = true;
      throw new LakeLockLostError(this.store.location, this.generation);
    }
  }

  async release(): Promise<void> {
    if (this.renewing) clearInterval(this.renewing);
    await this.renewal;
    if (this.lost || !(await this.stillHeld())) return;
    await this.store.delete(keyOf(this.generation));
  }
}

function unknownHolder(current: Current): LockHolder {
  const at = current.lastModified.toISOString();
  return { purpose: 'a writer that is starting', host: 'unknown', pid: 0, acquiredAt: at, expiresAt: new Date(current.lastModified.getTime() + CREATING_MS).toISOString() };
}

/** Runs `work` holding the lake; the lock is released however `work` ends. */
export async function withLakeLock<T>(store: ObjectStore, options: LakeLockOptions, work: (lock: LakeLock) => Promise<T>): Promise<T> {
  const lock = await LakeLock.acquire(store, options);
  try {
    return await work(lock);
  } finally {
    await lock.release();
  }
}
