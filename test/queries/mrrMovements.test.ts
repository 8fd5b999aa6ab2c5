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

  it('is empty when there are no subscriptions', async () => {
    // Prepare
    const empty = await openEmptyLake();

    // Act
    const rows = await empty.run('mrr_movements', parameters('2026-06-01T00:00:00Z')).finally(() => empty.close());

    // Assess
    expect(rows).toEqual([]);
  });
});
