// The S3 object-created notification, checked before anything is read: which objects landed,
// and which of them are exports under the configured exports location.
import { z } from 'zod';
import { readS3Location, schemeOf } from '../storage/s3Location.ts';

/**
 * S3 writes keys in notifications URL-encoded, with a space as `+` (form encoding), so
 * `crm/orders%2B2026+11.csv` is the object `crm/orders+2026 11.csv`.
 */
const objectKey = z.string().min(1).transform((encoded, ctx) => {
  try {
    return decodeURIComponent(encoded.replaceAll('+', ' '));
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${encoded}" is not a URL-encoded object key` });
    return z.NEVER;
  }
});

const s3EventSchema = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:s3'),
        eventName: z.string().min(1),
        s3: z.object({
          bucket: z.object({ name: z.string().min(1) }),
          object: z.object({ key: objectKey }),
        }),
      }),
    )
    .min(1),
});

export interface LandedObject {
  bucket: string;
  /** The object key, decoded. */
  key: string;
}

/** The created objects an S3 notification names; anything else about the event is an error. */
export function createdObjectsOf(event: unknown): { created: LandedObject[]; ignored: { object: string; reason: string }[] } {
  const parsed = s3EventSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
    throw new Error(`not an S3 object notification: ${problems}`);
  }
  const created: LandedObject[] = [];
  const ignored: { object: string; reason: string }[] = [];
  for (const record of parsed.data.Records) {
    const object = { bucket: record.s3.bucket.name, key: record.s3.object.key };
    if (record.eventName.startsWith('ObjectCreated:')) created.push(object);
    else ignored.push({ object: `s3://${object.bucket}/${object.key}`, reason: `${record.eventName} is not an object-created event` });
  }
  return { created, ignored };
}

/**
 * Keys relative to the exports store. With `s3://bucket/prefix`, an object must be in that
 * bucket under that prefix. A folder (local runs and tests) stands in for the bucket, so the
 * object key is the path inside the folder.
 */
export function exportKeysOf(objects: LandedObject[], exportsDir: string): { keys: string[]; outside: { object: string; reason: string }[] } {
  const keys = new Set<string>();
  const outside: { object: string; reason: string }[] = [];
  const where = schemeOf(exportsDir) === 's3' ? readS3Location(exportsDir) : undefined;
  if (where && !where.ok) throw new Error(`exports.dir "${exportsDir}": ${where.problem}`);
  for (const object of objects) {
    if (!where) {
      keys.add(object.key);
      continue;
    }
    const { bucket, prefix } = where.location;
    const under = prefix === '' ? '' : `${prefix}/`;
    if (object.bucket === bucket && object.key.startsWith(under) && object.key.length > under.length) keys.add(object.key.slice(under.length));
    else outside.push({ object: `s3://${object.bucket}/${object.key}`, reason: `not under exports.dir (${exportsDir})` });
  }
  return { keys: [...keys], outside };
}
