import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { ConfigInput } from '../../functions/config/schema.ts';
import type { QueryEngine } from '../../functions/engine/queryEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import type { MailToSend, Mailer, SendResult } from '../../functions/mail/mailer.ts';
import { openEngine, openStores } from '../../functions/pipeline/adapters.ts';
import { failureNoticeEmail } from '../../functions/pipeline/failureNotice.ts';
import { runWeeklyReport } from '../../functions/pipeline/weeklyReport.ts';
import { parseWeekId } from '../../functions/time/isoWeek.ts';

// Who gets what: each recipient the report in their locale, the owner a failure notice when the
// run fails, and never anyone half a report. On test/fixtures/small-shop, week 2026-W47.
const fixtures = path.resolve(import.meta.dirname, '../fixtures/small-shop');
const W47 = parseWeekId('2026-W47');
const NOW = new Date('2026-11-23T07:00:00Z');
let root: string;

/** Keeps what it is given; refuses the addresses in `failFor`. */
class RecordingMailer implements Mailer {
  readonly kind = 'recording';
  readonly sent: MailToSend[] = [];
  constructor(private readonly failFor: string[] = []) {}
  async send(message: MailToSend): Promise<SendResult> {
    if (message.to.some((a) => this.failFor.includes(a))) throw new Error(`550 mailbox ${message.to.join(', ')} unavailable`);
    this.sent.push(message);
    return { messageId: `<${this.sent.length}@test>`, accepted: message.to };
  }
}

async function setup(name: string, over: ConfigInput) {
  const dir = path.join(root, name);
  await cp(fixtures, path.join(dir, 'exports'), { recursive: true });
  // small-shop's week is incomplete (stale, fx gaps): sent marked so, to test delivery itself.
  const config = parseConfig(
    { storage: { kind: 'local', root: path.join(dir, 'out') }, exports: { dir: path.join(dir, 'exports') }, completeness: { onIncomplete: 'send-flagged' }, ...over },
    'test',
  );
  const stores = openStores(config);
  await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date('2026-11-23T00:00:00Z') });
  return { dir, config, stores };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-delivery-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('recipients in their own locale', () => {
  it('sends each recipient the report in their locale and archives every locale', async () => {
    // Prepare
    const { dir, config, stores } = await setup('locales', {
      locale: 'en',
      recipients: [{ address: 'ceo@example.com' }, { name: '山田 太郎', address: 'yamada@example.com', locale: 'ja' }, { address: 'kim@example.com', locale: 'ko' }],
    });
    const mailer = new RecordingMailer();
    const engine = await openEngine(config);

    // Act
    const result = await runWeeklyReport({ config, engine, lake: stores.lake, reports: stores.reports, mailer }, W47, { now: NOW }).finally(() => engine.close());

    // Assess
    // The first message is the owner's notice that the week went out marked incomplete.
    expect((await simpleParser(mailer.sent[0]!.raw)).subject).toBe('ltv-pulse: the weekly report for 2026-W47 went out marked incomplete: its data is incomplete');
    const subjects = await Promise.all(mailer.sent.slice(1).map(async (m) => [m.to[0], (await simpleParser(m.raw)).subject]));
    expect(subjects).toEqual([
      ['ceo@example.com', 'Incomplete data · CLV $1,545.79 · Nov 16\u2009–\u200922'],
      ['yamada@example.com', 'データ不完全 · CLV $1,545.79 · 11/16～11/22'],
      ['kim@example.com', '데이터 불완전 · CLV US$1,545.79 · 11월 16일~22일'],
    ]);
    expect(result.archived?.otherLocales).toEqual({
      ja: { html: '2026-W47/email.ja.html', text: '2026-W47/email.ja.txt', eml: '2026-W47/email.ja.eml' },
      ko: { html: '2026-W47/email.ko.html', text: '2026-W47/email.ko.txt', eml: '2026-W47/email.ko.eml' },
    });
    const ja = await simpleParser(await readFile(path.join(dir, 'out', 'reports', '2026-W47', 'email.ja.eml')));
    expect(ja.to && !Array.isArray(ja.to) ? ja.to.value : []).toEqual([{ name: '山田 太郎', address: 'yamada@example.com' }]);
    expect(ja.html).toContain('lang="ja"');
    expect(result.report.locale).toBe('en');
  });
});

