// The DuckDB engine's own row conversion gives exactly what @duckdb/node-api's
// getRowObjectsJson gives, for every type the queries return and the edges of each.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonRows } from '../../functions/engine/duckdbRows.ts';

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
});

async function expectLibraryRows(sql: string): Promise<void> {
  const expected = (await connection.runAndReadAll(sql)).getRowObjectsJson();
  expect(jsonRows(await connection.run(sql))).toStrictEqual(expected);
}

describe('jsonRows', () => {
  it('converts each type as getRowObjectsJson does, NULLs included', async () => {
    await expectLibraryRows(`
      select * from (values
        ('c1', 0::bigint, 1.5::double, 12.3456::decimal(18, 4), 7.25::decimal(38, 4), 1.0000000001::decimal(38, 10),
          12.5::decimal(4, 1), date '2026-11-23', timestamp '2026-11-23 10:11:12', true, 7::integer, 3::hugeint),
        ('', -42::bigint, 'NaN'::double, -0.5::decimal(18, 4), -123456789012345678901234.5678::decimal(38, 4),
          -0.0000000001::decimal(38, 10), -0.1::decimal(4, 1), date '1969-12-31', timestamp '1969-12-31 23:59:59.999999',
          false, -7::integer, -170141183460469231731687303715884105727::hugeint),
        ('é ✓ long enough to leave the inline string', 1023::bigint, '-Infinity'::double, 0::decimal(18, 4),
          99999999999999999999999999999999.9999::decimal(38, 4), 0::decimal(38, 10), 0::decimal(4, 1), date '9999-12-31',
          timestamp '2026-01-01 00:00:00.5', null, 0::integer, 0::hugeint),
        (null, 9223372036854775807::bigint, -0.0::double, 99999999999999.9999::decimal(18, 4),
          900719925474099.1::decimal(38, 4), 12345678.9::decimal(38, 10), null, date '0001-01-01',
          timestamp '0001-01-01 00:00:00.000001', true, null, null),
        (null, null, null, null, null, null, null, null, timestamp '2255-06-05 23:47:34.740991', null, null, null),
        (null, null, null, null, null, null, null, null, timestamp '2255-06-05 23:47:34.740992', null, null, null),
        (null, null, null, null, null, null, null, null, timestamp '2243-10-16 23:59:59.999999', null, null, null),
        (null, -9223372036854775807::bigint, 1e300::double, -99999999999999.9999::decimal(18, 4), null, null, null,
          null, 'infinity'::timestamp, null, null, null),
        (null, null, null, null, null, null, null, null, null, null, null, null)
      ) as t (text, big, dbl, money, sum_money, rate, small_decimal, day, instant, flag, int, huge)
    `);
  });

  it('keeps the row order and the column names across many chunks', async () => {
    await expectLibraryRows(`
      select
        i,
        'c' || i as customer_id,
        cast(i as decimal(18, 4)) / 7 as amount,
        timestamp '2020-01-01' + i * interval '1 second' + i * interval '7 microseconds' as at,
        date '2020-01-01' + cast(i % 1000 as integer) as day
      from range(-5000, 20000) as r (i)
      order by i desc
    `);
  });

  it('reads 64- and 128-bit values on both sides of the exact-number range, and repeated long strings', async () => {
    await expectLibraryRows(`
      select
        i,
        case when i % 3 = 0 then null else 'Potential Loyalist' end as segment,
        case when i % 5 = 0 then 'Can''t Lose Them' else 'Champions' end as other_segment,
        9007199254740991::bigint + i as big,
        -9007199254740993::bigint + i as negative_big,
        cast(i as decimal(38, 4)) / 4 - 7.25 as small_sum,
        900719925474099::decimal(38, 4) + i as sum_at_edge,
        -900719925474.0993::decimal(18, 4) + i as money_at_edge,
        timestamp '1677-09-22 00:00:00' + i * interval '1 day' as old_instant,
        0.12345678901234567::decimal(18, 17) * i as fine_rate
      from range(-3, 4) as r (i)
    `);
  });

  it('returns no rows for an empty result', async () => {
    expect(jsonRows(await connection.run('select 1 as x where false'))).toEqual([]);
  });
});
