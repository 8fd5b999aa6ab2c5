import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../functions/config/load.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ltv-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function problemsOf(input: unknown): string[] {
  try {
    parseConfig(input, 'ltv.config.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('has defaults that make a local run work', () => {
    // Act
    const config = parseConfig({}, 'defaults');

    // Assess
    expect(config).toMatchObject({
      reportCurrency: 'USD',
      timeZone: 'UTC',
      grossMargin: 1,
      activityWindowDays: 365,
      holdoutWeeks: 13,
      storage: { kind: 'local', root: 'out' },
      engine: { kind: 'duckdb' },
      mail: { kind: 'eml' },
    });
    expect(config.recipients).toHaveLength(1);
  });

  it.each([
    [{ timeZone: 'Mars/Olympus' }, 'timeZone: must be an IANA time zone'],
    [{ reportCurrency: 'usd' }, 'reportCurrency: must be an ISO 4217 code'],
    [{ grossMargin: 1.5 }, 'grossMargin:'],
    [{ clv: { horizonMonths: 0 } }, 'clv.horizonMonths:'],
    [{ recipients: [{ address: 'not-an-address' }] }, 'recipients.0.address:'],
    [{ owner: { address: 'data team' } }, 'owner.address:'],
    [{ owner: { address: 'data@example.com', locale: 'ja' } }, 'owner.locale: unknown setting "locale"'],
    [{ mail: { kind: 'smtp', host: 'localhost' } }, 'mail.port:'],
    [{ mail: { kind: 'pigeon' } }, 'mail.kind:'],
    [{ grossMargn: 0.5 }, 'unknown setting "grossMargn"'],
    [{ storage: { kind: 'nfs' } }, 'storage.kind:'],
    [{ storage: { kind: 's3', lake: 's3://Acme_Lake', reports: 's3://acme-reports' } }, 'storage.lake: the bucket name "Acme_Lake" may hold only'],
    [{ storage: { kind: 's3', lake: 'acme-lake/lake', reports: 's3://acme-reports' } }, 'storage.lake: must start with s3://'],
    [{ storage: { kind: 's3', lake: 's3://acme-lake', reports: 's3://acme-reports', bucket: 'acme' } }, 'storage.bucket: unknown setting "bucket"'],
    [{ exports: { dir: 'gs://acme-exports/crm' } }, 'exports.dir: gs:// locations are not supported'],
    [{ exports: { dir: 's3://acme-exports//crm' } }, 'exports.dir: the key prefix "/crm" has an empty'],
    [{ s3: { endpoint: 'localhost:9000' } }, 's3.endpoint: must be an http:// or https:// URL'],
    [{ s3: { maxAttempts: 0 } }, 's3.maxAttempts:'],
  ])('names the field of a bad setting: %j', (input, expected) => {
    // Act
    const problems = problemsOf(input);

    // Assess
    expect(problems.join('\n')).toContain(expected);
  });

  it('reads a JSON file and lets LTV_* variables override it', async () => {
    // Prepare
    const file = path.join(dir, 'ltv.config.json');
    await writeFile(file, JSON.stringify({ reportCurrency: 'EUR', grossMargin: 0.6 }));

    // Act
    const config = await loadConfig({ file, env: { LTV_GROSS_MARGIN: '0.7', LTV_TIME_ZONE: 'Asia/Seoul' } });

    // Assess
    expect(config.reportCurrency).toBe('EUR');
    expect(config.grossMargin).toBe(0.7);
    expect(config.timeZone).toBe('Asia/Seoul');
  });

  it.each([
    [{ exports: { Dir: '/data' } }, 'exports.Dir: unknown setting "Dir"; did you mean "dir"?'],
    [{ clv: { horizonMonth: 12 } }, 'clv.horizonMonth: unknown setting "horizonMonth"; did you mean "horizonMonths"?'],
    [{ targets: { ltvToCAC: 3 } }, 'targets.ltvToCAC: unknown setting "ltvToCAC"; did you mean "ltvToCac"?'],
    [{ sample: { Customers: 500 } }, 'sample.Customers: unknown setting "Customers"; did you mean "customers"?'],
    [{ storage: { kind: 'local', rot: 'data' } }, 'storage.rot: unknown setting "rot"; did you mean "root"?'],
    [{ engine: { kind: 'duckdb', thread: 2 } }, 'engine.thread: unknown setting "thread"; did you mean "threads"?'],
    [{ mail: { kind: 'eml', outboxdir: 'mail' } }, 'mail.outboxdir: unknown setting "outboxdir"; did you mean "outboxDir"?'],
    [{ mail: { kind: 'smtp', host: 'localhost', port: 25, pasword: 'x' } }, 'mail.pasword: unknown setting "pasword"; did you mean "password"?'],
    [{ recipients: [{ address: 'ceo@example.com', Name: 'CEO' }] }, 'recipients.0.Name: unknown setting "Name"; did you mean "name"?'],
    [{ sender: { address: 'ltv@example.com', locle: 'ko' } }, 'sender.locle: unknown setting "locle"; did you mean "locale"?'],
    [{ s3: { regoin: 'eu-central-1' } }, 's3.regoin: unknown setting "regoin"; did you mean "region"?'],
    [{ grossMargn: 0.5 }, 'grossMargn: unknown setting "grossMargn"; did you mean "grossMargin"?'],
  ])('rejects an unknown setting at any level and suggests the one meant: %j', (input, expected) => {
    // Act
    const problems = problemsOf(input);

    // Assess
    expect(problems).toContain(expected);
  });

  it('suggests nothing when no setting of that object is close', () => {
    // Act
    const problems = problemsOf({ exports: { folder: '/data' } });

    // Assess
    expect(problems).toEqual(['exports.folder: unknown setting "folder"']);
  });

  it('takes the known settings of a mail kind from the variant that kind selects', () => {
    // Act: "host" is a setting of smtp, not of eml
    const problems = problemsOf({ mail: { kind: 'eml', host: 'localhost' } });

    // Assess
    expect(problems).toEqual(['mail.host: unknown setting "host"']);
  });

  it.each([
    [{ grossMargin: 62 }, 'grossMargin: must be a share from 0 to 1, e.g. 0.62 for 62%; got 62'],
    [{ grossMargin: 0 }, 'grossMargin: must be a share from 0 to 1, e.g. 0.62 for 62%; got 0'],
    [{ grossMargin: '62%' }, 'grossMargin: must be a share from 0 to 1, e.g. 0.62 for 62%; got "62%"'],
    [{ clv: { monthlyDiscountRate: 1 } }, 'clv.monthlyDiscountRate: must be a monthly rate from 0 to 0.5, e.g. 0.01 for 1% a month; got 1'],
    [{ activityWindowDays: 10 }, 'activityWindowDays: must be a whole number from 28 to 3650; got 10'],
    [{ holdoutWeeks: 6.5 }, 'holdoutWeeks: must be a whole number from 1 to 104; got 6.5'],
    [{ clv: { minCustomers: 0 } }, 'clv.minCustomers: must be a whole number of at least 1; got 0'],
    [{ targets: { ltvToCac: -3 } }, 'targets.ltvToCac: must be a number above 0; got -3'],
    [{ locale: 'EN' }, 'locale: must be one of "en", "ko", "ja"; got "EN"; did you mean "en"?'],
    [{ headlineClvMethod: 'bgbnd' }, 'headlineClvMethod: must be one of "saas", "purchase", "cohort", "bgnbd", "sbg"; got "bgbnd"; did you mean "bgnbd"?'],
    [{ storage: { kind: 'nfs' } }, 'storage.kind: must be one of "local", "s3"; got "nfs"'],
    [{ mail: { kind: 'smtp', host: 'localhost' } }, 'mail.port: required: a whole number from 1 to 65535'],
    [{ mail: { kind: 'smtp', host: 'localhost', port: 25, secure: 'yes' } }, 'mail.secure: must be true or false; got "yes"'],
    [{ engine: { kind: 'duckdb', memoryLimit: '1G' } }, 'engine.memoryLimit: must be a size with its unit (KB, MB, GB, KiB, MiB or GiB), e.g. "512MB" or "2GB"'],
    [{ targets: { baselineWeek: '2026-1' } }, 'targets.baselineWeek: must be an ISO week, e.g. "2026-W01"'],
    [{ exports: { dateFormat: 'MM/DD' } }, 'exports.dateFormat: "MM/DD" lacks YYYY (or YY); give a pattern of YYYY or YY, MM, DD, HH, mm, ss such as "MM/DD/YY HH:mm"'],
    [{ exports: { dateFormat: 'iso' } }, 'exports.dateFormat: "iso" is no pattern; give a pattern of YYYY or YY, MM, DD, HH, mm, ss such as "MM/DD/YY HH:mm"'],
  ])('says what a value must be: %j', (input, expected) => {
    // Act
    const problems = problemsOf(input);

    // Assess
    expect(problems).toEqual([expected]);
  });

  it('names the LTV_* variable a bad value came from, and only the overrides applied', async () => {
    // Prepare
    const file = path.join(dir, 'margin.json');
    await writeFile(file, JSON.stringify({ reportCurrency: 'EUR' }));

    // Act / Assess
    await expect(loadConfig({ file, env: { LTV_GROSS_MARGIN: '62' } })).rejects.toThrow(
      `Invalid configuration in ${file} (with the override LTV_GROSS_MARGIN):\n  - LTV_GROSS_MARGIN (grossMargin): must be a share from 0 to 1, e.g. 0.62 for 62%; got 62`,
    );
  });

  it('mentions no environment override when none was set', async () => {
    // Prepare
    const file = path.join(dir, 'plain.json');
    await writeFile(file, JSON.stringify({ grossMargin: 62 }));

    // Act / Assess
    await expect(loadConfig({ file, env: {} })).rejects.toThrow(
      `Invalid configuration in ${file}:\n  - grossMargin: must be a share from 0 to 1, e.g. 0.62 for 62%; got 62`,
    );
  });

  it('names every override applied over the defaults', async () => {
    // Act / Assess
    await expect(loadConfig({ env: { LTV_TIME_ZONE: 'Asia/Seoul', LTV_RECIPIENTS: 'ceo@example.com' } })).rejects.toThrow(
      'Invalid configuration in defaults with LTV_TIME_ZONE, LTV_RECIPIENTS:\n  - LTV_RECIPIENTS (recipients): must be a list [ ... ]; got "ceo@example.com"',
    );
  });

  it('resolves the relative paths of a config file against its folder, not the working directory', async () => {
    // Prepare
    const folder = path.join(dir, 'deploy');
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, 'ltv.config.json');
    await writeFile(
      file,
      JSON.stringify({
        storage: { kind: 'local', root: 'out' },
        engine: { kind: 'duckdb', lakeDir: '../lake-copy' },
        mail: { kind: 'eml', outboxDir: 'mail/outbox' },
        exports: { dir: 'exports', mapping: 'till.mapping.json' },
      }),
    );

    // Act
    const config = await loadConfig({ file, env: {} });

    // Assess
    expect(config.storage.root).toBe(path.join(folder, 'out'));
    expect(config.engine).toMatchObject({ lakeDir: path.join(dir, 'lake-copy') });
    expect(config.mail).toMatchObject({ outboxDir: path.join(folder, 'mail', 'outbox') });
    expect(config.exports.dir).toBe(path.join(folder, 'exports'));
    expect(config.exports.mapping).toBe(path.join(folder, 'till.mapping.json'));
  });

  it('keeps absolute paths, s3:// locations, LTV_* values and defaults as they are', async () => {
    // Prepare
    const folder = path.join(dir, 'deploy-s3');
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, 'ltv.config.json');
    await writeFile(file, JSON.stringify({ exports: { dir: 's3://acme-exports/crm' }, engine: { kind: 'duckdb', lakeDir: '/srv/lake' } }));
    const relative = path.join(folder, 'relative.json');
    await writeFile(relative, JSON.stringify({ reportCurrency: 'EUR' }));

    // Act
    const s3 = await loadConfig({ file, env: {} });
    const overridden = await loadConfig({ file: relative, env: { LTV_EXPORTS_DIR: 'exports' } });

    // Assess
    expect(s3.exports.dir).toBe('s3://acme-exports/crm');
    expect(s3.engine).toMatchObject({ lakeDir: '/srv/lake' });
    expect(s3.storage.root).toBe('out');
    expect(overridden.exports.dir).toBe('exports');
  });

  it.each([
    ['LTV_GROSS_MARGN', 'LTV_GROSS_MARGIN'],
    ['LTV_TIMEZONE', 'LTV_TIME_ZONE'],
    ['LTV_EXPORT_DIR', 'LTV_EXPORTS_DIR'],
  ])('refuses the misspelt override %s instead of running on the default', async (variable, meant) => {
    // Act / Assess
    await expect(loadConfig({ env: { [variable]: '0.62' } })).rejects.toThrow(
      `Invalid configuration in the environment:\n  - ${variable}: not a variable ltv-pulse reads; did you mean ${meant}?`,
    );
  });

  it('leaves alone LTV_* variables that are not near an override', async () => {
    // Act
    const config = await loadConfig({ env: { LTV_DEBUG: '1', LTV_DEPLOYMENT: 'prod', LTV_CUSTOMER_KEY_SALT: 'x'.repeat(32) } });

    // Assess
    expect(config.grossMargin).toBe(1);
  });

  it('names the file when it is not JSON', async () => {
    // Prepare
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{ "reportCurrency": ');

    // Act / Assess
    await expect(loadConfig({ file, env: {} })).rejects.toThrow(/broken\.json[\s\S]*not valid JSON/);
  });
});

