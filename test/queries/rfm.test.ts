import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERIES_DIR } from '../../functions/engine/queryCatalog.ts';
import { param } from '../../functions/engine/queryEngine.ts';
import { asText, openEmptyLake, openFixtureLake, type FixtureLake } from './fixtureLake.ts';

// test/fixtures/rfm, report currency USD, as of 2026-11-23T00:00Z with a 365-day activity
// window from 2025-11-23T00:00Z. Ten customers, so ntile(5) puts two in each quintile.
//   customer  paid orders in the window                                   F   M
//   c01       11-20 10:00 100.00, 10-01 50.00, 06-01 30.00                3   180.00
//   c02       11-20 10:00 20.00 (the same instant as c01)                 1    20.00
//   c03       01-10 40.00 EUR at 1.1, 02-10 30.00 EUR with no rate        2    44.00, 1 unconverted
//   c04       2025-12-01 500.00                                           1   500.00
//   c05       09-15 60.00 − 20.00 refunded; 09-16 fully refunded: no order 1    40.00
//   c06       03-01 10.00; 2025-11-22T23:59:59Z 1000.00 is before the window  1    10.00
//   c07       11-22, 11-21, 11-01, 08-01, 5.00 each                       4    20.00 (= c02)
//   c08       07-01 100000 KRW at 0.00074                                 1    74.00
//   c09       05-05 and 05-06 70.00                                       2   140.00
//   c10       04-01 15.00; 11-23T00:00Z is at the as-of instant: not read 1    15.00
//   c11       only a cancelled and a pending order: not scored
// Scores (ascending order, ties by customer_id, two per bucket):
//   R by last order: c04 c03 | c06 c10 | c09 c08 | c05 c01 | c02 c07   (c01 before c02: a tie)
//   F: c02 c04 | c05 c06 | c08 c10 | c03 c09 | c01 c07                  (six customers with F = 1)
//   M: c06 c10 | c02 c07 | c05 c03 | c08 c09 | c01 c04                  (c02 before c07: a tie)
const scores = [
  // customer, last order, F, M, unconverted, R, F, M, FM, segment
  ['c01', '2026-11-20 10:00:00', '3', '180.0000', '0', '4', '5', '5', '5', 'Champions'],
  ['c02', '2026-11-20 10:00:00', '1', '20.0000', '0', '5', '1', '2', '1.5', 'New (Recent)'],
  ['c03', '2026-02-10 10:00:00', '2', '44.0000', '1', '1', '4', '3', '3.5', 'At Risk'],
  ['c04', '2025-12-01 10:00:00', '1', '500.0000', '0', '1', '1', '5', '3', 'At Risk'],
  ['c05', '2026-09-15 10:00:00', '1', '40.0000', '0', '4', '2', '3', '2.5', 'Potential Loyalist'],
  ['c06', '2026-03-01 10:00:00', '1', '10.0000', '0', '2', '2', '1', '1.5', 'About to Sleep'],
  ['c07', '2026-11-22 10:00:00', '4', '20.0000', '0', '5', '5', '2', '3.5', 'Loyal'],
  ['c08', '2026-07-01 10:00:00', '1', '74.0000', '0', '3', '3', '4', '3.5', 'Loyal'],
  ['c09', '2026-05-06 10:00:00', '2', '140.0000', '0', '3', '4', '4', '4', 'Loyal'],
  ['c10', '2026-04-01 10:00:00', '1', '15.0000', '0', '2', '3', '1', '2', 'Need Attention'],
];
const COLUMNS = ['customer_id', 'last_order_at', 'frequency', 'monetary', 'unconverted_orders', 'r_score', 'f_score', 'm_score', 'fm_score', 'segment'];
const SEGMENTS = ['Champions', 'Loyal', 'Potential Loyalist', 'New (Recent)', 'Promising', 'Need Attention', 'About to Sleep', 'At Risk', "Can't Lose Them", 'Hibernating', 'Lost'];

const asOf = new Date('2026-11-23T00:00:00Z');
const parameters = {
  from_month: param.varchar('2025-11'),
  to_month: param.varchar('2026-11'),
  activity_from: param.timestamp(new Date('2025-11-23T00:00:00Z')),
  as_of: param.timestamp(asOf),
  report_currency: param.varchar('USD'),
};

const sqlOf = (name: string) => readFileSync(path.join(QUERIES_DIR, `${name}.sql`), 'utf8');
/** The CTEs of rfm_scores.sql up to its final projection: customers, scores, rules, segments. */
const scoringCtes = (sql: string) => sql.slice(sql.indexOf('\nwith\n'), sql.indexOf('\nfinal as ('));
const ruleTable = (sql: string) => {
  const start = sql.indexOf('segment_rules as (');
  return sql.slice(start, sql.indexOf('\n),\n', start) + 2);
};

let lake: FixtureLake;

beforeAll(async () => {
  lake = await openFixtureLake('rfm');
});

afterAll(async () => {
  await lake?.close();
});

