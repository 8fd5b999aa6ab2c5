import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmlOutbox, outboxFileName } from '../../functions/mail/emlOutbox.ts';
import { buildMime } from '../../functions/mail/message.ts';
import { messageIdOf } from '../../functions/mail/rawMessage.ts';
import { FIXED_DATE, sampleEmail } from './sampleEmail.ts';

describe('EmlOutbox', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'ltv-outbox-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes the raw message byte for byte into a folder it creates, and returns its Message-ID', async () => {
    // Arrange
    const raw = await buildMime(sampleEmail(), { date: FIXED_DATE, messageId: '<ltv-pulse.2026-W03@example.com>' });
    const outbox = new EmlOutbox(path.join(root, 'not', 'yet', 'there'));

    // Act
    const result = await outbox.send({ raw, from: 'reports@example.com', to: ['cfo@example.com'], idempotencyKey: '2026-W03-cfo@example.com' });

    // Assess
    expect(result).toEqual({ messageId: '<ltv-pulse.2026-W03@example.com>', accepted: ['cfo@example.com'] });
    const file = path.join(root, 'not', 'yet', 'there', '2026-W03-cfo@example.com.eml');
    expect((await readFile(file)).equals(raw)).toBe(true);
    expect(await readdir(path.dirname(file))).toEqual(['2026-W03-cfo@example.com.eml']);
  });

  it('replaces the file when the same key is sent again', async () => {
    // Arrange
    const outbox = new EmlOutbox(root);
    const first = await buildMime(sampleEmail(), { date: FIXED_DATE });
    const second = await buildMime(sampleEmail({ subject: 'corrected' }), { date: FIXED_DATE });

    // Act
    await outbox.send({ raw: first, from: 'reports@example.com', to: ['cfo@example.com'], idempotencyKey: 'k' });
    await outbox.send({ raw: second, from: 'reports@example.com', to: ['cfo@example.com'], idempotencyKey: 'k' });

    // Assess: one file, the second message, no temp files left behind.
    expect(await readdir(root)).toEqual(['k.eml']);
    expect((await readFile(path.join(root, 'k.eml'))).equals(second)).toBe(true);
  });

  it('refuses a message without a Message-ID and writes nothing', async () => {
    // Arrange
    const outbox = new EmlOutbox(root);
    const raw = Buffer.from('Subject: hi\r\n\r\nMessage-ID: <in-the-body@example.com>\r\n');

    // Act / Assess
    await expect(outbox.send({ raw, from: 'a@example.com', to: ['b@example.com'], idempotencyKey: 'k' })).rejects.toThrow(/has no Message-ID header/);
    expect(await readdir(root)).toEqual([]);
  });
});

describe('outboxFileName', () => {
  it('keeps a key that is already a safe file name', () => {
    expect(outboxFileName('2026-W03-cfo+weekly@example.com')).toBe('2026-W03-cfo+weekly@example.com.eml');
  });

  it.each(['../../etc/passwd', '..', '/abs/path', 'a\\b', 'week 3: cfo', 'C:\\x', '.hidden', 'x'.repeat(300), 'jürgen@example.com'])(
    'turns %j into one plain file name with a hash suffix',
    (key) => {
      const name = outboxFileName(key);
      expect(name).toMatch(/^[A-Za-z0-9_@+=-][A-Za-z0-9._@+=-]*-[0-9a-f]{12}\.eml$/);
      expect(name.length).toBeLessThanOrEqual(130);
      expect(path.basename(name)).toBe(name);
    },
  );

  it('gives different files to keys that clean up to the same text', () => {
    expect(outboxFileName('a/b')).not.toBe(outboxFileName('a:b'));
  });

  it('refuses an empty key', () => {
    expect(() => outboxFileName('')).toThrow(/idempotencyKey is empty/);
  });
});

describe('messageIdOf', () => {
  it('reads a folded header and ignores the body', () => {
    const raw = Buffer.from('Subject: x\r\nMessage-ID:\r\n <folded@example.com>\r\n\r\nMessage-ID: <body@example.com>\r\n');
    expect(messageIdOf(raw)).toBe('<folded@example.com>');
  });
});
