// Every writer of a lake (an ingest, the weekly run's write-back) holds its lock, and the first
// thing it does holding it is repair what a writer killed part-way left behind, so it reads and
// writes a lake in the state some complete ingest left it.
import { faultPoint } from '../storage/faultPoint.ts';
import { DEFAULT_LEASE_SECONDS, DEFAULT_WAIT_SECONDS, withLakeLock, type LakeLock, type LakeLockOptions } from '../storage/lakeLock.ts';
import type { ObjectStore } from '../storage/objectStore.ts';
import { settleInterruptedSwaps } from './tableSwap.ts';

export interface LakeAccess extends LakeLockOptions {
  /** Told of each repair made, for the log. */
  onRepair?: (message: string) => void;
}

/** For callers without a configuration (benchmarks, tests): the configuration's defaults. */
export const defaultLakeAccess = (purpose: string): LakeAccess => ({ purpose, waitMs: DEFAULT_WAIT_SECONDS * 1000, leaseMs: DEFAULT_LEASE_SECONDS * 1000 });

export async function withLake<T>(lake: ObjectStore, access: LakeAccess, work: (lock: LakeLock) => Promise<T>): Promise<T> {
  return withLakeLock(lake, access, async (lock) => {
    for (const message of await settleInterruptedSwaps(lake)) access.onRepair?.(message);
    const partials = (await lake.removeInterruptedWrites?.()) ?? 0;
    if (partials > 0) access.onRepair?.(`removed ${partials} half-written file(s) a killed writer left in ${lake.location}`);
    faultPoint('lake-locked');
    return work(lock);
  });
}
