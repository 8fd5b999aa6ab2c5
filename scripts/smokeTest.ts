// The smoke test of a deployment in a real account (docs/deploy.md, "After the first deploy"):
// each step checks one link of the chain a Monday depends on, and says what its failure means.
// 1. the stack's outputs; 2. an upload is ingested (a header-only export under
// ltv-pulse-smoke/, which changes no table, gets its manifest); 3. the weekly function runs a
// dry run (mailed to the owner only); 4. its archive is readable; 5. an alarm's notification
// reaches the operations topic (its state set by hand, CloudWatch's action history read back).
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { manifestKey } from '../functions/ingest/manifest.ts';
import { formatWeekId, lastCompleteWeek } from '../functions/time/isoWeek.ts';

export interface SmokeClients {
  cloudFormation: CloudFormationClient;
  s3: S3Client;
  lambda: LambdaClient;
  cloudWatch: CloudWatchClient;
}

export interface SmokeOptions {
  stack: string;
  now: Date;
  /** How long to wait for the ingest's manifest and for the alarm's action. */
  waitMs: number;
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
}

export interface SmokeStep {
  step: string;
  ok: boolean;
  detail: string;
}

/** The header of the canonical orders export: a file of no rows, which changes no table. */
const SMOKE_EXPORT = 'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status\n';
export const SMOKE_PREFIX = 'ltv-pulse-smoke';

class StepFailed extends Error {}

