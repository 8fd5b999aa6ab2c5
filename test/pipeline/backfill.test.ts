import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { Config } from '../../functions/config/schema.ts';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { getQuery } from '../../functions/engine/queryCatalog.ts';
import { param } from '../../functions/engine/queryEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { openEngine, openMailer, openStores } from '../../functions/pipeline/adapters.ts';
import { backfillWeeks, weeksFromTo, type BackfilledWeek } from '../../functions/pipeline/backfill.ts';
import { runWeeklyReport } from '../../functions/pipeline/weeklyReport.ts';
import type { Report } from '../../functions/report/report.ts';
import { writeSample } from '../../functions/sample/writeSample.ts';
import { formatWeekId, parseWeekId } from '../../functions/time/isoWeek.ts';

// A new installation: five past weeks backfilled on a generated sample, then the weekly run,
// which compares with them. The history is checked against kpi_history and queries/kpi_trend.sql,
// read straight from the lake.
let root: string;
let config: Config;
let backfilled: BackfilledWeek[];
let report: Report;

async function lakeSql(sql: string) {
  const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'out', 'lake') });
  try {
    return await engine.sql(sql);
  } finally {
    await engine.close();
  }
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-backfill-'));
  await writeSample({ seed: 'backfill', customers: 300, endDate: '2026-11-22' }, path.join(root, 'exports'));
  config = parseConfig({ storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: path.join(root, 'exports') } }, 'test');
  const stores = openStores(config);
  await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date('2026-11-23T07:00:00Z') });
  const engine = await openEngine(config);
  try {
    backfilled = await backfillWeeks({ config, lake: stores.lake, engine }, parseWeekId('2026-W42'), parseWeekId('2026-W46'));
    const run = await runWeeklyReport({ config, engine, lake: stores.lake, reports: stores.reports, mailer: openMailer(config) }, parseWeekId('2026-W47'), { dryRun: true, now: new Date('2026-11-23T07:00:00Z') });
    report = run.report;
  } finally {
    await engine.close();
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ltv backfill', () => {
  it('computes the weeks in order and writes each one’s KPIs to kpi_history', async () => {
    // Act
    const rows = await lakeSql('select week_id, count(*) as kpis from kpi_history group by week_id order by week_id');

    // Assess
    expect(backfilled.map((w) => w.weekId)).toEqual(['2026-W42', '2026-W43', '2026-W44', '2026-W45', '2026-W46']);
    // 44 KPIs a week (the 12 of the two lines of business among them): the sample has
    // subscribers, so clv_sbg is one of them
    expect(rows.map((r) => [r.week_id, Number(r.kpis)])).toEqual(['2026-W42', '2026-W43', '2026-W44', '2026-W45', '2026-W46', '2026-W47'].map((w) => [w, 44]));
    expect(await readdir(path.join(root, 'out', 'reports'))).toEqual(['2026-W47']); // backfilled weeks are not archived
  });

  it('gives the next report the change from the week before, as kpi_trend.sql computes it', async () => {
    // Act: the report run wrote 2026-W47, so kpi_trend has its change too
    const engine = await DuckDbEngine.open({ lakeDir: path.join(root, 'out', 'lake') });
    const { rows } = await engine
      .runRaw(await getQuery('kpi_trend'), { to_week: param.varchar('2026-W47'), from_week: param.varchar('2026-W47') })
      .then((result) => ({ ...result, rows: result.rows.filter((r) => r.kpi === 'aov') }))
      .finally(() => engine.close());
    const aov = report.scorecard.stages[3]!.lines.find((l) => l.key === 'aov')!;

    // Assess
    expect(rows).toHaveLength(1);
    expect(aov.wow.previous).toBeCloseTo(Number(rows[0]!.previous_value), 10);
    expect(aov.wow.change).toBeCloseTo(Number(rows[0]!.wow_change), 10);
    expect(aov.wow.relativeChange).toBeCloseTo(Number(rows[0]!.wow_relative_change), 10);
  });

  it('gives it the mean of the weeks before as the baseline, rated once 4 weeks exist', async () => {
    // Act
    const [history] = await lakeSql("select avg(value) as mean, count(value) as weeks from kpi_history where kpi = 'churn_rate' and week_id < '2026-W47'");
    const churn = report.scorecard.stages[1]!.lines.find((l) => l.key === 'churn_rate')!;

    // Assess
    expect(churn.baseline.weeks).toBe(5);
    expect(Number(history!.weeks)).toBe(5);
    expect(churn.baseline.value).toBeCloseTo(Number(history!.mean), 12);
    expect(churn.status).not.toBe('not_rated');
    // The trajectory waits for 13 weeks of headline history; 5 backfilled and this one are 6
    expect(report.trajectory).toBeNull();
    expect(report.scorecard.stages[4]!.lines[0]).toMatchObject({ key: 'headline_clv', notRated: { code: 'short_history', weeks: 6, needed: 13 } });
  });

  it('replaces a week when it is backfilled again, never adding a second copy', async () => {
    // Prepare
    const stores = openStores(config);
    const [before] = await lakeSql("select sum(value) as total from kpi_history where week_id = '2026-W44'");

    // Act
    const engine = await openEngine(config);
    await backfillWeeks({ config, lake: stores.lake, engine }, parseWeekId('2026-W44'), parseWeekId('2026-W44')).finally(() => engine.close());

    // Assess
    const [after] = await lakeSql("select sum(value) as total, count(*) as n from kpi_history where week_id = '2026-W44'");
    expect(Number(after!.n)).toBe(44);
    expect(after!.total).toBe(before!.total);
    expect(await readdir(path.join(root, 'out', 'lake', 'kpi_history', 'week_id=2026-W44'))).toEqual(['data.parquet']);
  });

  it('walks ISO weeks across a year with 53 weeks, and refuses a range that runs backwards', () => {
    expect(weeksFromTo(parseWeekId('2026-W52'), parseWeekId('2027-W01')).map(formatWeekId)).toEqual(['2026-W52', '2026-W53', '2027-W01']);
    expect(() => weeksFromTo(parseWeekId('2026-W47'), parseWeekId('2026-W01'))).toThrow('--from 2026-W47 is after --to 2026-W01');
  });
});
