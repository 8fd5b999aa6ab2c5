// Storage adapter for S3 (or an S3-compatible server): one bucket, optionally below a key prefix.
// Keys of the port are relative to that prefix. Retries are the SDK's standard strategy, set on
// the client (maxAttempts); this adapter adds none of its own, so a retried request is retried
// once, with the SDK's backoff and retry quota.
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  type GetObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { NotFoundError, type Body, type ObjectInfo, type ObjectStore } from './objectStore.ts';
import { formatS3Location, parseS3Location } from './s3Location.ts';

const MiB = 1024 * 1024;
/** S3 refuses multipart parts below 5 MiB (except the last one). */
export const MIN_PART_SIZE = 5 * MiB;
export const DEFAULT_PART_SIZE = 8 * MiB;

export interface S3ObjectStoreOptions {
  bucket: string;
  /** Key prefix the store lives under, without slashes at either end; default: the whole bucket. */
  prefix?: string;
  /**
   * Part size of the multipart upload of a streamed body, in bytes (default 8 MiB, at least 5 MiB).
   * About four parts are in memory at once; a stream shorter than one part is a single PutObject.
   */
  partSize?: number;
  /** Keys per ListObjectsV2 page, 1 to 1,000 (S3's default and maximum is 1,000). */
  maxKeys?: number;
}

/** A failed S3 request, with a message naming the object, the operation and S3's error code. */
export class S3StoreError extends Error {
  constructor(
    message: string,
    /** S3's error code (`AccessDenied`, `SlowDown`, ...) or a network error code, when known. */
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'S3StoreError';
  }
}

