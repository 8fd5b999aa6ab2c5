// How S3ObjectStore behaves when S3 fails, with two kinds of fake S3, each where it fits:
// - A stub request handler under a real S3Client. The SDK's serialisation, retry middleware and
//   error parsing all run, so retries, their limit and the headers on the wire are what
//   production sees. Used for everything about retries and for responses parsed from S3's XML.
// - aws-sdk-client-mock. It replaces the client's send() and so bypasses the retry middleware:
//   fine where only the adapter's reading of an SDK error or its command inputs matter, wrong for
//   anything about retries.
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { listAll, NotFoundError } from '../../functions/storage/objectStore.ts';
import { S3ObjectStore, S3StoreError } from '../../functions/storage/s3Store.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}
interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>`;
}

const slowDown: Reply = { status: 503, body: errorXml('SlowDown', 'Please reduce your request rate.') };
const internalError: Reply = { status: 500, body: errorXml('InternalError', 'We encountered an internal error. Please try again.') };
const ok = (body = ''): Reply => ({
  status: 200,
  headers: { 'content-length': String(Buffer.byteLength(body)), etag: '"5d41402abc4b2a76b9719d911017c592"', 'last-modified': 'Mon, 23 Nov 2026 10:00:00 GMT' },
  body,
});

/**
 * A real S3Client whose HTTP layer answers with `replies` in turn (the last one repeats), or
 * fails the connection for a reply that is an Error. `seen` records every request sent.
 */
function stubbedS3(replies: (Reply | Error)[], maxAttempts: number) {
  const seen: SeenRequest[] = [];
  const requestHandler = {
    async handle(request: SeenRequest) {
      seen.push({ method: request.method, path: request.path, headers: { ...request.headers } });
      const reply = replies[Math.min(seen.length, replies.length) - 1]!;
      if (reply instanceof Error) throw reply;
      // The SDK recognises a response by its shape (status code and headers), so a plain object serves.
      return { response: { statusCode: reply.status, headers: reply.headers ?? {}, body: Readable.from([Buffer.from(reply.body ?? '')]) } };
    },
  };
  const client = new S3Client({ region: 'eu-central-1', credentials, maxAttempts, requestHandler });
  return { store: new S3ObjectStore(client, { bucket: 'ltv-lake', prefix: 'lake' }), seen };
}

describe('S3ObjectStore under the SDK retry strategy', () => {
  it('retries a throttled request (503 SlowDown) and returns what the retry got', async () => {
    const { store, seen } = stubbedS3([slowDown, ok('hello')], 3);

    const bytes = await store.getBytes('orders/data.parquet');

    expect(bytes.toString('utf8')).toBe('hello');
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /lake/orders/data.parquet', 'GET /lake/orders/data.parquet']);
  });

  it('retries 500 InternalError until a try succeeds', async () => {
    const { store, seen } = stubbedS3([internalError, internalError, ok()], 3);

    await store.put('_manifests/orders.csv.json', '{"rows":3}');

    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((r) => `${r.method} ${r.path}`))).toEqual(new Set(['PUT /lake/_manifests/orders.csv.json']));
  });

  it('retries a connection reset by the network', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const { store, seen } = stubbedS3([reset, ok('rows')], 3);

    expect((await store.getBytes('customers/data.parquet')).toString('utf8')).toBe('rows');
    expect(seen).toHaveLength(2);
  });

  it('gives up after maxAttempts with an error naming the object, the operation, the code and the attempts', async () => {
    const { store, seen } = stubbedS3([internalError], 4);

    const err = await store.put('orders/data.parquet', Buffer.from('rows')).catch((e: unknown) => e);

    expect(seen).toHaveLength(4);
    expect(err).toBeInstanceOf(S3StoreError);
    expect(err).toMatchObject({
      code: 'InternalError',
      message: 's3://ltv-lake/lake/orders/data.parquet: cannot write: internal error in S3 (InternalError, HTTP 500); gave up after 4 attempts',
    });
  });

  it('gives up on throttling after maxAttempts too', async () => {
    const { store, seen } = stubbedS3([slowDown], 2);

    await expect(store.head('orders/data.parquet')).rejects.toThrow(
      's3://ltv-lake/lake/orders/data.parquet: cannot look up: S3 is throttling requests (SlowDown, HTTP 503); gave up after 2 attempts',
    );
    expect(seen).toHaveLength(2);
  });

  it('does not retry AccessDenied, and says access was denied to which object', async () => {
    const { store, seen } = stubbedS3([{ status: 403, body: errorXml('AccessDenied', 'Access Denied') }], 3);

    await expect(store.getBytes('orders/data.parquet')).rejects.toThrow(
      's3://ltv-lake/lake/orders/data.parquet: cannot read: access denied (AccessDenied, HTTP 403)',
    );
    expect(seen).toHaveLength(1);
  });

  it('says access denied for a 403 to HEAD, which carries no error code', async () => {
    const { store } = stubbedS3([{ status: 403 }], 3);

    await expect(store.head('orders/data.parquet')).rejects.toThrow(
      's3://ltv-lake/lake/orders/data.parquet: cannot look up: access denied (HTTP 403)',
    );
  });

  it('creates with If-None-Match: * and reads 412 PreconditionFailed as "already there", without retrying', async () => {
    const precondition: Reply = { status: 412, body: errorXml('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold') };
    const { store, seen } = stubbedS3([precondition], 3);

    const created = await store.putIfAbsent('reports/2026-W47/sent/ceo@example.com.json', '{}');

    expect(created).toBe(false);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'PUT', path: '/lake/reports/2026-W47/sent/ceo%40example.com.json', headers: { 'if-none-match': '*' } });
  });

  it('answers true when the create-only PUT succeeds', async () => {
    const { store } = stubbedS3([ok()], 3);

    expect(await store.putIfAbsent('reports/2026-W47/sent/ceo@example.com.json', '{}')).toBe(true);
  });

  it('reads a NoSuchKey error body as NotFoundError, and a 404 to HEAD as "no object"', async () => {
    const { store } = stubbedS3([{ status: 404, body: errorXml('NoSuchKey', 'The specified key does not exist.') }], 3);
    const { store: headStore } = stubbedS3([{ status: 404 }], 3);

    await expect(store.getBytes('orders/data.parquet')).rejects.toBeInstanceOf(NotFoundError);
    expect(await headStore.head('orders/data.parquet')).toBeUndefined();
  });
});

describe('S3ObjectStore reading SDK errors and sending commands', () => {
  function mockedStore(options: { maxKeys?: number } = {}) {
    const client = new S3Client({ region: 'eu-central-1', credentials });
    return { store: new S3ObjectStore(client, { bucket: 'ltv-lake', prefix: 'lake', ...options }), s3: mockClient(client) };
  }

  it('turns NoSuchKey into a NotFoundError naming the store and the key', async () => {
    const { store, s3 } = mockedStore();
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));

    const err = await store.get('orders/data.parquet').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ location: 's3://ltv-lake/lake', key: 'orders/data.parquet' });
  });

  it('reads 409 ConditionalRequestConflict on a create-only PUT as "not created by this caller"', async () => {
    const { store, s3 } = mockedStore();
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'ConditionalRequestConflict',
        $fault: 'client',
        message: 'A conflicting operation occurred. If using PutObject you can retry the request.',
        $metadata: { httpStatusCode: 409 },
      }),
    );

    expect(await store.putIfAbsent('reports/2026-W47/sent/ceo@example.com.json', '{}')).toBe(false);
  });

  it('lists page after page with the store prefix, the configured MaxKeys and each continuation token', async () => {
    const { store, s3 } = mockedStore({ maxKeys: 2 });
    const entry = (key: string) => ({ Key: `lake/${key}`, Size: 1, ETag: '"e"', LastModified: new Date('2026-11-23T10:00:00Z') });
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined })
      .resolves({ IsTruncated: true, NextContinuationToken: 'page-2', Contents: [entry('orders/a.parquet'), entry('orders/b.parquet')] })
      .on(ListObjectsV2Command, { ContinuationToken: 'page-2' })
      .resolves({ IsTruncated: false, Contents: [entry('orders/c.parquet')] });

    const keys = (await listAll(store, 'orders/')).map((o) => o.key);

    expect(keys).toEqual(['orders/a.parquet', 'orders/b.parquet', 'orders/c.parquet']);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'ltv-lake', Prefix: 'lake/orders/', MaxKeys: 2, ContinuationToken: undefined },
      { Bucket: 'ltv-lake', Prefix: 'lake/orders/', MaxKeys: 2, ContinuationToken: 'page-2' },
    ]);
  });

  it('stops with an error, not an endless loop, when a truncated page has no continuation token', async () => {
    const { store, s3 } = mockedStore();
    s3.on(ListObjectsV2Command).resolves({ IsTruncated: true, Contents: [] });

    await expect(listAll(store, '')).rejects.toThrow('s3://ltv-lake/lake/: cannot list: a truncated page came without a continuation token');
  });
});
