// Reads a per-customer summary CSV for `ltv clv`: customer_id, frequency, recency, T and
// optionally monetary_value (the lifetimes names), or ID, x, t_x, T, zbar (Fader-Hardie's, as in
// the published CDNOW files). Every problem names the file, the line and the field.
import { z } from 'zod';
import type { ModelCustomer } from '../pipeline/modelInputs.ts';
import { CsvFileError, headerPositions, readCsvRecords } from './csvFile.ts';

type Field = 'customer_id' | 'frequency' | 'recency' | 'T' | 'monetary_value';

/** Accepted header names (compared case-insensitively) per field, the canonical name first. */
const HEADER_NAMES: Record<Field, readonly string[]> = {
  customer_id: ['customer_id', 'id'],
  frequency: ['frequency', 'x'],
  recency: ['recency', 't_x'],
  T: ['T'],
  monetary_value: ['monetary_value', 'zbar'],
};
const REQUIRED: readonly Field[] = ['customer_id', 'frequency', 'recency', 'T'];

const number = z
  .string()
  .trim()
  .regex(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/, 'must be a number')
  .transform(Number);
const nonNegative = number.pipe(z.number().min(0, 'must not be negative'));

const summaryRow = z
  .object({
    customer_id: z.string().trim().min(1, 'must not be empty'),
    frequency: number.pipe(z.number().int('must be a whole number of repeat purchases').min(0, 'must not be negative')),
    recency: nonNegative,
    T: nonNegative,
    // Empty is allowed: customers without repeat purchases often have no mean spend.
    monetary_value: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), nonNegative.optional()),
  })
  .superRefine((row, ctx) => {
    if (row.recency > row.T) ctx.addIssue({ code: 'custom', path: ['recency'], message: `must not exceed T (${row.T})` });
    if (row.frequency === 0 && row.recency !== 0) ctx.addIssue({ code: 'custom', path: ['recency'], message: 'must be 0 when frequency is 0' });
  });

export interface SummaryFile {
  customers: ModelCustomer[];
  /** Whether the file has monetary values (needed by the spend model and by scoring). */
  hasSpend: boolean;
}

export async function readSummaryCsv(file: string): Promise<SummaryFile> {
  const records = await readCsvRecords(file);
  const [header, ...rows] = records;
  if (!header) throw new CsvFileError(file, 1, undefined, `the file is empty; it needs a header: ${REQUIRED.join(',')}[,monetary_value]`);
  const columns = headerPositions(file, header, HEADER_NAMES, REQUIRED);
  const seen = new Map<string, number>();
  const customers = rows.map((record) => {
    if (record.cells.length !== header.cells.length) {
      throw new CsvFileError(file, record.line, undefined, `has ${record.cells.length} fields, the header has ${header.cells.length}`);
    }
    const raw = Object.fromEntries(Object.entries(columns).map(([field, position]) => [field, record.cells[position]!]));
    const parsed = summaryRow.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0]);
      throw new CsvFileError(file, record.line, field, `${issue.message} (got "${raw[field] ?? ''}")`);
    }
    const row = parsed.data;
    if ('monetary_value' in columns && row.frequency > 0 && row.monetary_value === undefined) {
      throw new CsvFileError(file, record.line, 'monetary_value', 'is empty, but a customer with repeat purchases needs their mean spend');
    }
    const earlier = seen.get(row.customer_id);
    if (earlier !== undefined) throw new CsvFileError(file, record.line, 'customer_id', `"${row.customer_id}" already appears on line ${earlier}`);
    seen.set(row.customer_id, record.line);
    return {
      customerId: row.customer_id,
      x: row.frequency,
      tx: row.recency,
      T: row.T,
      ...(row.frequency > 0 && row.monetary_value !== undefined ? { meanSpend: row.monetary_value } : {}),
    };
  });
  if (customers.length === 0) throw new CsvFileError(file, header.line, undefined, 'the file has a header but no customers');
  return { customers, hasSpend: 'monetary_value' in columns };
}
