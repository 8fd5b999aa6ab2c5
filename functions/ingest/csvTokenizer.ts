// An incremental RFC 4180 tokenizer. Written here rather than taken from a library because
// rejected rows must be stored exactly as they stood and point at the right line of the
// original file, including records with quoted line breaks and CRLF files.

export interface CsvToken {
  /** 1-based line where the record starts. */
  line: number;
  cells: string[];
  /** The record's original text without its terminator. */
  raw: string;
  /** Index of the first cell with text after its closing quote (`"a"b`), which RFC 4180 forbids. */
  textAfterQuote?: number;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/** A record grew past the tokenizer's limit; thrown before the text is held, so memory stays bounded. */
export class CsvRecordTooLong extends Error {
  constructor(
    readonly line: number,
    readonly limit: number,
  ) {
    super(`the record starting on line ${line} is longer than ${limit} characters`);
    this.name = 'CsvRecordTooLong';
  }
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

export class CsvTokenizer {
  private cells: string[] = [];
  private field = '';
  private inQuotes = false;
  /** A quote just closed a quoted section; a second quote would be an escaped quote. */
  private quoteClosed = false;
  /** The current field's quoted section has closed; only blanks may follow it. */
  private afterQuote = false;
  /** Cell index of the record's first field with text after its closing quote, or -1. */
  private stray = -1;
  private raw = '';
  private line = 1;
  private recordLine = 1;
  private pendingCr = false;
  private quotedCr = false;

  /** A record (with its quoted line breaks) longer than `maxRecordChars` is refused; exports set it. */
  constructor(private readonly maxRecordChars = Infinity) {}

  /** Feed a decoded chunk; returns the records it completed. */
  push(chunk: string): CsvToken[] {
    const out: CsvToken[] = [];
    const n = chunk.length;
    // Where the next quote, CR and comma are, searched for again only once passed: most records
    // have no quote or CR and are cut at their commas by native searches, not read char by char.
    let nextQuote = -1;
    let nextCr = -1;
    let nextComma = -1;
    let i = 0;
    while (i < n) {
      if (this.atRecordStart()) {
        const lf = chunk.indexOf('\n', i);
        if (nextQuote < i) nextQuote = indexOrEnd(chunk, '"', i);
        if (nextCr < i) nextCr = indexOrEnd(chunk, '\r', i);
        // A plain record: it ends in this chunk, at an LF or a CRLF, and has no quotes.
        const end = nextCr === lf - 1 ? nextCr : lf;
        if (lf !== -1 && nextQuote > lf && nextCr >= end) {
          if (end > i) {
            const cells: string[] = [];
            let start = i;
            if (nextComma < i) nextComma = indexOrEnd(chunk, ',', i);
            while (nextComma < end) {
              cells.push(chunk.slice(start, nextComma));
              start = nextComma + 1;
              nextComma = indexOrEnd(chunk, ',', start);
            }
            cells.push(chunk.slice(start, end));
            out.push({ line: this.recordLine, cells, raw: chunk.slice(i, end) });
          }
          this.line++;
          this.recordLine = this.line;
          i = lf + 1;
          continue;
        }
      }
      i = this.pushRecord(chunk, i, out);
    }
    return out;
  }

  /** No record is in progress: the next character starts one. */
  private atRecordStart(): boolean {
    return this.cells.length === 0 && this.field === '' && this.raw === '' && !this.inQuotes && !this.quoteClosed && !this.pendingCr;
  }

  /**
   * Reads characters from `from` until a record ends (returns the position after its
   * terminator) or the chunk does; what the chunk leaves unfinished waits for the next one.
   */
  private pushRecord(chunk: string, from: number, out: CsvToken[]): number {
    let fieldStart = from;
    let rawStart = from;
    const n = chunk.length;
    for (let i = from; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === LF) {
          // CRLF: the CR was already treated as the record end.
          return i + 1;
        }
      }
      if (this.inQuotes) {
        if (c === QUOTE) {
          this.field += chunk.slice(fieldStart, i);
          this.inQuotes = false;
          this.quoteClosed = true;
          this.afterQuote = true;
          fieldStart = i + 1;
        } else if (c === LF) {
          // CRLF inside quotes is one line break; the CR already counted it.
          if (!this.quotedCr) this.line++;
        } else if (c === CR) {
          this.line++;
        }
        this.quotedCr = c === CR;
        continue;
      }
      if (this.quoteClosed) {
        this.quoteClosed = false;
        if (c === QUOTE) {
          this.field += '"';
          this.inQuotes = true;
          fieldStart = i + 1;
          continue;
        }
      }
      if (c === COMMA) {
        this.cells.push(this.field + chunk.slice(fieldStart, i));
        this.field = '';
        this.afterQuote = false;
        fieldStart = i + 1;
      } else if (c === QUOTE && this.field === '' && i === fieldStart) {
        this.inQuotes = true;
        fieldStart = i + 1;
      } else if (c === LF || c === CR) {
        this.cells.push(this.field + chunk.slice(fieldStart, i));
        this.field = '';
        const raw = this.raw + chunk.slice(rawStart, i);
        if (raw.length > this.maxRecordChars) throw new CsvRecordTooLong(this.recordLine, this.maxRecordChars);
        this.raw = '';
        if (!(this.cells.length === 1 && raw === '')) out.push(this.token(raw));
        this.cells = [];
        this.line++;
        this.recordLine = this.line;
        if (c === CR) {
          // A CRLF's LF is taken here when it is in this chunk, so the next record starts clean.
          if (i + 1 < n && chunk.charCodeAt(i + 1) === LF) return i + 2;
          this.pendingCr = true;
        }
        return i + 1;
      } else if (this.afterQuote && c !== SPACE && c !== TAB && this.stray === -1) {
        this.stray = this.cells.length;
      }
    }
    this.field += chunk.slice(fieldStart);
    this.raw += chunk.slice(rawStart);
    // Checked here too, so an unfinished record never holds much more than the limit.
    if (this.raw.length > this.maxRecordChars) throw new CsvRecordTooLong(this.recordLine, this.maxRecordChars);
    return n;
  }

  /** The finished record, and the per-record state reset for the next one. */
  private token(raw: string): CsvToken {
    const token: CsvToken = { line: this.recordLine, cells: this.cells, raw };
    if (this.stray !== -1) token.textAfterQuote = this.stray;
    this.stray = -1;
    this.afterQuote = false;
    return token;
  }

  /** Flush the last record of a file that does not end with a line break. */
  end(): CsvToken[] {
    if (this.inQuotes) {
      throw new CsvSyntaxError(this.recordLine, `a quoted field opened on line ${this.recordLine} is never closed`);
    }
    if (this.raw === '' && this.cells.length === 0 && this.field === '') return [];
    this.cells.push(this.field);
    const token = this.token(this.raw);
    this.cells = [];
    this.field = '';
    this.raw = '';
    return [token];
  }
}

function indexOrEnd(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from);
  return at === -1 ? text.length : at;
}