export async function runSmokeTest(clients: SmokeClients, options: SmokeOptions): Promise<SmokeStep[]> {
  const steps: SmokeStep[] = [];
  const step = async <T>(name: string, meaning: string, work: () => Promise<{ value: T; detail: string }>): Promise<T> => {
    try {
      const { value, detail } = await work();
      steps.push({ step: name, ok: true, detail });
      options.log(`ok    ${name}: ${detail}`);
      return value;
    } catch (err) {
      const detail = `${(err as Error).message} (${meaning})`;
      steps.push({ step: name, ok: false, detail });
      options.log(`FAIL  ${name}: ${detail}`);
      throw new StepFailed(detail);
    }
  };
  try {
    const outputs = await step('stack outputs', 'is the stack deployed in this account and region, and named so?', async () => {
      const out = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: options.stack }));
      const found = Object.fromEntries((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
      const missing = ['ExportsBucket', 'ExportsLocation', 'LakeBucket', 'ReportsBucket', 'WeeklyFunction', 'OperationsTopic'].filter((k) => !found[k]);
      if (missing.length > 0) throw new Error(`the stack has no output ${missing.join(', ')}`);
      return { value: found, detail: `${options.stack}: exports in ${found.ExportsBucket}, weekly function ${found.WeeklyFunction}` };
    });

    const prefix = exportsPrefixOf(outputs);
    const key = `${prefix}${SMOKE_PREFIX}/${options.now.toISOString().replace(/[:.]/g, '-')}/orders.csv`;
    await step('upload is ingested', 'the ingest function failed or was not triggered: read its log group and the ingest dead-letter queue', async () => {
      await clients.s3.send(new PutObjectCommand({ Bucket: outputs.ExportsBucket, Key: key, Body: SMOKE_EXPORT, ContentType: 'text/csv' }));
      const manifest = manifestKey(key.slice(prefix.length));
      const started = Date.now();
      for (;;) {
        const text = await getText(clients.s3, outputs.LakeBucket!, manifest);
        if (text !== undefined) {
          const m = JSON.parse(text) as { rowsRead?: number; table?: string };
          return { value: undefined, detail: `s3://${outputs.LakeBucket}/${manifest} (${m.table ?? '?'} table, ${m.rowsRead ?? '?'} rows)` };
        }
        if (Date.now() - started > options.waitMs) throw new Error(`no manifest ${manifest} in the lake ${Math.round(options.waitMs / 1000)} s after uploading s3://${outputs.ExportsBucket}/${key}`);
        await options.sleep(options.pollMs);
      }
    });

    const week = formatWeekId(lastCompleteWeek(options.now, 'UTC'));
    const summary = await step('weekly dry run', 'the weekly function failed: its log tail above, its log group and the weekly dead-letter queue say why', async () => {
      // Invoked through the SDK, which waits as long as the function runs (the CLI gives up at 60 s).
      const out = await clients.lambda.send(new InvokeCommand({ FunctionName: outputs.WeeklyFunction, Payload: Buffer.from(JSON.stringify({ week, dryRun: true })), LogType: 'Tail' }));
      const payload = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
      if (out.FunctionError) {
        const tail = out.LogResult ? Buffer.from(out.LogResult, 'base64').toString('utf8') : '';
        throw new Error(`${out.FunctionError}: ${payload}${tail ? `\n${tail}` : ''}`);
      }
      const result = JSON.parse(payload) as { week: string; outcome: string; archive?: string };
      if (result.outcome !== 'dry-run' && result.outcome !== 'held') throw new Error(`the dry run answered ${payload}`);
      return { value: result, detail: `${result.week}: ${result.outcome === 'held' ? 'held for incomplete data (the owner was told why); nothing archived' : 'archived and mailed to the owner'}` };
    });

    if (summary.outcome === 'dry-run') {
      await step('archive readable', 'the weekly function could not write the reports bucket, or wrote elsewhere', async () => {
        const text = await getText(clients.s3, outputs.ReportsBucket!, `${week}/report.json`);
        if (text === undefined) throw new Error(`no s3://${outputs.ReportsBucket}/${week}/report.json after the dry run`);
        const report = JSON.parse(text) as { week?: { id?: string }; headline?: { value?: number | null } };
        if (report.week?.id !== week) throw new Error(`report.json is of week ${report.week?.id}, not ${week}`);
        return { value: undefined, detail: `s3://${outputs.ReportsBucket}/${week}/report.json, headline ${report.headline?.value ?? '(withheld)'}` };
      });
    }

    await step('alarm notifies', 'CloudWatch could not publish to the operations topic: its topic policy and KMS key policy must allow cloudwatch.amazonaws.com', async () => {
      const alarms = await clients.cloudWatch.send(new DescribeAlarmsCommand({ ActionPrefix: outputs.OperationsTopic }));
      const alarm = alarms.MetricAlarms?.[0]?.AlarmName;
      if (!alarm) throw new Error(`no alarm notifies ${outputs.OperationsTopic}`);
      const setAt = new Date();
      await clients.cloudWatch.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: 'ALARM', StateReason: 'ltv-pulse smoke test: checking that alarms reach the operations topic' }));
      const started = Date.now();
      for (;;) {
        const history = await clients.cloudWatch.send(new DescribeAlarmHistoryCommand({ AlarmName: alarm, HistoryItemType: 'Action', StartDate: new Date(setAt.getTime() - 60_000) }));
        const action = (history.AlarmHistoryItems ?? []).find((h) => h.Timestamp && h.Timestamp.getTime() >= setAt.getTime() - 1_000);
        if (action) {
          if (/^Failed/i.test(action.HistorySummary ?? '')) throw new Error(`${alarm}: ${action.HistorySummary}`);
          return { value: undefined, detail: `${alarm}: ${action.HistorySummary} (the subscribed mailbox gets an ALARM message; the alarm returns to its state at its next evaluation)` };
        }
        if (Date.now() - started > options.waitMs) throw new Error(`${alarm}: no action in its history ${Math.round(options.waitMs / 1000)} s after setting it to ALARM`);
        await options.sleep(options.pollMs);
      }
    });
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err;
  }
  return steps;
}

/** The key prefix of uploads, from the ExportsLocation output (s3://bucket/ or s3://bucket/prefix/). */
function exportsPrefixOf(outputs: Record<string, string>): string {
  const match = /^s3:\/\/[^/]+\/(.*)$/.exec(outputs.ExportsLocation ?? '');
  return match ? match[1]! : '';
}

async function getText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await out.Body!.transformToString('utf8');
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
    throw err;
  }
}
