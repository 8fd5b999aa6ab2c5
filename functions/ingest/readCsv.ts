// Reads a CSV export (RFC 4180 quotes, LF or CRLF): the first record is the header, the rest
// come in batches of source records, one batch per decoded chunk, so the per-record cost stays
// a loop iteration rather than an await.
import type { Readable } from 'node:stream';
import { CsvSyntaxError, CsvTokenizer, type CsvToken } from './csvTokenizer.ts';
import { ExportFormatError, exportText, type ReadCounter } from './exportText.ts';
import { FieldNames, type ExportReader, type SourceRecord } from './sourceRecord.ts';

async function* csvTokens(source: Readable, file: string, counter: ReadCounter): AsyncGenerator<CsvToken[]> {
  const tokenizer = new CsvTokenizer();
  try {
    for await (const text of exportText(source, file, counter)) {
      const batch = tokenizer.push(text);
      if (batch.length > 0) yield batch;
    }
    const last = tokenizer.end();
    if (last.length > 0) yield last;
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new ExportFormatError(file, err.line, `not valid CSV: ${err.message}`);
    throw err;
  }
}

/** Marks records whose field count differs from the header's; they are rejected whole. */
function checkWidth(batch: CsvToken[], width: number): SourceRecord[] {
  for (const record of batch) {
    if (record.cells.length !== width) {
      (record as SourceRecord).problem = {
        field: '',
        value: '',
        rule: 'column_count',
        message: `has ${record.cells.length} fields, the header has ${width}`,
      };
    }
  }
  return batch;
}

export async function openCsv(source: Readable, file: string, counter: ReadCounter): Promise<ExportReader> {
  const tokens = csvTokens(source, file, counter);
  let header: CsvToken | undefined;
  let rest: CsvToken[] = [];
  while (header === undefined) {
    const next = await tokens.next();
    if (next.done) break;
    header = next.value[0];
    rest = next.value.slice(1);
  }
  const width = header ? header.cells.length : 0;
  async function* batches(): AsyncGenerator<SourceRecord[]> {
    if (rest.length > 0) yield checkWidth(rest, width);
    for await (const batch of tokens) yield checkWidth(batch, width);
  }
  return {
    fields: FieldNames.fromHeader(header ? header.cells : []),
    header: header ? { line: header.line, names: header.cells } : undefined,
    batches: batches(),
    close: async () => {
      await tokens.return(undefined);
      source.destroy();
    },
  };
}
