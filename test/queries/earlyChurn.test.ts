import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { param, type ParameterValues } from '../../functions/engine/queryEngine.ts';
import { parseWeekId, shiftCivilDays, weekBounds } from '../../functions/time/isoWeek.ts';
import { asText, openEmptyLake, openFixtureLake, type FixtureLake } from './fixtureLake.ts';

// test/fixtures/early-churn in Asia/Seoul (UTC+9); timestamps without an offset are Seoul time.
// Week 2026-W47 ends 2026-11-23T00:00+09:00 = 2026-11-22T15:00Z; the cohort is the customers
// acquired 90 to 62 days before it: [2026-08-24T15:00Z, 2026-09-21T15:00Z). Worked out by hand:
//   e1  first order 08-24 23:00 KST, an hour before the cohort            not in the cohort
//   e2  08-25 01:00 KST, again 10-20                                       second order in time
//   e3  09-01T10:00Z, again 10-31T10:00Z: exactly 60 days later            no second order within 60
//   e4  09-10, then a fully refunded and a cancelled order                 no second order
//   e5  09-21 23:59 KST and 09-22 00:30 KST (EUR: money plays no part)     second order in time
//   e6  first order 09-22 00:00 KST, at the cohort's end                   not in the cohort
//   e7  acquired in May                                                    not in the cohort
//   e8  subscription 09-05 to 09-20, and two orders: judged by the subscription   cancelled early
//   e9  subscription 09-05 to 10-05T00:00Z, ended exactly 30 days later    cancelled early
//   e10 subscription from 09-10, open                                      subscribed
//   e11 plan switch on 09-15 from one subscription to the next             subscribed
//   e12 basic 09-05 to 09-15, then a $0 free plan, open: no MRR from 09-15 cancelled early
const TIME_ZONE = 'Asia/Seoul';

function parametersFor(weekId: string, repeatDays: number, cancelDays: number): ParameterValues {
  const weekEnd = weekBounds(parseWeekId(weekId), TIME_ZONE).end;
  return {
    to_month: param.varchar(new Date(weekEnd.getTime() - 1).toISOString().slice(0, 7)),
    data_end: param.timestamp(weekEnd),
    acquired_from: param.timestamp(shiftCivilDays(weekEnd, -90, TIME_ZONE)),
    acquired_until: param.timestamp(shiftCivilDays(weekEnd, -62, TIME_ZONE)),
    repeat_days: param.bigint(repeatDays),
    cancel_days: param.bigint(cancelDays),
  };
}

let lake: FixtureLake;

beforeAll(async () => {
  lake = await openFixtureLake('early-churn', { sourceTimeZone: TIME_ZONE });
});

afterAll(async () => {
  await lake?.close();
});

describe('queries/early_churn.sql', () => {
  it('takes the cohort acquired 90 to 62 days before the week end, at Seoul midnights', () => {
    const p = parametersFor('2026-W47', 60, 30);
    expect([p.acquired_from!.value, p.acquired_until!.value, p.data_end!.value].map((d) => (d as Date).toISOString())).toEqual([
      '2026-08-24T15:00:00.000Z',
      '2026-09-21T15:00:00.000Z',
      '2026-11-22T15:00:00.000Z',
    ]);
  });

  it('counts order customers without a second order and subscribers who cancelled early', async () => {
    // Act
    const [row] = asText(await lake.run('early_churn', parametersFor('2026-W47', 60, 30)));

    // Assess: cohort e2 e3 e4 e5 (orders) and e8 e9 e10 e11 e12 (subscriptions)
    expect(row).toEqual({
      acquired_customers: '9',
      order_customers: '4',
      without_second_order: '2', // e3, e4
      subscribers: '5',
      cancelled_early: '3', // e8, e9, e12
      early_churned: '5',
      early_churn_rate: String(5 / 9),
    });
  });

  it('measures the horizons from the acquisition instant, end exclusive', async () => {
    // Act: one day more for a second order, one day less for a subscription to run
    const [row] = asText(await lake.run('early_churn', parametersFor('2026-W47', 61, 29)));

    // Assess: e3's second order now counts; e9's subscription still runs on day 29
    expect([row!.without_second_order, row!.cancelled_early, row!.early_churned]).toEqual(['1', '2', '3']);
  });

  it('withholds the rate for an empty cohort', async () => {
    // Prepare
    const empty = await openEmptyLake();

    // Act
    const [row] = asText(await empty.run('early_churn', parametersFor('2026-W47', 60, 30)).finally(() => empty.close()));

    // Assess
    expect(row).toMatchObject({ acquired_customers: '0', early_churned: '0', early_churn_rate: null });
  });
});
