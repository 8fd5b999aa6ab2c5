// How a table's files are replaced so that no reader ever sees fewer rows than before or after:
// a journal names the files to add and those they replace; the new files (names of their own,
// never overwriting) go in first, the replaced ones go last, then the journal. A writer killed
// in between leaves the journal, and the next writer to take the lake finishes the swap if
// every new file made it, or takes the new files out again if not. Until then a reader may see
// rows twice, never a row missing.
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { faultPoint } from '../storage/faultPoint.ts';
import type { LakeLock } from '../storage/lakeLock.ts';
import { listAll, type ObjectStore } from '../storage/objectStore.ts';

export const SWAPS_PREFIX = '_swaps/';

const journalSchema = z.object({ table: z.string(), generation: z.number().int(), written: z.array(z.string()), stale: z.array(z.string()) });

export async function swapFiles(lake: ObjectStore, lock: LakeLock, table: string, written: { key: string; file: string }[], stale: string[]): Promise<void> {
  await lock.assertHeld();
  const journal = `${SWAPS_PREFIX}${table}.json`;
  const entry: z.infer<typeof journalSchema> = { table, generation: lock.generation, written: written.map((w) => w.key), stale };
  await lake.put(journal, `${JSON.stringify(entry)}\n`, 'application/json');
  faultPoint('swap-journal');
  for (const w of written) {
    await lake.put(w.key, createReadStream(w.file), 'application/vnd.apache.parquet');
    faultPoint('swap-put');
  }
  for (const key of stale) {
    await lake.delete(key);
    faultPoint('swap-delete');
  }
  await lake.delete(journal);
}

/** Finishes or undoes the swaps a killed writer left; one line per table for the log. */
export async function settleInterruptedSwaps(lake: ObjectStore): Promise<string[]> {
  const done: string[] = [];
  for (const info of await listAll(lake, SWAPS_PREFIX)) {
    if (!info.key.endsWith('.json')) continue;
    const parsed = journalSchema.safeParse(JSON.parse((await lake.getBytes(info.key)).toString('utf8')));
    if (!parsed.success) throw new Error(`${lake.location}/${info.key}: not a swap journal; a writer was interrupted and this needs a look before the lake is written again`);
    const { table, written, stale } = parsed.data;
    const present = await Promise.all(written.map(async (key) => (await lake.head(key)) !== undefined));
    if (present.every(Boolean)) {
      for (const key of stale) await lake.delete(key);
      done.push(`${table}: finished a swap a killed writer left (${written.length} new file(s) kept, ${stale.length} replaced file(s) removed)`);
    } else {
      for (const [i, key] of written.entries()) if (present[i]) await lake.delete(key);
      done.push(`${table}: undid a swap a killed writer left (${present.filter(Boolean).length} of ${written.length} new file(s) removed; the replaced files stay)`);
    }
    await lake.delete(info.key);
  }
  return done;
}
