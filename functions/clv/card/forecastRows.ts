// The rows every report-card metric reads (docs/metrics.md, "Model report card"): groups of
// customers who share a forecast and an outcome, with how many they are. Customers with the
// same (x, t_x, T) get the same forecast from every model, so a group stands for them exactly.
// The metrics that order customers share one sort per forecast and one of the outcomes
// (orderBy): a holdout at scale has hundreds of thousands of groups.

export interface ForecastRow {
  /** What the forecaster predicted for each customer of the group. */
  predicted: number;
  /** What each customer of the group did. */
  actual: number;
  /** Customers in the group (positive). */
  count: number;
}

export interface ForecastColumns {
  predicted: Float64Array;
  actual: Float64Array;
  count: Float64Array;
}

export interface Block {
  /** The value the block shares (a predicted or an actual value). */
  key: number;
  count: number;
  /** Σ count × actual over the block. */
  actual: number;
  /** Σ count × predicted over the block. */
  predicted: number;
}

/** The groups in descending order of one column, merged into blocks of equal value, with each group's mid-rank. */
export interface Ordered {
  blocks: Block[];
  /** Per group: 1 + the customers ranked above it + half the others tied with it (descending mid-rank). */
  midRank: Float64Array;
}

export function columnsOf(rows: readonly ForecastRow[]): ForecastColumns {
  checkRows(rows);
  return {
    predicted: Float64Array.from(rows, (r) => r.predicted),
    actual: Float64Array.from(rows, (r) => r.actual),
    count: Float64Array.from(rows, (r) => r.count),
  };
}

/**
 * Customers tied on the sort key are interchangeable: every metric that orders customers treats
 * a tied block as evenly mixed (the expectation over the orders a sort could have put them in),
 * so no metric depends on how ties happen to be broken.
 */
export function orderBy(columns: ForecastColumns, key: Float64Array): Ordered {
  const n = key.length;
  // The distinct values, largest first: a plain numeric sort of the keys and a binary search per
  // group cost less than sorting the groups by a comparator.
  const sorted = Float64Array.from(key).sort();
  const distinct: number[] = [];
  for (let k = n - 1; k >= 0; k--) if (distinct.length === 0 || sorted[k] !== distinct.at(-1)) distinct.push(sorted[k]!);
  const blockOf = new Uint32Array(n);
  const blocks: Block[] = distinct.map((value) => ({ key: value, count: 0, actual: 0, predicted: 0 }));
  for (let i = 0; i < n; i++) {
    const v = key[i]!;
    let lo = 0;
    let hi = distinct.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid]! > v) lo = mid + 1;
      else hi = mid;
    }
    blockOf[i] = lo;
    const b = blocks[lo]!;
    const c = columns.count[i]!;
    b.count += c;
    b.actual += c * columns.actual[i]!;
    b.predicted += c * columns.predicted[i]!;
  }
  const rankOfBlock = new Float64Array(blocks.length);
  let above = 0;
  blocks.forEach((b, k) => {
    rankOfBlock[k] = above + (b.count + 1) / 2;
    above += b.count;
  });
  return { blocks, midRank: Float64Array.from(blockOf, (k) => rankOfBlock[k]!) };
}

/** Throws naming the first row that is not a usable forecast row. */
export function checkRows(rows: readonly ForecastRow[]): void {
  rows.forEach((r, i) => {
    if (![r.predicted, r.actual, r.count].every(Number.isFinite) || r.count <= 0) {
      throw new Error(`forecast row ${i}: predicted, actual and count must be finite numbers (count positive), got ${r.predicted}, ${r.actual}, ${r.count}`);
    }
  });
}
