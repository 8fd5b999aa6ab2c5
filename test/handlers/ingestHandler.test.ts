// The ingest Lambda end to end on the local adapters (exports and lake in folders), configured
// the way a function is: through LTV_CONFIG_JSON. Each S3 notification ingests exactly the
// objects it names, and every ingested export publishes its metrics as EMF.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { S3Event } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/handlers/ingestHandler.ts';
import { writeSample } from '../../functions/sample/writeSample.ts';
import { s3PutEvent } from './lambdaEvents.ts';

let root: string;
let exportsDir: string;
let emitted: string[];

const WEEK = 'crm/week 47';

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-ingest-handler-'));
  const sample = path.join(root, 'sample');
  await writeSample({ seed: 'ingest-handler', customers: 150, endDate: '2026-11-22' }, sample);
  exportsDir = path.join(root, 'exports');
  await mkdir(path.join(exportsDir, WEEK), { recursive: true });
  // Names with a space and a plus, which S3 notifications encode.
  await copyFile(path.join(sample, 'orders.csv'), path.join(exportsDir, WEEK, 'orders-2026+11.csv'));
  await copyFile(path.join(sample, 'customers.csv'), path.join(exportsDir, WEEK, 'customers.csv'));
  await copyFile(path.join(sample, 'subscriptions.csv'), path.join(exportsDir, WEEK, 'subscriptions.csv'));
  const spend = (await readFile(path.join(sample, 'marketing_spend.csv'), 'utf8')).trimEnd().split('\n').slice(0, 4);
  await writeFile(path.join(exportsDir, WEEK, 'marketing_spend.csv'), `${[...spend, '2026-11-20,email,forty,USD'].join('\n')}\n`);
  await writeFile(path.join(exportsDir, WEEK, 'fx_rates.csv'), Buffer.from('%PDF-1.7\n%âãÏÓ\n'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

beforeEach(() => {
  vi.stubEnv('LTV_CONFIG_JSON', JSON.stringify({ storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: exportsDir } }));
  vi.stubEnv('LTV_DEPLOYMENT', 'LtvPulse-test');
  emitted = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    emitted.push(String(chunk));
    return true;
  });
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [field: string]: unknown;
}

function emfDocuments(): EmfDocument[] {
  return emitted
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as EmfDocument)
    .filter((doc) => '_aws' in doc);
}

describe('the ingest handler', () => {
  it('ingests exactly the object an S3 put event names, its key URL-decoded', async () => {
    // Act
    const summary = await handler(s3PutEvent('acme-ltv-exports', [`${WEEK}/orders-2026+11.csv`]));

    // Assess: the other exports in the folder stay untouched
    expect(summary.ingested.map((m) => [m.key, m.table])).toEqual([[`${WEEK}/orders-2026+11.csv`, 'orders']]);
    expect(summary.failed).toEqual([]);
    const orderLines = (await readFile(path.join(exportsDir, WEEK, 'orders-2026+11.csv'), 'utf8')).trimEnd().split('\n').length - 1;
    expect(summary.rowsIngested).toBe(orderLines);
    expect(summary.rejectedRowRatio).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(root, 'out', 'lake', '_manifests', WEEK, 'orders-2026+11.csv.json'), 'utf8')) as { accepted: number };
    expect(manifest.accepted).toBe(orderLines);
    await expect(readFile(path.join(root, 'out', 'lake', '_manifests', WEEK, 'customers.csv.json'))).rejects.toThrow(/ENOENT/);
  });

  it('publishes RowsIngested and RejectedRowRatio per export in the LtvPulse namespace, by deployment', async () => {
    // Act
    const summary = await handler(s3PutEvent('acme-ltv-exports', [`${WEEK}/customers.csv`, `${WEEK}/marketing_spend.csv`]));

    // Assess: 3 of 4 spend rows are valid
    const docs = emfDocuments();
    expect(docs).toHaveLength(2);
    for (const doc of docs) {
      expect(doc._aws.CloudWatchMetrics).toEqual([
        {
          Namespace: 'LtvPulse',
          Dimensions: [['Deployment']],
          Metrics: [
            { Name: 'RowsIngested', Unit: 'Count' },
            { Name: 'RejectedRowRatio', Unit: 'None' },
          ],
        },
      ]);
      expect(doc.Deployment).toBe('LtvPulse-test');
    }
    const spend = docs.find((d) => d.export === `${WEEK}/marketing_spend.csv`)!;
    expect(spend).toMatchObject({ table: 'marketing_spend', RowsIngested: 3, RejectedRowRatio: 0.25 });
    expect(summary.rejectedRowRatio).toBeGreaterThan(0);
    expect(summary.ingested.find((m) => m.table === 'marketing_spend')).toMatchObject({ rowsRead: 4, accepted: 3, rejected: 1 });
  });

  it('ingests a redelivered notification once, and ignores events that are not object creations', async () => {
    // Act
    const first = await handler(s3PutEvent('acme-ltv-exports', [`${WEEK}/subscriptions.csv`]));
    const redelivered = await handler(s3PutEvent('acme-ltv-exports', [`${WEEK}/subscriptions.csv`]));
    const removed = await handler(s3PutEvent('acme-ltv-exports', [`${WEEK}/subscriptions.csv`], 'ObjectRemoved:Delete'));

    // Assess
    expect(first.ingested.map((m) => m.key)).toEqual([`${WEEK}/subscriptions.csv`]);
    expect(redelivered.ingested).toEqual([]);
    expect(redelivered.skipped).toEqual([{ key: `${WEEK}/subscriptions.csv`, reason: 'already ingested (same content)' }]);
    expect(removed.skipped.map((s) => s.reason)).toEqual(['ObjectRemoved:Delete is not an object-created event']);
    expect(emfDocuments()).toHaveLength(1);
  });

  it('fails the invocation when an export cannot be ingested, so Lambda retries it and then dead-letters it', async () => {
    // Act / Assess
    await expect(handler(s3PutEvent('acme-ltv-exports', [`${WEEK}/fx_rates.csv`]))).rejects.toThrow(
      `1 export(s) could not be ingested: ${WEEK}/fx_rates.csv: this is a PDF document, not a text export`,
    );
  });

  it('refuses an event that is not an S3 notification, before reading anything', async () => {
    // What a message from a queue looks like when a trigger is wired to the wrong source.
    const misrouted = { Records: [{ eventSource: 'aws:sqs', body: '{}' }] } as unknown as S3Event;

    await expect(handler(misrouted)).rejects.toThrow(/^not an S3 object notification: Records\.0\.eventSource/);
  });

  it('refuses to run without exports.dir, since it would not know what the keys are relative to', async () => {
    // Prepare
    vi.stubEnv('LTV_CONFIG_JSON', JSON.stringify({ storage: { kind: 'local', root: path.join(root, 'out') } }));

    // Act / Assess
    await expect(handler(s3PutEvent('acme-ltv-exports', [`${WEEK}/customers.csv`]))).rejects.toThrow(/exports\.dir is not configured/);
  });
});
