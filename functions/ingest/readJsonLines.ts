// Reads a JSON Lines export: one JSON object per line, keys naming fields. Written by hand
// rather than with JSON.parse because money must stay exact: JSON.parse turns 19.99 into a
// float, while this reader keeps the number's text as written. A line that is not a JSON object
// becomes a record with a `malformed_json` problem, never a failed export; blank lines are
// skipped; a BOM and CRLF line ends are tolerated.
import type { Readable } from 'node:stream';
import { ExportFormatError, exportText, namedExportError, type ReadCounter } from './exportText.ts';
import { limitSetting, MAX_FIELD_NAMES, type ReadOptions } from './limits.ts';
import { FieldNames, type ExportReader, type SourceRecord } from './sourceRecord.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The export names more distinct keys than MAX_FIELD_NAMES: the export is refused, not the line. */
class TooManyKeys extends Error {}

class NotJson extends Error {
  constructor(
    readonly column: number,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * Parses one line into field cells: strings as their decoded text, numbers as their JSON text,
 * true/false as text, null as absent, nested objects and arrays as their JSON text (noted in
 * `nested`: a field that a preset reads must not hold one). A key repeated in one object makes
 * the line malformed.
 */
class LineParser {
  private text = '';
  private at = 0;
  /** Raw key -> position, so the common case skips FieldNames' normalisation. */
  private readonly keys = new Map<string, number>();
  /** Per position, the last line that set it: a key repeated in one object is caught without a set per line. */
  private readonly setOn: number[] = [];
  private lineNumber = 0;
  /** Positions of the current line's nested values; undefined for the usual line without any. */
  nestedAt: number[] | undefined;

  constructor(private readonly fields: FieldNames) {}

  cells(text: string): (string | undefined)[] {
    this.text = text;
    this.at = 0;
    this.lineNumber++;
    this.nestedAt = undefined;
    const cells: (string | undefined)[] = [];
    this.skipSpace();
    if (this.peek() !== OPEN_BRACE) throw new NotJson(this.at + 1, 'the line is not a JSON object');
    this.at++;
    this.skipSpace();
    if (this.peek() === CLOSE_BRACE) {
      this.at++;
    } else {
      for (;;) {
        if (this.peek() !== QUOTE) throw new NotJson(this.at + 1, 'expected a quoted key');
        const key = this.string();
        this.skipSpace();
        if (this.peek() !== COLON) throw new NotJson(this.at + 1, `expected ":" after the key "${key}"`);
        this.at++;
        this.skipSpace();
        const nested = this.peek() === OPEN_BRACE || this.peek() === OPEN_BRACKET;
        const value = this.value();
        let position = this.keys.get(key);
        if (position === undefined) {
          position = this.fields.declare(key);
          this.keys.set(key, position);
          if (this.keys.size > MAX_FIELD_NAMES) throw new TooManyKeys();
        }
        // Two keys of one field (also "Amount" and "amount") would leave one of them unread.
        if (this.setOn[position] === this.lineNumber) throw new NotJson(this.at, `the key "${key}" appears twice`);
        this.setOn[position] = this.lineNumber;
        if (nested) (this.nestedAt ??= []).push(position);
        cells[position] = value;
        this.skipSpace();
        const c = this.peek();
        this.at++;
        if (c === CLOSE_BRACE) break;
        if (c !== COMMA) throw new NotJson(this.at, 'expected "," or "}"');
        this.skipSpace();
      }
    }
    this.skipSpace();
    if (this.at < this.text.length) throw new NotJson(this.at + 1, 'text after the JSON object');
    return cells;
  }

  private peek(): number {
    return this.at < this.text.length ? this.text.charCodeAt(this.at) : -1;
  }

  private skipSpace(): void {
    while (this.at < this.text.length && isSpace(this.text.charCodeAt(this.at))) this.at++;
  }

  private value(): string | undefined {
    const c = this.peek();
    if (c === QUOTE) return this.string();
    if (c === MINUS || isDigit(c)) return this.number();
    if (c === OPEN_BRACE || c === OPEN_BRACKET) return this.nested();
    for (const [literal, value] of LITERALS) {
      if (this.text.startsWith(literal, this.at)) {
        this.at += literal.length;
        return value;
      }
    }
    throw new NotJson(this.at + 1, 'expected a value');
  }

  private string(): string {
    const start = this.at;
    let escaped = false;
    for (let i = start + 1; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c === QUOTE) {
        this.at = i + 1;
        if (!escaped) return this.text.slice(start + 1, i);
        try {
          return JSON.parse(this.text.slice(start, i + 1)) as string;
        } catch {
          throw new NotJson(start + 1, 'a string has an invalid escape');
        }
      }
      if (c === BACKSLASH) {
        escaped = true;
        i++;
      } else if (c < 0x20) {
        throw new NotJson(i + 1, 'a control character inside a string');
      }
    }
    throw new NotJson(start + 1, 'a string is never closed');
  }

  /** The number's text exactly as written, checked against JSON's number grammar. */
  private number(): string {
    const text = this.text;
    const start = this.at;
    let i = start;
    if (text.charCodeAt(i) === MINUS) i++;
    if (text.charCodeAt(i) === 0x30) i++;
    else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
    else throw new NotJson(i + 1, 'a number without digits');
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (!isDigit(text.charCodeAt(i))) throw new NotJson(i + 1, 'a number without digits after "."');
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 0x2b || sign === MINUS) i++;
      if (!isDigit(text.charCodeAt(i))) throw new NotJson(i + 1, 'a number without exponent digits');
      while (isDigit(text.charCodeAt(i))) i++;
    }
    this.at = i;
    return text.slice(start, i);
  }

  /** A nested object or array, kept as its JSON text after checking that it is JSON. */
  private nested(): string {
    const start = this.at;
    let depth = 0;
    for (let i = start; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c === QUOTE) {
        this.at = i;
        this.string();
        i = this.at - 1;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) {
        const json = this.text.slice(start, i + 1);
        try {
          JSON.parse(json);
        } catch {
          throw new NotJson(start + 1, 'a nested value is not valid JSON');
        }
        this.at = i + 1;
        return json;
      }
    }
    throw new NotJson(start + 1, 'a nested value is never closed');
  }
}

