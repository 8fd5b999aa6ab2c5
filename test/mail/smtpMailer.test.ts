import { createServer, type AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryInDoubtError } from '../../functions/mail/mailer.ts';
import { buildMime } from '../../functions/mail/message.ts';
import { SmtpMailer, SmtpRecipientsRejectedError } from '../../functions/mail/smtpMailer.ts';
import { CHART_PNG, FIXED_DATE, sampleEmail } from './sampleEmail.ts';
import { startSmtpCapture, type SmtpCapture } from './smtpCapture.ts';

// A real SMTP server in the test process: what arrives is what a relay would get.
describe('SmtpMailer against a real SMTP server', () => {
  let smtp: SmtpCapture;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
  });

  afterAll(async () => {
    await smtp.close();
  });

  beforeEach(() => {
    smtp.received.length = 0;
  });

  it('delivers the exact bytes, and the parsed message keeps subject, both parts and the inline chart', async () => {
    // Arrange
    const email = sampleEmail();
    const raw = await buildMime(email, { date: FIXED_DATE, messageId: '<ltv-pulse.2026-W03@example.com>' });
    const mailer = new SmtpMailer({ host: '127.0.0.1', port: smtp.port, secure: false });

    // Act
    const result = await mailer.send({ raw, from: 'bounces@example.com', to: ['cfo@example.com'], idempotencyKey: '2026-W03-cfo@example.com' });

    // Assess: the envelope decides the recipient, the bytes arrive unchanged.
    expect(result).toEqual({ messageId: '<ltv-pulse.2026-W03@example.com>', accepted: ['cfo@example.com'] });
    expect(smtp.received).toHaveLength(1);
    const [got] = smtp.received;
    expect(got?.from).toBe('bounces@example.com');
    expect(got?.to).toEqual(['cfo@example.com']);
    expect(got?.raw.equals(raw)).toBe(true);

    const parsed = await simpleParser(got!.raw, { keepCidLinks: true });
    expect(parsed.subject).toBe(email.subject);
    expect(parsed.text).toBe(email.text.replace(/\r\n/g, '\n'));
    expect(parsed.html).toContain('<img src="cid:chart-clv@ltv-pulse" alt="CLV trend">');
    const chart = parsed.attachments.find((a) => a.cid === 'chart-clv@ltv-pulse');
    expect(chart?.contentType).toBe('image/png');
    expect(chart?.related).toBe(true);
    expect(chart?.content.equals(CHART_PNG)).toBe(true);
  });

  it('says which recipient the server refused and what it said', async () => {
    // Arrange
    const raw = await buildMime(sampleEmail(), { date: FIXED_DATE });
    const mailer = new SmtpMailer({ host: '127.0.0.1', port: smtp.port, secure: false });

    // Act
    const sending = mailer.send({ raw, from: 'reports@example.com', to: ['nobody@example.com'], idempotencyKey: 'k' });

    // Assess
    await expect(sending).rejects.toThrow(SmtpRecipientsRejectedError);
    await expect(sending).rejects.toThrow(/refused recipient nobody@example\.com \(server said: 550 5\.1\.1 Mailbox nobody unknown\)/);
    expect(smtp.received).toHaveLength(0);
  });

  it('when only some recipients are refused, names them and the ones that did get the message', async () => {
    // Arrange
    const raw = await buildMime(sampleEmail(), { date: FIXED_DATE });
    const mailer = new SmtpMailer({ host: '127.0.0.1', port: smtp.port, secure: false });

    // Act
    const error = await mailer.send({ raw, from: 'reports@example.com', to: ['cfo@example.com', 'nobody@example.com'], idempotencyKey: 'k' }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(SmtpRecipientsRejectedError);
    const rejection = error as SmtpRecipientsRejectedError;
    expect(rejection.rejected).toEqual([{ recipient: 'nobody@example.com', response: '550 5.1.1 Mailbox nobody unknown' }]);
    expect(rejection.accepted).toEqual(['cfo@example.com']);
    expect(rejection.message).toMatch(/delivered to cfo@example\.com, do not resend to them/);
    expect(smtp.received.map((r) => r.to)).toEqual([['cfo@example.com']]);
  });

  it('refuses an envelope address that would inject an SMTP command, before connecting', async () => {
    // Arrange
    const raw = await buildMime(sampleEmail(), { date: FIXED_DATE });
    const mailer = new SmtpMailer({ host: '127.0.0.1', port: smtp.port, secure: false });

    // Act / Assess
    await expect(mailer.send({ raw, from: 'reports@example.com', to: ['cfo@example.com>\r\nRCPT TO:<x@evil.test'], idempotencyKey: 'k' })).rejects.toThrow(
      /^envelope to\[0\] contains a line break/,
    );
    expect(smtp.received).toHaveLength(0);
  });
});

