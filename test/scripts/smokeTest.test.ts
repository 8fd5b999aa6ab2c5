// The smoke test against a deployment stand-in: S3 is an S3-compatible server on 127.0.0.1 and
// the ingest is the real ingest handler, run when the upload lands (as its S3 notification
// would); CloudFormation, Lambda and CloudWatch have no local stand-in and are mocked.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as ingest } from '../../functions/handlers/ingestHandler.ts';
import { runSmokeTest, SMOKE_PREFIX, type SmokeStep } from '../../scripts/smokeTest.ts';
import { s3PutEvent } from '../handlers/lambdaEvents.ts';
import { startConditionalS3Server, type ConditionalS3Server } from '../storage/conditionalS3Server.ts';

const cloudFormation = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const cloudWatch = mockClient(CloudWatchClient);
const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:LtvPulse-OperationsTopic';
const NOW = new Date('2026-11-24T09:00:00Z');
let s3: ConditionalS3Server;
let deployments = 0;

beforeAll(async () => {
  s3 = await startConditionalS3Server();
});
afterAll(async () => {
  await s3?.close();
});
beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  cloudFormation.reset();
  lambda.reset();
  cloudWatch.reset();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** A deployment's buckets on the S3 server, its outputs, and an ingest that runs on each new export. */
async function deployment(): Promise<{ buckets: { exports: string; lake: string; reports: string }; ingestUploads: () => Promise<void> }> {
  const n = ++deployments;
  const buckets = { exports: `smoke-exports-${n}`, lake: `smoke-lake-${n}`, reports: `smoke-reports-${n}` };
  for (const b of Object.values(buckets)) await s3.createBucket(b);
  for (const [k, v] of Object.entries(s3.env)) vi.stubEnv(k, v);
  vi.stubEnv(
    'LTV_CONFIG_JSON',
    JSON.stringify({
      storage: { kind: 's3', lake: `s3://${buckets.lake}`, reports: `s3://${buckets.reports}` },
      s3: s3.settings,
      engine: { kind: 'athena', workgroup: 'ltv-pulse', database: 'ltv_pulse' },
      exports: { dir: `s3://${buckets.exports}/crm` },
    }),
  );
  cloudFormation.on(DescribeStacksCommand, { StackName: 'LtvPulse' }).resolves({
    Stacks: [
      {
        StackName: 'LtvPulse',
        CreationTime: NOW,
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: 'ExportsBucket', OutputValue: buckets.exports },
          { OutputKey: 'ExportsLocation', OutputValue: `s3://${buckets.exports}/crm/` },
          { OutputKey: 'LakeBucket', OutputValue: buckets.lake },
          { OutputKey: 'ReportsBucket', OutputValue: buckets.reports },
          { OutputKey: 'WeeklyFunction', OutputValue: 'LtvPulse-Weekly' },
          { OutputKey: 'OperationsTopic', OutputValue: TOPIC },
        ],
      },
    ],
  });
  const seen = new Set<string>();
  return {
    buckets,
    ingestUploads: async () => {
      const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: buckets.exports }));
      const fresh = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => !seen.has(k));
      for (const k of fresh) seen.add(k);
      if (fresh.length > 0) await ingest(s3PutEvent(buckets.exports, fresh));
    },
  };
}

function alarmThatNotifies(summary: string): void {
  cloudWatch.on(DescribeAlarmsCommand, { ActionPrefix: TOPIC }).resolves({ MetricAlarms: [{ AlarmName: 'LtvPulse-WeeklyRunFailed', AlarmActions: [TOPIC] }] });
  cloudWatch.on(SetAlarmStateCommand).resolves({});
  cloudWatch.on(DescribeAlarmHistoryCommand).resolvesOnce({ AlarmHistoryItems: [] }).resolves({
    AlarmHistoryItems: [{ AlarmName: 'LtvPulse-WeeklyRunFailed', HistoryItemType: 'Action', Timestamp: new Date(Date.now() + 1_000), HistorySummary: summary }],
  });
}

/** A Lambda answer's payload: bytes (the SDK wraps them in a blob adapter the script does not use). */
const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as unknown as NonNullable<InvokeCommandOutput['Payload']>;

const options = (sleep: () => Promise<void>, lines: string[]) => ({ stack: 'LtvPulse', now: NOW, waitMs: 10_000, pollMs: 0, sleep, log: (l: string) => void lines.push(l) });

