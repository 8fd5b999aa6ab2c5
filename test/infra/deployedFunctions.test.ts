// The deployed artifacts end to end: the bundles `cdk synth` builds and the native-modules layer
// (built for this machine's platform; the arm64 one cannot run here) run as Lambda runs them, each
// invocation a process of its own, from a task folder it cannot write (an unprivileged user when
// the test runs as root), no HOME, only its temporary folder writable, the layer where Lambda puts
// it on the module path. Around them: an S3-compatible server for the buckets, an Athena stand-in
// over DuckDB speaking Athena's JSON protocol (test/engine/athenaStandIn.ts) and an SES stand-in
// (test/mail/sesStandIn.ts). An S3 event ingests the exports, the schedule's event reports the
// week, and the archived report equals a local run of the same exports.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { parseConfig } from '../../functions/config/load.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { openEngine, openMailer, openStores } from '../../functions/pipeline/adapters.ts';
import { runWeeklyReport } from '../../functions/pipeline/weeklyReport.ts';
import type { Report } from '../../functions/report/report.ts';
import { writeSample } from '../../functions/sample/writeSample.ts';
import { parseWeekId } from '../../functions/time/isoWeek.ts';
import { pipelineConfig } from '../../infra/config/pipelineConfig.ts';
import { buildNativeLayer } from '../../infra/functions/nativeLayerBuild.ts';
import { hostPlatform } from '../../infra/functions/nativeLayerPackages.ts';
import { HANDLER_ENTRIES, QUERIES_DIR_VARIABLE } from '../../infra/functions/pipelineFunctions.ts';
import { PROJECT_ROOT } from '../../infra/projectRoot.ts';
import { startAthenaStandIn, type AthenaStandIn } from '../engine/athenaStandIn.ts';
import { s3PutEvent, schedulerPayload } from '../handlers/lambdaEvents.ts';
import { startSesStandIn, type SesStandIn } from '../mail/sesStandIn.ts';
import { startConditionalS3Server, type ConditionalS3Server } from '../storage/conditionalS3Server.ts';
import { bundleFunctions } from './bundles.ts';

const BUCKETS = { exports: 'acme-ltv-exports', lake: 'acme-ltv-lake', reports: 'acme-ltv-reports' };
const SETTINGS = {
  // A 300-customer sample's last order may fall a day before its end: the completeness gate allows three.
  report: { grossMargin: 0.6, completeness: { toleranceHours: 72 } },
  timeZone: 'UTC',
  sender: { name: 'LTV Pulse', address: 'reports@acme.example' },
  recipients: [{ address: 'ceo@acme.example' }, { address: 'cfo@acme.example', locale: 'ko' as const }],
};
/** Lambda runs functions as an unprivileged user; as root, so does this test (nobody). */
const LAMBDA_USER = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

let scratch: string;
let s3: ConditionalS3Server;
let athena: AthenaStandIn;
let ses: SesStandIn;
let tasks: Record<'ingest' | 'weekly', string>;
let exportsDir: string;

/** A folder anyone may read and nobody but root may write, as /var/task is. */
function readOnlyTree(dir: string): void {
  execFileSync('chmod', ['-R', 'a+rX,go-w', dir]);
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'ltv-deployed-'));
  chmodSync(scratch, 0o755);
  const { dirs, outdir } = bundleFunctions(HANDLER_ENTRIES);
  buildNativeLayer(PROJECT_ROOT, path.join(scratch, 'opt'), hostPlatform(), path.join(scratch, 'cache'));
  tasks = { ingest: path.join(scratch, 'task-ingest'), weekly: path.join(scratch, 'task-weekly') };
  for (const [name, task] of Object.entries(tasks)) {
    cpSync(dirs[name as 'ingest' | 'weekly'], task, { recursive: true });
    // Lambda puts a layer's nodejs/node_modules on the module path; beside the bundle is where Node looks first.
    symlinkSync(path.join(scratch, 'opt', 'nodejs', 'node_modules'), path.join(task, 'node_modules'), 'dir');
  }
  rmSync(outdir, { recursive: true, force: true });
  readOnlyTree(scratch);

  s3 = await startConditionalS3Server();
  for (const bucket of Object.values(BUCKETS)) await s3.createBucket(bucket);
  athena = await startAthenaStandIn({ s3: s3.client, lakeBucket: BUCKETS.lake });
  ses = await startSesStandIn();

  exportsDir = path.join(scratch, 'exports');
  await writeSample({ seed: 'deployed', customers: 300, endDate: '2026-11-22' }, exportsDir);
  for (const file of readdirSync(exportsDir).filter((f) => f.endsWith('.csv'))) {
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKETS.exports, Key: `crm/${file}`, Body: await readFile(path.join(exportsDir, file)) }));
  }
}, 240_000);

