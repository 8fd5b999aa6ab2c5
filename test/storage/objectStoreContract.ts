// The behaviour every ObjectStore adapter promises, written once and run against each adapter
// (test/storage/*.test.ts). The pipeline relies on exactly these properties.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { listAll, NotFoundError, type ObjectStore } from '../../functions/storage/objectStore.ts';

/**
 * Behaviour of real S3 that a test server is known not to reproduce (see docs/storage.md). The
 * specification still runs and is expected to fail, so a server that gains the behaviour is noticed.
 */
export type KnownGap = 'conditional-put' | 'byte-order-listing';

export interface ContractOptions {
  knownGaps?: readonly KnownGap[];
}

const MiB = 1024 * 1024;
/** Larger than two S3 parts of the test factories' 5 MiB, so a streamed put is a multipart upload. */
export const STREAMED_SIZE = 12 * MiB;

/** S3 lists keys in the order of their UTF-8 bytes. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Deterministic, incompressible-looking bytes, produced in chunks as a file read would be. */
export function* pseudoRandomChunks(size: number, chunkSize = 256 * 1024): Generator<Buffer> {
  let state = 0x9e3779b9;
  for (let offset = 0; offset < size; offset += chunkSize) {
    const length = Math.min(chunkSize, size - offset);
    const words = new Uint32Array(Math.ceil(length / 4));
    for (let i = 0; i < words.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      words[i] = state >>> 0;
    }
    yield Buffer.from(words.buffer, 0, length);
  }
}

function sha256Of(chunks: Iterable<Buffer>): string {
  const hash = createHash('sha256');
  for (const c of chunks) hash.update(c);
  return hash.digest('hex');
}

async function sha256OfStream(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    hash.update(bytes);
    size += bytes.length;
  }
  return { digest: hash.digest('hex'), size };
}

async function keysOf(store: ObjectStore, prefix: string): Promise<string[]> {
  return (await listAll(store, prefix)).map((o) => o.key);
}

/**
 * @param name what the stores are, in test titles
 * @param openEmptyStore a new store holding no objects, for one test
 */