describe('SmtpMailer with a server that requires a login', () => {
  let server: SMTPServer;
  let port: number;
  const users: string[] = [];

  beforeAll(async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      // Plain-text AUTH is acceptable on loopback only; the adapter insists on TLS elsewhere.
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'ltv' && auth.password === 'right') callback(null, { user: auth.username });
        else callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      },
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          users.push(String(session.user));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(resolve));
  });

  it('logs in with user and password', async () => {
    const raw = await buildMime(sampleEmail(), { date: FIXED_DATE });
    await new SmtpMailer({ host: '127.0.0.1', port, secure: false, user: 'ltv', password: 'right' }).send({ raw, from: 'reports@example.com', to: ['cfo@example.com'], idempotencyKey: 'k' });
    expect(users).toEqual(['ltv']);
  });

  it('points at the credentials when the login is refused', async () => {
    const raw = await buildMime(sampleEmail(), { date: FIXED_DATE });
    await expect(
      new SmtpMailer({ host: '127.0.0.1', port, secure: false, user: 'ltv', password: 'wrong' }).send({ raw, from: 'reports@example.com', to: ['cfo@example.com'], idempotencyKey: 'k' }),
    ).rejects.toThrow(/535 5\.7\.8 Authentication credentials invalid.*check mail\.user and mail\.password/);
  });
});

describe('SmtpMailer configuration and connection errors', () => {
  it.each([
    [{ host: '', port: 25, secure: false }, /SMTP mail options are invalid: host:/],
    [{ host: 'smtp.example.com', port: 0, secure: false }, /SMTP mail options are invalid: port:/],
    [{ host: 'smtp.example.com', port: 587, secure: false, password: 'secret' }, /user: set both user and password for SMTP authentication, or neither/],
  ])('rejects %j with a message naming the option', (options, message) => {
    expect(() => new SmtpMailer(options)).toThrow(message);
  });

  it('treats empty user and password as no login', () => {
    expect(new SmtpMailer({ host: 'smtp.example.com', port: 587, secure: false, user: '', password: '' }).kind).toBe('smtp');
  });

  it('names the server and suggests a fix when nothing listens', async () => {
    // Arrange: a port that was free a moment ago.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const raw = await buildMime(sampleEmail(), { date: FIXED_DATE });

    // Act / Assess
    await expect(new SmtpMailer({ host: '127.0.0.1', port, secure: false }).send({ raw, from: 'reports@example.com', to: ['cfo@example.com'], idempotencyKey: 'k' })).rejects.toThrow(
      new RegExp(`could not send to cfo@example\\.com via SMTP server 127\\.0\\.0\\.1:${port}: .*check mail\\.host and mail\\.port`),
    );
  });
});

describe('SmtpMailer with a server that does not answer', () => {
  const raw = () => buildMime(sampleEmail(), { date: FIXED_DATE });

  it('gives up after mail.timeoutSeconds on a server that never greets, naming it: a certain failure', async () => {
    // Prepare: a TCP server that accepts and says nothing
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;

    // Act
    const err = await new SmtpMailer({ host: '127.0.0.1', port, timeoutSeconds: 0.5 })
      .send({ raw: await raw(), from: 'reports@example.com', to: ['cfo@example.com'], idempotencyKey: 'k' })
      .catch((e: unknown) => e);
    await new Promise<void>((resolve) => silent.close(() => resolve()));

    // Assess
    expect(err).not.toBeInstanceOf(DeliveryInDoubtError);
    expect((err as Error).message).toBe(`could not send to cfo@example.com via SMTP server 127.0.0.1:${port}: Greeting never received (the server did not answer in time: check mail.host, mail.port and firewalls)`);
  });

  it('calls a message whose end of DATA is never answered in doubt: the server may have it', async () => {
    // Prepare
    const stalling = await startSmtpCapture({ stallFor: () => true });

    // Act
    const err = await new SmtpMailer({ host: '127.0.0.1', port: stalling.port, timeoutSeconds: 0.5 })
      .send({ raw: await raw(), from: 'reports@example.com', to: ['cfo@example.com'], idempotencyKey: 'k' })
      .catch((e: unknown) => e);
    await stalling.close();

    // Assess
    expect(err).toBeInstanceOf(DeliveryInDoubtError);
    expect((err as Error).message).toBe(`the SMTP server 127.0.0.1:${stalling.port} stopped answering while the message to cfo@example.com was under way (Timeout); it may have arrived`);
  });
});
