// `ltv query` on a small lake ingested from test/fixtures/query-cli. Report week 2026-W47 (UTC)
// is [2026-11-16, 2026-11-23); its 28-day rate window starts 2026-10-26T00:00Z, in the October
// partition. In that window: o1 (c1, 2026-10-27, 100.00 USD), o2 (c1, 2026-11-18, 50.00 USD) and
// o3 (c2, 2026-11-20, 200.00 EUR at 1.1 = 220.00 USD): 3 paid orders, 2 customers, 1 repeat
// customer, 370.00 USD. o4 (2026-10-20) is before the window, o5 (2026-11-23T00:00Z) at its end.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { parseConfig } from '../../functions/config/load.ts';
import { loadQueryCatalog } from '../../functions/engine/queryCatalog.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { openStores } from '../../functions/pipeline/adapters.ts';

let root: string;
let configFile: string;
let seoulConfigFile: string;

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const code = await main(args);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const query = (args: string[]) => run(['query', ...args, '--config', configFile, '--format', 'json']);

const RATE_WINDOW_PARAMS = [
  '--param', 'from_month=2026-10',
  '--param', 'to_month=2026-11',
  '--param', 'window_start=2026-10-26T00:00:00Z',
  '--param', 'window_end=2026-11-23T00:00:00Z',
];

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-query-cli-'));
  const exportsDir = path.join(root, 'exports');
  await cp(path.resolve(import.meta.dirname, '../fixtures/query-cli'), exportsDir, { recursive: true });
  const settings = { storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: exportsDir } };
  const stores = openStores(parseConfig(settings, 'test'));
  const ingest = await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date('2026-11-24T00:00:00Z') });
  expect(ingest.failed).toEqual([]);
  configFile = path.join(root, 'ltv.config.json');
  await writeFile(configFile, JSON.stringify(settings));
  seoulConfigFile = path.join(root, 'seoul.config.json');
  await writeFile(seoulConfigFile, JSON.stringify({ ...settings, timeZone: 'Asia/Seoul' }));
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ltv query --week', () => {
  it('fills every parameter as the report of the week does and returns its rate window', async () => {
    // Act
    const { code, stdout, stderr } = await query(['orders_window', '--week', '2026-W47']);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain("orders_window as the report of 2026-W47 (UTC) runs it: the 28-day rate window ending at the week's end.");
    expect(stderr).toContain(
      'Parameters: from_month=2026-10 to_month=2026-11 window_start=2026-10-26T00:00:00.000Z window_end=2026-11-23T00:00:00.000Z report_currency=USD',
    );
    const [row] = JSON.parse(stdout) as Record<string, unknown>[];
    expect(row).toMatchObject({ paid_orders: '3', purchasing_customers: '2', repeat_customers: '1', unconverted_orders: '0' });
    expect(Number(row!.net_revenue)).toBe(370);
  });

  it("takes the week's bounds in the configured time zone", async () => {
    // Act: 2026-W47 in Seoul (UTC+9) ends at 2026-11-23T00:00 there, 2026-11-22T15:00Z
    const { code, stderr } = await run(['query', 'orders_window', '--week', '2026-W47', '--config', seoulConfigFile, '--format', 'json']);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain('(Asia/Seoul)');
    expect(stderr).toContain('window_start=2026-10-25T15:00:00.000Z window_end=2026-11-22T15:00:00.000Z');
  });

  it('takes the activity window and report currency from the configuration', async () => {
    // Prepare: 90 days before 2026-11-23 is 2026-08-25 (23 + 31 + 30 + 6)
    const file = path.join(root, 'eur-90.config.json');
    await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(configFile, 'utf8')), activityWindowDays: 90, reportCurrency: 'EUR' }));

    // Act
    const { code, stderr } = await run(['query', 'rfm_segments', '--week', '2026-W47', '--config', file, '--format', 'json']);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain("rfm_segments as the report of 2026-W47 (UTC) runs it: the activity window ending at the week's end.");
    expect(stderr).toContain('Parameters: from_month=2026-08 to_month=2026-11 activity_from=2026-08-25T00:00:00.000Z as_of=2026-11-23T00:00:00.000Z report_currency=EUR');
  });

  it('lets one --param replace a value of the week, checked like any other', async () => {
    // Act: in EUR, o1 and o2 (USD) have no rate and are left out: 200.00 EUR
    const eur = await query(['orders_window', '--week', '2026-W47', '--param', 'report_currency=EUR']);
    const lower = await query(['orders_window', '--week', '2026-W47', '--param', 'report_currency=eur']);

    // Assess
    expect(eur.code).toBe(0);
    const [row] = JSON.parse(eur.stdout) as Record<string, unknown>[];
    expect(row).toMatchObject({ paid_orders: '3', unconverted_orders: '2' });
    expect(Number(row!.net_revenue)).toBe(200);
    expect(lower.code).toBe(1);
    expect(lower.stderr).toContain('--param report_currency: "eur" is not an ISO 4217 code; did you mean EUR?');
  });

  it('derives the partitions again when a --param moves the window they cover', async () => {
    // Act: a window from 2026-09-30 needs the September partition too; o4 (2026-10-20) is now in it
    const { code, stdout, stderr } = await query(['orders_window', '--week', '2026-W47', '--param', 'window_start=2026-09-30T00:00:00Z']);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain('Parameters: from_month=2026-09 to_month=2026-11 window_start=2026-09-30T00:00:00.000Z');
    expect(JSON.parse(stdout)).toMatchObject([{ population: 'all', paid_orders: '4', purchasing_customers: '3' }, { population: 'contractual' }, { population: 'non_contractual' }]);
  });

  it('fills the parameters of every query in queries/, which then runs', async () => {
    for (const name of (await loadQueryCatalog()).keys()) {
      const { code, stderr } = await query([name, '--week', '2026-W47']);
      expect(code, `${name}: ${stderr}`).toBe(0);
    }
  });

  it('refuses a week that has not ended, as the report does', async () => {
    const { code, stderr } = await query(['orders_window', '--week', '2099-W01']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/2099-W01 has not ended yet \(it ends 2099-01-05T00:00:00\.000Z\); the report reads complete weeks only, e\.g\. the last one, \d{4}-W\d{2}/);
  });
});

