// A lake built from the generated sample data set says so in a marker object of its own, so
// every report read from it is labelled as sample data, and no sample step mistakes a lake of
// the user's exports for a disposable one (or the other way round).
import { z } from 'zod';
import { getJson, type ObjectStore } from '../storage/objectStore.ts';

export const SAMPLE_ORIGIN_KEY = '_sample/origin.json';

export const sampleOriginSchema = z.strictObject({
  seed: z.union([z.number().int(), z.string().min(1)]),
  customers: z.number().int().positive(),
  /** Last day of the sample's history (YYYY-MM-DD, in the run's time zone when generated). */
  endDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

export type SampleOrigin = z.infer<typeof sampleOriginSchema>;

export async function readSampleOrigin(lake: ObjectStore): Promise<SampleOrigin | null> {
  if (!(await lake.head(SAMPLE_ORIGIN_KEY))) return null;
  const parsed = sampleOriginSchema.safeParse(await getJson(lake, SAMPLE_ORIGIN_KEY));
  if (!parsed.success) throw new Error(`${lake.location}/${SAMPLE_ORIGIN_KEY}: not a sample marker (${parsed.error.issues[0]?.message ?? 'invalid'}); remove it only if the lake holds no generated sample data`);
  return parsed.data;
}

export async function writeSampleOrigin(lake: ObjectStore, origin: SampleOrigin): Promise<void> {
  await lake.put(SAMPLE_ORIGIN_KEY, `${JSON.stringify(origin)}\n`, 'application/json');
}
