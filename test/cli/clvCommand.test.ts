import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { conditionalExpectedPurchases, probabilityAlive } from '../../functions/clv/bgnbd.ts';
import { customerClv } from '../../functions/clv/predictiveClv.ts';
import { main } from '../../functions/cli/main.ts';
import { parseConfig } from '../../functions/config/load.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { openStores } from '../../functions/pipeline/adapters.ts';
import { writeSample } from '../../functions/sample/writeSample.ts';
import { cdnowOrdersCsv } from '../clv/cdnowData.ts';

// The published CDNOW summaries (test/fixtures/cdnow, see its README): recency and T in weeks.
const cdnow = path.resolve(import.meta.dirname, '../fixtures/cdnow');
const withSpend = path.join(cdnow, 'cdnow_customers_summary_with_transactions.csv');
const withoutSpend = path.join(cdnow, 'cdnow_customers_summary.csv');

let dir: string;

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const code = await main(args);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ltv-clv-cli-'));
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ltv clv fit', () => {
  it('fits CDNOW to the published BG/NBD and Gamma-Gamma parameters (--json)', async () => {
    // Act
    const { code, stdout } = await run(['clv', 'fit', '--summary', withSpend, '--unit', 'weeks', '--json']);

    // Assess: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4; p = 6.25, q = 3.74, γ = 15.44
    expect(code).toBe(0);
    const fit = JSON.parse(stdout) as {
      customers: number;
      timeUnit: string;
      bgnbd: { parameters: Record<string, number>; standardErrors: Record<string, number>; logLikelihood: number; iterations: number; fitMs: number };
      gammaGamma: { parameters: Record<string, number>; customers: number };
    };
    expect(fit).toMatchObject({ customers: 2357, timeUnit: 'weeks' });
    const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    for (const [name, value] of Object.entries(published)) expect(Math.abs(fit.bgnbd.parameters[name]! - value)).toBeLessThan(0.001);
    expect(Math.abs(fit.bgnbd.logLikelihood - -9582.4)).toBeLessThan(0.1);
    expect(fit.bgnbd.standardErrors.r).toBeCloseTo(0.0126, 3);
    expect(fit.bgnbd.iterations).toBeGreaterThan(0);
    expect(fit.bgnbd.fitMs).toBeGreaterThan(0);
    const spend = { p: 6.25, q: 3.74, gamma: 15.44 };
    for (const [name, value] of Object.entries(spend)) expect(Math.abs(fit.gammaGamma.parameters[name]! - value)).toBeLessThan(0.01);
    expect(fit.gammaGamma.customers).toBe(946);
  });

  it('fits a summary holding a repeat customer whose repeats brought no money, leaving them out of the spend fit', async () => {
    // Prepare: CDNOW plus one customer as in the full log, a $15.96 order and then a $0.00 one
    const file = path.join(dir, 'with-free-repeat.csv');
    await writeFile(file, `${(await readFile(withSpend, 'utf8')).trimEnd()}\n99999,1,10,38.86,0\n`);

    // Act
    const { code, stdout } = await run(['clv', 'fit', '--summary', file, '--unit', 'weeks', '--json']);

    // Assess: the spend fit is CDNOW's own, on its 946 customers
    expect(code).toBe(0);
    const fit = JSON.parse(stdout) as { customers: number; gammaGamma: { parameters: Record<string, number>; customers: number }; flags: string[] };
    expect(fit.customers).toBe(2358);
    expect(fit.gammaGamma.customers).toBe(946);
    expect(Math.abs(fit.gammaGamma.parameters.p! - 6.25)).toBeLessThan(0.01);
    expect(fit.flags).toContain("1 repeat customer's repeat orders brought no money (zero-amount orders): left out of the spend fit and scored with the population mean spend");
  });

  it('prints a table, and no spend model for a file without monetary values', async () => {
    // Act
    const { code, stdout } = await run(['clv', 'fit', '--summary', withoutSpend, '--unit', 'weeks']);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}r +0\.2426 +0\.0126$/m);
    expect(stdout).toMatch(/^ {2}alpha +4\.413\d +0\.378\d$/m);
    expect(stdout).toContain('log-likelihood -9582.4');
    expect(stdout).toContain('Gamma-Gamma: not fitted (the file has no monetary_value column)');
  });

  it('exits 1 with the reason when the data cannot carry the model', async () => {
    // Prepare
    const file = path.join(dir, 'one-repeat.csv');
    await writeFile(file, 'customer_id,frequency,recency,T\na,1,3,10\nb,0,0,10\n');

    // Act
    const { code, stdout } = await run(['clv', 'fit', '--summary', file]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toContain('not fitted: too few repeat customers to fit BG/NBD: 1 made a repeat purchase, at least 10 are needed');
  });

  it('refuses options that do not apply', async () => {
    expect((await run(['clv', 'fit', '--summary', withSpend, '--unit', 'months'])).stderr).toContain('--unit must be days or weeks, not "months"');
    expect((await run(['clv', 'fit', '--summary', withSpend, '--week', '2026-W47'])).code).toBe(1);
    expect((await run(['clv', 'nope'])).code).toBe(2);
  });
});

