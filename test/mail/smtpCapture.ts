// A real SMTP server on 127.0.0.1 for tests: it keeps every message it receives, exactly as a
// relay would get it. Mailboxes named nobody@ do not exist, as on a real server.
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: Buffer;
}

export interface SmtpCapture {
  port: number;
  /** Messages in the order they arrived; tests may empty it between cases. */
  received: ReceivedMessage[];
  close(): Promise<void>;
}

export interface SmtpCaptureOptions {
  /** Take the message for these envelopes and never answer the end of DATA: a reply lost. */
  stallFor?: (to: string[]) => boolean;
  /** Told once a stalled message has been received whole. */
  onStalled?: () => void;
}

export async function startSmtpCapture(options: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const received: ReceivedMessage[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('nobody@')) {
        callback(Object.assign(new Error('5.1.1 Mailbox nobody unknown'), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (options.stallFor?.(session.envelope.rcptTo.map((r) => r.address))) {
          options.onStalled?.();
          return;
        }
        const mailFrom = session.envelope.mailFrom;
        received.push({
          from: mailFrom === false ? '' : mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  const sockets = new Set<Socket>();
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    // Connections a stalled message keeps open are cut, or close would wait for them.
    close: () => new Promise<void>((resolve) => {
      server.close(resolve);
      for (const socket of sockets) socket.destroy();
    }),
  };
}
