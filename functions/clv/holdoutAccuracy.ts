// Holdout validation of a purchase model (docs/metrics.md, "Model accuracy"): the model is
// fitted on the calibration period and its predicted purchases for the holdout period are
// compared with what customers actually did, per customer (MAE, RMSE), in total (aggregate
// error) and by calibration-period frequency (the calibration table of FHL 2005, fig. 3).

export interface HoldoutRow {
  predicted: number;
  actual: number;
  /** Repeat purchases in the calibration period (x), for the calibration table. */
  calibrationFrequency: number;
  /** Customers this row stands for; 1 unless given. */
  count?: number;
}

export interface CalibrationBucket {
  /** "0", "1", …, "6", or "7+". */
  frequency: string;
  customers: number;
  meanPredicted: number;
  meanActual: number;
}

export interface HoldoutAccuracy {
  customers: number;
  mae: number;
  rmse: number;
  totalPredicted: number;
  totalActual: number;
  /** totalPredicted − totalActual. */
  aggregateError: number;
  /** aggregateError / totalActual; null when nobody bought in the holdout. */
  relativeAggregateError: number | null;
  /** Buckets 0..6 and 7+, only those with customers. */
  calibration: CalibrationBucket[];
}

const TOP_BUCKET = 7;

export function holdoutAccuracy(rows: readonly HoldoutRow[]): HoldoutAccuracy {
  if (rows.length === 0) throw new Error('no customers to validate: the holdout comparison needs at least one');
  rows.forEach((row, i) => {
    const count = row.count ?? 1;
    if (![row.predicted, row.actual, count].every(Number.isFinite) || count <= 0) {
      throw new Error(`holdout row ${i}: predicted, actual and count must be finite numbers (count positive)`);
    }
    if (!Number.isInteger(row.calibrationFrequency) || row.calibrationFrequency < 0) {
      throw new Error(`holdout row ${i}: calibrationFrequency must be a non-negative whole number, got ${row.calibrationFrequency}`);
    }
  });
  return holdoutAccuracyOf({
    predicted: Float64Array.from(rows, (r) => r.predicted),
    actual: Float64Array.from(rows, (r) => r.actual),
    frequency: Float64Array.from(rows, (r) => r.calibrationFrequency),
    count: Float64Array.from(rows, (r) => r.count ?? 1),
  });
}

/** The same on columns already checked (the report card's, hundreds of thousands of groups). */
export function holdoutAccuracyOf(c: { predicted: ArrayLike<number>; actual: ArrayLike<number>; frequency: ArrayLike<number>; count: ArrayLike<number> }): HoldoutAccuracy {
  if (c.predicted.length === 0) throw new Error('no customers to validate: the holdout comparison needs at least one');
  let customers = 0;
  let absolute = 0;
  let squared = 0;
  let totalPredicted = 0;
  let totalActual = 0;
  const buckets = Array.from({ length: TOP_BUCKET + 1 }, () => ({ customers: 0, predicted: 0, actual: 0 }));
  for (let i = 0; i < c.predicted.length; i++) {
    const count = c.count[i]!;
    const predicted = c.predicted[i]!;
    const actual = c.actual[i]!;
    const error = predicted - actual;
    customers += count;
    absolute += count * Math.abs(error);
    squared += count * error * error;
    totalPredicted += count * predicted;
    totalActual += count * actual;
    const bucket = buckets[Math.min(c.frequency[i]!, TOP_BUCKET)]!;
    bucket.customers += count;
    bucket.predicted += count * predicted;
    bucket.actual += count * actual;
  }
  const aggregateError = totalPredicted - totalActual;
  return {
    customers,
    mae: absolute / customers,
    rmse: Math.sqrt(squared / customers),
    totalPredicted,
    totalActual,
    aggregateError,
    relativeAggregateError: totalActual > 0 ? aggregateError / totalActual : null,
    calibration: buckets.flatMap((b, k) =>
      b.customers > 0
        ? [{ frequency: k === TOP_BUCKET ? `${TOP_BUCKET}+` : String(k), customers: b.customers, meanPredicted: b.predicted / b.customers, meanActual: b.actual / b.customers }]
        : [],
    ),
  };
}
