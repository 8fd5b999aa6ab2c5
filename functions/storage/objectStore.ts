// The storage port: what the pipeline needs from S3 or a local folder, and nothing more.
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  key: string;
  size: number;
  /** Content fingerprint: the S3 ETag, or a hash for local files. */
  etag: string;
  lastModified: Date;
}

export type Body = Buffer | string | Readable;

export interface ObjectStore {
  /** Human-readable location, for messages (`s3://bucket/prefix` or a folder). */
  readonly location: string;
  /** Streaming read; rejects with NotFoundError when the key does not exist. */
  get(key: string): Promise<Readable>;
  getBytes(key: string): Promise<Buffer>;
  head(key: string): Promise<ObjectInfo | undefined>;
  put(key: string, body: Body, contentType?: string): Promise<void>;
  /** Create-only write: false (and nothing written) when the key already exists. */
  putIfAbsent(key: string, body: Buffer | string, contentType?: string): Promise<boolean>;
  /** Every object under `prefix`, in key order, across as many pages as it takes. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  delete(key: string): Promise<void>;
  /**
   * Removes what writes killed part-way left behind (a folder's `.partial` files of processes no
   * longer running) and says how many; S3 needs none, as an unfinished PUT leaves no object (and
   * a lifecycle rule aborts unfinished multipart uploads).
   */
  removeInterruptedWrites?(): Promise<number>;
  /** The file behind a key, for stores that are a local folder: lets DuckDB read it in place. */
  localPathOf?(key: string): string;
}

export class NotFoundError extends Error {
  constructor(readonly location: string, readonly key: string) {
    super(`${location}: no object at "${key}"`);
    this.name = 'NotFoundError';
  }
}

export async function listAll(store: ObjectStore, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of store.list(prefix)) out.push(info);
  return out;
}

export async function getJson(store: ObjectStore, key: string): Promise<unknown> {
  return JSON.parse((await store.getBytes(key)).toString('utf8'));
}
