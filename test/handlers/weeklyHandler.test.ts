// The weekly Lambda end to end on the local adapters (folder storage, DuckDB, .eml outbox),
// configured through LTV_CONFIG_JSON as a function is, and invoked with the payload EventBridge
// Scheduler sends. Each test has its own lake, archive and outbox.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as ingest } from '../../functions/handlers/ingestHandler.ts';
import { handler, type WeeklyEvent } from '../../functions/handlers/weeklyHandler.ts';
import { writeSample } from '../../functions/sample/writeSample.ts';
import { s3PutEvent, schedulerPayload } from './lambdaEvents.ts';

const roots: string[] = [];

interface Deployment {
  root: string;
  outbox: string;
  reports: string;
}

/** A deployment with a week of exports ingested by the ingest handler, configured in the environment. */
async function deployment(settings: { timeZone?: string; endDate?: string } = {}): Promise<Deployment> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ltv-weekly-handler-'));
  roots.push(root);
  const exportsDir = path.join(root, 'exports');
  await writeSample({ seed: 'weekly-handler', customers: 200, endDate: settings.endDate ?? '2026-11-22' }, exportsDir);
  vi.stubEnv(
    'LTV_CONFIG_JSON',
    JSON.stringify({
      timeZone: settings.timeZone ?? 'UTC',
      storage: { kind: 'local', root: path.join(root, 'out') },
      exports: { dir: exportsDir },
      mail: { kind: 'eml' },
      sender: { name: 'LTV Pulse', address: 'reports@example.com' },
      recipients: [{ address: 'ceo@example.com' }, { address: 'cfo@example.com' }],
    }),
  );
  const files = (await readdir(exportsDir)).filter((f) => f.endsWith('.csv'));
  await ingest(s3PutEvent('acme-ltv-exports', files));
  return { root, outbox: path.join(root, 'out', 'outbox'), reports: path.join(root, 'out', 'reports') };
}

async function outboxFiles(d: Deployment): Promise<string[]> {
  return (await readdir(d.outbox).catch(() => [])).sort();
}

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

