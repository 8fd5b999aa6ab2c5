import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import { getQuery } from '../../functions/engine/queryCatalog.ts';
import { param, type QueryEngine } from '../../functions/engine/queryEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { openEngine, openStores } from '../../functions/pipeline/adapters.ts';
import { observedDays, readHoldoutTracking, readHoldoutTuples, readModelInputs } from '../../functions/pipeline/modelInputs.ts';

// A hand-made lake, report currency USD, cut-off 2026-11-23T00:00Z (end of 2026-W47, UTC).
// Day numbers of 2026: Jan 10 = 10, Mar 1 = 60, Jul 4 = 185, Sep 30 = 273, Nov 20 = 324,
// Nov 22 = 326 (the last day observed before the cut-off).
//   a  o1 01-10 09:00 20.00 USD, o2 01-10 18:00 5.00 USD      one purchase day (the first)
//      o3 03-01 10:00 30.00 − 10.00 refunded, o4 03-01 23:30 12.50   repeat day 32.50
//      o5 05-15 40.00 fully refunded; o6 06-01 cancelled      not purchases
//      o7 07-04 10.00 EUR at 1.1                              repeat day 11.00
//      o8 11-23 00:00 USD                                     at the cut-off: not read
//      → x = 2, t_x = 185 − 10 = 175, T = 326 − 10 = 316, repeat spend 43.50, mean 21.75
//   b  o9 11-20 20000 KRW at 0.00074 (= 14.80)               → x = 0, t_x = 0, T = 2
//   c  o10 09-30 23:59 10.00 USD; o11 10-01 00:01 8.00 USD and o12 10-01 100 JPY (no rate);
//      o13 10-15 pending                                      → x = 1, t_x = 1, T = 53,
//      repeat spend 8.00 is incomplete (1 unconverted order): mean spend unknown
//   d  only a cancelled order                                 → not a model customer
//   f  o15 11-20 15:00 5.00 USD                               → x = 0, t_x = 0, T = 2 (same tuple as b)
//   g  o16 02-01 and o17 03-01 09:00, 29.00 USD each, and a subscription from 06-01: a contractual
//      customer, left out at any cut-off after 06-01
const orders = `order_id,customer_id,ordered_at,amount,refunded_amount,currency,status
o1,a,2026-01-10T09:00:00Z,20.00,,USD,paid
o2,a,2026-01-10T18:00:00Z,5.00,,USD,paid
o3,a,2026-03-01T10:00:00Z,30.00,10.00,USD,paid
o4,a,2026-03-01T23:30:00Z,12.50,,USD,paid
o5,a,2026-05-15T08:00:00Z,40.00,40.00,USD,paid
o6,a,2026-06-01T12:00:00Z,15.00,,USD,cancelled
o7,a,2026-07-04T12:00:00Z,10.00,,EUR,paid
o8,a,2026-11-23T00:00:00Z,99.00,,USD,paid
o9,b,2026-11-20T10:00:00Z,20000,,KRW,paid
o10,c,2026-09-30T23:59:00Z,10.00,,USD,paid
o11,c,2026-10-01T00:01:00Z,8.00,,USD,paid
o12,c,2026-10-01T05:00:00Z,100,,JPY,paid
o13,c,2026-10-15T05:00:00Z,70.00,,USD,pending
o14,d,2026-08-01T05:00:00Z,70.00,,USD,cancelled
o15,f,2026-11-20T15:00:00Z,5.00,,USD,paid
o16,g,2026-02-01T09:00:00Z,29.00,,USD,paid
o17,g,2026-03-01T09:00:00Z,29.00,,USD,paid
`;
const subscriptions = `subscription_id,customer_id,plan,mrr,currency,started_at,ended_at
s1,g,starter,29.00,USD,2026-06-01T00:00:00Z,
`;
const fxRates = `rate_date,from_currency,to_currency,rate
2026-07-04,EUR,USD,1.1
2026-11-20,KRW,USD,0.00074
2026-07-04,USD,EUR,0.9
`;

const cutoff = new Date('2026-11-23T00:00:00Z');
let root: string;
let engine: QueryEngine;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-model-inputs-'));
  await mkdir(path.join(root, 'exports'));
  await writeFile(path.join(root, 'exports', 'orders.csv'), orders);
  await writeFile(path.join(root, 'exports', 'fx_rates.csv'), fxRates);
  await writeFile(path.join(root, 'exports', 'subscriptions.csv'), subscriptions);
  const config = parseConfig({ storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: path.join(root, 'exports') } }, 'test');
  const stores = openStores(config);
  const ingest = await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date('2026-11-24T00:00:00Z') });
  expect(ingest.failed).toEqual([]);
  engine = await openEngine(config);
});

afterAll(async () => {
  await engine?.close();
  await rm(root, { recursive: true, force: true });
});

