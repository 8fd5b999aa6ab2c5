// Result rows of the DuckDB engine as the port's plain JSON values: exactly what
// @duckdb/node-api's getRowObjectsJson returns (BIGINT, DECIMAL, DATE and TIMESTAMP as text,
// DOUBLE as a number), read a column at a time straight from each vector's memory. The
// library's readers allocate a BigInt or a value object for every 64-bit value and three more
// BigInts for every validity check, which took longer than the query itself on million-row
// results; here a 64-bit value is read as two 32-bit words and only leaves plain numbers when
// it cannot be held exactly in one.
import duckdb from '@duckdb/node-bindings';
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBDataChunk,
  type DuckDBDecimalType,
  type DuckDBMaterializedResult,
  type DuckDBType,
  type Json,
} from '@duckdb/node-api';
import type { RawRow, RowParser } from './queryEngine.ts';

type Cell = RawRow[string];
type ColumnReader = (chunk: DuckDBDataChunk, column: number, rowCount: number, out: Cell[]) => void;

const MICROS_PER_DAY = 86_400_000_000;
const TWO_32 = 4_294_967_296;
/** A high word inside ±2^21 keeps hi × 2^32 + lo within Number's exact integers. */
const SAFE_HIGH = 2_097_152;
const SMALL_COUNT = 1024;
const SMALL = Array.from({ length: SMALL_COUNT }, (_, i) => String(i));
/** 10^scale must be exact for the number path of decimals. */
const MAX_NUMBER_SCALE = 15;

/** The rows, each handed to `parse` as soon as it is built, so the raw rows are never all held at once. */
export function jsonRows<T = RawRow>(result: DuckDBMaterializedResult, parse: RowParser<T> = (row) => row as T): T[] {
  const names = result.columnNames();
  const readers = result.columnTypes().map(columnReader);
  const rows: T[] = new Array<T>(result.rowCount);
  const columns: Cell[][] = names.map(() => []);
  let next = 0;
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const count = chunk.rowCount;
    for (let col = 0; col < names.length; col++) {
      columns[col]!.length = 0;
      readers[col]!(chunk, col, count, columns[col]!);
    }
    for (let i = 0; i < count; i++) {
      const row: RawRow = {};
      for (let col = 0; col < names.length; col++) row[names[col]!] = columns[col]![i]!;
      rows[next] = parse(row, next);
      next++;
    }
  }
  return rows;
}

/** A flat vector's memory: its values, and its validity mask (null when every value is valid). */
interface RawVector {
  data: Uint8Array;
  validity: Uint8Array | null;
}

function rawVector(chunk: DuckDBDataChunk, column: number, rowCount: number, bytesPerValue: number): RawVector {
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
  const data = duckdb.vector_get_data(vector, rowCount * bytesPerValue);
  // The C API returns no mask, or a mask of 64-bit little-endian words: bit i of byte i >> 3.
  const validity = duckdb.vector_get_validity(vector, Math.ceil(rowCount / 64) * 8) as Uint8Array | null;
  return { data, validity };
}

function isValid(validity: Uint8Array | null, i: number): boolean {
  return validity === null || (validity[i >> 3]! & (1 << (i & 7))) !== 0;
}

/** The two 32-bit halves of each 64-bit little-endian value. */
function words(data: Uint8Array): Int32Array {
  return new Int32Array(data.buffer, data.byteOffset, data.byteLength >> 2);
}

function columnReader(type: DuckDBType): ColumnReader {
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR:
      return readVarchar;
    case DuckDBTypeId.BIGINT:
      return integerReader(64, (value) => (value >= 0 && value < SMALL_COUNT ? SMALL[value]! : String(value)), String);
    case DuckDBTypeId.DOUBLE:
      return (chunk, column, n, out) => {
        const { data, validity } = rawVector(chunk, column, n, 8);
        const values = new Float64Array(data.buffer, data.byteOffset, n);
        for (let i = 0; i < n; i++) {
          if (!isValid(validity, i)) {
            out.push(null);
            continue;
          }
          const x = values[i]!;
          out.push(Number.isFinite(x) ? x : String(x));
        }
      };
    case DuckDBTypeId.DECIMAL:
      return decimalReader(type as DuckDBDecimalType);
    case DuckDBTypeId.DATE: {
      const texts = new Map<number, string>();
      return (chunk, column, n, out) => {
        const { data, validity } = rawVector(chunk, column, n, 4);
        const days = words(data);
        for (let i = 0; i < n; i++) out.push(isValid(validity, i) ? dateText(days[i]!, texts) : null);
      };
    }
    case DuckDBTypeId.TIMESTAMP: {
      const dayTexts = new Map<number, string>();
      return integerReader(64, (micros) => timestampText(micros, dayTexts), (micros) => new DuckDBTimestampValue(micros).toString());
    }
    default:
      return generic;
  }
}

function int64(data: Uint8Array, i: number): bigint {
  return new BigInt64Array(data.buffer, data.byteOffset + 8 * i, 1)[0]!;
}

