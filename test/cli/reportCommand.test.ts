import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { EXIT_HELD } from '../../functions/cli/reportCommand.ts';
import { script } from '../processes.ts';

// `ltv report` as the engineer meets it: what it refuses, what it holds back from the
// recipients, and what it never deletes. Week 2026-W47 runs from Mon 16 to Sun 22 November (UTC).
const MONDAY_AFTER = new Date('2026-11-23T07:00:00Z');
let root: string;
let out: string[];
let errors: string[];

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-report-cli-'));
  out = [];
  errors = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
  vi.useFakeTimers({ toFake: ['Date'], now: MONDAY_AFTER });
});

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

async function writeConfig(config: Record<string, unknown>): Promise<string> {
  const file = path.join(root, 'ltv.config.json');
  await writeFile(file, JSON.stringify({ storage: { kind: 'local', root: path.join(root, 'out') }, owner: { address: 'data-team@example.com' }, ...config }));
  return file;
}

const CUSTOMERS = 'customer_id,signup_at,acquisition_channel,country\nc1,2026-10-01,email,US\nc2,2026-11-02,social,DE\nc3,2026-11-10,email,US\n';
const ORDERS_HEADER = 'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status';
/** Orders of W47 whose latest is Thursday noon: 3 days and 12 hours short of the week's end. */
const ORDERS_TO_THURSDAY = [ORDERS_HEADER, 'o1,c1,2026-10-05T10:00:00Z,100.00,,USD,paid', 'o2,c2,2026-11-17T09:00:00Z,40.00,,USD,paid', 'o3,c3,2026-11-19T12:00:00Z,25.00,,USD,paid'].join('\n');

async function writeExports(files: Record<string, string>): Promise<string> {
  const dir = path.join(root, 'exports');
  await mkdir(dir, { recursive: true });
  for (const [name, body] of Object.entries(files)) await writeFile(path.join(dir, name), `${body}\n`);
  return dir;
}

async function outbox(): Promise<{ to: string; subject: string; text: string; html: string }[]> {
  const dir = path.join(root, 'out', 'outbox');
  const files = (await readdir(dir).catch(() => [])).sort();
  return Promise.all(
    files.map(async (f) => {
      const mail = await simpleParser(await readFile(path.join(dir, f)));
      const to = mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address).join(',') : '';
      return { to, subject: mail.subject ?? '', text: mail.text ?? '', html: typeof mail.html === 'string' ? mail.html : '' };
    }),
  );
}

const exists = (file: string) => readFile(file).then(
  () => true,
  () => false,
);

describe('ltv report refuses a week that has not ended', () => {
  it('exits 1 for the current week, naming the week that can be reported, and sends nothing', async () => {
    const config = await writeConfig({ exports: { dir: await writeExports({ 'customers.csv': CUSTOMERS, 'orders.csv': ORDERS_TO_THURSDAY }) } });

    const code = await main(['report', '--config', config, '--week', '2026-W48']);

    expect(code).toBe(1);
    expect(errors.join('\n')).toContain('2026-W48 has not ended yet (it ends 2026-11-30T00:00:00.000Z); report complete weeks only, e.g. the last one, 2026-W47');
    expect(await outbox()).toEqual([]);
  });
});

