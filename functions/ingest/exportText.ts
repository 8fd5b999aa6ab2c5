// The text of an export, whatever its format: gunzipped when the content is gzip (whatever the
// name says), UTF-8 with the BOM dropped. Files that are plainly not text, such as a PDF, a
// spreadsheet or an image saved under an export's name, stop here with an error that says what
// they are, before any row is read.
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { limitSetting, type ReadOptions } from './limits.ts';

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

/** Bytes taken from storage so far (compressed when the export is gzip), for progress reports. */
export interface ReadCounter {
  bytes: number;
}

/** Magic numbers of files people save under an export's name by mistake, and what to say. */
const NOT_TEXT: { magic: readonly number[]; detail: string }[] = [
  { magic: [0x25, 0x50, 0x44, 0x46], detail: 'this is a PDF document, not a text export' },
  { magic: [0x89, 0x50, 0x4e, 0x47], detail: 'this is a PNG image, not a text export' },
  { magic: [0xff, 0xd8, 0xff], detail: 'this is a JPEG image, not a text export' },
  { magic: [0x47, 0x49, 0x46, 0x38], detail: 'this is a GIF image, not a text export' },
  { magic: [0x50, 0x4b, 0x03, 0x04], detail: 'this is a ZIP archive (an Excel .xlsx workbook is one), not a text export; save the sheet as CSV UTF-8' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0], detail: 'this is an Excel 97-2003 workbook, not a text export; save the sheet as CSV UTF-8' },
  { magic: [0xff, 0xfe], detail: 'this is UTF-16 text; save it as UTF-8' },
  { magic: [0xfe, 0xff], detail: 'this is UTF-16 text; save it as UTF-8' },
];

function startsWith(head: Buffer, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/** Chunks of the export, gunzipped when the data starts with the gzip magic bytes. */
async function* decodedBytes(source: Readable, file: string, counter: ReadCounter, options: ReadOptions): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    const first = await iterator.next();
    if (first.done) return;
    const head = Buffer.from(first.value);
    counter.bytes += head.length;
    if (head[0] === 0x1f && head[1] === 0x8b) {
      yield* bounded(gunzipped(head, iterator, counter), file, options);
      return;
    }
    yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      counter.bytes += next.value.length;
      yield next.value;
    }
  } finally {
    // A reader that stops early (a header peek, a failed export) must not leave the stream open.
    source.destroy();
  }
}

async function* gunzipped(head: Buffer, iterator: AsyncIterator<Buffer>, counter: ReadCounter): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  const feed = async (): Promise<void> => {
    try {
      if (!gunzip.write(head)) await new Promise((r) => gunzip.once('drain', r));
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        counter.bytes += next.value.length;
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

/**
 * The gunzipped bytes, refused once they pass either expansion limit: a small gzip can expand to
 * terabytes, and every byte would be staged on scratch disk. Stopping here stops the reading.
 */
async function* bounded(chunks: AsyncGenerator<Buffer>, file: string, options: ReadOptions): AsyncGenerator<Buffer> {
  const { maxExpandedBytes, maxExpansionRatio } = options.limits;
  const byRatio = maxExpansionRatio * options.size;
  let expanded = 0;
  for await (const chunk of chunks) {
    expanded += chunk.length;
    if (expanded > maxExpandedBytes) {
      throw new ExportFormatError(file, undefined, `the gzip data expands to more than ${maxExpandedBytes} bytes (${limitSetting('maxExpandedBytes')}); refused`);
    }
    if (expanded > byRatio) {
      throw new ExportFormatError(
        file,
        undefined,
        `the gzip data expands to more than ${maxExpansionRatio} times its ${options.size} bytes (${limitSetting('maxExpansionRatio')}); refused`,
      );
    }
    yield chunk;
  }
}

/**
 * Decoded text chunks of an export. Every failure becomes an ExportFormatError naming the file:
 * not text, not UTF-8, a truncated or corrupt gzip, or a storage read error.
 */
export async function* exportText(source: Readable, file: string, counter: ReadCounter, options: ReadOptions): AsyncGenerator<string> {
  // fatal: a Latin-1 or Windows-1252 file would otherwise land with replacement characters in
  // its ids; the decoder also drops a leading BOM, even one split across chunks.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  try {
    for await (const bytes of decodedBytes(source, file, counter, options)) {
      if (first) {
        first = false;
        const match = NOT_TEXT.find((s) => startsWith(bytes, s.magic));
        if (match) throw new ExportFormatError(file, undefined, match.detail);
      }
      // Anywhere in the file, not only its start: a NUL would end a value early in some readers.
      if (bytes.includes(0)) throw new ExportFormatError(file, undefined, 'this is not a text export (it contains NUL bytes)');
      const text = decoder.decode(bytes, { stream: true });
      if (text.length > 0) yield text;
    }
    const rest = decoder.decode();
    if (rest.length > 0) yield rest;
  } catch (err) {
    if (err instanceof ExportFormatError) throw err;
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw new ExportFormatError(file, undefined, 'the text is not UTF-8 (perhaps Latin-1 or Windows-1252); save it as UTF-8');
    }
    if (e.code === 'Z_BUF_ERROR' || e.code === 'Z_DATA_ERROR' || /unexpected end of file|incorrect header check/i.test(e.message)) {
      throw new ExportFormatError(file, undefined, `the gzip data is truncated or corrupt (${e.message}); re-export the file`);
    }
    throw namedExportError(file, err);
  }
}

/** Any failure while reading an export, as an error that names the file (kept as it is when it already does). */
export function namedExportError(file: string, err: unknown): ExportFormatError {
  if (err instanceof ExportFormatError) return err;
  const e = err as Error;
  // V8's "Invalid string length": a value past the longest string it can hold.
  if (e instanceof RangeError && /invalid string length/i.test(e.message)) return new ExportFormatError(file, undefined, `a value is too long to read (${e.message})`);
  return new ExportFormatError(file, undefined, `cannot read: ${e.message}`);
}