/** Strings of up to 12 bytes sit in the vector itself; longer ones behind a pointer, read once per distinct pointer. */
function readVarchar(chunk: DuckDBDataChunk, column: number, n: number, out: Cell[]): void {
  const { data, validity } = rawVector(chunk, column, n, 16);
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const w = words(data);
  // Within one vector a pointer names one string: repeated values (a segment, a currency) are decoded once.
  const byPointer = new Map<number, { length: number; text: string }>();
  for (let i = 0; i < n; i++) {
    if (!isValid(validity, i)) {
      out.push(null);
      continue;
    }
    const at = 16 * i;
    const length = w[4 * i]! >>> 0;
    if (length <= 12) {
      out.push(bytes.toString('utf8', at + 4, at + 4 + length));
      continue;
    }
    const pointer = (w[4 * i + 3]! >>> 0) * TWO_32 + (w[4 * i + 2]! >>> 0);
    const seen = byPointer.get(pointer);
    if (seen !== undefined && seen.length === length) {
      out.push(seen.text);
      continue;
    }
    const stored = duckdb.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + at + 8, length);
    const text = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString('utf8');
    byPointer.set(pointer, { length, text });
    out.push(text);
  }
}

/** DuckDB stores DECIMAL(w, s) in 16 bits up to w = 4, 32 up to 9, 64 up to 18 and 128 beyond. */
function decimalReader(type: DuckDBDecimalType): ColumnReader {
  const { width, scale } = type;
  if (scale > MAX_NUMBER_SCALE) return generic;
  if (width <= 9) {
    const bytesPerValue = width <= 4 ? 2 : 4;
    return (chunk, column, n, out) => {
      const { data, validity } = rawVector(chunk, column, n, bytesPerValue);
      const values = bytesPerValue === 2 ? new Int16Array(data.buffer, data.byteOffset, n) : new Int32Array(data.buffer, data.byteOffset, n);
      for (let i = 0; i < n; i++) out.push(isValid(validity, i) ? decimalText(values[i]!, scale) : null);
    };
  }
  return integerReader(width <= 18 ? 64 : 128, (value) => decimalText(value, scale), (value) => new DuckDBDecimalValue(value, width, scale).toString());
}

/**
 * A reader of 64- or 128-bit integers (BIGINT, TIMESTAMP, DECIMAL beyond 9 digits): each value
 * goes to `exact` as a number when a number holds it exactly, else to `wide` as a BigInt.
 */
function integerReader(bits: 64 | 128, exact: (value: number) => Cell, wide: (value: bigint) => Cell): ColumnReader {
  const wordsPerValue = bits / 32;
  return (chunk, column, n, out) => {
    const { data, validity } = rawVector(chunk, column, n, wordsPerValue * 4);
    const w = words(data);
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) {
        out.push(null);
        continue;
      }
      const at = wordsPerValue * i;
      const hi = w[at + 1]!;
      // A 128-bit value fits in the low 64 bits when the high 64 only repeat their sign.
      const sign = hi < 0 ? -1 : 0;
      const fitsLow = wordsPerValue === 2 || (w[at + 2] === sign && w[at + 3] === sign);
      out.push(
        fitsLow && hi >= -SAFE_HIGH && hi < SAFE_HIGH
          ? exact(hi * TWO_32 + (w[at]! >>> 0))
          : wide(wordsPerValue === 2 ? int64(data, i) : int128(data, i)),
      );
    }
  };
}

function int128(data: Uint8Array, i: number): bigint {
  const halves = new BigInt64Array(data.buffer, data.byteOffset + 16 * i, 2);
  return (halves[1]! << 64n) + BigInt.asUintN(64, halves[0]!);
}

function generic(chunk: DuckDBDataChunk, column: number, n: number, out: Cell[]): void {
  const v = chunk.getColumnVector(column);
  for (let i = 0; i < n; i++) out.push(JsonDuckDBValueConverter(v.getItem(i), v.type, JsonDuckDBValueConverter) as Json as Cell);
}

function dateText(days: number, texts: Map<number, string>): string {
  let text = texts.get(days);
  if (text === undefined) {
    text = new DuckDBDateValue(days).toString();
    texts.set(days, text);
  }
  return text;
}

/** As DuckDBDecimalValue.toString: the digits, a point and exactly `scale` (at most 15) fraction digits. */
function decimalText(value: number, scale: number): string {
  if (scale === 0) return String(value);
  const abs = Math.abs(value);
  const factor = 10 ** scale;
  const fraction = abs % factor;
  const whole = (abs - fraction) / factor;
  return `${value < 0 ? '-' : ''}${whole}.${String(fraction).padStart(scale, '0')}`;
}

/** As DuckDBTimestampValue.toString: `YYYY-MM-DD HH:MM:SS`, then `.` and the microseconds without trailing zeros. */
function timestampText(micros: number, dayTexts: Map<number, string>): string {
  // Remainder first: exact on integers, where a floored quotient of two doubles can round up.
  const inDay = ((micros % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY;
  const day = (micros - inDay) / MICROS_PER_DAY;
  const date = dateText(day, dayTexts);
  const fraction = inDay % 1_000_000;
  const seconds = (inDay - fraction) / 1_000_000;
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = seconds % 60;
  const time = `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}`;
  return fraction === 0 ? `${date} ${time}` : `${date} ${time}.${String(fraction).padStart(6, '0').replace(/0+$/, '')}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
