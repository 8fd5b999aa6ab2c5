// Streams the records of a CSV export (optionally gzip-compressed; UTF-8 with or without BOM;
// LF or CRLF; RFC 4180 quotes), keeping each record's first line number and raw text so a
// rejected record can be stored whole and found in the original file.
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { CsvSyntaxError, CsvTokenizer, type CsvToken } from './csvTokenizer.ts';

export type CsvRecord = CsvToken;

export class ExportFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line ? `, line ${line}` : ''}: ${detail}`);
    this.name = 'ExportFormatError';
  }
}

/** Chunks of the export, gunzipped when the data starts with the gzip magic bytes. */
async function* decodedBytes(source: Readable): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done) return;
  const head = Buffer.from(first.value);
  if (!(head[0] === 0x1f && head[1] === 0x8b)) {
    yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    return;
  }
  const gunzip = createGunzip();
  const feed = async (): Promise<void> => {
    try {
      if (!gunzip.write(head)) await new Promise((r) => gunzip.once('drain', r));
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        if (!gunzip.write(next.value)) await new Promise((r) => gunzip.once('drain', r));
      }
      gunzip.end();
    } catch (err) {
      gunzip.destroy(err as Error);
    }
  };
  void feed();
  yield* gunzip as AsyncIterable<Buffer>;
}

export async function* readCsvRecords(source: Readable, file: string): AsyncGenerator<CsvRecord> {
  const decoder = new StringDecoder('utf8');
  const tokenizer = new CsvTokenizer();
  let first = true;
  try {
    for await (const bytes of decodedBytes(source)) {
      let text = decoder.write(bytes);
      if (first && text.length > 0) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        if (text.includes('\u0000')) throw new ExportFormatError(file, 1, 'this is not a text CSV file (it contains NUL bytes)');
      }
      yield* tokenizer.push(text);
    }
    yield* tokenizer.push(decoder.end());
    yield* tokenizer.end();
  } catch (err) {
    if (err instanceof ExportFormatError) throw err;
    if (err instanceof CsvSyntaxError) throw new ExportFormatError(file, err.line, `not valid CSV: ${err.message}`);
    const e = err as Error & { code?: string };
    if (e.code === 'Z_BUF_ERROR' || e.code === 'Z_DATA_ERROR' || /unexpected end of file|incorrect header check/i.test(e.message)) {
      throw new ExportFormatError(file, undefined, `the gzip data is truncated or corrupt (${e.message}); re-export the file`);
    }
    throw new ExportFormatError(file, undefined, `cannot read: ${e.message}`);
  }
}
