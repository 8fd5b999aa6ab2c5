import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { param } from '../../functions/engine/queryEngine.ts';
import { asText, openFixtureLake, type FixtureLake } from './fixtureLake.ts';

// test/fixtures/subscription-survival, report currency USD, data_end 2026-05-13T00:00Z, so the
// last complete month is April. Paying at a month's end = a subscription with mrr > 0 running
// at its last instant; a lifetime ends at the first month's end without one.
//   a  Jan 10, open                                   January, never lapses
//   b  Jan 20 to Feb 20                                January, pays at end of Jan, not Feb: lost in period 1
//   c  Jan 5 to Jan 25                                 January, never at a month's end: lost in period 1
//   d  Jan 15 to Mar 15, again from Apr 2 (15.00)      January, lost in period 2, returned after the lapse
//   e  Jan 3 to Feb 10, upgraded Feb 10 (20.00)        January, the upgrade leaves no gap: never lapses
//   f  free plan Jan 8, paid Feb 4 to Apr 4            February (a $0 plan acquires no one): lost in period 2
//   g  Feb 10, open, EUR without a rate                February, never lapses
//   h  Apr 20, open (12.50)                            April, period 0 only
//   i  May 2, open (30.00)                             May has not ended: in no cohort, but paying
//   j  Mar 1 to May 5                                  March, still paying at the end of April
//   k  Mar 10, open, EUR at 1.1 (11.00)                March, never lapses
// Survivors: January 5, 3, 2, 2; February 2, 2, 1; March 2, 2; April 1.
const DATA_END = new Date('2026-05-13T00:00:00Z');

let lake: FixtureLake;
beforeAll(async () => {
  lake = await openFixtureLake('subscription-survival');
});
afterAll(async () => {
  await lake?.close();
});

describe('queries/subscription_survival.sql', () => {
  it('counts each cohort’s subscribers still paying after every renewal, to the last complete month', async () => {
    // Act
    const rows = asText(await lake.run('subscription_survival', { data_end: param.timestamp(DATA_END) }));

    // Assess
    expect(rows.map((r) => [r.cohort_month, r.period, r.cohort_size, r.survivors, r.returned_after_lapse])).toEqual([
      ['2026-01-01', '0', '5', '5', '1'],
      ['2026-01-01', '1', '5', '3', '1'],
      ['2026-01-01', '2', '5', '2', '1'],
      ['2026-01-01', '3', '5', '2', '1'],
      ['2026-02-01', '0', '2', '2', '0'],
      ['2026-02-01', '1', '2', '2', '0'],
      ['2026-02-01', '2', '2', '1', '0'],
      ['2026-03-01', '0', '2', '2', '0'],
      ['2026-03-01', '1', '2', '2', '0'],
      ['2026-04-01', '0', '1', '1', '0'],
    ]);
  });

  it('shows only months that have ended: at the first instant of May, April is complete', async () => {
    // Act
    const rows = asText(await lake.run('subscription_survival', { data_end: param.timestamp(new Date('2026-05-01T00:00:00Z')) }));

    // Assess: the same periods; j's end on May 5 is not yet known as a lapse
    expect(rows.filter((r) => r.cohort_month === '2026-03-01').map((r) => r.survivors)).toEqual(['2', '2']);
    expect(rows.at(-1)).toMatchObject({ cohort_month: '2026-04-01', period: '0' });
  });

  it('forgets what happened after data_end: at the start of March, b and c are lost, d is not yet', async () => {
    // Act
    const rows = asText(await lake.run('subscription_survival', { data_end: param.timestamp(new Date('2026-03-01T00:00:00Z')) }));

    // Assess
    expect(rows.map((r) => [r.cohort_month, r.period, r.survivors, r.returned_after_lapse])).toEqual([
      ['2026-01-01', '0', '5', '0'],
      ['2026-01-01', '1', '3', '0'],
      ['2026-02-01', '0', '2', '0'],
    ]);
  });
});

describe('queries/paying_subscribers.sql', () => {
  it('lists each customer paying at the instant with their MRR, acquisition month and known renewals', async () => {
    // Act
    const rows = asText(await lake.run('paying_subscribers', { at: param.timestamp(DATA_END), report_currency: param.varchar('USD') }));

    // Assess
    expect(rows.map((r) => [r.customer_id, r.cohort_month, r.renewals, r.mrr, r.unconverted_subscriptions])).toEqual([
      ['a', '2026-01-01', '3', '10.0000', '0'],
      ['d', '2026-01-01', '3', '15.0000', '0'],
      ['e', '2026-01-01', '3', '20.0000', '0'],
      ['g', '2026-02-01', '2', '0.0000', '1'],
      ['h', '2026-04-01', '0', '12.5000', '0'],
      ['i', '2026-05-01', '0', '30.0000', '0'],
      ['k', '2026-03-01', '1', '11.0000', '0'],
    ]);
  });

  it('counts no renewals, and no cohort, while the first month has not ended', async () => {
    // Act: at the first instant of January 20 (b starts then), everyone was acquired in January
    const at = param.timestamp(new Date('2026-01-20T00:00:00Z'));
    const paying = asText(await lake.run('paying_subscribers', { at, report_currency: param.varchar('USD') }));
    const survival = await lake.run('subscription_survival', { data_end: at });

    // Assess
    expect(paying.map((r) => [r.customer_id, r.renewals])).toEqual([
      ['a', '0'],
      ['b', '0'],
      ['c', '0'],
      ['d', '0'],
      ['e', '0'],
    ]);
    expect(survival).toEqual([]);
  });

  it('agrees with subscriber_mrr on who pays and on their MRR', async () => {
    // Act
    const parameters = { at: param.timestamp(DATA_END), report_currency: param.varchar('USD') };
    const rows = asText(await lake.run('paying_subscribers', parameters));
    const [total] = asText(await lake.run('subscriber_mrr', parameters));

    // Assess: 10 + 15 + 20 + 12.50 + 30 + 11 = 98.50, g left out for want of a rate
    expect(total).toMatchObject({ paying_subscribers: String(rows.length), mrr: '98.5000', unconverted_subscriptions: '1' });
  });
});