describe('a failed run', () => {
  const failingEngine: QueryEngine = {
    kind: 'failing',
    runRaw: async () => {
      throw new Error('queries/orders_window.sql failed on Athena: HIVE_CURSOR_ERROR');
    },
    runRows: async () => {
      throw new Error('queries/orders_window.sql failed on Athena: HIVE_CURSOR_ERROR');
    },
    registerWeekPartition: async () => null,
    close: async () => {},
  };

  it('sends the owner a failure notice, no one a report, and archives nothing', async () => {
    // Prepare
    const { dir, config, stores } = await setup('failing', { recipients: [{ address: 'ceo@example.com' }] });
    const mailer = new RecordingMailer();

    // Act
    const run = runWeeklyReport({ config, engine: failingEngine, lake: stores.lake, reports: stores.reports, mailer }, W47, { now: NOW });

    // Assess
    await expect(run).rejects.toThrow('HIVE_CURSOR_ERROR');
    expect(mailer.sent.map((m) => m.to)).toEqual([['ltv-pulse@example.com']]);
    const notice = await simpleParser(mailer.sent[0]!.raw);
    expect(notice.subject).toBe('ltv-pulse: the weekly report for 2026-W47 failed');
    expect(notice.text).toContain('What went wrong: queries/orders_window.sql failed on Athena: HIVE_CURSOR_ERROR');
    expect(notice.text).toContain('No recipient received a report for this week.');
    expect(await readdir(path.join(dir, 'out', 'reports')).catch(() => [])).toEqual([]);
  });

  it('sends the failure notice to the configured owner rather than the sender', async () => {
    // Prepare
    const { config, stores } = await setup('owned', { recipients: [{ address: 'ceo@example.com' }], owner: { name: 'Data team', address: 'data-team@example.com' } });
    const mailer = new RecordingMailer();

    // Act
    const run = runWeeklyReport({ config, engine: failingEngine, lake: stores.lake, reports: stores.reports, mailer }, W47, { now: NOW });

    // Assess
    await expect(run).rejects.toThrow('HIVE_CURSOR_ERROR');
    expect(mailer.sent.map((m) => [m.from, m.to])).toEqual([['ltv-pulse@example.com', ['data-team@example.com']]]);
    const notice = await simpleParser(mailer.sent[0]!.raw);
    expect(notice.to && !Array.isArray(notice.to) ? notice.to.value : []).toEqual([{ name: 'Data team', address: 'data-team@example.com' }]);
  });

  it('sends no notice on a dry run, which sends nothing by definition', async () => {
    const { config, stores } = await setup('dry', {});
    const mailer = new RecordingMailer();
    await expect(runWeeklyReport({ config, engine: failingEngine, lake: stores.lake, reports: stores.reports, mailer }, W47, { now: NOW, dryRun: true })).rejects.toThrow();
    expect(mailer.sent).toEqual([]);
  });

  it('still delivers to everyone after a failing recipient, and names who got it and who did not', async () => {
    // Prepare
    const { config, stores } = await setup('partial', { recipients: [{ address: 'ceo@example.com' }, { address: 'cfo@example.com' }, { address: 'coo@example.com' }] });
    const mailer = new RecordingMailer(['cfo@example.com']);
    const engine = await openEngine(config);

    // Act
    const run = runWeeklyReport({ config, engine, lake: stores.lake, reports: stores.reports, mailer }, W47, { now: NOW }).finally(() => engine.close());

    // Assess
    await expect(run).rejects.toThrow('the report did not reach 1 of 3 recipient(s): cfo@example.com (failed: 550 mailbox cfo@example.com unavailable)');
    // The owner's notice that the week goes out marked incomplete, ceo's and coo's reports, the failure notice.
    expect(mailer.sent.map((m) => m.to[0])).toEqual(['ltv-pulse@example.com', 'ceo@example.com', 'coo@example.com', 'ltv-pulse@example.com']);
    const notice = (await simpleParser(mailer.sent[3]!.raw)).text;
    expect(notice).toContain('The weekly CLV report for 2026-W47 failed for some recipients; the others have it.');
    expect(notice).toContain('Delivered to: ceo@example.com, coo@example.com.');
    // Each recipient's message is a message of its own.
    const ids = await Promise.all(mailer.sent.slice(1, 3).map(async (m) => (await simpleParser(m.raw)).messageId));
    expect(new Set(ids).size).toBe(2);
  });

  it('keeps the error in the body: a line break in it never becomes a header', () => {
    // Act
    const email = failureNoticeEmail(parseConfig({}, 'test'), { weekId: '2026-W47', error: new Error('bad\r\nBcc: attacker@evil.test'), now: NOW });

    // Assess
    expect(email.subject).toBe('ltv-pulse: the weekly report for 2026-W47 failed');
    expect(email.to).toEqual([{ name: 'ltv-pulse', address: 'ltv-pulse@example.com' }]);
    expect(email.text).toContain('What went wrong: bad\r\nBcc: attacker@evil.test');
  });
});
