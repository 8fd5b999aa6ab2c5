import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { param } from '../../functions/engine/queryEngine.ts';
import { asText, openEmptyLake, openFixtureLake, type FixtureLake } from './fixtureLake.ts';

// test/fixtures/mrr-movements, report currency USD. MRR at each month's end, worked out by hand:
//              Jan   Feb   Mar   Apr   May
//   A          100   100   150   150   150   s1 from 01-10; add-on s2 from 03-05: expansion
//   B           80    30    30     0     0   pro 80 → basic 30 on 02-20: contraction; basic →
//                                            free plan (mrr 0) on 04-10: a downgrade to zero churns
//   C           40     0     0    66    66   s6 ends 02-01T00:00Z, the first instant of February:
//                                            in January's closing MRR, churned in February;
//                                            s7 60 EUR from 04-02 at that day's 1.1 (not May's
//                                            1.3): reactivation
//   G            -     -     5     5     5   starts 03-01T00:00Z: new in March, not February
//   F            -     -     -     -    20   starts 05-31T23:00Z: new in May
//   D  10000 KRW from 02-01, no rate that day: left out, counted from February on
//   E  runs 03-03 to 03-20, never at a month's end: no MRR
//   H  starts 06-01, at data_end: not read
const expected = [
  // month_start, opening, new, expansion, contraction, churned, reactivation, net new, closing, unconverted
  ['2026-01-01', '0.0000', '220.0000', '0.0000', '0.0000', '0.0000', '0.0000', '220.0000', '220.0000', '0'],
  ['2026-02-01', '220.0000', '0.0000', '0.0000', '50.0000', '40.0000', '0.0000', '-90.0000', '130.0000', '1'],
  ['2026-03-01', '130.0000', '5.0000', '50.0000', '0.0000', '0.0000', '0.0000', '55.0000', '185.0000', '1'],
  ['2026-04-01', '185.0000', '0.0000', '0.0000', '0.0000', '30.0000', '66.0000', '36.0000', '221.0000', '1'],
  ['2026-05-01', '221.0000', '20.0000', '0.0000', '0.0000', '0.0000', '0.0000', '20.0000', '241.0000', '1'],
];
const MONEY_COLUMNS = ['month_start', 'opening_mrr', 'new_mrr', 'expansion_mrr', 'contraction_mrr', 'churned_mrr', 'reactivation_mrr', 'net_new_mrr', 'closing_mrr', 'unconverted_subscriptions'];

const parameters = (dataEnd: string, currency = 'USD') => ({
  data_end: param.timestamp(new Date(dataEnd)),
  report_currency: param.varchar(currency),
});

let lake: FixtureLake;

beforeAll(async () => {
  lake = await openFixtureLake('mrr-movements');
});

afterAll(async () => {
  await lake?.close();
});

