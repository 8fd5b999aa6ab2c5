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
    [{ mail: { kind: 'smtp', host: 'localhost' } }, 'mail.port:'],
    [{ mail: { kind: 'pigeon' } }, 'mail.kind:'],
    [{ grossMargn: 0.5 }, 'unknown setting "grossMargn"'],
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
