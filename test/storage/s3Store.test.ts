// S3ObjectStore against a real S3-compatible HTTP server: fauxqs, in this process, in memory,
// on 127.0.0.1 and a free port. docs/storage.md says why fauxqs and what it does not reproduce.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAll } from '../../functions/storage/objectStore.ts';
import { objectStoreAt } from '../../functions/storage/openObjectStore.ts';
import { MIN_PART_SIZE, S3ObjectStore, S3StoreError } from '../../functions/storage/s3Store.ts';
import { testS3Client } from './conditionalS3Server.ts';
import { describeObjectStoreContract, pseudoRandomChunks, STREAMED_SIZE } from './objectStoreContract.ts';

let server: ReturnType<typeof buildApp>;
let client: S3Client;
let buckets = 0;

beforeAll(async () => {
  server = buildApp({ logger: false });
  const endpoint = await server.listen({ port: 0, host: '127.0.0.1' });
  client = testS3Client(endpoint);
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
});

async function newBucket(): Promise<string> {
  const bucket = `ltv-test-${++buckets}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** The smallest part size S3 allows and a page size of 10, so the contract's bodies and listings span several of each. */
const testing = { partSize: MIN_PART_SIZE, maxKeys: 10 };

// fauxqs ignores If-None-Match on PUT, and sorts listings with localeCompare instead of by bytes
// (which also makes it skip keys between pages when the two orders differ).
const knownGaps = ['conditional-put', 'byte-order-listing'] as const;

describeObjectStoreContract('S3ObjectStore on a whole bucket', async () => new S3ObjectStore(client, { bucket: await newBucket(), ...testing }), {
  knownGaps,
});

describeObjectStoreContract(
  'S3ObjectStore under a key prefix, beside neighbours',
  async () => {
    const bucket = await newBucket();
    // Keys a careless prefix match would take for the store's own.
    for (const neighbour of ['tenants/acme-old/orders.csv', 'tenants/acme.csv', 'tenants/other/orders.csv']) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: neighbour, Body: 'not yours' }));
    }
    return new S3ObjectStore(client, { bucket, prefix: 'tenants/acme', ...testing });
  },
  { knownGaps },
);

describe('S3ObjectStore specifics', () => {
  it('names its location s3://bucket/prefix and keeps keys relative to the prefix', async () => {
    const bucket = await newBucket();
    const store = new S3ObjectStore(client, { bucket, prefix: 'tenants/acme/', ...testing });

    await store.put('lake/customers/data.parquet', 'rows');

    expect(store.location).toBe(`s3://${bucket}/tenants/acme`);
    expect((await listAll(store, '')).map((o) => o.key)).toEqual(['lake/customers/data.parquet']);
    expect((await listAll(new S3ObjectStore(client, { bucket }), '')).map((o) => o.key)).toEqual(['tenants/acme/lake/customers/data.parquet']);
  });

  it('uploads a streamed body larger than one part as a multipart upload', async () => {
    const store = new S3ObjectStore(client, { bucket: await newBucket(), ...testing });

    await store.put('big.bin', Readable.from(pseudoRandomChunks(STREAMED_SIZE)));

    // The ETag of a multipart object ends in the number of its parts.
    expect((await store.head('big.bin'))?.etag).toMatch(new RegExp(`-${Math.ceil(STREAMED_SIZE / MIN_PART_SIZE)}$`));
  });

  it('writes a Buffer or string with one PutObject, whose ETag is the MD5 of the content', async () => {
    const store = new S3ObjectStore(client, { bucket: await newBucket(), ...testing });

    await store.put('manifest.json', '{"rows":3}');

    expect((await store.head('manifest.json'))?.etag).toBe(createHash('md5').update('{"rows":3}').digest('hex'));
  });

  it('does not list the zero-byte folder objects the S3 console creates', async () => {
    const bucket = await newBucket();
    const store = new S3ObjectStore(client, { bucket, ...testing });
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'exports/', Body: Buffer.alloc(0) }));
    await store.put('exports/orders.csv', 'order_id\n');

    expect((await listAll(store, 'exports/')).map((o) => o.key)).toEqual(['exports/orders.csv']);
  });

  it('refuses an empty key and a key ending in "/", which S3 would take for a folder', async () => {
    const store = new S3ObjectStore(client, { bucket: await newBucket() });

    await expect(store.put('', 'x')).rejects.toThrow(/"" is not a valid storage key/);
    await expect(store.put('exports/', 'x')).rejects.toThrow(/"exports\/" is not a valid storage key/);
  });

  it('names the bucket, the key and the reason when the bucket does not exist', async () => {
    const store = new S3ObjectStore(client, { bucket: 'ltv-no-such-bucket', prefix: 'lake' });

    const written = await store.put('orders/data.parquet', 'x').catch((err: unknown) => err);
    const read = await store.getBytes('orders/data.parquet').catch((err: unknown) => err);

    expect(written).toBeInstanceOf(S3StoreError);
    expect(written).toMatchObject({
      code: 'NoSuchBucket',
      message: 's3://ltv-no-such-bucket/lake/orders/data.parquet: cannot write: the bucket does not exist (NoSuchBucket, HTTP 404)',
    });
    // A missing bucket is a misconfiguration, never "no such object".
    expect(read).toMatchObject({ name: 'S3StoreError', code: 'NoSuchBucket' });
  });

  it('is what objectStoreAt opens for an s3:// location', async () => {
    const bucket = await newBucket();

    const store = objectStoreAt(`s3://${bucket}/exports/crm`, { s3Client: client });
    await store.put('orders.csv', 'order_id\n');

    expect(store).toBeInstanceOf(S3ObjectStore);
    expect(store.location).toBe(`s3://${bucket}/exports/crm`);
    expect(await new S3ObjectStore(client, { bucket }).head('exports/crm/orders.csv')).toMatchObject({ size: 9 });
  });

  it('refuses a part size below S3 minimum and a page size above its maximum', () => {
    expect(() => new S3ObjectStore(client, { bucket: 'ltv-lake', partSize: MIN_PART_SIZE - 1 })).toThrow(/partSize .* at least 5242880/);
    expect(() => new S3ObjectStore(client, { bucket: 'ltv-lake', maxKeys: 1001 })).toThrow(/maxKeys must be a whole number from 1 to 1000/);
  });
});
