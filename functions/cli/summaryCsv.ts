// Reads a per-customer summary CSV for `ltv clv`: customer_id, frequency, recency, T and
// optionally monetary_value (the lifetimes names), or ID, x, t_x, T, zbar (Fader-Hardie's, as in
// the published CDNOW files). Every problem names the file, the line and the field.
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import type { ModelCustomer } from '../pipeline/modelInputs.ts';
import { CsvSyntaxError, CsvTokenizer, type CsvToken } from '../ingest/csvTokenizer.ts';

export class SummaryCsvError extends Error {
  constructor(file: string, line: number, field: string | undefined, detail: string) {
    super(`${file}, line ${line}${field ? `, field ${field}` : ''}: ${detail}`);
    this.name = 'SummaryCsvError';
  }
}

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
  const tokenizer = new CsvTokenizer();
  const records: CsvToken[] = [];
  try {
    let first = true;
    for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
      let text = chunk as string;
      if (first) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      records.push(...tokenizer.push(text));
    }
    records.push(...tokenizer.end());
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new SummaryCsvError(file, err.line, undefined, `not valid CSV: ${err.message}`);
    throw new Error(`${file}: cannot read: ${(err as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new SummaryCsvError(file, 1, undefined, `the file is empty; it needs a header: ${REQUIRED.join(',')}[,monetary_value]`);
  const columns = columnsOf(file, header);
  const seen = new Map<string, number>();
  const customers = rows.map((record) => {
    if (record.cells.length !== header.cells.length) {
      throw new SummaryCsvError(file, record.line, undefined, `has ${record.cells.length} fields, the header has ${header.cells.length}`);
    }
    const raw = Object.fromEntries(Object.entries(columns).map(([field, position]) => [field, record.cells[position]!]));
    const parsed = summaryRow.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0]);
      throw new SummaryCsvError(file, record.line, field, `${issue.message} (got "${raw[field] ?? ''}")`);
    }
    const row = parsed.data;
    if ('monetary_value' in columns && row.frequency > 0 && row.monetary_value === undefined) {
      throw new SummaryCsvError(file, record.line, 'monetary_value', 'is empty, but a customer with repeat purchases needs their mean spend');
    }
    const earlier = seen.get(row.customer_id);
    if (earlier !== undefined) throw new SummaryCsvError(file, record.line, 'customer_id', `"${row.customer_id}" already appears on line ${earlier}`);
    seen.set(row.customer_id, record.line);
    return {
      customerId: row.customer_id,
      x: row.frequency,
      tx: row.recency,
      T: row.T,
      ...(row.frequency > 0 && row.monetary_value !== undefined ? { meanSpend: row.monetary_value } : {}),
    };
  });
  if (customers.length === 0) throw new SummaryCsvError(file, header.line, undefined, 'the file has a header but no customers');
  return { customers, hasSpend: 'monetary_value' in columns };
}

/** Position of each field in the header; extra columns are ignored. */
function columnsOf(file: string, header: CsvToken): Partial<Record<Field, number>> {
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const columns: Partial<Record<Field, number>> = {};
  for (const [field, accepted] of Object.entries(HEADER_NAMES) as [Field, readonly string[]][]) {
    const position = names.findIndex((n) => accepted.some((a) => a.toLowerCase() === n));
    if (position >= 0) columns[field] = position;
    else if (REQUIRED.includes(field)) {
      throw new SummaryCsvError(file, header.line, field, `the header has no ${field} column (accepted names: ${accepted.join(', ')})`);
    }
  }
  return columns;
}
