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
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((i, j) => key[j]! - key[i]!);
  const blocks: Block[] = [];
  const midRank = new Float64Array(n);
  let above = 0;
  for (let start = 0; start < n; ) {
    const value = key[order[start]!]!;
    const block: Block = { key: value, count: 0, actual: 0, predicted: 0 };
    let end = start;
    for (; end < n && key[order[end]!] === value; end++) {
      const i = order[end]!;
      const c = columns.count[i]!;
      block.count += c;
      block.actual += c * columns.actual[i]!;
      block.predicted += c * columns.predicted[i]!;
    }
    const rank = above + (block.count + 1) / 2;
    for (let k = start; k < end; k++) midRank[order[k]!] = rank;
    above += block.count;
    blocks.push(block);
    start = end;
  }
  return { blocks, midRank };
}

/** Throws naming the first row that is not a usable forecast row. */
export function checkRows(rows: readonly ForecastRow[]): void {
  rows.forEach((r, i) => {
    if (![r.predicted, r.actual, r.count].every(Number.isFinite) || r.count <= 0) {
      throw new Error(`forecast row ${i}: predicted, actual and count must be finite numbers (count positive), got ${r.predicted}, ${r.actual}, ${r.count}`);
    }
  });
}