describe('a configuration mistake stops the run before anything is generated or sent', () => {
  it('refuses a misspelt setting inside exports instead of e-mailing sample data, and suggests the one meant', async () => {
    // Prepare: "Dir" for "dir" used to leave exports unset, so the run generated a sample
    const exportsDir = await writeExports({ 'customers.csv': CUSTOMERS, 'orders.csv': ORDERS_TO_THURSDAY });
    const config = await writeConfig({ exports: { Dir: exportsDir }, recipients: [{ address: 'ceo@example.com' }] });

    // Act
    const code = await main(['report', '--config', config, '--week', '2026-W47']);

    // Assess
    expect(code).toBe(1);
    expect(errors.join('\n')).toContain(`Invalid configuration in ${config}:\n  - exports.Dir: unknown setting "Dir"; did you mean "dir"?`);
    expect(await readdir(root)).toEqual(expect.not.arrayContaining(['out']));
  });

  it.each([
    ['does not exist', (dir: string) => path.join(dir, 'exprots')],
    ['holds no export (.csv, .jsonl or .ndjson files, optionally .gz)', (dir: string) => dir],
  ])('fails when the configured exports folder %s: exit 1, the owner told, nothing to the recipients', async (problem, folderOf) => {
    // Prepare: an exports folder with only a note in it, and a lake that reported last week
    const empty = path.join(root, 'empty-exports');
    await mkdir(empty, { recursive: true });
    await writeFile(path.join(empty, 'README.txt'), 'exports land here\n');
    const dir = folderOf(empty);
    const config = await writeConfig({ exports: { dir }, recipients: [{ address: 'ceo@example.com' }] });

    // Act
    const code = await main(['report', '--config', config, '--week', '2026-W47']);

    // Assess
    expect(code).toBe(1);
    expect(errors.join('\n')).toContain(`exports.dir: ${dir} ${problem}; point exports.dir at your exports and run again (nothing was ingested or sent)`);
    const mail = await outbox();
    expect(mail.map((m) => m.to)).toEqual(['data-team@example.com']);
    expect(mail[0]!.text).toContain(problem);
  });

  it('reads the relative paths of a config file from its folder, wherever the command runs', async () => {
    // Prepare: a deployment folder with its config, exports and output side by side
    const deploy = path.join(root, 'deploy');
    await mkdir(path.join(deploy, 'exports'), { recursive: true });
    const late = [ORDERS_HEADER, 'o1,c1,2026-10-05T10:00:00Z,100.00,,USD,paid', 'o2,c2,2026-11-22T20:00:00Z,40.00,,USD,paid'].join('\n');
    await writeFile(path.join(deploy, 'exports', 'customers.csv'), CUSTOMERS);
    await writeFile(path.join(deploy, 'exports', 'orders.csv'), `${late}\n`);
    const config = path.join(deploy, 'ltv.config.json');
    await writeFile(config, JSON.stringify({ storage: { kind: 'local', root: 'out' }, exports: { dir: 'exports' }, recipients: [{ address: 'ceo@example.com' }] }));

    // Act: the working directory is the repository, not the deployment folder
    const code = await main(['report', '--config', config, '--week', '2026-W47']);

    // Assess
    expect(code).toBe(0);
    expect(await exists(path.join(deploy, 'out', 'reports', '2026-W47', 'report.json'))).toBe(true);
    expect((await readdir(path.join(deploy, 'out', 'outbox'))).length).toBe(1);
  });
});

describe('a lake another writer holds', () => {
  const COMPLETE = [ORDERS_TO_THURSDAY, 'o4,c1,2026-11-22T21:30:00Z,60.00,,USD,paid'].join('\n');

  it('is waited for, and the run goes on once the writer is gone', async () => {
    // Prepare: an ingest (another process) holds the lake
    const config = await writeConfig({ exports: { dir: await writeExports({ 'customers.csv': CUSTOMERS, 'orders.csv': COMPLETE }) } });
    const holder = script('holdLake.ts', [path.join(root, 'out', 'lake'), 'ltv ingest']);
    await holder.line(/^held/);
    setTimeout(() => holder.child.kill('SIGKILL'), 600);

    // Act
    const code = await main(['report', '--config', config, '--week', '2026-W47']);

    // Assess
    expect(code).toBe(0);
    expect(errors.join('\n')).toMatch(/Waiting for the lake: ltv ingest \(pid \d+ on .*\) since .* is writing it/);
  });

  it('fails after lakeLock.waitSeconds, naming the writer, and tells the owner', async () => {
    // Prepare
    const config = await writeConfig({ exports: { dir: await writeExports({ 'customers.csv': CUSTOMERS, 'orders.csv': COMPLETE }) }, lakeLock: { waitSeconds: 1 }, recipients: [{ address: 'ceo@example.com' }] });
    const holder = script('holdLake.ts', [path.join(root, 'out', 'lake'), 'ltv ingest']);
    await holder.line(/^held/);

    // Act
    const code = await main(['report', '--config', config, '--week', '2026-W47']);
    holder.child.kill('SIGKILL');
    await holder.finished;

    // Assess
    expect(code).toBe(1);
    expect(errors.join('\n')).toMatch(/lake is being written by ltv ingest \(pid \d+ on .*\) since .*; waited 1 s\. Run again once it has finished/);
    expect((await outbox()).map((m) => m.to)).toEqual(['data-team@example.com']);
  });
});

