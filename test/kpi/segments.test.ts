import { describe, expect, it } from 'vitest';
import { segmentClv, segmentMovements } from '../../functions/kpi/segments.ts';

const row = (customer_id: string, segment: string) => ({ customer_id, segment });

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