describe('the weekly handler', () => {
  it('reports the last complete week before the scheduled time, archives it and sends it to every recipient', async () => {
    // Prepare
    const d = await deployment();

    // Act: Monday 07:00 UTC
    const summary = await handler(schedulerPayload('2026-11-23T07:00:00Z'));

    // Assess
    expect(summary.week).toBe('2026-W47');
    expect(summary.deliveries.map((x) => [x.recipient, x.status])).toEqual([
      ['ceo@example.com', 'sent'],
      ['cfo@example.com', 'sent'],
    ]);
    expect(summary.archive).toBe(d.reports);
    expect(summary.athena).toBeUndefined();
    expect(await outboxFiles(d)).toEqual(['2026-W47-ceo@example.com.eml', '2026-W47-cfo@example.com.eml']);
    const report = JSON.parse(await readFile(path.join(d.reports, '2026-W47', 'report.json'), 'utf8')) as { week: { id: string } };
    expect(report.week.id).toBe('2026-W47');
  });

  it('sends nothing twice when the scheduler delivers the same event again', async () => {
    // Prepare: a first delivery, whose messages are then taken out of the outbox
    const d = await deployment();
    const event = schedulerPayload('2026-11-23T07:00:00Z');
    await handler(event);
    await rm(d.outbox, { recursive: true, force: true });

    // Act
    const again = await handler(event);

    // Assess
    expect(again.deliveries.map((x) => x.status)).toEqual(['already-sent', 'already-sent']);
    expect(await outboxFiles(d)).toEqual([]);
  });

  it('reads the scheduled time in the configured time zone: Monday 08:00 in Seoul is still Sunday in UTC', async () => {
    // Prepare
    const d = await deployment({ timeZone: 'Asia/Seoul' });

    // Act
    const summary = await handler(schedulerPayload('2026-11-22T23:00:00Z'));

    // Assess: the Seoul week 2026-W47 starts at Monday 00:00 KST
    expect(summary.week).toBe('2026-W47');
    const report = JSON.parse(await readFile(path.join(d.reports, '2026-W47', 'report.json'), 'utf8')) as { week: { start: string } };
    expect(report.week.start).toBe('2026-11-15T15:00:00.000Z');
  });

  it('reports a week given in the event instead, and resends it on purpose with force', async () => {
    // Prepare
    const d = await deployment();
    const backfill: WeeklyEvent = { scheduledTime: '2026-11-23T07:00:00Z', week: '2026-W46' };
    await handler(backfill);

    // Act
    const resent = await handler({ ...backfill, force: true });

    // Assess
    expect(resent.week).toBe('2026-W46');
    expect(resent.deliveries.map((x) => x.status)).toEqual(['sent', 'sent']);
    expect(await outboxFiles(d)).toEqual(['2026-W46-ceo@example.com.eml', '2026-W46-cfo@example.com.eml']);
  });

  it('fails the invocation when the run fails, after one failure notice to the owner and no report to anyone', async () => {
    // Prepare: a damaged manifest in the lake stops the run before anything is sent
    const d = await deployment();
    await mkdir(path.join(d.root, 'out', 'lake', '_manifests'), { recursive: true });
    await writeFile(path.join(d.root, 'out', 'lake', '_manifests', 'damaged.csv.json'), '{"sourceKey": "damaged.csv"}');

    // Act
    const failure = handler(schedulerPayload('2026-11-23T07:00:00Z'));

    // Assess: the owner is the sender mailbox (functions/pipeline/failureNotice.ts)
    await expect(failure).rejects.toThrow(/_manifests\/damaged\.csv\.json: not a valid ingest manifest/);
    const files = await outboxFiles(d);
    expect(files).toEqual([expect.stringMatching(/^2026-W47-failure-/)]);
    const notice = await simpleParser(await readFile(path.join(d.outbox, files[0]!)));
    expect(notice.subject).toBe('ltv-pulse: the weekly report for 2026-W47 failed');
    expect(notice.to).toMatchObject({ value: [{ address: 'reports@example.com' }] });
    expect(notice.text).toMatch(/not a valid ingest manifest/);
    await expect(readdir(path.join(d.reports, '2026-W47', 'sent'))).rejects.toThrow(/ENOENT/);
  });

  it.each([
    [{}, 'give scheduledTime (as the schedule does), week, or backfill'],
    [{ backfill: { from: '2026-W40', to: '2026-W46' }, week: '2026-W46' }, 'backfill computes history and sends nothing'],
    [{ backfill: { from: '2026-W40' } }, 'backfill.to:'],
    [{ week: '2026-W46', dryRun: true, force: true }, 'a dry run sends to nobody but the owner'],
    [{ scheduledTime: 'next Monday' }, 'scheduledTime:'],
    [{ scheduledTime: '2026-11-23T07:00:00Z', froce: true }, 'Unrecognized key: "froce"'],
    [{ scheduledTime: '2026-11-23T07:00:00Z', week: '2026-47' }, 'week: must be an ISO week id like 2026-W47'],
  ])('refuses an event it does not understand: %j', async (event, problem) => {
    // Act / Assess
    const run = handler(event as WeeklyEvent);
    await expect(run).rejects.toThrow(/^not a weekly report event/);
    await expect(run).rejects.toThrow(problem);
  });
});

describe('the first run on a deployment, by hand', () => {
  it('dry-runs a week: archived and mailed to the owner alone, marked, and the real send still goes to everyone', async () => {
    // Prepare
    const d = await deployment();

    // Act
    const dry = await handler({ week: '2026-W47', dryRun: true });
    const files = await outboxFiles(d);
    const preview = await simpleParser(await readFile(path.join(d.outbox, files[0]!)));
    const real = await handler(schedulerPayload('2026-11-23T07:00:00Z'));

    // Assess: the owner is the sender mailbox here
    expect(dry).toMatchObject({ week: '2026-W47', outcome: 'dry-run', deliveries: [{ recipient: 'reports@example.com', status: 'sent' }] });
    expect(files).toEqual([expect.stringMatching(/^2026-W47-preview-\d+\.eml$/)]);
    expect(preview.to).toMatchObject({ value: [{ address: 'reports@example.com' }] });
    expect(preview.subject).toMatch(/^\[dry run\] \S.* · CLV .* · Nov 16\u2009–\u200922$/);
    expect(real.deliveries.map((x) => [x.recipient, x.status])).toEqual([
      ['ceo@example.com', 'sent'],
      ['cfo@example.com', 'sent'],
    ]);
  });

  it('backfills past weeks into the history, oldest first, sending nothing', async () => {
    // Prepare
    const d = await deployment();

    // Act
    const done = await handler({ backfill: { from: '2026-W44', to: '2026-W46' } });

    // Assess
    expect(done).toMatchObject({ outcome: 'backfilled', next: null });
    expect(done.weeks.map((w) => w.weekId)).toEqual(['2026-W44', '2026-W45', '2026-W46']);
    expect((await readdir(path.join(d.root, 'out', 'lake', 'kpi_history'))).sort()).toEqual(['week_id=2026-W44', 'week_id=2026-W45', 'week_id=2026-W46']);
    expect(await outboxFiles(d)).toEqual([]);
  });

  it('stops a backfill before the function’s time runs out and names the week to go on from', async () => {
    // Prepare: Lambda's clock as the handler reads it, at the start and before each week; a week
    // is not begun with less than 2.5 minutes left (two for the week, half a minute to stop)
    const d = await deployment();
    const clock = (...remaining: number[]) => ({ getRemainingTimeInMillis: () => remaining.shift() ?? 0 });

    // Act
    const partly = await handler({ backfill: { from: '2026-W44', to: '2026-W46' } }, clock(600_000, 600_000, 200_000, 149_000));
    const rest = await handler({ backfill: { from: partly.next!, to: '2026-W46' } }, clock(600_000, 600_000));

    // Assess
    expect(partly.weeks.map((w) => w.weekId)).toEqual(['2026-W44', '2026-W45']);
    expect(partly.next).toBe('2026-W46');
    expect(rest).toMatchObject({ weeks: [{ weekId: '2026-W46' }], next: null });
    expect(await outboxFiles(d)).toEqual([]);
  });

  it('refuses to backfill a week that has not ended', async () => {
    await deployment();
    await expect(handler({ backfill: { from: '2026-W45', to: '2099-W01' } })).rejects.toThrow(/2099-W01/);
  });
});