describe('a week whose data ends before the week does', () => {
  it('is held: exit 3, nothing to the recipients, one notice to the owner, and sent once the data lands', async () => {
    // Prepare: the Monday run finds orders only up to Thursday
    const exportsDir = await writeExports({ 'customers.csv': CUSTOMERS, 'orders.csv': ORDERS_TO_THURSDAY });
    const config = await writeConfig({ exports: { dir: exportsDir }, recipients: [{ address: 'ceo@example.com' }] });

    // Act: the scheduled run, and a retry an hour later with the data still late
    const first = await main(['report', '--config', config]);
    vi.setSystemTime(new Date('2026-11-23T08:00:00Z'));
    const retry = await main(['report', '--config', config]);

    // Assess
    expect([first, retry]).toEqual([EXIT_HELD, EXIT_HELD]);
    const held = await outbox();
    expect(held.map((m) => [m.to, m.subject])).toEqual([['data-team@example.com', 'ltv-pulse: the weekly report for 2026-W47 is held: its data is incomplete']]);
    expect(held[0]!.text).toContain('Order data ends at Nov 19, 2026, 12:00 PM, 3.5 days before the end of 2026-W47');
    expect(held[0]!.text).toContain('ltv report --week 2026-W47 --send-incomplete');
    expect(errors.join('\n')).toContain('Held: the data for 2026-W47 is incomplete');
    const week = path.join(root, 'out', 'reports', '2026-W47');
    expect(await exists(path.join(week, 'report.json'))).toBe(false);
    expect(JSON.parse(await readFile(path.join(week, 'held.json'), 'utf8'))).toMatchObject({ since: '2026-11-23T07:00:00.000Z', checkedAt: '2026-11-23T08:00:00.000Z', reasons: [{ code: 'data_ends_early' }] });
    expect(await exists(path.join(root, 'out', 'lake', 'kpi_history', 'week_id=2026-W47'))).toBe(false);

    // Act: the rest of the week's orders land; the next run sends, and the one after sends nothing
    await writeExports({ 'orders-late.csv': [ORDERS_HEADER, 'o4,c1,2026-11-22T21:30:00Z,60.00,,USD,paid'].join('\n') });
    const complete = await main(['report', '--config', config]);
    const again = await main(['report', '--config', config]);

    // Assess
    expect([complete, again]).toEqual([0, 0]);
    const sent = (await outbox()).filter((m) => m.to === 'ceo@example.com');
    expect(sent.map((m) => m.subject)).toEqual([expect.stringMatching(/^(On track|At risk|Off track|Not rated) · CLV \$[\d,.]+.* · Nov 16\u2009–\u200922$/)]);
    expect(await exists(path.join(week, 'held.json'))).toBe(false);
    expect(out).toContain('  ceo@example.com: already sent for this week (use --force to send again)');
  });

  it('goes out marked incomplete with completeness.onIncomplete "send-flagged", and complete once more when the data lands', async () => {
    const exportsDir = await writeExports({ 'customers.csv': CUSTOMERS, 'orders.csv': ORDERS_TO_THURSDAY });
    const config = await writeConfig({ exports: { dir: exportsDir }, recipients: [{ address: 'ceo@example.com' }], completeness: { onIncomplete: 'send-flagged' } });

    const flagged = await main(['report', '--config', config]);
    const repeat = await main(['report', '--config', config]);
    await writeExports({ 'orders-late.csv': [ORDERS_HEADER, 'o4,c1,2026-11-22T21:30:00Z,60.00,,USD,paid'].join('\n') });
    const complete = await main(['report', '--config', config]);
    const after = await main(['report', '--config', config]);

    expect([flagged, repeat, complete, after]).toEqual([0, 0, 0, 0]);
    const mails = await outbox();
    expect(mails.filter((m) => m.to === 'ceo@example.com').map((m) => m.subject.split(' · ')[0])).toEqual(['Incomplete data', expect.stringMatching(/^(On track|At risk|Off track|Not rated)$/)]);
    expect(mails.filter((m) => m.to === 'data-team@example.com').map((m) => m.subject)).toEqual([
      'ltv-pulse: the weekly report for 2026-W47 went out marked incomplete: its data is incomplete',
    ]);
    const ceo = mails.find((m) => m.to === 'ceo@example.com')!;
    expect(ceo.html).toContain('Not rated: this week’s data is incomplete');
    expect(ceo.html).not.toContain('On track');
  });

  it('is sent marked incomplete when the engineer says --send-incomplete', async () => {
    const config = await writeConfig({ exports: { dir: await writeExports({ 'customers.csv': CUSTOMERS, 'orders.csv': ORDERS_TO_THURSDAY }) } });

    const code = await main(['report', '--config', config, '--send-incomplete']);

    expect(code).toBe(0);
    expect((await outbox()).filter((m) => m.to === 'leadership@example.com').map((m) => m.subject.startsWith('Incomplete data · '))).toEqual([true]);
    expect(out).toContain('  leadership@example.com: sent (marked incomplete)');
  });

  it('accepts data that ends within completeness.toleranceHours of the week’s end', async () => {
    // Thursday noon is 84 hours before the end
    const config = await writeConfig({ exports: { dir: await writeExports({ 'customers.csv': CUSTOMERS, 'orders.csv': ORDERS_TO_THURSDAY }) }, completeness: { toleranceHours: 84 } });

    expect(await main(['report', '--config', config])).toBe(0);
    expect((await outbox()).map((m) => m.subject)).toEqual([expect.stringMatching(/^(On track|At risk|Off track|Not rated) · CLV \$[\d,.]+.* · Nov 16\u2009–\u200922$/)]);
  });
});