afterAll(async () => {
  await athena?.close();
  await ses?.close();
  await s3?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** One invocation: a fresh process in the task folder, the event in, the handler's answer out. */
async function invoke(fn: 'ingest' | 'weekly', event: unknown): Promise<{ result: Record<string, unknown>; log: string }> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `ltv-lambda-tmp-`));
  chmodSync(tmp, 0o777);
  const config = {
    ...pipelineConfig(SETTINGS, {
      exportsDir: `s3://${BUCKETS.exports}/crm`,
      lake: `s3://${BUCKETS.lake}`,
      reports: `s3://${BUCKETS.reports}`,
      workGroup: 'ltv-pulse',
      database: 'ltv_pulse',
      configurationSet: 'ltv-pulse',
    }),
    // What reaches AWS on a deployment reaches the stand-ins here.
    s3: s3.settings,
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TMPDIR: tmp,
    AWS_REGION: 'eu-central-1',
    ...s3.env,
    AWS_ENDPOINT_URL_ATHENA: athena.endpoint,
    AWS_ENDPOINT_URL_SES: ses.endpoint,
    LTV_CONFIG_JSON: JSON.stringify(config),
    LTV_DEPLOYMENT: 'LtvPulse',
    NODE_OPTIONS: '--enable-source-maps',
    [QUERIES_DIR_VARIABLE]: path.join(tasks.weekly, 'queries'),
    LAMBDA_EVENT: JSON.stringify(event),
  };
  const runner = [
    `const { handler } = await import(${JSON.stringify(pathToFileURL(path.join(tasks[fn], 'index.mjs')).href)});`,
    'const result = await handler(JSON.parse(process.env.LAMBDA_EVENT), { getRemainingTimeInMillis: () => 600000 });',
    "process.stdout.write('\\nLAMBDA_RESULT ' + JSON.stringify(result) + '\\n');",
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', runner], { cwd: tasks[fn], env, ...LAMBDA_USER });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  rmSync(tmp, { recursive: true, force: true });
  const line = out.split('\n').find((l) => l.startsWith('LAMBDA_RESULT '));
  if (code !== 0 || !line) throw new Error(`the ${fn} function failed (exit ${code}):\n${out}\n${err}`);
  return { result: JSON.parse(line.slice('LAMBDA_RESULT '.length)) as Record<string, unknown>, log: `${out}${err}` };
}

