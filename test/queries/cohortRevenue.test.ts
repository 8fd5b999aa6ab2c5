import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohortClv } from '../../functions/clv/formulas.ts';
import { param } from '../../functions/engine/queryEngine.ts';
import { parseMoney } from '../../functions/money/decimal.ts';
import type { RawRow } from '../../functions/engine/queryEngine.ts';
import { asText, openFixtureLake, type FixtureLake } from './fixtureLake.ts';

// test/fixtures/cohort-subscribers, report currency USD, data_end 2026-05-01T00:00Z:
//   a  orders 01-05 90.00, 02-05 30.00, 03-05 500.00                  cohort January
//   b  subscription from 01-10, open, no orders                       cohort January
//   c  subscription 01-20 to 02-20, no orders                         cohort January
//   d  subscription from 02-03, open, no orders                       cohort February
// The 2-month cohort CLV (gross margin 1) counts both cohorts, 4 customers:
//   (January months 0–1: 90 + 30, February months 0–1: 0) / 4 = 30.00 (40.00 if February were dropped)
const parameters = (dataEnd: string, toMonth: string) => ({
  to_month: param.varchar(toMonth),
  data_end: param.timestamp(new Date(dataEnd)),
  report_currency: param.varchar('USD'),
});

function twoMonthClv(rows: RawRow[]) {
  const cells = asText(rows).map((r) => ({ cohortMonth: r.cohort_month!, monthOffset: Number(r.month_offset), cohortSize: Number(r.cohort_size), netRevenue: parseMoney(r.net_revenue!)! }));
  return cohortClv({ cells, currentMonth: '2026-05-01', months: 2, grossMargin: 1, minCustomers: 1 });
}

const lakes: FixtureLake[] = [];
async function lakeOf(fixture: string): Promise<FixtureLake> {
  const lake = await openFixtureLake(fixture);
  lakes.push(lake);
  return lake;
}

afterAll(async () => {
  for (const lake of lakes) await lake.close();
});

describe('queries/cohort_revenue.sql', () => {
  let subscribers: FixtureLake;
  beforeAll(async () => {
    subscribers = await lakeOf('cohort-subscribers');
  });

  it('gives every cohort its month 0, also one acquired by a subscription start with no paid order', async () => {
    // Act
    const rows = asText(await subscribers.run('cohort_revenue', parameters('2026-05-01T00:00:00Z', '2026-04')));

    // Assess
    expect(rows.map((r) => [r.cohort_month, r.month_offset, r.cohort_size, r.active_customers, r.net_revenue])).toEqual([
      ['2026-01-01', '0', '3', '1', '90.0000'],
      ['2026-01-01', '1', '3', '1', '30.0000'],
      ['2026-01-01', '2', '3', '1', '500.0000'],
      ['2026-02-01', '0', '1', '0', '0.0000'],
    ]);
  });

  it('feeds the cohort CLV every cohort customer', async () => {
    // Act
    const clv = twoMonthClv(await subscribers.run('cohort_revenue', parameters('2026-05-01T00:00:00Z', '2026-04')));

    // Assess
    expect(clv.cohorts).toEqual(['2026-01-01', '2026-02-01']);
    expect(clv.value).toBeCloseTo(30, 12);
  });

  it('gives a subscription-only business a cohort CLV of 0 from its orders, not none', async () => {
    // Prepare
    const lake = await lakeOf('cohort-subscribers-only');

    // Act
    const clv = twoMonthClv(await lake.run('cohort_revenue', parameters('2026-05-01T00:00:00Z', '2026-04')));

    // Assess
    expect(clv).toMatchObject({ value: 0, cohorts: ['2026-01-01', '2026-02-01'] });
  });

  it.each([
    ['cohort-retention', '2026-04-10T00:00:00Z', '2026-04'],
    ['cohort-subscribers', '2026-05-01T00:00:00Z', '2026-04'],
    ['cohort-subscribers-only', '2026-05-01T00:00:00Z', '2026-04'],
  ])('agrees with cohort_retention on the cohorts and their sizes: %s', async (fixture, dataEnd, toMonth) => {
    // Prepare
    const lake = await lakeOf(fixture);
    const sizes = async (query: string) =>
      [...new Set(asText(await lake.run(query, parameters(dataEnd, toMonth))).map((r) => `${r.cohort_month} ${r.cohort_size}`))].sort();

    // Act
    const revenue = await sizes('cohort_revenue');
    const retention = await sizes('cohort_retention');

    // Assess
    expect(revenue).toEqual(retention);
    expect(revenue.length).toBeGreaterThan(0);
  });
});