describe('a week with money left out for lack of exchange rates', () => {
  it('is held when more than completeness.maxUnconvertedShare of the paid orders have no rate', async () => {
    // 1 of the 4 paid orders of the 28 days is in EUR, and there are no fx rates at all: 25%
    const orders = [ORDERS_HEADER, 'o1,c1,2026-11-02T10:00:00Z,100.00,,USD,paid', 'o2,c2,2026-11-17T09:00:00Z,40.00,,EUR,paid', 'o3,c3,2026-11-19T12:00:00Z,25.00,,USD,paid', 'o4,c1,2026-11-22T21:30:00Z,60.00,,USD,paid'].join('\n');
    const config = await writeConfig({ exports: { dir: await writeExports({ 'customers.csv': CUSTOMERS, 'orders.csv': orders }) } });

    const code = await main(['report', '--config', config]);

    expect(code).toBe(EXIT_HELD);
    const [notice, ...others] = await outbox();
    expect(others).toEqual([]);
    expect(notice!.text).toContain('25.0% of the paid orders of the last 28 days have no exchange rate into USD and are left out of revenue');
  });
});

describe('sample data', () => {
  it('is said to be sample data in the subject and in a banner', async () => {
    const config = await writeConfig({ sample: { customers: 200 } });

    const code = await main(['report', '--config', config]);

    expect(errors).toEqual([]);
    expect(code).toBe(0);
    const [mail] = await outbox();
    expect(/^\[sample data\] \S.* · CLV .* · Nov 16\u2009–\u200922$/.test(mail!.subject)).toBe(true);
    expect(mail!.html).toContain('<strong>Sample data.</strong> This report is built on a generated sample data set (ending Nov 22, 2026), not on real exports');
    expect(mail!.text).toContain('!! Sample data. This report is built on a generated sample data set');
  });

  it('is generated once: another week, a dry run and a new ISO week keep the lake and its history', async () => {
    // Prepare: the first run generates the sample through W47 and records W47 in kpi_history
    const config = await writeConfig({ sample: { customers: 200 } });
    expect(await main(['report', '--config', config])).toBe(0);
    const stamp = await readFile(path.join(root, 'out', 'sample-exports', 'sample-options.json'), 'utf8');

    // Act
    const earlier = await main(['report', '--config', config, '--week', '2026-W40']);
    const dry = await main(['report', '--config', config, '--dry-run']);
    vi.setSystemTime(new Date('2026-12-01T07:00:00Z'));
    out.length = 0;
    const nextMonday = await main(['report', '--config', config]);

    // Assess
    expect([earlier, dry, nextMonday]).toEqual([0, 0, 0]);
    expect(await readFile(path.join(root, 'out', 'sample-exports', 'sample-options.json'), 'utf8')).toBe(stamp);
    expect((await readdir(path.join(root, 'out', 'lake', 'kpi_history'))).sort()).toEqual(['week_id=2026-W40', 'week_id=2026-W47']);
    // The sample has no data for W48: the run reports the sample's last week, already sent
    expect(out).toContain('The sample data set ends on 2026-11-22: reporting its last week, 2026-W47 (docs/configuration.md, "Sample data").');
    expect(out).toContain('  leadership@example.com: already sent for this week (use --force to send again)');
  });

  it('never replaces a lake holding exports the user ingested: the run reports on them', async () => {
    // Prepare: the user's exports, ingested with `ltv ingest`, and no exports.dir in the configuration
    const exportsDir = await writeExports({ 'customers.csv': CUSTOMERS, 'orders.csv': `${ORDERS_TO_THURSDAY}\no4,c1,2026-11-22T21:30:00Z,60.00,,USD,paid` });
    const config = await writeConfig({});
    expect(await main(['ingest', exportsDir, '--config', config])).toBe(0);
    const manifests = (await readdir(path.join(root, 'out', 'lake', '_manifests'))).sort();

    // Act
    const dry = await main(['report', '--config', config, '--dry-run']);
    const sent = await main(['report', '--config', config]);

    // Assess
    expect([dry, sent]).toEqual([0, 0]);
    expect((await readdir(path.join(root, 'out', 'lake', '_manifests'))).sort()).toEqual(manifests);
    expect(await exists(path.join(root, 'out', 'sample-exports', 'sample-options.json'))).toBe(false);
    expect(out.some((l) => l.startsWith('No exports configured: reporting on the 2 export(s) already ingested into'))).toBe(true);
    expect((await outbox()).map((m) => m.subject)).toEqual([expect.stringMatching(/^(On track|At risk|Off track|Not rated) · CLV \$[\d,.]+.* · Nov 16\u2009–\u200922$/)]);
  });

  it('is not mixed with configured exports: a sample lake refuses them, naming what to do', async () => {
    const sampleConfig = await writeConfig({ sample: { customers: 200 } });
    expect(await main(['report', '--config', sampleConfig])).toBe(0);
    const config = await writeConfig({ exports: { dir: await writeExports({ 'customers.csv': CUSTOMERS, 'orders.csv': ORDERS_TO_THURSDAY }) } });
    const before = await outbox();

    const code = await main(['report', '--config', config, '--week', '2026-W46']);

    expect(code).toBe(1);
    expect(errors.join('\n')).toMatch(/holds the generated sample data set, and reporting on .* there would mix the two/);
    const added = (await outbox()).filter((m) => !before.some((b) => b.subject === m.subject && b.to === m.to));
    expect(added.map((m) => m.to)).toEqual(['data-team@example.com']);
  });

  it('with new sample settings, is regenerated in a lake of sample data only, and refused in a lake that also holds the user’s exports', async () => {
    const config = await writeConfig({ sample: { customers: 200 } });
    expect(await main(['report', '--config', config, '--dry-run'])).toBe(0);

    const regenerated = await main(['report', '--config', await writeConfig({ sample: { customers: 200, seed: 7 } }), '--dry-run']);
    expect(regenerated).toBe(0);
    expect(JSON.parse(await readFile(path.join(root, 'out', 'lake', '_sample', 'origin.json'), 'utf8'))).toEqual({ seed: 7, customers: 200, endDate: '2026-11-22' });

    const own = await writeExports({ 'orders-own.csv': ORDERS_TO_THURSDAY });
    expect(await main(['ingest', own, '--config', config])).toBe(0);
    const refused = await main(['report', '--config', await writeConfig({ sample: { customers: 300, seed: 7 } }), '--dry-run']);
    expect(refused).toBe(1);
    // Outside exports.dir, an export is known by its whole path.
    const key = path.join(own, 'orders-own.csv').slice(1);
    expect(errors.join('\n')).toContain(`1 export(s) you ingested (${key}): nothing was regenerated or deleted`);
    expect(await exists(path.join(root, 'out', 'lake', '_manifests', `${key}.json`))).toBe(true);
  });
});

