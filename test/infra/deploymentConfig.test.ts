import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeploymentConfigError, parseDeploymentConfig, readDeploymentConfig } from '../../infra/config/deploymentConfig.ts';
import { resourceNames } from '../../infra/config/resourceNames.ts';

const mail = {
  sender: { name: 'ltv-pulse', address: 'reports@acme.example' },
  recipients: [{ name: 'Board', address: 'board@acme.example' }],
};

function problemsOf(input: Record<string, unknown>): string[] {
  try {
    parseDeploymentConfig(input);
  } catch (err) {
    if (err instanceof DeploymentConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('deployment settings (cdk.json context)', () => {
  it('needs only a sender and recipients; everything else has a default', () => {
    // Act
    const config = parseDeploymentConfig(mail);

    // Assess
    expect(config).toMatchObject({
      stackName: 'LtvPulse',
      resultsRetentionDays: 30,
      bytesScannedCutoffMb: 10_000,
      scheduleCron: 'cron(0 7 ? * MON *)',
      scheduleTimeZone: 'UTC',
      exportsPrefix: '',
      rejectedRowAlarmRatio: 0.05,
      ingestConcurrency: 0,
      weeklyMemoryMb: 3008,
      lakeVersionDays: 0,
      report: {},
    });
    expect(config.customerKeySaltParameter).toBeUndefined();
    expect(config.alarmEmail).toBeUndefined();
  });

  it('reads every ltv-pulse: key of the context, as cdk.json and -c give them', () => {
    // Prepare: -c values arrive as strings
    const context = {
      'ltv-pulse:sender': 'reports@acme.example',
      'ltv-pulse:recipients': '["board@acme.example", {"name": "CFO", "address": "cfo@acme.example", "locale": "ko"}]',
      'ltv-pulse:bytesScannedCutoffMb': '250',
      'ltv-pulse:scheduleTimeZone': 'Asia/Seoul',
      'ltv-pulse:exportsPrefix': 'crm/exports/',
      'some-other-tool:setting': 'ignored',
    };

    // Act
    const config = readDeploymentConfig(context);

    // Assess
    expect(config.sender).toEqual({ address: 'reports@acme.example' });
    expect(config.recipients).toEqual([{ address: 'board@acme.example' }, { name: 'CFO', address: 'cfo@acme.example', locale: 'ko' }]);
    expect(config.bytesScannedCutoffMb).toBe(250);
    expect(config.scheduleTimeZone).toBe('Asia/Seoul');
    expect(config.exportsPrefix).toBe('crm/exports');
  });

  it('the committed cdk.json is valid and synthesises with the documented defaults', () => {
    // Prepare
    const cdkJson = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../cdk.json'), 'utf8')) as { context: Record<string, unknown> };

    // Act
    const config = readDeploymentConfig(cdkJson.context);

    // Assess
    expect(config.stackName).toBe('LtvPulse');
    expect(config.scheduleCron).toBe('cron(0 7 ? * MON *)');
  });

  it.each([
    [{ stackName: '1st-stack' }, 'ltv-pulse:stackName: must start with a letter'],
    [{ bytesScannedCutoffMb: 5 }, "ltv-pulse:bytesScannedCutoffMb: must be at least 10 (Athena's minimum cutoff is 10 MB)"],
    [{ resultsRetentionDays: 0 }, 'ltv-pulse:resultsRetentionDays:'],
    [{ scheduleCron: '0 7 * * 1' }, 'ltv-pulse:scheduleCron: must be an EventBridge Scheduler cron with six fields, e.g. cron(0 7 ? * MON *)'],
    [{ scheduleCron: 'cron(0 7 * * MON *)' }, 'ltv-pulse:scheduleCron: exactly one of day-of-month (3rd field) and day-of-week (5th field) must be ?'],
    [{ scheduleTimeZone: 'Mars/Olympus' }, 'ltv-pulse:scheduleTimeZone: must be an IANA time zone name, e.g. UTC, Europe/Berlin or Asia/Seoul'],
    [{ scheduleTimeZone: '+09:00' }, 'ltv-pulse:scheduleTimeZone: must be an IANA time zone name'],
    [{ sender: 'not an address' }, 'ltv-pulse:sender'],
    [{ recipients: [] }, 'ltv-pulse:recipients: must name at least one recipient'],
    [{ recipients: [{ address: 'board@acme.example', role: 'chair' }] }, 'ltv-pulse:recipients'],
    [{ alarmEmail: 'ops' }, 'ltv-pulse:alarmEmail: must be an e-mail address'],
    [{ exportsPrefix: '/crm' }, 'ltv-pulse:exportsPrefix: must not start with /'],
    [{ exportsPrefix: 'crm//daily' }, 'ltv-pulse:exportsPrefix: has an empty, "." or ".." segment'],
    [{ rejectedRowAlarmRatio: 0 }, 'ltv-pulse:rejectedRowAlarmRatio: must be above 0'],
    [{ rejectedRowAlarmRatio: 1.5 }, 'ltv-pulse:rejectedRowAlarmRatio: must be at most 1'],
    [{ ingestConcurrency: -1 }, 'ltv-pulse:ingestConcurrency:'],
    [{ weeklyMemoryMb: 512 }, 'ltv-pulse:weeklyMemoryMb:'],
    [{ weeklyMemoryMb: 20480 }, 'ltv-pulse:weeklyMemoryMb:'],
    [{ scheduleTimezone: 'UTC' }, 'unknown setting ltv-pulse:scheduleTimezone'],
    [{ customerKeySaltParameter: 'ltv pulse salt' }, 'ltv-pulse:customerKeySaltParameter: must be an SSM parameter name, e.g. /ltv-pulse/customer-key-salt'],
    [{ lakeVersionDays: -1 }, 'ltv-pulse:lakeVersionDays:'],
    [{ report: { exports: { preset: 'shopify' } } }, 'ltv-pulse:customerKeySaltParameter: required with the shopify preset, which hashes e-mail addresses and phone numbers'],
    [{ report: { exports: { preset: 'stripe' } } }, 'ltv-pulse:customerKeySaltParameter: required with the stripe preset'],
  ])('refuses %j with a line naming the setting', (overrides, expected) => {
    // Act
    const problems = problemsOf({ ...mail, ...overrides });

    // Assess
    expect(problems.join('\n')).toContain(expected);
  });

  it('names a missing sender or recipients as required', () => {
    // Act
    const problems = problemsOf({});

    // Assess
    expect(problems).toEqual(['ltv-pulse:sender: required', 'ltv-pulse:recipients: required']);
  });

  it('puts every problem in one error that says where settings go', () => {
    // Act
    const run = () => readDeploymentConfig({ 'ltv-pulse:scheduleCron': 'weekly', 'ltv-pulse:bytesScannedCutoffMb': 1 });

    // Assess
    expect(run).toThrow(DeploymentConfigError);
    expect(run).toThrow(/Invalid cdk\.json context:\n {2}- ltv-pulse:bytesScannedCutoffMb: .*\n {2}- ltv-pulse:scheduleCron: .*[\s\S]*-c ltv-pulse:<setting>=<value>/);
  });
});

describe('pipeline settings of a deployment (ltv-pulse:report)', () => {
  it('passes report settings through and checks them against the pipeline configuration schema', () => {
    // Act
    const config = parseDeploymentConfig({
      ...mail,
      customerKeySaltParameter: '/ltv-pulse/customer-key-salt',
      report: { reportCurrency: 'EUR', locale: 'ko', grossMargin: 0.6, exports: { preset: 'stripe' } },
    });

    // Assess
    expect(config.report).toEqual({ reportCurrency: 'EUR', locale: 'ko', grossMargin: 0.6, exports: { preset: 'stripe' } });
  });

  it('refuses a bad pipeline setting at synth, naming it under ltv-pulse:report', () => {
    // Act
    const problems = problemsOf({ ...mail, report: { reportCurrency: 'euro', grossMargin: 2, owner: { address: 'data team' } } });

    // Assess
    expect(problems).toContain('ltv-pulse:report.reportCurrency: must be an ISO 4217 code of three capital letters, e.g. USD');
    expect(problems.some((p) => p.startsWith('ltv-pulse:report.grossMargin:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ltv-pulse:report.owner.address:'))).toBe(true);
  });

  it.each([
    ['storage', { storage: { kind: 'local' } }, 'ltv-pulse:report.storage: is set by the stack'],
    ['timeZone', { timeZone: 'Asia/Seoul' }, 'ltv-pulse:report.timeZone: is set by the stack (ltv-pulse:scheduleTimeZone'],
    ['recipients', { recipients: [] }, 'ltv-pulse:report.recipients: is set by the stack (ltv-pulse:recipients)'],
    ['exports.dir', { exports: { dir: 's3://elsewhere' } }, 'ltv-pulse:report.exports.dir: is the exports bucket and ltv-pulse:exportsPrefix'],
    ['exports.mapping', { exports: { mapping: 'map.json' } }, 'ltv-pulse:report.exports.mapping: only exports.preset can be set'],
  ])('refuses %s, which the stack owns', (_setting, report, expected) => {
    // Act
    const problems = problemsOf({ ...mail, report });

    // Assess
    expect(problems.join('\n')).toContain(expected);
  });

  it('refuses recipients that would not fit in the functions\' environment', () => {
    // Prepare: 50 recipients with long display names
    const recipients = Array.from({ length: 50 }, (_, i) => ({ name: `Member ${i} of the extended leadership team`, address: `member${i}@acme.example` }));

    // Act
    const problems = problemsOf({ ...mail, recipients });

    // Assess
    expect(problems.join('\n')).toMatch(/characters of JSON, more than the 3500 that fit in Lambda's 4 KB of environment variables/);
  });
});

describe('resource names', () => {
  it.each([
    ['LtvPulse', { database: 'ltv_pulse', workGroup: 'ltv-pulse', configurationSet: 'ltv-pulse' }],
    ['LtvPulseStaging', { database: 'ltv_pulse_staging', workGroup: 'ltv-pulse-staging', configurationSet: 'ltv-pulse-staging' }],
    ['acme-LTV-prod', { database: 'acme_ltv_prod', workGroup: 'acme-ltv-prod', configurationSet: 'acme-ltv-prod' }],
  ])('derives readable names from the stack name %s', (stackName, expected) => {
    expect(resourceNames(stackName)).toEqual(expected);
  });
});
