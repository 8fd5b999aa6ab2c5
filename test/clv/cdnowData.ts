// Reads the published CDNOW calibration summaries (test/fixtures/cdnow, see its README).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CustomerSummary } from '../../functions/clv/tuples.ts';

const folder = path.resolve(import.meta.dirname, '../fixtures/cdnow');

function rows(file: string): string[][] {
  const lines = readFileSync(path.join(folder, file), 'utf8').trim().split(/\r?\n/);
  return lines.slice(1).map((line) => line.split(','));
}

/** cdnow_customers_summary.csv: ID, frequency, recency, T (weeks). */
export function cdnowCustomers(): CustomerSummary[] {
  return rows('cdnow_customers_summary.csv').map(([, x, tx, T]) => ({ x: Number(x), tx: Number(tx), T: Number(T) }));
}

/** cdnow_customers_summary_with_transactions.csv: ID, x, t_x, T, zbar (mean repeat spend). */
export function cdnowCustomersWithSpend(): CustomerSummary[] {
  return rows('cdnow_customers_summary_with_transactions.csv').map(([, x, tx, T, zbar]) => ({
    x: Number(x),
    tx: Number(tx),
    T: Number(T),
    meanSpend: Number(zbar),
  }));
}

/**
 * CDNOW_sample.txt as a canonical orders export. A line is `00004 0001 19970101  2   29.33`:
 * customer id, id in the sample, date, CDs, dollars; the sample id is the customer.
 */
export function cdnowOrdersCsv(): string {
  const log = readFileSync(path.join(folder, 'CDNOW_sample.txt'), 'utf8');
  const lines = ['order_id,customer_id,ordered_at,amount,currency,status'];
  for (const [i, line] of log.trim().split('\n').entries()) {
    const [, sampleId, day, , dollars] = line.trim().split(/\s+/);
    lines.push(`cdnow-${i + 1},${Number(sampleId)},${day!.slice(0, 4)}-${day!.slice(4, 6)}-${day!.slice(6, 8)},${dollars},USD,paid`);
  }
  return `${lines.join('\n')}\n`;
}

