import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { param } from '../../functions/engine/queryEngine.ts';
import { asText, openEmptyLake, openFixtureLake, type FixtureLake } from './fixtureLake.ts';

// test/fixtures/cohort-retention, report currency USD, data_end 2026-04-10T00:00Z: UTC months
// January to April 2026, April month-to-date. Worked out by hand:
//   a  o1 01-05 100.00; o2 02-10 50.00 − 20.00 refunded = 30.00; o13 03-31T23:59:59Z 5.00 (March);
//      o3 04-03 40.00                                                    cohort January
//   b  o4 01-20 200.00 EUR at 1.1 = 220.00; o5 03-15 10.00 EUR, no rate that day: active in
//      March, but left out of revenue and counted                        cohort January
//   e  subscription from 01-10, open; o8 01-10 120.00 (annual invoice): active every month
//                                                                        cohort January
//   c  o6 2026-01-31T23:30-05:00 = 02-01T04:30Z 60.00: a UTC month      cohort February
//   d  subscription 02-14 to 03-01T00:00Z (not running in March); o7 fully refunded
//                                                                        cohort February
//   g  o10 02-05 50000 KRW at 0.00074 = 37.00; o11 03-02 12.3456 USD     cohort February
//   f  only a cancelled and a pending order; h only an order at data_end; i a subscription
//      starting at data_end: in no cohort
const JAN = { cohort_month: '2026-01-01', cohort_size: '3' };
const FEB = { cohort_month: '2026-02-01', cohort_size: '3' };
const expected = [
  { ...JAN, month_offset: '0', active_customers: '3', net_revenue: '440.0000', cumulative_net_revenue: '440.0000', unconverted_orders: '0' },
  { ...JAN, month_offset: '1', active_customers: '2', net_revenue: '30.0000', cumulative_net_revenue: '470.0000', unconverted_orders: '0' },
  { ...JAN, month_offset: '2', active_customers: '3', net_revenue: '5.0000', cumulative_net_revenue: '475.0000', unconverted_orders: '1' },
  { ...JAN, month_offset: '3', active_customers: '2', net_revenue: '40.0000', cumulative_net_revenue: '515.0000', unconverted_orders: '0' },
  { ...FEB, month_offset: '0', active_customers: '3', net_revenue: '97.0000', cumulative_net_revenue: '97.0000', unconverted_orders: '0' },
  { ...FEB, month_offset: '1', active_customers: '1', net_revenue: '12.3456', cumulative_net_revenue: '109.3456', unconverted_orders: '0' },
  { ...FEB, month_offset: '2', active_customers: '0', net_revenue: '0.0000', cumulative_net_revenue: '109.3456', unconverted_orders: '0' },
];
const ratios = [
  { customer_retention: 1, revenue_retention: 1, cumulative_revenue_per_customer: 440 / 3 },
  { customer_retention: 2 / 3, revenue_retention: 30 / 440, cumulative_revenue_per_customer: 470 / 3 },
  { customer_retention: 1, revenue_retention: 5 / 440, cumulative_revenue_per_customer: 475 / 3 },
  { customer_retention: 2 / 3, revenue_retention: 40 / 440, cumulative_revenue_per_customer: 515 / 3 },
  { customer_retention: 1, revenue_retention: 1, cumulative_revenue_per_customer: 97 / 3 },
  { customer_retention: 1 / 3, revenue_retention: 12.3456 / 97, cumulative_revenue_per_customer: 109.3456 / 3 },
  { customer_retention: 0, revenue_retention: 0, cumulative_revenue_per_customer: 109.3456 / 3 },
];

const parameters = (dataEnd: string, toMonth: string, currency = 'USD') => ({
  to_month: param.varchar(toMonth),
  data_end: param.timestamp(new Date(dataEnd)),
  report_currency: param.varchar(currency),
});

let lake: FixtureLake;

beforeAll(async () => {
  lake = await openFixtureLake('cohort-retention');
});

afterAll(async () => {
  await lake?.close();
});

describe('queries/cohort_retention.sql', () => {
  it('fills the cohort matrix cell by cell, months without activity included', async () => {
    // Act
    const rows = await lake.run('cohort_retention', parameters('2026-04-10T00:00:00Z', '2026-04'));

    // Assess
    const text = asText(rows);
    expect(text.map(({ customer_retention, revenue_retention, cumulative_revenue_per_customer, ...exact }) => exact)).toEqual(expected);
    rows.forEach((row, i) => {
      expect(row.customer_retention, `row ${i + 1}`).toBeCloseTo(ratios[i]!.customer_retention, 12);
      expect(row.revenue_retention, `row ${i + 1}`).toBeCloseTo(ratios[i]!.revenue_retention, 12);
      expect(row.cumulative_revenue_per_customer, `row ${i + 1}`).toBeCloseTo(ratios[i]!.cumulative_revenue_per_customer, 10);
    });
  });

  it('stops at data_end: a month boundary ends the matrix, later orders and starts are not read', async () => {
    // Act: data up to the end of February only
    const rows = asText(await lake.run('cohort_retention', parameters('2026-03-01T00:00:00Z', '2026-02')));

    // Assess: the same first two January cells and the February cell; d's subscription (ending
    // at the boundary) and a's later orders change nothing before it
    expect(rows.map((r) => [r.cohort_month, r.month_offset, r.active_customers, r.net_revenue])).toEqual([
      ['2026-01-01', '0', '3', '440.0000'],
      ['2026-01-01', '1', '2', '30.0000'],
      ['2026-02-01', '0', '3', '97.0000'],
    ]);
  });

  it('withholds revenue retention when the cohort had no convertible month-0 revenue', async () => {
    // Act: report in GBP: the one rate into GBP is for a day after data_end
    const rows = asText(await lake.run('cohort_retention', parameters('2026-03-01T00:00:00Z', '2026-02', 'GBP')));

    // Assess: every paid order is unconverted, retention by activity is unchanged
    expect(rows.map((r) => [r.cohort_month, r.month_offset, r.active_customers, r.net_revenue, r.revenue_retention, r.unconverted_orders])).toEqual([
      ['2026-01-01', '0', '3', '0.0000', null, '3'],
      ['2026-01-01', '1', '2', '0.0000', null, '1'],
      ['2026-02-01', '0', '3', '0.0000', null, '2'],
    ]);
  });

  it('returns no rows on an empty lake', async () => {
    // Prepare
    const empty = await openEmptyLake();

    // Act
    const rows = await empty.run('cohort_retention', parameters('2026-04-10T00:00:00Z', '2026-04')).finally(() => empty.close());

    // Assess
    expect(rows).toEqual([]);
  });
});
