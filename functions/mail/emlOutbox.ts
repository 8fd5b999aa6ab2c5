// Local mail adapter: each message becomes an .eml file that any mail client opens.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { messageIdOf, type MailToSend, type Mailer, type SendResult } from './mailer.ts';

export class EmlOutbox implements Mailer {
  readonly kind = 'eml';

  constructor(readonly dir: string) {}

  fileFor(idempotencyKey: string): string {
    return path.join(this.dir, `${idempotencyKey.replace(/[^A-Za-z0-9._-]+/g, '_')}.eml`);
  }

  async send(message: MailToSend): Promise<SendResult> {
    await mkdir(this.dir, { recursive: true });
    const file = this.fileFor(message.idempotencyKey);
    const temp = `${file}.partial`;
    await writeFile(temp, message.raw);
    await rename(temp, file);
    return { messageId: messageIdOf(message.raw), accepted: message.to };
  }
}
