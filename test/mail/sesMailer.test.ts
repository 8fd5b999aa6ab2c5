// The SES adapter against a mocked SES (aws-sdk-client-mock): the bytes it hands to SES are the
// .eml bytes, recipients come only from the envelope, throttling is retried with backoff and a
// rejection is not.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MessageRejected, SESClient, SESServiceException, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { EmlOutbox } from '../../functions/mail/emlOutbox.ts';
import { DeliveryInDoubtError } from '../../functions/mail/mailer.ts';
import { buildMime } from '../../functions/mail/message.ts';
import { createSesClient, SesMailer, SesMessageRejectedError } from '../../functions/mail/sesMailer.ts';
import { FIXED_DATE, sampleEmail } from './sampleEmail.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

function harness(options: { configurationSet?: string } = {}) {
  const client = new SESClient({ region: 'eu-west-1', credentials });
  const sleeps: number[] = [];
  const mailer = new SesMailer({
    client,
    ...options,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
  return { mailer, ses: mockClient(client), sleeps };
}

function throttling(message: string): SESServiceException {
  return new SESServiceException({ name: 'Throttling', $fault: 'client', message, $metadata: { httpStatusCode: 400 } });
}

const message = async () => ({
  raw: await buildMime(sampleEmail(), { date: FIXED_DATE, messageId: '<ltv-pulse.2026-W03@example.com>' }),
  from: 'reports@example.com',
  to: ['cfo@example.com'],
  idempotencyKey: '2026-W03-cfo@example.com',
});

describe('SesMailer', () => {
  it('sends exactly the bytes the .eml outbox writes, to the envelope recipients, in the configuration set', async () => {
    // Prepare
    const { mailer, ses } = harness({ configurationSet: 'ltv-pulse' });
    ses.on(SendRawEmailCommand).resolves({ MessageId: '0102019a-ses-id-000000' });
    const root = await mkdtemp(path.join(tmpdir(), 'ltv-ses-'));
    const outbox = new EmlOutbox(root);
    const mail = await message();

    try {
      // Act: the same message through both adapters
      await outbox.send(mail);
      const result = await mailer.send(mail);

      // Assess: the To header lists two people, but only the envelope recipient is a destination
      const input = ses.commandCalls(SendRawEmailCommand)[0]!.args[0].input;
      const written = await readFile(outbox.fileFor(mail.idempotencyKey));
      expect(Buffer.from(input.RawMessage!.Data!).equals(written)).toBe(true);
      expect(input).toMatchObject({ Source: 'reports@example.com', Destinations: ['cfo@example.com'], ConfigurationSetName: 'ltv-pulse' });
      expect(result).toEqual({ messageId: '0102019a-ses-id-000000', accepted: ['cfo@example.com'] });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('leaves the configuration set out when none is configured', async () => {
    // Prepare
    const { mailer, ses } = harness();
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'id-1' });

    // Act
    await mailer.send(await message());

    // Assess
    expect(ses.commandCalls(SendRawEmailCommand)[0]!.args[0].input).not.toHaveProperty('ConfigurationSetName');
  });

  it('retries throttling with exponential backoff and jitter, then sends once', async () => {
    // Prepare
    const { mailer, ses, sleeps } = harness();
    ses
      .on(SendRawEmailCommand)
      .rejectsOnce(throttling('Maximum sending rate exceeded.'))
      .rejectsOnce(new SESServiceException({ name: 'MaxSendingRateExceeded', $fault: 'client', message: 'slow down', $metadata: {} }))
      .resolves({ MessageId: 'id-1' });

    // Act
    const result = await mailer.send(await message());

    // Assess: full jitter (random 0.5) over 1 s, then 2 s
    expect(result.messageId).toBe('id-1');
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('gives up on throttling that does not pass, saying how often it tried', async () => {
    // Prepare
    const { mailer, ses } = harness();
    ses.on(SendRawEmailCommand).rejects(throttling('Maximum sending rate exceeded.'));

    // Act / Assess
    await expect(mailer.send(await message())).rejects.toThrow(
      'could not send to cfo@example.com via SES: Maximum sending rate exceeded. (Throttling); gave up after 6 attempts',
    );
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(6);
  });

  it('does not retry a used-up daily quota, which waiting does not cure', async () => {
    // Prepare
    const { mailer, ses } = harness();
    ses.on(SendRawEmailCommand).rejects(throttling('Daily message quota exceeded.'));

    // Act / Assess
    await expect(mailer.send(await message())).rejects.toThrow(/Daily message quota exceeded\. \(Throttling\) \(the 24-hour sending quota is used up/);
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(1);
  });

  it('turns MessageRejected into a clear error, without retrying', async () => {
    // Prepare
    const { mailer, ses } = harness();
    ses.on(SendRawEmailCommand).rejects(new MessageRejected({ message: 'Email address is not verified. The following identities failed the check in region EU-WEST-1: cfo@example.com', $metadata: { httpStatusCode: 400 } }));

    // Act
    const err = await mailer.send(await message()).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(SesMessageRejectedError);
    expect((err as Error).message).toBe(
      'SES rejected the message to cfo@example.com: Email address is not verified. The following identities failed the check in region EU-WEST-1: cfo@example.com; it was not sent and will not be retried',
    );
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(1);
  });

  it.each([
    ['a request that timed out', Object.assign(new Error('Connection timed out after 60000 ms'), { name: 'TimeoutError' })],
    ['a connection reset mid-request', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('calls %s in doubt, without retrying: SES may have sent it', async (_, fault) => {
    // Prepare
    const { mailer, ses } = harness();
    ses.on(SendRawEmailCommand).rejects(fault);

    // Act
    const err = await mailer.send(await message()).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(DeliveryInDoubtError);
    expect((err as Error).message).toBe(`SES did not answer the request to send to cfo@example.com (${fault.message}); it may have been sent`);
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(1);
  });

  it('bounds each request by mail.timeoutSeconds', async () => {
    // Act
    const client = createSesClient('eu-west-1', 7);

    // Assess
    const handler = client.config.requestHandler as unknown as { configProvider: Promise<{ requestTimeout: number; connectionTimeout: number }> };
    expect(await handler.configProvider).toMatchObject({ requestTimeout: 7000, connectionTimeout: 7000 });
  });

  it('refuses an envelope address with a line break before anything reaches SES', async () => {
    // Prepare
    const { mailer, ses } = harness();

    // Act / Assess
    await expect(mailer.send({ ...(await message()), to: ['cfo@example.com\r\nbcc@evil.example'] })).rejects.toThrow(/envelope to\[0\] contains a line break/);
    await expect(mailer.send({ ...(await message()), to: [] })).rejects.toThrow(/no envelope recipients/);
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(0);
  });
});