describe('ltv clv fit --survival', () => {
  // Fader & Hardie (2007), Table 1, in test/fixtures/survival (see its README): the paper fits
  // years 0..7, regular α 0.704, β 1.182 and high end α 0.668, β 3.806, and projects 8..12.
  const survival = path.resolve(import.meta.dirname, '../fixtures/survival');
  type SurvivalJson = {
    sbg: {
      cohorts: number;
      customers: number;
      fit: { parameters: { alpha: number; beta: number }; standardErrors: { alpha: number; beta: number } | null; meanChurn: number };
      holdout: { calibration: { alpha: number; beta: number }; months: { predicted: number; actual: number }[]; relativeError: number } | null;
    };
  };
  const rounded = (p: { alpha: number; beta: number }) => [p.alpha.toFixed(3), p.beta.toFixed(3)];

  it.each([
    ['regular', ['0.704', '1.182']],
    ['high-end', ['0.668', '3.806']],
  ])('reproduces the published %s fit from the calibration years', async (name, published) => {
    // Prepare: the paper's calibration data, years 0..7
    const file = path.join(dir, `${name}-calibration.csv`);
    await writeFile(file, `${(await readFile(path.join(survival, `${name}.csv`), 'utf8')).trim().split('\n').slice(0, 9).join('\n')}\n`);

    // Act
    const { code, stdout } = await run(['clv', 'fit', '--survival', file, '--json']);

    // Assess
    expect(code).toBe(0);
    const { sbg } = JSON.parse(stdout) as SurvivalJson;
    expect(sbg).toMatchObject({ cohorts: 1, customers: 1000, holdout: null });
    expect(rounded(sbg.fit.parameters)).toEqual(published);
    expect(sbg.fit.standardErrors).not.toBeNull();
  });

  it.each([
    ['regular', ['0.704', '1.182'], [223, 207, 194, 183, 173]],
    ['high-end', ['0.668', '3.806'], [468, 445, 427, 409, 394]],
  ])('holds out the last years of the whole %s table, fitting the published values on the rest', async (name, published, actual) => {
    // Act
    const { code, stdout } = await run(['clv', 'fit', '--survival', path.join(survival, `${name}.csv`), '--holdout-months', '5', '--json']);

    // Assess: the paper's projection of years 8..12 is within 5% of what happened
    expect(code).toBe(0);
    const { holdout } = (JSON.parse(stdout) as SurvivalJson).sbg;
    expect(rounded(holdout!.calibration)).toEqual(published);
    expect(holdout!.months.map((m) => m.actual)).toEqual(actual);
    for (const m of holdout!.months) expect(Math.abs(m.predicted / m.actual - 1)).toBeLessThan(0.05);
  });

  it('prints the fit and the holdout as a table', async () => {
    // Act
    const { code, stdout } = await run(['clv', 'fit', '--survival', path.join(survival, 'regular.csv'), '--holdout-months', '5']);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('sBG (contractual retention): 1 cohort, 1000 customers from');
    expect(stdout).toMatch(/alpha +0\.\d{4} +0\.\d{4}/);
    expect(stdout).toContain('holdout: fitted without the last 5 periods of each cohort (alpha 0.7041, beta 1.1820), 1000 customers followed');
    expect(stdout).toMatch(/\+1 +predicted +\d+\.\d +actual +223/);
  });

  it('names the file, line and field of a count that is wrong', async () => {
    // Prepare
    const rising = path.join(dir, 'rising.csv');
    await writeFile(rising, 'cohort,period,survivors\n2026-01-01,0,100\n2026-01-01,1,80\n2026-01-01,2,81\n');
    const gap = path.join(dir, 'gap.csv');
    await writeFile(gap, 'cohort_month,period,survivors,cohort_size\n2026-01-01,0,100,100\n2026-01-01,2,80,100\n');
    const fraction = path.join(dir, 'fraction.csv');
    await writeFile(fraction, 'cohort,period,survivors\nx,0,100\nx,1,62.5\n');
    const noHeader = path.join(dir, 'no-survivors.csv');
    await writeFile(noHeader, 'cohort,period,active\nx,0,100\n');

    // Act and assess
    expect((await run(['clv', 'fit', '--survival', rising])).stderr).toContain(`${rising}, line 4, field survivors: 81 exceeds the 80 of period 1 (line 3); survivors can only fall`);
    expect((await run(['clv', 'fit', '--survival', gap])).stderr).toContain(`${gap}, line 3, field period: expected period 1 of cohort "2026-01-01" after line 2 (got 2)`);
    expect((await run(['clv', 'fit', '--survival', fraction])).stderr).toContain(`${fraction}, line 3, field survivors: must be a whole number of customers (got "62.5")`);
    expect((await run(['clv', 'fit', '--survival', noHeader])).stderr).toContain(`${noHeader}, line 1, field survivors: the header has no survivors column`);
  });

  it('exits 1 with the reason when the counts cannot carry the model, and refuses options of the purchase models', async () => {
    // Prepare
    const small = path.join(dir, 'small-cohort.csv');
    await writeFile(small, 'cohort,period,survivors\nx,0,8\nx,1,6\n');

    // Act
    const tooSmall = await run(['clv', 'fit', '--survival', small]);
    const withSummary = await run(['clv', 'fit', '--survival', small, '--summary', withSpend]);
    const badHoldout = await run(['clv', 'fit', '--survival', small, '--holdout-months', 'three']);

    // Assess
    expect(tooSmall.code).toBe(1);
    expect(tooSmall.stdout).toContain('not fitted: too few subscribers to fit the sBG retention model: 8 acquired');
    expect(withSummary.stderr).toContain('--summary describes the purchase models\' inputs; --survival fits the contractual model alone');
    expect(badHoldout.stderr).toContain('--holdout-months must be a whole number of periods from 1 to 120, not "three"');
  });
});

