// Customers summarised as (x, t_x, T): x repeat purchases, t_x the time of the last one and
// T the time since the first purchase, all in the model's time unit. Customers sharing a
// tuple are stored once with a count, so likelihoods and scores cost per distinct tuple, not
// per customer (a million customers measured in whole days collapse to far fewer tuples).

export interface RfmTuple {
  x: number;
  tx: number;
  T: number;
  /** Customers sharing this tuple (a positive weight). */
  count: number;
  /** Mean value of the x repeat purchases; ignored when x = 0. */
  meanSpend?: number;
}

export interface CustomerSummary {
  x: number;
  tx: number;
  T: number;
  meanSpend?: number;
}

/**
 * Distinct tuples with counts, in order of first appearance. With `includeSpend`, mean spend is
 * part of the identity (needed by the spend model); otherwise it is dropped.
 */
export function compressTuples(customers: Iterable<CustomerSummary>, options: { includeSpend?: boolean } = {}): RfmTuple[] {
  const includeSpend = options.includeSpend ?? false;
  const tuples: RfmTuple[] = [];
  // Nested maps on numbers avoid building a string key per customer.
  const index = new Map<number, Map<number, Map<number, Map<number | undefined, number>>>>();
  for (const c of customers) {
    const spend = includeSpend && c.x > 0 ? c.meanSpend : undefined;
    let byT = index.get(c.x);
    if (!byT) index.set(c.x, (byT = new Map()));
    let byTx = byT.get(c.T);
    if (!byTx) byT.set(c.T, (byTx = new Map()));
    let bySpend = byTx.get(c.tx);
    if (!bySpend) byTx.set(c.tx, (bySpend = new Map()));
    const at = bySpend.get(spend);
    if (at === undefined) {
      bySpend.set(spend, tuples.length);
      tuples.push(spend === undefined ? { x: c.x, tx: c.tx, T: c.T, count: 1 } : { x: c.x, tx: c.tx, T: c.T, count: 1, meanSpend: spend });
    } else {
      tuples[at]!.count++;
    }
  }
  return tuples;
}

/** Throws an Error naming the first tuple that no model could use, and why. */
export function validateTuples(tuples: readonly RfmTuple[]): void {
  if (tuples.length === 0) throw new Error('no customers: the model needs at least one (x, t_x, T) tuple');
  tuples.forEach((t, i) => {
    const where = `tuple ${i} (x=${t.x}, t_x=${t.tx}, T=${t.T})`;
    if (!Number.isInteger(t.x) || t.x < 0) throw new Error(`${where}: x must be a non-negative whole number of repeat purchases`);
    if (!Number.isFinite(t.T) || t.T < 0) throw new Error(`${where}: T must be a finite, non-negative time since the first purchase`);
    if (!Number.isFinite(t.tx) || t.tx < 0 || t.tx > t.T) throw new Error(`${where}: t_x must lie between 0 and T`);
    if (t.x === 0 && t.tx !== 0) throw new Error(`${where}: a customer with no repeat purchase must have t_x = 0`);
    if (!Number.isFinite(t.count) || t.count <= 0) throw new Error(`${where}: count must be a positive number of customers, got ${t.count}`);
  });
}

export function totalCount(tuples: readonly RfmTuple[]): number {
  let n = 0;
  for (const t of tuples) n += t.count;
  return n;
}

/** The distinct x values of some tuples, each tuple's position among them and the customers per x. */
export interface FrequencyIndex {
  distinctX: Float64Array;
  /** Customers per distinct x. */
  countByX: Float64Array;
  /** Position of each tuple's x in distinctX. */
  xIndex: Int32Array;
}

/**
 * Indexes the distinct x values, so the likelihoods compute their x-only terms (log-gammas,
 * digammas) once per distinct x instead of once per tuple.
 */
export function indexFrequencies(tuples: readonly RfmTuple[]): FrequencyIndex {
  const positionOfX = new Map<number, number>();
  const xs: number[] = [];
  const countByX: number[] = [];
  const xIndex = new Int32Array(tuples.length);
  tuples.forEach((t, i) => {
    let k = positionOfX.get(t.x);
    if (k === undefined) {
      k = xs.length;
      positionOfX.set(t.x, k);
      xs.push(t.x);
      countByX.push(0);
    }
    countByX[k]! += t.count;
    xIndex[i] = k;
  });
  return { distinctX: Float64Array.from(xs), countByX: Float64Array.from(countByX), xIndex };
}
