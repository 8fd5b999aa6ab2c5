// Reads a CSV export (RFC 4180 quotes, LF or CRLF): the first record is the header, the rest
// come in batches of source records, one batch per decoded chunk, so the per-record cost stays
// a loop iteration rather than an await.
import type { Readable } from 'node:stream';
import { CsvRecordTooLong, CsvSyntaxError, CsvTokenizer, type CsvToken } from './csvTokenizer.ts';
import { ExportFormatError, exportText, namedExportError, type ReadCounter } from './exportText.ts';
import { limitSetting, type ReadOptions } from './limits.ts';
import { FieldNames, type ExportReader, type SourceRecord } from './sourceRecord.ts';

async function* csvTokens(source: Readable, file: string, counter: ReadCounter, options: ReadOptions): AsyncGenerator<CsvToken[]> {
  const tokenizer = new CsvTokenizer(options.limits.maxRecordChars);
  try {
    for await (const text of exportText(source, file, counter, options)) {
      const batch = tokenizer.push(text);
      if (batch.length > 0) yield batch;
    }
    const last = tokenizer.end();
    if (last.length > 0) yield last;
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new ExportFormatError(file, err.line, `not valid CSV: ${err.message}`);
    if (err instanceof CsvRecordTooLong) throw new ExportFormatError(file, err.line, `${err.message} (${limitSetting('maxRecordChars')}); refused`);
    throw namedExportError(file, err);
  }
}

/**
 * Marks records that cannot be read as rows: a field count other than the header's, or text
 * after a closing quote (`"12"3`), which would otherwise be glued onto the value. Either
 * rejects the record whole.
 */
function checkRecords(batch: CsvToken[], header: readonly string[]): SourceRecord[] {
  for (const record of batch) {
    if (record.cells.length !== header.length) {
      (record as SourceRecord).problem = {
        field: '',
        value: '',
        rule: 'column_count',
        message: `has ${record.cells.length} fields, the header has ${header.length}`,
      };
    } else if (record.textAfterQuote !== undefined) {
      const field = header[record.textAfterQuote] ?? '';
      (record as SourceRecord).problem = {
        field,
        value: record.cells[record.textAfterQuote] ?? '',
        rule: 'text_after_quote',
        message: `${field || `field ${record.textAfterQuote + 1}`} has text after its closing quote; quote the whole value and double the quotes inside it`,
      };
    }
  }
  return batch;
}

export async function openCsv(source: Readable, file: string, counter: ReadCounter, options: ReadOptions): Promise<ExportReader> {
  const tokens = csvTokens(source, file, counter, options);
  let header: CsvToken | undefined;
  let rest: CsvToken[] = [];
  while (header === undefined) {
    const next = await tokens.next();
    if (next.done) break;
    header = next.value[0];
    rest = next.value.slice(1);
  }
  const names = header ? header.cells : [];
  async function* batches(): AsyncGenerator<SourceRecord[]> {
    if (rest.length > 0) yield checkRecords(rest, names);
    for await (const batch of tokens) yield checkRecords(batch, names);
  }
  return {
    fields: FieldNames.fromHeader(names),
    header: header ? { line: header.line, names } : undefined,
    batches: batches(),
    close: async () => {
      await tokens.return(undefined);
      source.destroy();
    },
  };
}