describe('ltv clv score', () => {
  it('writes predicted purchases, P(alive), expected spend and CLV per customer', async () => {
    // Prepare
    const out = path.join(dir, 'scores.csv');

    // Act
    const { code, stderr } = await run([
      'clv', 'score', '--summary', withSpend, '--unit', 'weeks', '--out', out, '--horizon-months', '6', '--discount-rate', '0', '--margin', '0.5',
    ]);

    // Assess: customer 1 (x = 2, t_x = 30.43, T = 38.86, z̄ = 22.35) against the library at the fitted parameters
    expect(code).toBe(0);
    expect(stderr).toContain('Scored 2357 customers');
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2358);
    expect(lines[0]).toBe('customer_id,frequency,recency,T,predicted_purchases,p_alive,expected_spend,clv');
    const [id, x, tx, T, purchases, pAlive, spend, clv] = lines[1]!.split(',');
    expect([id, x, tx, T]).toEqual(['1', '2', '30.43', '38.86']);
    const { stdout } = await run(['clv', 'fit', '--summary', withSpend, '--unit', 'weeks', '--json']);
    const fit = JSON.parse(stdout) as { bgnbd: { parameters: { r: number; alpha: number; a: number; b: number } }; gammaGamma: { parameters: { p: number; q: number; gamma: number } } };
    const customer = { x: 2, tx: 30.43, T: 38.86, meanSpend: 22.35 };
    const expected = customerClv(customer, fit.bgnbd.parameters, fit.gammaGamma.parameters, { daysPerTimeUnit: 7, horizonMonths: 6, monthlyDiscountRate: 0, grossMargin: 0.5 });
    expect(Number(pAlive)).toBeCloseTo(probabilityAlive(fit.bgnbd.parameters, customer), 6);
    expect(Number(pAlive)).toBeCloseTo(0.7266, 3);
    expect(Number(purchases)).toBeCloseTo(conditionalExpectedPurchases(fit.bgnbd.parameters, customer, (6 * 30.4375) / 7), 6);
    expect(Number(spend)).toBeCloseTo(expected.expectedSpend, 6);
    expect(Number(clv)).toBeCloseTo(expected.clv, 6);
    // Without discounting, CLV = purchases × spend × margin
    expect(Number(clv)).toBeCloseTo(Number(purchases) * Number(spend) * 0.5, 4);
  });

  it('hands a spreadsheet no formula in a customer id', async () => {
    // Prepare: CDNOW with its first customer renamed as a tampered export might name it
    const lines = (await readFile(withSpend, 'utf8')).split('\n');
    lines[1] = lines[1]!.replace(/^[^,]+/, '"=HYPERLINK(""http://evil.example"",""x"")"');
    const file = path.join(dir, 'hostile-summary.csv');
    await writeFile(file, lines.join('\n'));
    const out = path.join(dir, 'hostile-scores.csv');

    // Act
    const { code } = await run(['clv', 'score', '--summary', file, '--unit', 'weeks', '--out', out]);

    // Assess
    expect(code).toBe(0);
    const scored = (await readFile(out, 'utf8')).split('\n');
    expect(scored[1]).toMatch(/^"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)",2,30\.43,38\.86,/);
  });

  it('needs monetary values and valid settings', async () => {
    expect((await run(['clv', 'score', '--summary', withoutSpend])).stderr).toContain('has no monetary_value column');
    expect((await run(['clv', 'score', '--summary', withSpend, '--horizon-months', '0'])).stderr).toContain('--horizon-months: Too small');
    expect((await run(['clv', 'score', '--summary', withSpend, '--discount-rate', 'x'])).stderr).toContain('--discount-rate:');
    expect((await run(['clv', 'score', '--summary', withSpend, '--margin', '1.5'])).stderr).toContain('--margin: Too big');
  });
});

