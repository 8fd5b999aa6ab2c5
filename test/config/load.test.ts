import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
    [{ owner: { address: 'data@example.com', locale: 'ja' } }, 'owner: unknown setting "locale"'],
    [{ mail: { kind: 'smtp', host: 'localhost' } }, 'mail.port:'],
    [{ mail: { kind: 'pigeon' } }, 'mail.kind:'],
    [{ grossMargn: 0.5 }, 'unknown setting "grossMargn"'],
    [{ storage: { kind: 'nfs' } }, 'storage.kind:'],
    [{ storage: { kind: 's3', lake: 's3://Acme_Lake', reports: 's3://acme-reports' } }, 'storage.lake: the bucket name "Acme_Lake" may hold only'],
    [{ storage: { kind: 's3', lake: 'acme-lake/lake', reports: 's3://acme-reports' } }, 'storage.lake: must start with s3://'],
    [{ storage: { kind: 's3', lake: 's3://acme-lake', reports: 's3://acme-reports', bucket: 'acme' } }, 'storage: unknown setting "bucket"'],
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
});