describe('S3 storage configuration', () => {
  const s3Run = {
    s3: { region: 'eu-central-1' },
    storage: { kind: 's3', lake: 's3://acme-ltv-lake/lake', reports: 's3://acme-ltv-reports' },
    exports: { dir: 's3://acme-ltv-exports/crm' },
    engine: { kind: 'duckdb', lakeDir: 'lake-copy' },
  };

  it('accepts a lake and reports in S3, exports in S3 and a local copy of the lake for DuckDB', () => {
    // Act
    const config = parseConfig(s3Run, 'ltv.config.json');

    // Assess
    expect(config.storage).toEqual({ kind: 's3', lake: 's3://acme-ltv-lake/lake', reports: 's3://acme-ltv-reports', root: 'out' });
    expect(config.s3).toEqual({ region: 'eu-central-1', forcePathStyle: false });
    expect(config.exports.dir).toBe('s3://acme-ltv-exports/crm');
  });

  it('accepts exports in S3 beside local storage', () => {
    // Act
    const config = parseConfig({ exports: { dir: 's3://acme-ltv-exports/crm' } }, 'ltv.config.json');

    // Assess
    expect(config.storage.kind).toBe('local');
    expect(config.exports.dir).toBe('s3://acme-ltv-exports/crm');
  });

  it('refuses the DuckDB engine without engine.lakeDir, because DuckDB reads a local folder', () => {
    // Act
    const problems = problemsOf({ ...s3Run, engine: { kind: 'duckdb' } });

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^engine\.lakeDir: required when storage\.kind is "s3": the DuckDB engine reads the lake from a local folder/)]);
  });

  it('refuses S3 storage without configured exports, since samples are generated for local storage only', () => {
    // Act
    const problems = problemsOf({ ...s3Run, exports: {} });

    // Assess
    expect(problems).toEqual(['exports.dir: required when storage.kind is "s3": a sample data set is generated for local storage only']);
  });

  it('refuses locations of which one holds the other', () => {
    // Act
    const problems = problemsOf({
      ...s3Run,
      storage: { kind: 's3', lake: 's3://acme-ltv/lake', reports: 's3://acme-ltv/lake/reports' },
      exports: { dir: 's3://acme-ltv-exports' },
    });

    // Assess
    expect(problems).toEqual([
      'storage.reports: s3://acme-ltv/lake/reports overlaps storage.lake (s3://acme-ltv/lake); give each its own bucket or prefix',
    ]);
  });

  it('takes report.docsUrl as an http(s) address of docs/metrics.md without a fragment, and says what it must be otherwise', () => {
    expect(parseConfig({ report: { docsUrl: 'https://github.com/acme/ltv-pulse/blob/main/docs/metrics.md' } }, 'x').report.docsUrl).toBe(
      'https://github.com/acme/ltv-pulse/blob/main/docs/metrics.md',
    );
    expect(parseConfig({}, 'x').report.docsUrl).toBeUndefined();
    expect(problemsOf({ report: { docsUrl: 'docs/metrics.md' } })).toEqual([expect.stringMatching(/^report\.docsUrl: must be an http\(s\) URL of docs\/metrics\.md/)]);
    expect(problemsOf({ report: { docsUrl: 'ftp://example.com/metrics.md' } })).toEqual([expect.stringMatching(/^report\.docsUrl: must be an http\(s\) URL/)]);
    expect(problemsOf({ report: { docsUrl: 'https://example.com/metrics.md#kpis' } })).toEqual([expect.stringMatching(/^report\.docsUrl: must not hold a "#fragment"/)]);
  });

  it('shows customer ids in the report unless report.customerIds hides them, and takes no other value', () => {
    expect(parseConfig({}, 'defaults').report.customerIds).toBe('show');
    expect(parseConfig({ report: { customerIds: 'hide' } }, 'x').report.customerIds).toBe('hide');
    expect(problemsOf({ report: { customerIds: 'masked' } })).toEqual([expect.stringMatching(/^report\.customerIds: .*"show".*"hide"/)]);
    expect(problemsOf({ report: { customerId: 'hide' } })).toEqual(['report.customerId: unknown setting "customerId"; did you mean "customerIds"?']);
  });
});
