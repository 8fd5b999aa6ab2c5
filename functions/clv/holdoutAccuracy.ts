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
  let customers = 0;
  let absolute = 0;
  let squared = 0;
  let totalPredicted = 0;
  let totalActual = 0;
  const buckets = Array.from({ length: TOP_BUCKET + 1 }, () => ({ customers: 0, predicted: 0, actual: 0 }));
  rows.forEach((row, i) => {
    const count = row.count ?? 1;
    if (![row.predicted, row.actual, count].every(Number.isFinite) || count <= 0) {
      throw new Error(`holdout row ${i}: predicted, actual and count must be finite numbers (count positive)`);
    }
    if (!Number.isInteger(row.calibrationFrequency) || row.calibrationFrequency < 0) {
      throw new Error(`holdout row ${i}: calibrationFrequency must be a non-negative whole number, got ${row.calibrationFrequency}`);
    }
    const error = row.predicted - row.actual;
    customers += count;
    absolute += count * Math.abs(error);
    squared += count * error * error;
    totalPredicted += count * row.predicted;
    totalActual += count * row.actual;
    const bucket = buckets[Math.min(row.calibrationFrequency, TOP_BUCKET)]!;
    bucket.customers += count;
    bucket.predicted += count * row.predicted;
    bucket.actual += count * row.actual;
  });
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