async function s3Text(bucket: string, key: string): Promise<string> {
  return (await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString('utf8');
}

/** A report as a local run gives it: the same exports ingested into a folder, DuckDB, no mail sent. */
async function localReport(): Promise<Report> {
  const root = path.join(os.tmpdir(), `ltv-deployed-local-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.join(root, 'exports'), { recursive: true });
  for (const f of readdirSync(exportsDir)) copyFileSync(path.join(exportsDir, f), path.join(root, 'exports', f));
  const config = parseConfig({ ...SETTINGS.report, sender: SETTINGS.sender, recipients: SETTINGS.recipients, storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: path.join(root, 'exports') } }, 'local');
  const stores = openStores(config);
  await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date() });
  const engine = await openEngine(config);
  try {
    const run = await runWeeklyReport({ config, engine, lake: stores.lake, reports: stores.reports, mailer: openMailer(config) }, parseWeekId('2026-W47'), { dryRun: true, now: new Date() });
    return JSON.parse(JSON.stringify(run.report)) as Report;
  } finally {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** What differs between runs by design: query statistics, Athena's cost and how long a model took to fit. */
const comparable = (report: Report): unknown =>
  JSON.parse(JSON.stringify({ ...report, queries: [], runCost: null }), (key, value: unknown) => (key === 'fitMs' ? 0 : value));

describe('the deployed functions against emulated AWS', () => {
  it('ingest an S3 event of uploaded exports, then report the scheduled week: archived, mailed once per recipient through SES, equal to a local run', async () => {
    // Act: the exports' upload notification, then Monday's schedule
    const keys = readdirSync(exportsDir).filter((f) => f.endsWith('.csv')).map((f) => `crm/${f}`);
    const ingest = await invoke('ingest', s3PutEvent(BUCKETS.exports, keys));
    const weekly = await invoke('weekly', schedulerPayload('2026-11-23T07:00:00Z'));
    const archived = JSON.parse(await s3Text(BUCKETS.reports, '2026-W47/report.json')) as Report;
    const local = await localReport();

    // Assess: every export ingested (known by its key under the exports prefix), nothing failed
    const ingested = ingest.result.ingested as { key: string; rowsRead: number; accepted: number; rejected: number }[];
    expect(ingested.map((i) => `crm/${i.key}`).sort()).toEqual([...keys].sort());
    expect(ingest.result.failed).toEqual([]);
    for (const i of ingested) expect(i.accepted + i.rejected).toBe(i.rowsRead);

    // the week was sent to both recipients, each once, from the sender, through the configuration set
    expect(weekly.result).toMatchObject({ week: '2026-W47', outcome: 'sent' });
    expect((weekly.result.deliveries as { recipient: string; status: string }[]).map((d) => [d.recipient, d.status])).toEqual([
      ['ceo@acme.example', 'sent'],
      ['cfo@acme.example', 'sent'],
    ]);
    expect(ses.messages.map((m) => [m.destinations, m.source, m.configurationSet])).toEqual([
      [['ceo@acme.example'], 'reports@acme.example', 'ltv-pulse'],
      [['cfo@acme.example'], 'reports@acme.example', 'ltv-pulse'],
    ]);
    const korean = await simpleParser(ses.messages[1]!.raw);
    expect(korean.html).toContain('lang="ko"');

    // Athena was asked with every parameter substituted, and told of the weeks written back
    expect(athena.statements.every((sql) => !/\?\s*(and|or|$|\))/m.test(sql.replace(/'[^']*'/g, "''").replace(/--.*$/gm, '')))).toBe(true);
    expect(athena.statements.filter((sql) => sql.startsWith('ALTER TABLE'))).toEqual([
      "ALTER TABLE clv_scores ADD IF NOT EXISTS PARTITION (week_id = '2026-W47')",
      "ALTER TABLE kpi_history ADD IF NOT EXISTS PARTITION (week_id = '2026-W47')",
      "ALTER TABLE model_accuracy ADD IF NOT EXISTS PARTITION (week_id = '2026-W47')",
    ]);
    expect(new Set(athena.tokens).size).toBe(athena.tokens.length);

    // and the report is the one a local run computes from the same exports
    expect(comparable(archived)).toEqual(comparable(local));
    expect(archived.queries.length).toBe(local.queries.length);
  });

  it('let the CLI run against the deployment too: Athena engine, S3 storage, a dry run that sends nothing', async () => {
    // Prepare: the configuration docs/deploy.md gives for the CLI, the stand-ins' endpoints in the environment
    const file = path.join(os.tmpdir(), `ltv-deployed-cli-${process.pid}.json`);
    await writeFile(
      file,
      JSON.stringify({
        ...SETTINGS.report,
        timeZone: SETTINGS.timeZone,
        sender: SETTINGS.sender,
        recipients: SETTINGS.recipients,
        s3: s3.settings,
        storage: { kind: 's3', lake: `s3://${BUCKETS.lake}`, reports: `s3://${BUCKETS.reports}` },
        exports: { dir: `s3://${BUCKETS.exports}/crm` },
        engine: { kind: 'athena', workgroup: 'ltv-pulse', database: 'ltv_pulse' },
        mail: { kind: 'ses', configurationSet: 'ltv-pulse' },
      }),
    );
    for (const [k, v] of Object.entries({ ...s3.env, AWS_REGION: 'eu-central-1', AWS_ENDPOINT_URL_ATHENA: athena.endpoint, AWS_ENDPOINT_URL_SES: ses.endpoint })) vi.stubEnv(k, v);
    const sent = ses.messages.length;
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);

    // Act
    const code = await main(['report', '--config', file, '--week', '2026-W46', '--dry-run']);
    const backfilled = await main(['backfill', '--config', file, '--from', '2026-W44', '--to', '2026-W45']).finally(() => rm(file, { force: true }));

    // Assess: the week is archived in the reports bucket, computed on Athena, mailed to no one
    expect(code).toBe(0);
    const archived = JSON.parse(await s3Text(BUCKETS.reports, '2026-W46/report.json')) as Report;
    expect(archived.week.id).toBe('2026-W46');
    expect(archived.queries.every((q) => q.bytesScanned !== undefined)).toBe(true);
    expect(ses.messages.length).toBe(sent);
    // and a backfill from the CLI writes the weeks' history and tells Athena of each
    expect(backfilled).toBe(0);
    expect(JSON.parse(await s3Text(BUCKETS.lake, '_manifests/orders.csv.json'))).toMatchObject({ table: 'orders' });
    for (const week of ['2026-W44', '2026-W45']) {
      expect(athena.statements).toContain(`ALTER TABLE kpi_history ADD IF NOT EXISTS PARTITION (week_id = '${week}')`);
    }
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });
});
