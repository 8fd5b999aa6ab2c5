// The rows every report-card metric reads (docs/metrics.md, "Model report card"): groups of
// customers who share a forecast and an outcome, with how many they are. Customers with the
// same (x, t_x, T) get the same forecast from every model, so a group stands for them exactly.

export interface ForecastRow {
  /** What the forecaster predicted for each customer of the group. */
  predicted: number;
  /** What each customer of the group did. */
  actual: number;
  /** Customers in the group (positive). */
  count: number;
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

/**
 * The rows merged into blocks of equal `by` value, sorted by it descending. Customers tied on
 * the sort key are interchangeable: every metric that orders customers treats a tied block as
 * evenly mixed (the expectation over the orders a sort could have put them in), so no metric
 * depends on how ties happen to be broken.
 */
export function blocksBy(rows: readonly ForecastRow[], by: 'predicted' | 'actual'): Block[] {
  const sorted = [...rows].sort((p, q) => q[by] - p[by]);
  const blocks: Block[] = [];
  for (const row of sorted) {
    const last = blocks.at(-1);
    if (last && last.key === row[by]) {
      last.count += row.count;
      last.actual += row.count * row.actual;
      last.predicted += row.count * row.predicted;
    } else {
      blocks.push({ key: row[by], count: row.count, actual: row.count * row.actual, predicted: row.count * row.predicted });
    }
  }
  return blocks;
}

/** Throws naming the first row that is not a usable forecast row. */
export function checkRows(rows: readonly ForecastRow[]): void {
  rows.forEach((r, i) => {
    if (![r.predicted, r.actual, r.count].every(Number.isFinite) || r.count <= 0) {
      throw new Error(`forecast row ${i}: predicted, actual and count must be finite numbers (count positive), got ${r.predicted}, ${r.actual}, ${r.count}`);
    }
  });
}

export function totalCustomers(rows: readonly ForecastRow[]): number {
  let n = 0;
  for (const r of rows) n += r.count;
  return n;
}