describe('npm run smoke', () => {
  it('checks outputs, an ingested upload, a dry run, its archive and an alarm notification, in that order', async () => {
    // Prepare: the dry run archives report.json as the weekly function does
    const d = await deployment();
    lambda.on(InvokeCommand).callsFake(async (input: { Payload: Uint8Array }) => {
      const event = JSON.parse(Buffer.from(input.Payload).toString('utf8')) as { week: string; dryRun: boolean };
      await s3.client.send(new PutObjectCommand({ Bucket: d.buckets.reports, Key: `${event.week}/report.json`, Body: JSON.stringify({ week: { id: event.week }, headline: { value: 412.5 } }) }));
      return { StatusCode: 200, Payload: payload({ week: event.week, outcome: 'dry-run', archive: `s3://${d.buckets.reports}` }) };
    });
    alarmThatNotifies('Successfully executed action arn:aws:sns:eu-central-1:123456789012:LtvPulse-OperationsTopic');
    const lines: string[] = [];

    // Act
    const steps = await runSmokeTest(
      { cloudFormation: new CloudFormationClient({}), s3: s3.client, lambda: new LambdaClient({}), cloudWatch: new CloudWatchClient({}) },
      options(d.ingestUploads, lines),
    );

    // Assess
    expect(steps.map((s: SmokeStep) => [s.step, s.ok])).toEqual([
      ['stack outputs', true],
      ['upload is ingested', true],
      ['weekly dry run', true],
      ['archive readable', true],
      ['alarm notifies', true],
    ]);
    expect(steps[1]!.detail).toMatch(new RegExp(`^s3://${d.buckets.lake}/_manifests/${SMOKE_PREFIX}/2026-11-24T09-00-00-000Z/orders\\.csv\\.json \\(orders table, 0 rows\\)$`));
    expect(lambda.commandCalls(InvokeCommand)[0]!.args[0].input).toMatchObject({ FunctionName: 'LtvPulse-Weekly', LogType: 'Tail' });
    expect(JSON.parse(Buffer.from(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array).toString('utf8'))).toEqual({ week: '2026-W47', dryRun: true });
    expect(cloudWatch.commandCalls(SetAlarmStateCommand)[0]!.args[0].input).toMatchObject({ AlarmName: 'LtvPulse-WeeklyRunFailed', StateValue: 'ALARM' });
    expect(lines.every((l) => l.startsWith('ok    '))).toBe(true);
  });

  it('stops at the first broken link and says what it means: a weekly function that fails, with its log tail', async () => {
    // Prepare
    const d = await deployment();
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload({ errorMessage: 'ses:SendRawEmail not authorized' }),
      LogResult: Buffer.from('ERROR weekly report failed').toString('base64'),
    });
    const lines: string[] = [];

    // Act
    const steps = await runSmokeTest(
      { cloudFormation: new CloudFormationClient({}), s3: s3.client, lambda: new LambdaClient({}), cloudWatch: new CloudWatchClient({}) },
      options(d.ingestUploads, lines),
    );

    // Assess
    expect(steps.map((s) => [s.step, s.ok])).toEqual([
      ['stack outputs', true],
      ['upload is ingested', true],
      ['weekly dry run', false],
    ]);
    expect(steps[2]!.detail).toContain('Unhandled: {"errorMessage":"ses:SendRawEmail not authorized"}\nERROR weekly report failed');
    expect(steps[2]!.detail).toContain('the weekly function failed');
    expect(cloudWatch.commandCalls(SetAlarmStateCommand)).toHaveLength(0);
  });

  it('fails the alarm step when CloudWatch could not publish, naming the policies to look at', async () => {
    // Prepare
    const d = await deployment();
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ week: '2026-W47', outcome: 'held' }) });
    alarmThatNotifies('Failed to execute action arn:aws:sns:eu-central-1:123456789012:LtvPulse-OperationsTopic. Received error: "CloudWatch Alarms does not have authorization to access the SNS topic"');

    // Act
    const steps = await runSmokeTest(
      { cloudFormation: new CloudFormationClient({}), s3: s3.client, lambda: new LambdaClient({}), cloudWatch: new CloudWatchClient({}) },
      options(d.ingestUploads, []),
    );

    // Assess: a held week skips the archive check; the alarm step names the topic and key policies
    expect(steps.map((s) => s.step)).toEqual(['stack outputs', 'upload is ingested', 'weekly dry run', 'alarm notifies']);
    expect(steps.at(-1)).toMatchObject({ ok: false, detail: expect.stringContaining('does not have authorization to access the SNS topic') });
    expect(steps.at(-1)!.detail).toContain('its topic policy and KMS key policy must allow cloudwatch.amazonaws.com');
  });

  it('says the ingest did not run when no manifest appears in time', async () => {
    // Prepare: nothing ingests the upload
    await deployment();

    // Act
    const steps = await runSmokeTest(
      { cloudFormation: new CloudFormationClient({}), s3: s3.client, lambda: new LambdaClient({}), cloudWatch: new CloudWatchClient({}) },
      { ...options(async () => new Promise((r) => setTimeout(r, 20)), []), waitMs: 100 },
    );

    // Assess
    expect(steps.at(-1)).toMatchObject({ step: 'upload is ingested', ok: false });
    expect(steps.at(-1)!.detail).toMatch(/no manifest _manifests\/ltv-pulse-smoke\/.+ in the lake 0 s after uploading .*\(the ingest function failed or was not triggered/);
  });
});