describe('queries/rfm_scores.sql', () => {
  it('scores every customer by quintile, ties broken by customer_id, and names the segment', async () => {
    // Act
    const rows = asText(await lake.run('rfm_scores', parameters));

    // Assess
    expect(rows.map((r) => COLUMNS.map((c) => r[c]))).toEqual(scores);
  });

  it('leaves recency in days to the caller, from last_order_at and the as-of instant', async () => {
    // Act
    const rows = asText(await lake.run('rfm_scores', parameters));

    // Assess: c07 bought 14 hours before the as-of instant, c04 356 days and 14 hours
    const days = (r: Record<string, string | null>) => (asOf.getTime() - Date.parse(`${r.last_order_at!.replace(' ', 'T')}Z`)) / 86_400_000;
    expect(days(rows.find((r) => r.customer_id === 'c07')!)).toBeCloseTo(14 / 24, 12);
    expect(days(rows.find((r) => r.customer_id === 'c04')!)).toBeCloseTo(356 + 14 / 24, 12);
  });

  it('returns no rows on an empty lake', async () => {
    // Prepare
    const empty = await openEmptyLake();

    // Act
    const rows = await empty.run('rfm_scores', parameters).finally(() => empty.close());

    // Assess
    expect(rows).toEqual([]);
  });
});

describe('the RFM segment rule table', () => {
  it('puts each of the 125 (R, F, M) score combinations in exactly one segment, and every segment is reachable', async () => {
    // Prepare: the rule table exactly as rfm_scores.sql holds it, against every combination
    const sql = `with ${ruleTable(sqlOf('rfm_scores'))},
      scores as (select r.s as r_score, f.s as f_score, m.s as m_score
        from range(1, 6) as r(s), range(1, 6) as f(s), range(1, 6) as m(s))
      select scores.r_score, scores.f_score, scores.m_score, count(segment_rules.segment) as matches,
        min(segment_rules.segment) as segment
      from scores left join segment_rules
        on scores.r_score between segment_rules.r_min and segment_rules.r_max
        and scores.f_score + scores.m_score between segment_rules.fm_sum_min and segment_rules.fm_sum_max
      group by all order by all`;

    // Act
    const combinations = await lake.engine.sql(sql);

    // Assess
    expect(combinations).toHaveLength(125);
    expect(combinations.filter((c) => Number(c.matches) !== 1)).toEqual([]);
    expect([...new Set(combinations.map((c) => c.segment))].sort()).toEqual([...SEGMENTS].sort());
  });

  it('keeps the intent of the published table at its corners', async () => {
    // Prepare
    const segmentOf = async (r: number, f: number, m: number) => {
      const [row] = await lake.engine.sql(`with ${ruleTable(sqlOf('rfm_scores'))}
        select segment from segment_rules where ${r} between r_min and r_max and ${f + m} between fm_sum_min and fm_sum_max`);
      return row?.segment;
    };

    // Act and Assess: best everything, recent but little value, gone quiet at high value, worst
    expect(await segmentOf(5, 5, 5)).toBe('Champions');
    expect(await segmentOf(5, 1, 1)).toBe('New (Recent)');
    expect(await segmentOf(3, 1, 1)).toBe('Promising');
    expect(await segmentOf(1, 5, 5)).toBe("Can't Lose Them");
    expect(await segmentOf(1, 4, 3)).toBe('At Risk'); // FM 3.5
    expect(await segmentOf(1, 2, 2)).toBe('Hibernating');
    expect(await segmentOf(1, 1, 1)).toBe('Lost');
  });
});

describe('queries/rfm_segments.sql', () => {
  it('repeats the scoring of rfm_scores.sql verbatim, so one rule table decides both', () => {
    expect(scoringCtes(sqlOf('rfm_scores')).length).toBeGreaterThan(1000);
    expect(sqlOf('rfm_segments')).toContain(scoringCtes(sqlOf('rfm_scores')));
  });

  it('sums customers and revenue per segment, every segment in rule-table order', async () => {
    // Act
    const rows = asText(await lake.run('rfm_segments', parameters));

    // Assess: 10 customers, 1043.00 revenue
    expect(rows.map((r) => [r.segment, r.customers, r.revenue, r.unconverted_orders])).toEqual([
      ['Champions', '1', '180.0000', '0'],
      ['Loyal', '3', '234.0000', '0'],
      ['Potential Loyalist', '1', '40.0000', '0'],
      ['New (Recent)', '1', '20.0000', '0'],
      ['Promising', '0', '0.0000', '0'],
      ['Need Attention', '1', '15.0000', '0'],
      ['About to Sleep', '1', '10.0000', '0'],
      ['At Risk', '2', '544.0000', '1'],
      ["Can't Lose Them", '0', '0.0000', '0'],
      ['Hibernating', '0', '0.0000', '0'],
      ['Lost', '0', '0.0000', '0'],
    ]);
    const numbers = (r: Record<string, string | null>) => [r.customer_share, r.revenue_share, r.average_frequency, r.average_monetary].map((v) => (v === null ? null : Number(v)));
    expect(numbers(rows[0]!)).toEqual([1 / 10, 180 / 1043, 3, 180]);
    expect(numbers(rows[1]!)).toEqual([3 / 10, 234 / 1043, 7 / 3, 78]);
    expect(numbers(rows[7]!)).toEqual([2 / 10, 544 / 1043, 1.5, 272]);
    expect(numbers(rows[4]!)).toEqual([0, 0, null, null]);
  });

  it('lists the empty segments with shares withheld on an empty lake', async () => {
    // Prepare
    const empty = await openEmptyLake();

    // Act
    const rows = asText(await empty.run('rfm_segments', parameters).finally(() => empty.close()));

    // Assess
    expect(rows.map((r) => r.segment)).toEqual(SEGMENTS);
    expect(rows.every((r) => r.customers === '0' && r.customer_share === null && r.revenue_share === null)).toBe(true);
  });
});
