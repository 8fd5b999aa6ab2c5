import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { param } from '../../functions/engine/queryEngine.ts';
import { subscriptionMoverRow } from '../../functions/kpi/queryRows.ts';
import { asText, openEmptyLake, openFixtureLake, type FixtureLake } from './fixtureLake.ts';

// test/fixtures/subscription-movers, the week 2026-03-02T00:00Z to 2026-03-09T00:00Z, report
// currency USD. MRR at the week's start and end, worked out by hand:
//   A    0 → 100     starts 03-04: new
//   B    0 →  60     50 EUR from 03-03 at that day's 1.2 (not 03-08's 1.5): new, tied with C
//   C    0 →  60     starts 03-05: new; after B on the tie (customer_id)
//   D    0 →  40     had 30 in January (ended 02-01), 40 from 03-06: reactivation
//   E  100 → 125     add-on of 25 from 03-04: expansion
//   F  110 → 110     100 EUR from 02-01 at 1.1; the rate of 03-08 changes nothing: no mover
//   G   80 →  30     pro → basic on 03-04: contraction
//   H   45 →   0     ends 03-07: churned
//   I   20 →   0     basic → free plan (mrr 0) on 03-05: churned
//   J   ends 03-02T00:00Z, the week's first instant: not running at its start, no mover
//   L   a trial from 03-03 to 03-05, inside the week: 0 at both instants, no mover
//   M   10,000 KRW from 03-03 without a rate: left out
//   P   starts 03-10, after the week: not read
const WEEK_START = '2026-03-02T00:00:00Z';
const WEEK_END = '2026-03-09T00:00:00Z';
const ALL = [
  // kind, mover_rank, customer_id, start_mrr, end_mrr, amount
  ['new', '1', 'A', '0.0000', '100.0000', '100.0000'],
  ['new', '2', 'B', '0.0000', '60.0000', '60.0000'],
  ['new', '3', 'C', '0.0000', '60.0000', '60.0000'],
  ['reactivation', '1', 'D', '0.0000', '40.0000', '40.0000'],
  ['expansion', '1', 'E', '100.0000', '125.0000', '25.0000'],
  ['contraction', '1', 'G', '80.0000', '30.0000', '50.0000'],
  ['churned', '1', 'H', '45.0000', '0.0000', '45.0000'],
  ['churned', '2', 'I', '20.0000', '0.0000', '20.0000'],
];
const COLUMNS = ['kind', 'mover_rank', 'customer_id', 'start_mrr', 'end_mrr', 'amount'];

const parameters = (perKind: number, currency = 'USD') => ({
  week_start: param.timestamp(new Date(WEEK_START)),
  week_end: param.timestamp(new Date(WEEK_END)),
  report_currency: param.varchar(currency),
  movers_per_kind: param.bigint(perKind),
});

let lake: FixtureLake;

beforeAll(async () => {
  lake = await openFixtureLake('subscription-movers');
});

afterAll(async () => {
  await lake?.close();
});

describe('queries/subscription_movers.sql', () => {
  it('gives each customer whose MRR moved over the week the kind and the amount of the move', async () => {
    // Act
    const rows = asText(await lake.run('subscription_movers', parameters(5)));

    // Assess
    expect(rows.map((r) => COLUMNS.map((c) => r[c]))).toEqual(ALL);
  });

  it('returns the largest movers_per_kind of each kind, a tie broken by customer_id', async () => {
    // Act
    const rows = asText(await lake.run('subscription_movers', parameters(2)));

    // Assess: C, tied with B at 60, is the third new subscriber
    expect(rows.map((r) => COLUMNS.map((c) => r[c]))).toEqual(ALL.filter((r) => Number(r[1]) <= 2));
    expect(asText(await lake.run('subscription_movers', parameters(1))).map((r) => r.customer_id)).toEqual(['A', 'D', 'E', 'G', 'H']);
  });

  it('reads subscriptions in another currency only where they have a rate into the report currency', async () => {
    // Act: in EUR only B and F are in the report currency, and nothing has a rate into EUR
    const rows = asText(await lake.run('subscription_movers', parameters(5, 'EUR')));

    // Assess
    expect(rows.map((r) => COLUMNS.map((c) => r[c]))).toEqual([['new', '1', 'B', '0.0000', '50.0000', '50.0000']]);
  });

  it('gives rows the weekly job reads', async () => {
    // Act
    const rows = (await lake.run('subscription_movers', parameters(5))).map((r) => subscriptionMoverRow.parse(r));

    // Assess
    expect(rows[1]).toEqual({ kind: 'new', customer_id: 'B', start_mrr: 0n, end_mrr: 600_000n, amount: 600_000n });
  });

  it('is empty when there are no subscriptions', async () => {
    // Prepare
    const empty = await openEmptyLake();

    // Act
    const rows = await empty.run('subscription_movers', parameters(5)).finally(() => empty.close());

    // Assess
    expect(rows).toEqual([]);
  });
});