export function describeObjectStoreContract(name: string, openEmptyStore: () => Promise<ObjectStore>, options: ContractOptions = {}): void {
  /** A specification that a server with the given gap is expected to fail. */
  const specification = (title: string, gap: KnownGap, body: () => Promise<void>) =>
    options.knownGaps?.includes(gap)
      ? it.fails(`${title} [known gap of this server: expected to fail]`, body)
      : it(title, body);

  describe(`${name}: the ObjectStore contract`, () => {
    it('starts empty', async () => {
      const store = await openEmptyStore();

      expect(await keysOf(store, '')).toEqual([]);
    });

    it('returns a stored string as its UTF-8 bytes', async () => {
      const store = await openEmptyStore();
      const text = 'customer_id,amount\nc-1,12.50 €\n';

      await store.put('notes/hello.csv', text, 'text/csv');

      expect(await store.getBytes('notes/hello.csv')).toEqual(Buffer.from(text, 'utf8'));
    });

    it('returns a stored Buffer byte for byte, through get() as a stream too', async () => {
      const store = await openEmptyStore();
      const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));

      await store.put('bin/all-bytes.bin', bytes);

      expect(await store.getBytes('bin/all-bytes.bin')).toEqual(bytes);
      expect(await sha256OfStream(await store.get('bin/all-bytes.bin'))).toEqual({ digest: sha256Of([bytes]), size: bytes.length });
    });

    it(`streams a body of ${STREAMED_SIZE / MiB} MiB in and out unchanged`, async () => {
      const store = await openEmptyStore();

      await store.put('lake/orders/data_0.parquet', Readable.from(pseudoRandomChunks(STREAMED_SIZE)), 'application/vnd.apache.parquet');

      expect(await sha256OfStream(await store.get('lake/orders/data_0.parquet'))).toEqual({
        digest: sha256Of(pseudoRandomChunks(STREAMED_SIZE)),
        size: STREAMED_SIZE,
      });
      expect((await store.head('lake/orders/data_0.parquet'))?.size).toBe(STREAMED_SIZE);
    });

    it('stores a streamed body shorter than one upload part', async () => {
      const store = await openEmptyStore();

      await store.put('small/stream.txt', Readable.from([Buffer.from('hello, '), Buffer.from('stream')]));

      expect((await store.getBytes('small/stream.txt')).toString('utf8')).toBe('hello, stream');
    });

    it('keeps the previous content when a streamed body fails part-way', async () => {
      const store = await openEmptyStore();
      await store.put('lake/customers/data.parquet', 'previous');
      function* failing(): Generator<Buffer> {
        yield* pseudoRandomChunks(6 * MiB);
        throw new Error('export connection reset');
      }

      await expect(store.put('lake/customers/data.parquet', Readable.from(failing()))).rejects.toThrow(/export connection reset/);

      expect((await store.getBytes('lake/customers/data.parquet')).toString('utf8')).toBe('previous');
      expect(await keysOf(store, '')).toEqual(['lake/customers/data.parquet']);
    });

    it('replaces the content of an existing key on put', async () => {
      const store = await openEmptyStore();
      await store.put('reports/2026-W47/report.json', '{"version":1}');

      await store.put('reports/2026-W47/report.json', '{"version":2}');

      expect((await store.getBytes('reports/2026-W47/report.json')).toString('utf8')).toBe('{"version":2}');
    });

    it('rejects reads of a missing key with a NotFoundError naming the key', async () => {
      const store = await openEmptyStore();

      const viaBytes = await store.getBytes('nothing/here.csv').catch((err: unknown) => err);
      const viaStream = await store.get('nothing/here.csv').catch((err: unknown) => err);

      for (const err of [viaBytes, viaStream]) {
        expect(err).toBeInstanceOf(NotFoundError);
        expect(err).toMatchObject({ key: 'nothing/here.csv', location: store.location });
      }
    });

    it('describes an object with head: size, an unquoted ETag that follows the content, and the time it was written', async () => {
      const store = await openEmptyStore();
      // S3 keeps Last-Modified in whole seconds.
      const before = Date.now() - 1000;

      await store.put('exports/orders.csv', 'order_id\no-1\n');
      const first = await store.head('exports/orders.csv');
      await store.put('exports/orders.csv', 'order_id\no-1\no-€\n');
      const second = await store.head('exports/orders.csv');

      expect(first).toMatchObject({ key: 'exports/orders.csv', size: 13 });
      // Bytes, not characters: '€' is three bytes in UTF-8.
      expect(second).toMatchObject({ key: 'exports/orders.csv', size: 19 });
      expect(first?.etag).toMatch(/^[^"]+$/);
      expect(second?.etag).not.toBe(first?.etag);
      expect(second?.lastModified.getTime()).toBeGreaterThanOrEqual(before);
      expect(second?.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('answers head of a missing key with undefined', async () => {
      const store = await openEmptyStore();

      expect(await store.head('reports/2026-W47/sent/ceo@example.com.json')).toBeUndefined();
    });

    it('creates a key with putIfAbsent', async () => {
      const store = await openEmptyStore();

      const created = await store.putIfAbsent('reports/2026-W47/sent/ceo@example.com.json', '{"run":"first"}', 'application/json');

      expect(created).toBe(true);
      expect((await store.getBytes('reports/2026-W47/sent/ceo@example.com.json')).toString('utf8')).toBe('{"run":"first"}');
    });

    specification('refuses putIfAbsent on an existing key and keeps the original content', 'conditional-put', async () => {
      const store = await openEmptyStore();
      const key = 'reports/2026-W47/sent/ceo@example.com.json';
      await store.putIfAbsent(key, '{"run":"first"}');

      const again = await store.putIfAbsent(key, '{"run":"second"}');

      expect(again).toBe(false);
      expect((await store.getBytes(key)).toString('utf8')).toBe('{"run":"first"}');
    });

    it('lists every object under a prefix across many pages, in key order, with sizes', async () => {
      const store = await openEmptyStore();
      const wanted = Array.from({ length: 25 }, (_, i) => `many/key-${String(i).padStart(2, '0')}.csv`);
      // Written out of order, so the order of the listing is the store's doing.
      for (const key of [...wanted].reverse()) await store.put(key, key);
      for (const other of ['many.csv', 'manyx/1.csv', 'other/1.csv']) await store.put(other, other);

      const listed = await listAll(store, 'many/');

      expect(listed.map((o) => o.key)).toEqual(wanted);
      expect(listed.map((o) => o.size)).toEqual(wanted.map((k) => Buffer.byteLength(k)));
      expect(await keysOf(store, 'many')).toEqual(['many.csv', ...wanted, 'manyx/1.csv']);
      expect(await keysOf(store, '')).toEqual(['many.csv', ...wanted, 'manyx/1.csv', 'other/1.csv']);
      expect(await keysOf(store, 'none/')).toEqual([]);
    });

    specification('lists keys in the byte order of their UTF-8 encoding, as S3 does, across pages', 'byte-order-listing', async () => {
      const store = await openEmptyStore();
      const names = ['Zeta', 'alpha', 'alpha beta', 'alpha-2', 'alpha=1', 'alpha0', 'Beta', '_tmp', 'éclair', '日本', '2026', 'a+b'];
      const keys = names.map((n) => `order/${n}.txt`);
      for (const key of keys) await store.put(key, 'x');

      expect(await keysOf(store, 'order/')).toEqual([...keys].sort(byteOrder));
    });

    it('deletes an object, and deleting a missing key is not an error', async () => {
      const store = await openEmptyStore();
      await store.put('lake/_rejects/orders.csv.rejects.csv', 'line,field\n');
      await store.put('lake/_rejects/customers.csv.rejects.csv', 'line,field\n');

      await store.delete('lake/_rejects/orders.csv.rejects.csv');
      await store.delete('lake/_rejects/orders.csv.rejects.csv');
      await store.delete('lake/_rejects/never-written.csv');

      expect(await store.head('lake/_rejects/orders.csv.rejects.csv')).toBeUndefined();
      await expect(store.getBytes('lake/_rejects/orders.csv.rejects.csv')).rejects.toBeInstanceOf(NotFoundError);
      expect(await keysOf(store, 'lake/')).toEqual(['lake/_rejects/customers.csv.rejects.csv']);
    });

    it('takes keys with spaces, non-ASCII letters, "=", "+", "%" and "@" as they are', async () => {
      const store = await openEmptyStore();
      const keys = [
        'orders/order_month=2026-11/part-0.parquet',
        'exports/Q4 revenue (final).csv',
        'exports/売上 2026-11.csv',
        'exports/café+bar.csv',
        'exports/100%25 literal.csv',
        'reports/2026-W47/sent/ceo@example.com.json',
      ];

      for (const key of keys) await store.put(key, `content of ${key}`);

      for (const key of keys) {
        expect((await store.getBytes(key)).toString('utf8')).toBe(`content of ${key}`);
        expect((await store.head(key))?.size).toBe(Buffer.byteLength(`content of ${key}`));
      }
      // Which keys, not their order: ordering has its own specification above.
      expect((await keysOf(store, '')).sort(byteOrder)).toEqual([...keys].sort(byteOrder));
      expect(await keysOf(store, 'orders/order_month=2026-11/')).toEqual(['orders/order_month=2026-11/part-0.parquet']);
    });
  });
}