describe('queries/mrr_movements.sql', () => {
  it('splits each month into new, expansion, contraction, churned and reactivation MRR', async () => {
    // Act
    const rows = asText(await lake.run('mrr_movements', parameters('2026-06-01T00:00:00Z')));

    // Assess
    expect(rows.map((r) => MONEY_COLUMNS.map((c) => r[c]))).toEqual(expected);
  });

  it('gives GRR and NRR against the opening MRR, withheld in the first month', async () => {
    // Act
    const rows = await lake.run('mrr_movements', parameters('2026-06-01T00:00:00Z'));

    // Assess
    expect(rows.map((r) => [r.grr, r.nrr])).toEqual([
      [null, null],
      [130 / 220, 130 / 220],
      [130 / 130, 180 / 130],
      [155 / 185, 155 / 185],
      [221 / 221, 221 / 221],
    ]);
  });

  it('chains months: each opening is the closing before it, net new the difference', async () => {
    // Act
    const rows = asText(await lake.run('mrr_movements', parameters('2026-06-01T00:00:00Z')));

    // Assess (in 1/10,000 units, exact)
    const units = (v: string | null | undefined) => Math.round(Number(v) * 10_000);
    rows.forEach((row, i) => {
      if (i > 0) expect(row.opening_mrr).toBe(rows[i - 1]!.closing_mrr);
      expect(units(row.net_new_mrr)).toBe(units(row.closing_mrr) - units(row.opening_mrr));
    });
  });

  it('shows complete months only: a mid-month data_end stops at the month before', async () => {
    // Act
    const rows = asText(await lake.run('mrr_movements', parameters('2026-05-15T00:00:00Z')));

    // Assess
    expect(rows.map((r) => r.month_start)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01']);
    expect(rows.map((r) => MONEY_COLUMNS.map((c) => r[c]))).toEqual(expected.slice(0, 4));
  });

  it('counts the subscriptions it cannot convert instead of summing currencies', async () => {
    // Act: in EUR only C's subscription is in the report currency
    const rows = asText(await lake.run('mrr_movements', parameters('2026-06-01T00:00:00Z', 'EUR')));

    // Assess: C's 60.00 EUR is new in April (its earlier USD subscription has no EUR rate, so C
    // had no MRR in the report currency before); every other subscription running at a month's
    // end is counted, B's free plan too
    expect(rows.map((r) => [r.month_start, r.new_mrr, r.closing_mrr, r.unconverted_subscriptions])).toEqual([
      ['2026-01-01', '0.0000', '0.0000', '3'],
      ['2026-02-01', '0.0000', '0.0000', '3'],
      ['2026-03-01', '0.0000', '0.0000', '5'],
      ['2026-04-01', '60.0000', '60.0000', '5'],
      ['2026-05-01', '0.0000', '60.0000', '6'],
    ]);
  });

  it('values the EUR subscription at each month end’s rate apart from the movements', async () => {
    // Act
    const rows = asText(await lake.run('mrr_movements', parameters('2026-06-01T00:00:00Z')));

    // Assess: C's 60 EUR is booked at 1.1 = 66; April's latest EUR rate is that same 04-02 1.1, so
    // no effect; May's is 05-01 1.3: 60 x 1.3 = 78, effect (253 - 241) - (221 - 221) = 12. D's KRW
    // has no booked rate, so no month-end rate revalues it
    expect(rows.map((r) => [r.month_start, r.opening_mrr_at_rates, r.closing_mrr_at_rates, r.fx_effect, r.subscriptions_without_month_end_rate])).toEqual([
      ['2026-01-01', '0.0000', '220.0000', '0.0000', '0'],
      ['2026-02-01', '220.0000', '130.0000', '0.0000', '0'],
      ['2026-03-01', '130.0000', '185.0000', '0.0000', '0'],
      ['2026-04-01', '185.0000', '221.0000', '0.0000', '0'],
      ['2026-05-01', '221.0000', '253.0000', '12.0000', '0'],
    ]);
  });

  it('is empty when there are no subscriptions', async () => {
    // Prepare
    const empty = await openEmptyLake();

    // Act
    const rows = await empty.run('mrr_movements', parameters('2026-06-01T00:00:00Z')).finally(() => empty.close());

    // Assess
    expect(rows).toEqual([]);
  });
});

// test/fixtures/mrr-exchange-rates, report currency USD, worked out by hand:
//   A 100.00 USD from 01-05: the same at every rate
//   B  40.00 GBP from 02-10, booked at that day's 1.25 = 50.0000
//   D  20.00 GBP from 03-20 to 05-10, booked at 03-20's 1.24 = 24.8000: new in March, churned in May
// A month's end rate is the latest GBP→USD rate dated in the month: Feb 02-27 1.30, Mar 03-31 1.20,
// none in April, May 05-29 1.40 (06-01's 1.50 is June's; the GBP→EUR rate is another currency's).
//          booked closing      closing at month-end rates                  fx effect
//   Jan    100                 100                                         0
//   Feb    150 (new 50)        100 + 40 x 1.30 = 152                       (152 - 150) - (100 - 100) = 2
//   Mar    174.8 (new 24.8)    100 + 60 x 1.20 = 172                       (172 - 174.8) - (152 - 150) = -4.8
//   Apr    174.8               unknown: B and D run, GBP has no April rate unknown
//   May    150 (churned 24.8)  100 + 40 x 1.40 = 156                       unknown: it opens at April's
// Each known month: opening at rates + net new + fx effect = closing at rates
// (Feb 100 + 50 + 2 = 152, Mar 152 + 24.8 - 4.8 = 172).
describe('queries/mrr_movements.sql exchange-rate effect', () => {
  let fx: FixtureLake;

  beforeAll(async () => {
    fx = await openFixtureLake('mrr-exchange-rates');
  });

  afterAll(async () => {
    await fx?.close();
  });

  it('revalues opening and closing MRR at month-end rates and reports the difference as the fx effect', async () => {
    // Act
    const rows = asText(await fx.run('mrr_movements', parameters('2026-06-01T00:00:00Z')));

    // Assess
    const columns = ['month_start', 'opening_mrr', 'net_new_mrr', 'closing_mrr', 'opening_mrr_at_rates', 'closing_mrr_at_rates', 'fx_effect', 'subscriptions_without_month_end_rate'];
    expect(rows.map((r) => columns.map((c) => r[c]))).toEqual([
      ['2026-01-01', '0.0000', '100.0000', '100.0000', '0.0000', '100.0000', '0.0000', '0'],
      ['2026-02-01', '100.0000', '50.0000', '150.0000', '100.0000', '152.0000', '2.0000', '0'],
      ['2026-03-01', '150.0000', '24.8000', '174.8000', '152.0000', '172.0000', '-4.8000', '0'],
      ['2026-04-01', '174.8000', '0.0000', '174.8000', '172.0000', null, null, '2'],
      ['2026-05-01', '174.8000', '-24.8000', '150.0000', null, '156.0000', null, '0'],
    ]);
  });

  it('keeps the movements at booked rates: the fx effect closes the bridge exactly', async () => {
    // Act
    const rows = asText(await fx.run('mrr_movements', parameters('2026-06-01T00:00:00Z')));

    // Assess (in 1/10,000 units, exact)
    const units = (v: string | null | undefined) => BigInt(Math.round(Number(v) * 10_000));
    const known = rows.filter((r) => r.fx_effect !== null);
    expect(known).toHaveLength(3);
    for (const r of known) {
      const movements = units(r.new_mrr) + units(r.expansion_mrr) + units(r.reactivation_mrr) - units(r.contraction_mrr) - units(r.churned_mrr);
      expect(units(r.opening_mrr_at_rates) + movements + units(r.fx_effect)).toBe(units(r.closing_mrr_at_rates));
    }
    expect(rows.map((r) => [r.new_mrr, r.churned_mrr])).toEqual([
      ['100.0000', '0.0000'],
      ['50.0000', '0.0000'],
      ['24.8000', '0.0000'],
      ['0.0000', '0.0000'],
      ['0.0000', '24.8000'],
    ]);
  });
});
