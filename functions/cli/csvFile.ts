// Reads a small CSV file the CLI is given (model summaries, survival counts) into records, so
// every problem can name the file, the line and the field.
import { createReadStream } from 'node:fs';
import { CsvSyntaxError, CsvTokenizer, type CsvToken } from '../ingest/csvTokenizer.ts';

export class CsvFileError extends Error {
  constructor(file: string, line: number, field: string | undefined, detail: string) {
    super(`${file}, line ${line}${field ? `, field ${field}` : ''}: ${detail}`);
    this.name = 'CsvFileError';
  }
}

/** Every record of the file, a leading byte-order mark dropped. */
export async function readCsvRecords(file: string): Promise<CsvToken[]> {
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
    if (err instanceof CsvSyntaxError) throw new CsvFileError(file, err.line, undefined, `not valid CSV: ${err.message}`);
    throw new Error(`${file}: cannot read: ${(err as Error).message}`);
  }
  return records;
}

/** Position of each wanted column in the header (names compared case-insensitively); extra columns are ignored. */
export function headerPositions<F extends string>(
  file: string,
  header: CsvToken,
  names: Readonly<Record<F, readonly string[]>>,
  required: readonly F[],
): Partial<Record<F, number>> {
  const cells = header.cells.map((c) => c.trim().toLowerCase());
  const columns: Partial<Record<F, number>> = {};
  for (const [field, accepted] of Object.entries(names) as [F, readonly string[]][]) {
    const position = cells.findIndex((n) => accepted.some((a) => a.toLowerCase() === n));
    if (position >= 0) columns[field] = position;
    else if (required.includes(field)) {
      throw new CsvFileError(file, header.line, field, `the header has no ${field} column (accepted names: ${accepted.join(', ')})`);
    }
  }
  return columns;
}