export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  private readonly bucket: string;
  /** '' or the prefix with a trailing '/'. */
  private readonly keyPrefix: string;
  private readonly partSize: number;
  private readonly maxKeys: number | undefined;

  constructor(
    private readonly client: S3Client,
    options: S3ObjectStoreOptions,
  ) {
    const where = parseS3Location(`s3://${options.bucket}/${options.prefix ?? ''}`);
    this.bucket = where.bucket;
    this.keyPrefix = where.prefix === '' ? '' : `${where.prefix}/`;
    this.location = formatS3Location(where);
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isInteger(this.partSize) || this.partSize < MIN_PART_SIZE) {
      throw new Error(`${this.location}: partSize must be a whole number of bytes, at least ${MIN_PART_SIZE} (5 MiB, S3's minimum part size)`);
    }
    this.maxKeys = options.maxKeys;
    if (this.maxKeys !== undefined && !(Number.isInteger(this.maxKeys) && this.maxKeys >= 1 && this.maxKeys <= 1000)) {
      throw new Error(`${this.location}: maxKeys must be a whole number from 1 to 1000`);
    }
  }

  async get(key: string): Promise<Readable> {
    const body = (await this.getObject(key)).Body;
    if (!(body instanceof Readable)) throw new S3StoreError(`${this.urlOf(key)}: cannot read: the response has no body stream`, undefined);
    return body;
  }

  async getBytes(key: string): Promise<Buffer> {
    const body = (await this.getObject(key)).Body;
    if (body === undefined) throw new S3StoreError(`${this.urlOf(key)}: cannot read: the response has no body`, undefined);
    // The body is read after the response headers arrived: a connection lost here fails here.
    return this.attempt('read', key, async () => Buffer.from(await body.transformToByteArray()));
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const input = { Bucket: this.bucket, Key: this.objectKey(key) };
    let out;
    try {
      out = await this.client.send(new HeadObjectCommand(input));
    } catch (err) {
      // A HEAD response has no body, so a missing bucket is a 404 just like a missing key.
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return undefined;
      throw this.failure('look up', this.urlOf(key), err);
    }
    return this.info(key, out.ContentLength, out.ETag, out.LastModified);
  }

  async put(key: string, body: Body, contentType?: string): Promise<void> {
    const params = { Bucket: this.bucket, Key: this.objectKey(key), ContentType: contentType };
    await this.attempt('write', key, async () => {
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        await this.client.send(new PutObjectCommand({ ...params, Body: body }));
      } else {
        // Upload holds each part in memory until S3 has it, so the SDK can retry a part; a failed
        // upload is aborted (leavePartsOnError is false), so no parts are left behind to pay for.
        await new Upload({ client: this.client, params: { ...params, Body: body }, partSize: this.partSize }).done();
      }
    });
  }

  async putIfAbsent(key: string, body: Buffer | string, contentType?: string): Promise<boolean> {
    const input = { Bucket: this.bucket, Key: this.objectKey(key), Body: body, ContentType: contentType, IfNoneMatch: '*' };
    try {
      await this.client.send(new PutObjectCommand(input));
      return true;
    } catch (err) {
      const code = codeOf(err);
      // 412: the key exists. 409: another write or delete of the key was in flight; either way this
      // caller did not create the object, and only its creator may be told `true`.
      if (code === 'PreconditionFailed' || code === 'ConditionalRequestConflict') return false;
      throw this.failure('create', this.urlOf(key), err);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const fullPrefix = `${this.keyPrefix}${prefix}`;
    const url = `s3://${this.bucket}/${fullPrefix}`;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: fullPrefix, ContinuationToken: token, MaxKeys: this.maxKeys }),
        );
      } catch (err) {
        throw this.failure('list', url, err);
      }
      for (const entry of page.Contents ?? []) {
        const key = (entry.Key ?? '').slice(this.keyPrefix.length);
        // Zero-byte "folder" objects, as the S3 console creates them, hold no data.
        if (key === '' || key.endsWith('/')) continue;
        yield this.info(key, entry.Size, entry.ETag, entry.LastModified);
      }
      if (page.IsTruncated && !page.NextContinuationToken) {
        throw new S3StoreError(`${url}: cannot list: a truncated page came without a continuation token`, undefined);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async delete(key: string): Promise<void> {
    const input = { Bucket: this.bucket, Key: this.objectKey(key) };
    await this.attempt('delete', key, () => this.client.send(new DeleteObjectCommand(input)));
  }

  private async getObject(key: string): Promise<GetObjectCommandOutput> {
    const input = { Bucket: this.bucket, Key: this.objectKey(key) };
    try {
      return await this.client.send(new GetObjectCommand(input));
    } catch (err) {
      if (codeOf(err) === 'NoSuchKey') throw new NotFoundError(this.location, key);
      throw this.failure('read', this.urlOf(key), err);
    }
  }

  private async attempt<T>(action: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.failure(action, this.urlOf(key), err);
    }
  }

  private objectKey(key: string): string {
    // S3 would take a key ending in '/' as a folder marker, which list() does not show.
    if (key === '' || key.endsWith('/')) throw new Error(`${this.location}: "${key}" is not a valid storage key`);
    return `${this.keyPrefix}${key}`;
  }

  private urlOf(key: string): string {
    return `s3://${this.bucket}/${this.keyPrefix}${key}`;
  }

  private info(key: string, size: number | undefined, etag: string | undefined, lastModified: Date | undefined): ObjectInfo {
    if (size === undefined || etag === undefined || lastModified === undefined) {
      throw new S3StoreError(`${this.urlOf(key)}: S3 described the object without its size, ETag or last-modified time`, undefined);
    }
    return { key, size, etag: etag.replace(/^"|"$/g, ''), lastModified };
  }

  private failure(action: string, url: string, err: unknown): S3StoreError {
    const code = codeOf(err);
    const status = err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
    const attempts = attemptsOf(err);
    const reason =
      (code !== undefined ? REASONS[code] : undefined) ??
      (status !== undefined ? STATUS_REASONS[status] : undefined) ??
      (err instanceof Error ? err.message : String(err));
    const detail = [code, status === undefined ? undefined : `HTTP ${status}`].filter((x) => x !== undefined).join(', ');
    const gaveUp = attempts > 1 ? `; gave up after ${attempts} attempts` : '';
    return new S3StoreError(`${url}: cannot ${action}: ${reason}${detail ? ` (${detail})` : ''}${gaveUp}`, code, { cause: err });
  }
}

/** Plain words for the errors an operator most often meets; others keep S3's own message. */
const REASONS: Readonly<Record<string, string>> = {
  AccessDenied: 'access denied',
  NoSuchBucket: 'the bucket does not exist',
  InvalidAccessKeyId: 'the access key id is not known to S3',
  SignatureDoesNotMatch: 'the request signature does not match (check the secret access key)',
  ExpiredToken: 'the credentials have expired',
  SlowDown: 'S3 is throttling requests',
  InternalError: 'internal error in S3',
  ServiceUnavailable: 'S3 is unavailable',
};

/** For responses without an error body (HEAD), where the SDK can name no code. */
const STATUS_REASONS: Readonly<Record<number, string>> = {
  403: 'access denied',
  500: 'internal error in S3',
  503: 'S3 is unavailable',
};

function codeOf(err: unknown): string | undefined {
  // 'Unknown' is the SDK's name for an error response that carried no code.
  if (err instanceof S3ServiceException) return err.name === 'Unknown' ? undefined : err.name;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** How many times the SDK sent the request; it records this on every error it throws. */
function attemptsOf(err: unknown): number {
  const attempts = (err as { $metadata?: { attempts?: unknown } } | null)?.$metadata?.attempts;
  return typeof attempts === 'number' ? attempts : 1;
}