describe('a first report, without history', () => {
  it('tells the executives it is not rated yet, and the engineer which weeks to backfill', async () => {
    // Prepare: orders up to Sunday evening, no kpi_history yet
    const orders = [ORDERS_TO_THURSDAY, 'o4,c1,2026-11-22T21:30:00Z,60.00,,USD,paid'].join('\n');
    const config = await writeConfig({ exports: { dir: await writeExports({ 'customers.csv': CUSTOMERS, 'orders.csv': orders }) }, recipients: [{ address: 'ceo@example.com' }] });

    // Act
    const code = await main(['report', '--config', config]);

    // Assess: of the 19 KPIs, data age is rated (on track), 8 have no value (no subscriptions, no
    // spend, no cohort old enough, no model) and 10 lack history: the 9 with a value but no
    // baseline and the headline without a trajectory. The 13 weeks before 2026-W47 would rate them.
    expect(code).toBe(0);
    expect(out).toContain('10 KPIs lack history to be rated: run `ltv backfill --from 2026-W34 --to 2026-W46` (docs/metrics.md, "The five-stage scorecard").');
    const [mail] = (await outbox()).filter((m) => m.to === 'ceo@example.com');
    expect(mail!.text).toContain('Not rated yet: 10 of 19 KPIs need more history.');
    for (const part of [mail!.subject, mail!.text, mail!.html]) expect(part).not.toMatch(/backfill/i);
  });
});

