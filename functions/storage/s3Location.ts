// `s3://bucket/prefix` locations: parsed in one place, so the configuration and the command line
// reject the same mistakes with the same words. No SDK import: the configuration loads this.

export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing '/'; '' for the whole bucket. */
  prefix: string;
}

export type S3LocationResult = { ok: true; location: S3Location } | { ok: false; problem: string };

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The scheme of a URL-like location (`s3`, `https`, ...), or undefined for a plain path. */
export function schemeOf(location: string): string | undefined {
  return SCHEME.exec(location)?.[1];
}

export function readS3Location(text: string): S3LocationResult {
  if (!text.startsWith('s3://')) return { ok: false, problem: 'must start with s3://, e.g. s3://acme-ltv-lake/lake' };
  const rest = text.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const bucketProblem = problemOfBucket(bucket);
  if (bucketProblem) return { ok: false, problem: bucketProblem };
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  // An empty or dot segment is almost always a typo; S3 would accept it and the data would
  // land under a key nobody looks at.
  if (prefix !== '' && prefix.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    return { ok: false, problem: `the key prefix "${prefix}" has an empty, "." or ".." segment` };
  }
  return { ok: true, location: { bucket, prefix } };
}

/** Parses an s3:// location or throws an error that quotes it and says what is wrong. */
export function parseS3Location(text: string): S3Location {
  const result = readS3Location(text);
  if (!result.ok) throw new Error(`"${text}" is not a valid S3 location: ${result.problem}`);
  return result.location;
}

export function formatS3Location({ bucket, prefix }: S3Location): string {
  return prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`;
}

/** True when one location holds the other's objects (or they are the same). */
export function s3LocationsOverlap(a: S3Location, b: S3Location): boolean {
  if (a.bucket !== b.bucket) return false;
  const within = (inner: string, outer: string) => outer === '' || inner === outer || inner.startsWith(`${outer}/`);
  return within(a.prefix, b.prefix) || within(b.prefix, a.prefix);
}

// The rules of general purpose buckets (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
function problemOfBucket(bucket: string): string | undefined {
  if (bucket === '') return 'the bucket name is missing';
  if (bucket.length < 3 || bucket.length > 63) return `the bucket name "${bucket}" must be 3 to 63 characters long`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) {
    return `the bucket name "${bucket}" may hold only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit`;
  }
  if (bucket.includes('..')) return `the bucket name "${bucket}" has two adjacent dots`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return `the bucket name "${bucket}" looks like an IP address`;
  return undefined;
}