describe('queries/model_inputs.sql', () => {
  it('gives frequency, recency, T and mean repeat spend per customer, worked out by hand', async () => {
    // Act
    const { customers } = await readModelInputs(engine, cutoff, 'USD');

    // Assess
    expect(customers).toEqual([
      { customerId: 'a', x: 2, tx: 175, T: 316, meanSpend: 21.75 },
      { customerId: 'b', x: 0, tx: 0, T: 2 },
      { customerId: 'c', x: 1, tx: 1, T: 53 },
      { customerId: 'f', x: 0, tx: 0, T: 2 },
    ]);
  });

  it('takes a cut-off inside a day: the day counts with the orders before the cut-off only', async () => {
    // Prepare: o3 (10:00) is before, o4 (23:30) after 2026-03-01T12:00Z
    const midday = new Date('2026-03-01T12:00:00Z');

    // Act
    const { customers } = await readModelInputs(engine, midday, 'USD');

    // Assess: Mar 1 is the last day observed, so T = 60 − 10 = 50; g subscribes only later,
    // so is a non-contractual customer here: Feb 1 (day 32) and Mar 1, T = 60 − 32
    expect(customers).toEqual([
      { customerId: 'a', x: 1, tx: 50, T: 50, meanSpend: 20 },
      { customerId: 'g', x: 1, tx: 28, T: 28, meanSpend: 29 },
    ]);
  });

  it('reports repeat spend in another report currency with its rates, and the unconverted orders', async () => {
    // Act: EUR report currency: o3 and o4 (USD, 03-01) have no USD→EUR rate that day
    const { customers } = await readModelInputs(engine, cutoff, 'EUR');

    // Assess: a's 03-01 day is incomplete, so a's mean spend is unknown too
    expect(customers.find((c) => c.customerId === 'a')).toEqual({ customerId: 'a', x: 2, tx: 175, T: 316 });
  });
});

describe('queries/model_inputs.sql, raw rows', () => {
  it('returns the exact repeat spend and the repeat orders it leaves out', async () => {
    // Act
    const { rows } = await engine.runRaw(await getQuery('model_inputs'), {
      to_month: param.varchar('2026-11'),
      cutoff: param.timestamp(cutoff),
      report_currency: param.varchar('USD'),
    });

    // Assess
    expect(rows.map((r) => [r.customer_id, r.first_purchase_date, r.repeat_spend, String(r.unconverted_repeat_orders)])).toEqual([
      ['a', '2026-01-10', '43.5000', '0'],
      ['b', '2026-11-20', '0.0000', '0'],
      ['c', '2026-09-30', '8.0000', '1'],
      ['f', '2026-11-20', '0.0000', '0'],
    ]);
  });
});

describe('queries/model_input_tuples.sql', () => {
  it('compresses the same inputs to distinct tuples with counts when the holdout is empty', async () => {
    // Act
    const { tuples } = await readHoldoutTuples(engine, cutoff, cutoff);

    // Assess: b and f share (0, 0, 2026-11-20)
    expect(tuples).toEqual([
      { x: 2, tx: 175, T: 316, count: 1, actual: 0 },
      { x: 1, tx: 1, T: 53, count: 1, actual: 0 },
      { x: 0, tx: 0, T: 2, count: 2, actual: 0 },
    ]);
  });

  it('splits the purchases at the cut-off into calibration and holdout', async () => {
    // Prepare: calibration until 2026-10-01T00:00Z, holdout until the week's end
    const calibrationEnd = new Date('2026-10-01T00:00:00Z');

    // Act
    const { tuples } = await readHoldoutTuples(engine, calibrationEnd, cutoff);

    // Assess: a bought nothing after Jul 4; c's Oct 1 day (two orders) is one holdout purchase;
    // b and f first bought in the holdout and are left out. Sep 30 (day 273) is the last
    // calibration day: T = 263, and 0 for c, who first bought on it.
    expect(tuples).toEqual([
      { x: 2, tx: 175, T: 263, count: 1, actual: 0 },
      { x: 0, tx: 0, T: 0, count: 1, actual: 1 },
    ]);
  });

  it('puts a day that straddles the cut-off where its first order falls', async () => {
    // Act: cut-off 2026-03-01T12:00Z: o3 at 10:00 makes Mar 1 a calibration day
    const { tuples } = await readHoldoutTuples(engine, new Date('2026-03-01T12:00:00Z'), cutoff);

    // Assess: Jul 4 is the one holdout purchase
    expect(tuples).toEqual([{ x: 1, tx: 50, T: 50, count: 1, actual: 1 }]);
  });
});

describe('queries/holdout_tracking.sql', () => {
  it('gives the holdout purchases of the calibration customers day by day, as days after the last calibration day', async () => {
    // Act: calibration until 2026-10-01T00:00Z
    const { days } = await readHoldoutTracking(engine, new Date('2026-10-01T00:00:00Z'), cutoff);

    // Assess: c's Oct 1 (two orders) is day 1 after Sep 30; b and f first bought in the holdout, g subscribes
    expect(days).toEqual([{ day: 1, purchases: 1 }]);
  });

  it('adds up to the holdout tuples’ purchases, a straddled day counted where its first order falls', async () => {
    // Act: cut-off 2026-03-01T12:00Z: Mar 1 (first order at 10:00) is a calibration day, Jul 4 the holdout's
    const at = new Date('2026-03-01T12:00:00Z');
    const { days } = await readHoldoutTracking(engine, at, cutoff);
    const { tuples } = await readHoldoutTuples(engine, at, cutoff);

    // Assess: Jul 4 is day 185 − 60 = 125 after Mar 1
    expect(days).toEqual([{ day: 125, purchases: 1 }]);
    expect(days.reduce((n, d) => n + d.purchases, 0)).toBe(tuples.reduce((n, t) => n + t.count * t.actual, 0));
  });
});

describe('observedDays', () => {
  it('counts whole UTC days from the first purchase day to the last day before the cut-off', () => {
    expect(observedDays('2026-11-20', new Date('2026-11-23T00:00:00Z'))).toBe(2); // Nov 22 is the last day seen
    expect(observedDays('2026-11-20', new Date('2026-11-22T15:00:00Z'))).toBe(2); // part of Nov 22 is seen
    expect(observedDays('2026-11-22', new Date('2026-11-23T00:00:00Z'))).toBe(0); // first bought on the last day
  });
});