describe('history computed with other settings', () => {
  const reportJson = async (): Promise<{ headline: { wow: { previous: number | null } }; settingsChange: { note: string } | null; trajectory: unknown }> =>
    JSON.parse(await readFile(path.join(root, 'out', 'reports', '2026-W47', 'report.json'), 'utf8'));

  it.each([
    [{ reportCurrency: 'KRW' }, 'report currency USD → KRW', 'reportCurrency USD → KRW'],
    [{ grossMargin: 0.62 }, 'gross margin 100.0% → 62.0%', 'grossMargin 1 → 0.62'],
  ])('is not compared with after %j: the e-mail says comparisons restart, the console says what to backfill', async (change, inEmail, onConsole) => {
    // Prepare: three weeks of history, computed in USD with a margin of 1
    const before = await writeConfig({ sample: { customers: 200 }, recipients: [{ address: 'ceo@example.com' }] });
    expect(await main(['backfill', '--config', before, '--from', '2026-W44', '--to', '2026-W46'])).toBe(0);
    const after = await writeConfig({ sample: { customers: 200 }, recipients: [{ address: 'ceo@example.com' }], ...change });

    // Act
    const code = await main(['report', '--config', after, '--week', '2026-W47']);

    // Assess
    expect(code).toBe(0);
    const [mail] = (await outbox()).filter((m) => m.to === 'ceo@example.com');
    expect(mail!.text).toContain(`Settings changed this week (${inEmail}); comparisons restart from this week.`);
    expect(mail!.text).toContain('no value for 2026-W46 in the history yet');
    const report = await reportJson();
    expect(report.headline.wow.previous).toBeNull();
    expect(out.join('\n')).toContain(`!! Settings changed since 2026-W46 (${onConsole}): this week is compared with nothing before it. To recompute the history with the current settings, run \`ltv backfill --from 2026-W44 --to 2026-W46\`.`);

    // Act: the backfill the console asked for, then the week again
    expect(await main(['backfill', '--config', after, '--from', '2026-W44', '--to', '2026-W46'])).toBe(0);
    expect(await main(['report', '--config', after, '--week', '2026-W47', '--dry-run'])).toBe(0);

    // Assess: the comparisons are back, against history in the new settings
    const recomputed = await reportJson();
    expect(recomputed.settingsChange).toBeNull();
    expect(recomputed.headline.wow.previous).not.toBeNull();
  });

  it('treats history written before settings were recorded as not comparable', async () => {
    // Prepare: a week of history, then its settings columns taken out as an older release wrote them
    const config = await writeConfig({ sample: { customers: 200 } });
    expect(await main(['backfill', '--config', config, '--from', '2026-W46', '--to', '2026-W46'])).toBe(0);
    const file = path.join(root, 'out', 'lake', 'kpi_history', 'week_id=2026-W46', 'data.parquet');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    await connection.run(`COPY (SELECT * EXCLUDE (settings, report_currency) FROM read_parquet('${file}')) TO '${file}.old' (FORMAT parquet)`);
    connection.closeSync();
    db.closeSync();
    await rm(file);
    await writeFile(file, await readFile(`${file}.old`));
    await rm(`${file}.old`);

    // Act
    const code = await main(['report', '--config', config, '--week', '2026-W47', '--dry-run']);

    // Assess
    expect(code).toBe(0);
    const report = await reportJson();
    expect(report.settingsChange?.note).toBe('Earlier weeks were computed before their settings were recorded, so they cannot be compared with this one; comparisons restart from this week.');
    expect(report.headline.wow.previous).toBeNull();
  });
});