describe('ltv clv on the lake', () => {
  it('reads the model inputs at the end of --week and scores every model customer', async () => {
    // Prepare: a small generated lake and a configuration that points at it
    const root = path.join(dir, 'lake-run');
    await writeSample({ seed: 'clv-cli', customers: 600, endDate: '2026-11-22' }, path.join(root, 'exports'));
    const settings = { storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: path.join(root, 'exports') } };
    const stores = openStores(parseConfig(settings, 'test'));
    await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date('2026-11-23T00:00:00Z') });
    const configFile = path.join(root, 'ltv.config.json');
    await writeFile(configFile, JSON.stringify(settings));
    const out = path.join(root, 'scores.csv');

    // Act
    const fit = await run(['clv', 'fit', '--config', configFile, '--week', '2026-W47']);
    const score = await run(['clv', 'score', '--config', configFile, '--week', '2026-W47', '--out', out]);

    // Assess
    const customers = Number(/^(\d+) customers from the lake at the end of 2026-W47 \(2026-11-23T00:00:00.000Z\)/.exec(fit.stdout)?.[1]);
    expect(fit.code).toBe(0);
    expect(customers).toBeGreaterThan(200);
    expect(score.code).toBe(0);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(customers + 1);
    expect((await run(['clv', 'fit', '--config', configFile, '--unit', 'weeks'])).stderr).toContain('--unit describes a --summary file');
    // the sample sells subscriptions too: sBG on their cohorts, checked on the report's holdout
    expect(fit.stdout).toMatch(/sBG \(contractual retention\): \d+ cohorts, \d+ customers from the lake at the end of 2026-W47/);
    expect(fit.stdout).toMatch(/holdout: fitted without the last 3 months of each cohort/);
    const json = JSON.parse((await run(['clv', 'fit', '--config', configFile, '--week', '2026-W47', '--json', '--holdout-months', '2'])).stdout) as {
      sbg: { fit: { parameters: { alpha: number; beta: number } }; holdout: { holdoutMonths: number; months: { month: string }[] } };
    };
    expect(json.sbg.fit.parameters.alpha).toBeGreaterThan(0);
    expect(json.sbg.holdout.months.map((m) => m.month)).toEqual(['2026-09-01', '2026-10-01']);
  });

  it('reads the lake through --as-of, any day, so the published CDNOW calibration (to Tuesday 1997-09-30) is reproduced', async () => {
    // Prepare: the CDNOW transaction log, which runs to June 1998, as a canonical orders export
    const root = path.join(dir, 'cdnow-lake');
    await mkdir(path.join(root, 'exports'), { recursive: true });
    await writeFile(path.join(root, 'exports', 'orders.csv'), cdnowOrdersCsv());
    const settings = { storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: path.join(root, 'exports') } };
    const stores = openStores(parseConfig(settings, 'test'));
    await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date('2026-11-23T00:00:00Z') });
    const configFile = path.join(root, 'ltv.config.json');
    await writeFile(configFile, JSON.stringify(settings));

    // Act
    const { code, stdout } = await run(['clv', 'fit', '--config', configFile, '--as-of', '1997-09-30', '--json']);

    // Assess: Fader, Hardie & Lee (2005) in weeks, r = 0.243, α = 4.414, a = 0.793, b = 2.426; the
    // lake's time is in days, so α is 7 × 4.414 = 30.90
    expect(code).toBe(0);
    const fit = JSON.parse(stdout) as { source: string; customers: number; bgnbd: { parameters: Record<string, number> } };
    expect(fit.source).toBe('the lake at the end of 1997-09-30 (1997-10-01T00:00:00.000Z)');
    expect(fit.customers).toBe(2357);
    const published = { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 };
    for (const [name, value] of Object.entries(published)) expect(fit.bgnbd.parameters[name]! / value).toBeCloseTo(1, 2);
    expect((await run(['clv', 'fit', '--config', configFile, '--as-of', '1997-02-30'])).stderr).toContain('--as-of must be a day as YYYY-MM-DD, e.g. 1997-09-30, not "1997-02-30"');
    expect((await run(['clv', 'fit', '--config', configFile, '--as-of', '1997-09-30', '--week', '1997-W40'])).stderr).toContain('give --week or --as-of, not both');
  });
});
