// One spool file of staged rows: CSV that DuckDB bulk-loads. Fields are written as bytes
// straight into a buffer: building a string per field and per line was most of what ingest
// allocated per row (about half a kilobyte), and collecting it cost more than writing it.
import { closeSync, openSync, writeSync } from 'node:fs';

const BUFFER_BYTES = 1 << 16;
/** The longest integer field: a sign and 16 digits, as larger values are written as text. */
const INTEGER_BYTES = 17;
const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const MINUS = 45;
const ZERO = 48;

export class SpoolFile {
  rows = 0;
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private at = 0;

  constructor(
    readonly file: string,
    /** Export the rows come from: the same for every row of a spool file, so it is added in SQL. */
    readonly sourceKey: string,
  ) {
    this.fd = openSync(file, 'w');
  }

  /** Text as a CSV field: plain ASCII byte by byte, anything else quoted when it has to be. */
  text(value: string): void {
    const n = value.length;
    if (n < BUFFER_BYTES) {
      if (this.at + n > BUFFER_BYTES) this.flush();
      const buffer = this.buffer;
      const start = this.at;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 128 || c === QUOTE || c === COMMA || c === LF || c === CR) break;
        buffer[start + i] = c;
      }
      if (i === n) {
        this.at = start + n;
        return;
      }
    }
    this.encoded(csvText(value));
  }

  /** A whole number; bigints and numbers beyond 2^53 go as text, which is exact too. */
  integer(value: number | bigint): void {
    let n = typeof value === 'bigint' && value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
    if (typeof n === 'bigint' || !Number.isSafeInteger(n)) {
      this.encoded(String(n));
      return;
    }
    if (this.at + INTEGER_BYTES > BUFFER_BYTES) this.flush();
    const buffer = this.buffer;
    if (n < 0) {
      buffer[this.at++] = MINUS;
      n = -n;
    }
    let digits = 1;
    for (let power = 10; power <= n; power *= 10) digits++;
    let at = this.at + digits;
    this.at = at;
    do {
      const rest = Math.floor(n / 10);
      buffer[--at] = ZERO + n - rest * 10;
      n = rest;
    } while (n > 0);
  }

  /** Ends a field; the row's last field is ended by endRow() instead. */
  comma(): void {
    if (this.at === BUFFER_BYTES) this.flush();
    this.buffer[this.at++] = COMMA;
  }

  endRow(): void {
    if (this.at === BUFFER_BYTES) this.flush();
    this.buffer[this.at++] = LF;
    this.rows++;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private encoded(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.at + bytes > BUFFER_BYTES) this.flush();
    if (bytes > BUFFER_BYTES) writeSync(this.fd, text);
    else this.at += this.buffer.write(text, this.at);
  }

  private flush(): void {
    if (this.at > 0) writeSync(this.fd, this.buffer, 0, this.at);
    this.at = 0;
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Text as a CSV field, quoted only when it has to be. */
function csvText(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