describe('a week whose exports have not all landed on Monday', () => {
  it('is held: the invocation succeeds, the owner is told, and no recipient gets anything', async () => {
    // Prepare: the exports end on Thursday of 2026-W47
    const d = await deployment({ endDate: '2026-11-19' });

    // Act
    const summary = await handler(schedulerPayload('2026-11-23T07:00:00Z'));

    // Assess
    expect(summary).toMatchObject({ week: '2026-W47', outcome: 'held', deliveries: [] });
    const files = await outboxFiles(d);
    expect(files).toEqual([expect.stringMatching(/^2026-W47-incomplete-/)]);
    const notice = await simpleParser(await readFile(path.join(d.outbox, files[0]!)));
    expect(notice.subject).toBe('ltv-pulse: the weekly report for 2026-W47 is held: its data is incomplete');
    await expect(readFile(path.join(d.reports, '2026-W47', 'report.json'))).rejects.toThrow(/ENOENT/);
  });

  it('is sent by the first hourly retry that finds the data complete, and only then', async () => {
    // Prepare: held on Monday
    const d = await deployment({ endDate: '2026-11-19' });
    await handler(schedulerPayload('2026-11-23T07:00:00Z'));

    // Act: a retry while the data is still late, the late export lands, the next retries
    const stillLate = await handler({ scheduledTime: '2026-11-23T08:00:00Z', retryHeld: true });
    const late = path.join(d.root, 'exports', 'orders-late.csv');
    await writeFile(late, 'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status\nlate-1,late-customer,2026-11-22T21:00:00Z,30.00,,USD,paid\n');
    await ingest(s3PutEvent('acme-ltv-exports', ['orders-late.csv']));
    const complete = await handler({ scheduledTime: '2026-11-23T09:00:00Z', retryHeld: true });
    const idle = await handler({ scheduledTime: '2026-11-23T10:00:00Z', retryHeld: true });

    // Assess
    expect([stillLate.outcome, complete.outcome, idle.outcome]).toEqual(['held', 'sent', 'idle']);
    expect(complete.deliveries.map((x) => [x.recipient, x.status])).toEqual([
      ['ceo@example.com', 'sent'],
      ['cfo@example.com', 'sent'],
    ]);
    expect((await outboxFiles(d)).filter((f) => !f.includes('-incomplete-'))).toEqual(['2026-W47-ceo@example.com.eml', '2026-W47-cfo@example.com.eml']);
    expect((await outboxFiles(d)).filter((f) => f.includes('-incomplete-'))).toHaveLength(1);
  });

  it('a retry with nothing held does nothing at all', async () => {
    const d = await deployment();

    const idle = await handler({ scheduledTime: '2026-11-23T09:00:00Z', retryHeld: true });

    expect(idle).toEqual({ week: '2026-W47', outcome: 'idle', archive: d.reports, deliveries: [], queries: 0 });
    expect(await outboxFiles(d)).toEqual([]);
  });
});
