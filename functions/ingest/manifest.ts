// One manifest per ingested export: what was read, what was kept, what was rejected and why.
// It is written last, so its presence means the export's rows are in the lake.
import { z } from 'zod';
import type { ObjectStore } from '../storage/objectStore.ts';
import type { TableName } from '../schema/tables.ts';
import { PRESET_NAMES } from './presets/preset.ts';

export const manifestSchema = z.object({
  sourceKey: z.string(),
  table: z.string(),
  /** Manifests written before JSON Lines and presets existed describe canonical CSV. */
  format: z.enum(['csv', 'jsonl']).default('csv'),
  preset: z.enum([...PRESET_NAMES, 'mapping']).default('canonical'),
  size: z.number().int().nonnegative(),
  etag: z.string(),
  rowsRead: z.number().int().nonnegative(),
  accepted: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  /** Records a later line of the same export replaced (same key); manifests before this count had none counted apart. */
  superseded: z.number().int().nonnegative().default(0),
  /** Canonical rows written; fewer than `accepted` when several records make one row (Shopify line items). */
  rowsWritten: z.number().int().nonnegative().optional(),
  rejectedByRule: z.record(z.string(), z.number().int().nonnegative()),
  /**
   * Records that are no data error and still no row, by reason (LEFT_OUT_REASONS); rows read =
   * accepted + rejected + these. Absent from manifests written before presets could leave rows out.
   */
  leftOut: z.record(z.string(), z.number().int().nonnegative()).optional(),
  ignoredColumns: z.array(z.string()),
  timeRange: z.object({ column: z.string(), min: z.string().nullable(), max: z.string().nullable() }).nullable(),
  rejectsKey: z.string().nullable(),
  ingestedAt: z.string(),
  /** "path": keyed by its path under the exports location; older manifests may be keyed by file name. */
  identity: z.enum(['name', 'path']).default('name'),
  /** Keys earlier versions of this export were ingested under; their rows go when it is re-sent. */
  formerKeys: z.array(z.string()).optional(),
});

export type Manifest = z.infer<typeof manifestSchema> & { table: TableName };

export const MANIFEST_PREFIX = '_manifests/';
export const REJECTS_PREFIX = '_rejects/';

export function manifestKey(sourceKey: string): string {
  return `${MANIFEST_PREFIX}${sourceKey}.json`;
}

export function rejectsKey(sourceKey: string): string {
  return `${REJECTS_PREFIX}${sourceKey}.rejects.csv`;
}

export async function readManifest(lake: ObjectStore, sourceKey: string): Promise<Manifest | undefined> {
  const info = await lake.head(manifestKey(sourceKey));
  if (!info) return undefined;
  return manifestSchema.parse(JSON.parse((await lake.getBytes(manifestKey(sourceKey))).toString('utf8'))) as Manifest;
}

export async function readAllManifests(lake: ObjectStore): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for await (const info of lake.list(MANIFEST_PREFIX)) {
    if (!info.key.endsWith('.json')) continue;
    const parsed = manifestSchema.safeParse(JSON.parse((await lake.getBytes(info.key)).toString('utf8')));
    if (!parsed.success) throw new Error(`${lake.location}/${info.key}: not a valid ingest manifest`);
    out.push(parsed.data as Manifest);
  }
  return out;
}