describe('ltv query --param, checked by what the header says each parameter means', () => {
  it('refuses a lower-case currency, which would give net revenue 0 without a word', async () => {
    // Act
    const { code, stdout, stderr } = await query(['orders_window', ...RATE_WINDOW_PARAMS, '--param', 'report_currency=usd']);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('--param report_currency: "usd" is not an ISO 4217 code; did you mean USD?');
    expect((await query(['orders_window', ...RATE_WINDOW_PARAMS, '--param', 'report_currency=US$'])).stderr).toContain(
      '"US$" is not an ISO 4217 code of three capital letters, e.g. USD',
    );
  });

  it('refuses a first partition after the window start, which would drop its month of orders', async () => {
    // Act: from_month=2026-11 would leave out o1 (2026-10-27) and report 270.00
    const { code, stdout, stderr } = await query([
      'orders_window', '--param', 'from_month=2026-11', '--param', 'to_month=2026-11',
      '--param', 'window_start=2026-10-26T00:00:00Z', '--param', 'window_end=2026-11-23T00:00:00Z', '--param', 'report_currency=USD',
    ]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      '--param from_month=2026-11 does not cover window_start=2026-10-26T00:00:00.000Z: orders in 2026-10 would be left out without a word. ' +
        'Give from_month=2026-10, or leave from_month out to derive it from window_start.',
    );
  });

  it('refuses a last partition before the month of the last instant read', async () => {
    const { code, stderr } = await query([
      'orders_window', '--param', 'to_month=2026-10', '--param', 'window_start=2026-10-26T00:00:00Z',
      '--param', 'window_end=2026-11-23T00:00:00Z', '--param', 'report_currency=USD',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('--param to_month=2026-10 does not cover window_end=2026-11-23T00:00:00.000Z: orders in 2026-11 would be left out');
  });

  it('derives partitions left out from the window; a window ending on the 1st reads up to the month before', async () => {
    // Act: [2026-10-26, 2026-11-01) holds only o1; its last instant is in October
    const { code, stdout, stderr } = await query([
      'orders_window', '--param', 'window_start=2026-10-26T00:00:00Z', '--param', 'window_end=2026-11-01T00:00:00Z', '--param', 'report_currency=USD',
    ]);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain('Parameters: from_month=2026-10 to_month=2026-10 ');
    expect(JSON.parse(stdout)).toMatchObject([{ population: 'all', paid_orders: '1', purchasing_customers: '1' }, { population: 'contractual' }, { population: 'non_contractual' }]);
  });

  it('names the missing parameters and what they mean instead of an engine error', async () => {
    // Act
    const { code, stderr } = await query(['orders_window', '--param', 'window_end=2026-11-23T00:00:00Z']);

    // Assess: the partitions follow from the window and are not asked for once it is given
    expect(code).toBe(1);
    expect(stderr).toContain(
      [
        'queries/orders_window.sql needs parameters not given:',
        '  from_month (varchar): first order_month partition to read (month of window_start); derived from window_start when left out',
        '  window_start (timestamp): start of the window, inclusive (UTC instant)',
        '  report_currency (varchar): ISO code the money columns are reported in (used four times: orders already in it, rates into it, orders converted, orders with no rate)',
        'Give each with --param name=value, or --week 2026-W47 to fill them as the report of that week does.',
      ].join('\n'),
    );
  });

  it('refuses a timestamp without a zone, which the machine would read in its own', async () => {
    const { code, stderr } = await query(['orders_window', ...RATE_WINDOW_PARAMS.slice(0, 4), '--param', 'window_end=2026-11-23T00:00', '--param', 'report_currency=USD']);
    expect(code).toBe(1);
    expect(stderr).toContain('--param window_end: "2026-11-23T00:00" has no time zone; write a UTC instant such as 2026-11-23T00:00:00Z, or an offset such as 2026-11-23T00:00:00+09:00');
    expect((await query(['mrr_movements', '--param', 'data_end=2026-11-23', '--param', 'report_currency=USD'])).stderr).toContain('"2026-11-23" has no time zone');
  });

  it('takes an instant with an offset', async () => {
    // 2026-11-23T09:00:00+09:00 is 2026-11-23T00:00:00Z
    const { code, stderr } = await query(['orders_window', ...RATE_WINDOW_PARAMS.slice(0, 6), '--param', 'window_end=2026-11-23T09:00:00+09:00', '--param', 'report_currency=USD']);
    expect(code).toBe(0);
    expect(stderr).toContain('window_end=2026-11-23T00:00:00.000Z');
  });

  it('refuses dates, months and weeks that are not on the calendar', async () => {
    const acquisition = ['acquisition_by_channel', '--param', 'window_start=2026-10-26T00:00:00Z', '--param', 'window_end=2026-11-23T00:00:00Z', '--param', 'report_currency=USD'];
    expect((await query([...acquisition, '--param', 'spend_from=2026-02-30', '--param', 'spend_until=2026-11-23'])).stderr).toContain(
      '--param spend_from: "2026-02-30" is not a calendar date written YYYY-MM-DD',
    );
    expect((await query(['orders_window', ...RATE_WINDOW_PARAMS.slice(2), '--param', 'from_month=2026-13', '--param', 'report_currency=USD'])).stderr).toContain(
      '--param from_month: "2026-13" is not an order_month partition written YYYY-MM',
    );
    expect((await query(['orders_window', '--param', 'window_start=2026-02-30T00:00:00Z'])).stderr).toContain('"2026-02-30T00:00:00Z" is not an ISO 8601 instant');
    expect((await query(['clv_scores_latest', '--param', 'up_to_week=2025-W53'])).stderr).toContain('--param up_to_week: "2025-W53": 2025 has weeks 1 to 52');
  });
});

describe('ltv query --format', () => {
  it('refuses an unknown format before anything runs', async () => {
    const { code, stdout, stderr } = await run(['query', 'orders_window', '--week', '2026-W47', '--config', configFile, '--format', 'xml']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('ltv query failed: --format must be table, csv or json, not "xml"');
  });
});

describe('ltv query --list', () => {
  it("prints each query's whole purpose, as its header writes it", async () => {
    // Act
    const { code, stdout } = await run(['query', '--list']);

    // Assess
    expect(code).toBe(0);
    for (const q of (await loadQueryCatalog()).values()) {
      const header = /^-- purpose:([\s\S]*?)\n-- grain:/.exec(q.sql)![1]!;
      const purpose = header.split('\n').map((l) => l.replace(/^--/, '').trim()).join(' ').trim();
      expect(stdout, q.file).toContain(`${q.name}: ${purpose}\n`);
    }
    expect(stdout).toContain('(stage 1 of the scorecard: segment shares of customers and revenue)');
  });
});

describe('ltv query --format csv', () => {
  it('hands a spreadsheet no formula from the data, and numbers as numbers', async () => {
    // Prepare: a lake whose customer ids came from an export someone tampered with
    const dir = path.join(root, 'hostile');
    await mkdir(path.join(dir, 'exports'), { recursive: true });
    await writeFile(path.join(dir, 'exports', 'customers.csv'), 'customer_id,signup_at,acquisition_channel,country\n"=HYPERLINK(""http://evil.example"",""x"")",2026-10-01,email,US\n');
    await writeFile(
      path.join(dir, 'exports', 'orders.csv'),
      'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status\no1,"=HYPERLINK(""http://evil.example"",""x"")",2026-10-02T10:00:00Z,10.00,,USD,paid\no2,"=HYPERLINK(""http://evil.example"",""x"")",2026-10-09T10:00:00Z,4.50,,USD,paid\n',
    );
    const settings = { storage: { kind: 'local', root: path.join(dir, 'out') }, exports: { dir: path.join(dir, 'exports') } };
    const stores = openStores(parseConfig(settings, 'test'));
    await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date('2026-11-24T00:00:00Z') });
    const config = path.join(dir, 'ltv.config.json');
    await writeFile(config, JSON.stringify(settings));

    // Act
    const { code, stdout } = await run(['query', 'model_inputs', '--week', '2026-W47', '--config', config, '--format', 'csv']);

    // Assess
    expect(code).toBe(0);
    const [, row] = stdout.split('\n');
    expect(row).toBe('"\'=HYPERLINK(""http://evil.example"",""x"")",1,7,2026-10-02,4.5000,0');
  });
});

