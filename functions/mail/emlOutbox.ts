// Local mail adapter: each message becomes an .eml file that any mail client opens, so a local
// run shows exactly what executives would receive without a mail server.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { MailToSend, Mailer, SendResult } from './mailer.ts';
import { messageIdOf } from './rawMessage.ts';

// Characters that are safe in file names on Linux, macOS and Windows; '@' and '+' are kept
// because keys usually contain a recipient address.
const SAFE_NAME = /^[A-Za-z0-9_@+=-][A-Za-z0-9._@+=-]{0,119}$/;

/**
 * The file name for an idempotency key. A key that is already safe is used as is; any other key
 * is cleaned and gets a hash suffix, so two keys that clean to the same text still get two files.
 */
export function outboxFileName(idempotencyKey: string): string {
  if (idempotencyKey === '') throw new Error('idempotencyKey is empty; the outbox needs it to name the file');
  if (SAFE_NAME.test(idempotencyKey)) return `${idempotencyKey}.eml`;
  const cleaned = idempotencyKey.replace(/[^A-Za-z0-9._@+=-]+/g, '_').replace(/^\.+/, '').slice(0, 100);
  const hash = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 12);
  return `${cleaned || 'message'}-${hash}.eml`;
}

export class EmlOutbox implements Mailer {
  readonly kind = 'eml';

  constructor(readonly dir: string) {}

  fileFor(idempotencyKey: string): string {
    return path.join(this.dir, outboxFileName(idempotencyKey));
  }

  /** Sending the same key again replaces the file: the outbox holds the latest version. */
  async send(message: MailToSend): Promise<SendResult> {
    if (message.to.length === 0) throw new Error('no recipients given; nothing to put in the outbox');
    const messageId = messageIdOf(message.raw);
    if (messageId === undefined) throw new Error(`the message for ${message.to.join(', ')} has no Message-ID header; build it with buildMime`);
    const file = this.fileFor(message.idempotencyKey);
    await mkdir(this.dir, { recursive: true });
    await writeAtomically(file, message.raw);
    return { messageId, accepted: [...message.to] };
  }
}

// A reader (a mail client, the archive step) never sees half a message: write a temp file in the
// same folder, flush it to disk, then rename over the target in one step.
async function writeAtomically(file: string, bytes: Buffer): Promise<void> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw new Error(`could not write ${file}: ${(err as Error).message}`, { cause: err });
  }
}
