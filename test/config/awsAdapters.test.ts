// The AWS adapters in configuration: the athena engine and the ses mail kinds, and a whole
// configuration in LTV_CONFIG_JSON, as Lambda functions get it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../functions/config/load.ts';
import { openEngine, openMailer } from '../../functions/pipeline/adapters.ts';

const awsRun = {
  s3: { region: 'eu-central-1' },
  storage: { kind: 's3', lake: 's3://acme-ltv-lake', reports: 's3://acme-ltv-reports' },
  exports: { dir: 's3://acme-ltv-exports/crm' },
  engine: { kind: 'athena', workgroup: 'ltv-pulse', database: 'ltv_pulse' },
  mail: { kind: 'ses', configurationSet: 'ltv-pulse' },
};

function problemsOf(input: unknown): string[] {
  try {
    parseConfig(input, 'ltv.config.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('the athena engine and ses mail kinds', () => {
  it('accept a deployment on S3, Athena and SES with defaults for the timeouts, and no local lake copy', () => {
    // Act
    const config = parseConfig(awsRun, 'ltv.config.json');

    // Assess
    expect(config.engine).toEqual({ kind: 'athena', workgroup: 'ltv-pulse', database: 'ltv_pulse', queryTimeoutSeconds: 300, pollMaxMs: 5000, maxConcurrentQueries: 4 });
    expect(config.mail).toEqual({ kind: 'ses', configurationSet: 'ltv-pulse', timeoutSeconds: 60 });
  });

  it('take a catalog, a result location, a timeout, a poll interval and an SES region', () => {
    // Act
    const config = parseConfig(
      {
        ...awsRun,
        engine: { ...awsRun.engine, catalog: 'AwsDataCatalog', outputLocation: 's3://acme-athena-results/ltv', queryTimeoutSeconds: 120, pollMaxMs: 2000 },
        mail: { kind: 'ses', region: 'eu-west-1' },
      },
      'ltv.config.json',
    );

    // Assess
    expect(config.engine).toMatchObject({ catalog: 'AwsDataCatalog', outputLocation: 's3://acme-athena-results/ltv', queryTimeoutSeconds: 120, pollMaxMs: 2000 });
    expect(config.mail).toEqual({ kind: 'ses', region: 'eu-west-1', timeoutSeconds: 60 });
  });

  it.each([
    [{ engine: { kind: 'athena', database: 'ltv_pulse' } }, 'engine.workgroup:'],
    [{ engine: { kind: 'athena', workgroup: 'ltv pulse', database: 'ltv_pulse' } }, 'engine.workgroup: must be an Athena workgroup name'],
    [{ engine: { kind: 'athena', workgroup: 'ltv-pulse', database: 'LTV-Pulse' } }, 'engine.database: must be a Glue database name'],
    [{ engine: { ...awsRun.engine, outputLocation: 'athena-results' } }, 'engine.outputLocation: must start with s3://'],
    [{ engine: { ...awsRun.engine, outputLocation: 's3://acme-ltv-lake/athena' } }, 'engine.outputLocation: s3://acme-ltv-lake/athena overlaps storage.lake'],
    [{ engine: { ...awsRun.engine, queryTimeoutSeconds: 5 } }, 'engine.queryTimeoutSeconds:'],
    [{ engine: { ...awsRun.engine, pollMaxMs: 100 } }, 'engine.pollMaxMs:'],
    [{ engine: { ...awsRun.engine, lakeDir: 'lake-copy' } }, 'engine.lakeDir: unknown setting "lakeDir"'],
    [{ mail: { kind: 'ses', configurationSet: 'ltv pulse' } }, 'mail.configurationSet: must be an SES configuration set name'],
    [{ mail: { kind: 'ses', recipients: ['x@example.com'] } }, 'mail.recipients: unknown setting "recipients"'],
  ])('name the field of a bad setting: %j', (change, expected) => {
    expect(problemsOf({ ...awsRun, ...change }).join('\n')).toContain(expected);
  });

  it('refuse the Athena engine over a local lake, which Athena cannot read', () => {
    // Act
    const problems = problemsOf({ engine: awsRun.engine });

    // Assess
    expect(problems).toEqual(['engine.kind: the Athena engine reads the lake in S3: set storage.kind to "s3" (with storage.lake) or use the "duckdb" engine']);
  });

  it('are built by openEngine and openMailer, which are the only code reading the kinds', async () => {
    // Prepare
    const config = parseConfig(awsRun, 'ltv.config.json');

    // Act
    const engine = await openEngine(config, { deadline: new Date('2026-11-23T07:14:30Z') });
    const mailer = openMailer(config);

    // Assess
    expect(engine.kind).toBe('athena');
    expect(mailer.kind).toBe('ses');
    await engine.close();
  });
});

describe('LTV_CONFIG_JSON', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ltv-config-json-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds a whole configuration, with the LTV_* overrides on top', async () => {
    // Act
    const config = await loadConfig({ env: { LTV_CONFIG_JSON: JSON.stringify({ ...awsRun, timeZone: 'Europe/Berlin' }), LTV_TIME_ZONE: 'Asia/Seoul' } });

    // Assess
    expect(config.engine.kind).toBe('athena');
    expect(config.storage).toMatchObject({ kind: 's3', lake: 's3://acme-ltv-lake' });
    expect(config.timeZone).toBe('Asia/Seoul');
  });

  it('is ignored when empty, as an unset variable is', async () => {
    expect((await loadConfig({ env: { LTV_CONFIG_JSON: ' ' } })).engine.kind).toBe('duckdb');
  });

  it.each([
    ['{ "engine": ', /Invalid configuration in LTV_CONFIG_JSON:\n {2}- not valid JSON/],
    ['["not", "an", "object"]', /LTV_CONFIG_JSON:\n {2}- the variable must hold one JSON object/],
    [JSON.stringify({ engine: { kind: 'athena' } }), /LTV_CONFIG_JSON:\n {2}- engine\.workgroup/],
  ])('names itself when its content is wrong: %s', async (text, message) => {
    await expect(loadConfig({ env: { LTV_CONFIG_JSON: text } })).rejects.toThrow(message);
  });

  it('may not be set beside a configuration file, since one would silently win', async () => {
    // Prepare
    const file = path.join(dir, 'ltv.config.json');
    await writeFile(file, '{}');

    // Act / Assess
    await expect(loadConfig({ file, env: { LTV_CONFIG_JSON: '{}' } })).rejects.toThrow(/LTV_CONFIG_JSON is set too; give the configuration in a file or in LTV_CONFIG_JSON, not both/);
  });
});