const LITERALS: readonly (readonly [string, string | undefined])[] = [
  ['true', 'true'],
  ['false', 'false'],
  ['null', undefined],
];

async function* jsonLineBatches(source: Readable, file: string, counter: ReadCounter, options: ReadOptions, fields: FieldNames): AsyncGenerator<SourceRecord[]> {
  const parser = new LineParser(fields);
  let line = 1;
  let partial = '';
  const { maxRecordChars } = options.limits;
  const tooLong = (): ExportFormatError =>
    new ExportFormatError(file, line, `the line is longer than ${maxRecordChars} characters (${limitSetting('maxRecordChars')}); refused`);
  const record = (text: string, out: SourceRecord[]): void => {
    if (text.length > maxRecordChars) throw tooLong();
    const raw = text.charCodeAt(text.length - 1) === 0x0d ? text.slice(0, -1) : text;
    if (raw.trim() === '') return;
    try {
      const cells = parser.cells(raw);
      out.push(parser.nestedAt ? { line, raw, cells, nested: parser.nestedAt } : { line, raw, cells });
    } catch (err) {
      if (err instanceof TooManyKeys) throw new ExportFormatError(file, line, `the lines use more than ${MAX_FIELD_NAMES} distinct keys; refused`);
      if (!(err instanceof NotJson)) throw err;
      const problem = { field: '', value: '', rule: 'malformed_json', message: `not a JSON object: ${err.message} (column ${err.column})` };
      out.push({ line, raw, cells: [], problem });
    }
  };
  try {
    for await (const text of exportText(source, file, counter, options)) {
      const out: SourceRecord[] = [];
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        record(partial + text.slice(start, end), out);
        partial = '';
        line++;
        start = end + 1;
      }
      partial += text.slice(start);
      // Checked here too, so an unfinished line never holds much more than the limit.
      if (partial.length > maxRecordChars) throw tooLong();
      if (out.length > 0) yield out;
    }
    const last: SourceRecord[] = [];
    record(partial, last);
    if (last.length > 0) yield last;
  } catch (err) {
    throw namedExportError(file, err);
  }
}

export async function openJsonLines(source: Readable, file: string, counter: ReadCounter, options: ReadOptions): Promise<ExportReader> {
  const fields = new FieldNames();
  const batches = jsonLineBatches(source, file, counter, options, fields);
  return {
    fields,
    header: undefined,
    batches,
    close: async () => {
      await batches.return(undefined);
      source.destroy();
    },
  };
}
