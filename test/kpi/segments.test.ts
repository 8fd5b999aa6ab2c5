import { describe, expect, it } from 'vitest';
import { rfmSegmentRow } from '../../functions/kpi/queryRows.ts';
import { SEGMENT_ORDER, segmentClv, segmentMovements, segmentSlips } from '../../functions/kpi/segments.ts';
import { param } from '../../functions/engine/queryEngine.ts';
import { openEmptyLake } from '../queries/fixtureLake.ts';

/** `monetary` in currency units, as the row schema holds it (1/10,000 units). */
const row = (customer_id: string, segment: string, monetary = 0) => ({ customer_id, segment, monetary: BigInt(Math.round(monetary * 10_000)) });

describe('segmentClv', () => {
  it('averages the predictive CLV over the segment’s scored customers only', () => {
    // Prepare: s3 is a subscriber, which the model does not score
    const scores = [row('s1', 'Loyal'), row('s2', 'Loyal'), row('s3', 'Loyal'), row('s4', 'Lost')];
    const clv = new Map([['s1', 100], ['s2', 50], ['s4', 5]]);

    // Act
    const bySegment = segmentClv(scores, clv);

    // Assess
    expect(bySegment.get('Loyal')).toEqual({ scored: 2, meanClv: 75 });
    expect(bySegment.get('Lost')).toEqual({ scored: 1, meanClv: 5 });
    expect(segmentClv([row('x', 'New (Recent)')], clv).get('New (Recent)')).toEqual({ scored: 0, meanClv: null });
  });
});

describe('segmentMovements', () => {
  it('counts customers moving between segments, into and out of the window, largest first', () => {
    // Prepare: a, b Champions → Loyal; c Loyal → At Risk; d new; e left; f unchanged
    const previous = [row('a', 'Champions'), row('b', 'Champions'), row('c', 'Loyal'), row('e', 'Lost'), row('f', 'Loyal')];
    const current = [row('a', 'Loyal'), row('b', 'Loyal'), row('c', 'At Risk'), row('d', 'New (Recent)'), row('f', 'Loyal')];

    // Act
    const moves = segmentMovements(previous, current, 4);

    // Assess: ties ordered by from (null first), then to
    expect(moves).toEqual([
      { from: 'Champions', to: 'Loyal', customers: 2 },
      { from: null, to: 'New (Recent)', customers: 1 },
      { from: 'Lost', to: null, customers: 1 },
      { from: 'Loyal', to: 'At Risk', customers: 1 },
    ]);
    expect(segmentMovements(previous, current, 1)).toHaveLength(1);
  });
});

describe('SEGMENT_ORDER', () => {
  it('ranks every segment queries/rfm_segments.sql knows, each once', async () => {
    // Prepare: rfm_segments has a row for every segment, empty ones too
    const lake = await openEmptyLake();
    const parameters = {
      from_month: param.varchar('2025-11'),
      to_month: param.varchar('2026-11'),
      activity_from: param.timestamp(new Date('2025-11-23T00:00:00Z')),
      as_of: param.timestamp(new Date('2026-11-23T00:00:00Z')),
      report_currency: param.varchar('USD'),
    };

    // Act
    const segments = (await lake.run('rfm_segments', parameters).finally(() => lake.close())).map((r) => rfmSegmentRow.parse(r).segment);

    // Assess
    expect([...SEGMENT_ORDER].sort()).toEqual([...segments].sort());
    expect(new Set(SEGMENT_ORDER).size).toBe(SEGMENT_ORDER.length);
  });
});

describe('segmentSlips', () => {
  // a Champions → Loyal, d Can't Lose Them → At Risk, e Loyal → Lost, f Potential Loyalist →
  // Need Attention and k Loyal → Hibernating slipped; b stayed, c (At Risk → Can't Lose Them) and
  // h (New (Recent) → Potential Loyalist) improved, g left the window, i is new to it.
  const previous = [
    row('a', 'Champions'),
    row('b', 'Loyal'),
    row('c', 'At Risk'),
    row('d', "Can't Lose Them"),
    row('e', 'Loyal'),
    row('f', 'Potential Loyalist'),
    row('g', 'Champions'),
    row('h', 'New (Recent)'),
    row('k', 'Loyal'),
  ];
  const current = [
    row('a', 'Loyal', 40),
    row('b', 'Loyal', 900),
    row('c', "Can't Lose Them", 800),
    row('d', 'At Risk', 75.5),
    row('e', 'Lost', 10),
    row('f', 'Need Attention', 75.5),
    row('h', 'Potential Loyalist', 700),
    row('i', 'Champions', 600),
    row('k', 'Hibernating', 20),
  ];

  it('ranks the customers who slipped to a worse segment by predictive CLV, ties by id', () => {
    // Prepare: k is a subscriber the model does not score; a and d tie at 300
    const clv = new Map([['a', 300], ['b', 1000], ['c', 900], ['d', 300], ['e', 50], ['f', 120], ['h', 800], ['i', 700]]);

    // Act
    const slips = segmentSlips(previous, current, clv, 5);

    // Assess
    expect(slips).toEqual({
      rankedBy: 'clv',
      slips: [
        { customerId: 'a', from: 'Champions', to: 'Loyal', value: 300 },
        { customerId: 'd', from: "Can't Lose Them", to: 'At Risk', value: 300 },
        { customerId: 'f', from: 'Potential Loyalist', to: 'Need Attention', value: 120 },
        { customerId: 'e', from: 'Loyal', to: 'Lost', value: 50 },
      ],
    });
    expect(segmentSlips(previous, current, clv, 2).slips.map((s) => s.customerId)).toEqual(['a', 'd']);
  });

  it('ranks them by this week’s monetary value when the model scored no one', () => {
    // Act
    const slips = segmentSlips(previous, current, new Map(), 5);

    // Assess: d and f tie at 75.50; k counts now, with its monetary value
    expect(slips).toEqual({
      rankedBy: 'monetary',
      slips: [
        { customerId: 'd', from: "Can't Lose Them", to: 'At Risk', value: 75.5 },
        { customerId: 'f', from: 'Potential Loyalist', to: 'Need Attention', value: 75.5 },
        { customerId: 'a', from: 'Champions', to: 'Loyal', value: 40 },
        { customerId: 'k', from: 'Loyal', to: 'Hibernating', value: 20 },
        { customerId: 'e', from: 'Loyal', to: 'Lost', value: 10 },
      ],
    });
  });

  it('is empty when nobody slipped, and refuses a segment it cannot rank', () => {
    expect(segmentSlips(previous, previous, new Map(), 5)).toEqual({ rankedBy: 'monetary', slips: [] });
    expect(() => segmentSlips([row('x', 'Loyal')], [row('x', 'Sleepy')], new Map(), 5)).toThrow('RFM segment "Sleepy" has no place in SEGMENT_ORDER');
  });
});
