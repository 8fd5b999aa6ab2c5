// Result rows of the DuckDB engine as the port's plain JSON values: exactly what
// @duckdb/node-api's getRowObjectsJson returns (BIGINT, DECIMAL, DATE and TIMESTAMP as text,
// DOUBLE as a number), converted a column at a time. The library's converter visits every
// value through callbacks, allocates a value object and formats decimals and timestamps with
// BigInt arithmetic, which took longer than the query itself on million-row results.
import {
  DuckDBDateValue,
  DuckDBDecimal64Vector,
  DuckDBDecimal128Vector,
  DuckDBDecimalValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBDecimalType,
  type DuckDBMaterializedResult,
  type DuckDBType,
  type DuckDBVector,
  type Json,
} from '@duckdb/node-api';
import type { RawRow, RowParser } from './queryEngine.ts';

type Cell = RawRow[string];
type ColumnReader = (vector: DuckDBVector, rowCount: number, out: Cell[]) => void;

const MICROS_PER_DAY = 86_400_000_000;
const SMALL_COUNT = 1024n;
const SMALL = Array.from({ length: Number(SMALL_COUNT) }, (_, i) => String(i));

/** Every row of a materialized result, as objects keyed by column name. */
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
      readers[col]!(chunk.getColumnVector(col), count, columns[col]!);
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

function columnReader(type: DuckDBType): ColumnReader {
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR:
      return (v, n, out) => {
        for (let i = 0; i < n; i++) out.push(v.getItem(i) as string | null);
      };
    case DuckDBTypeId.BIGINT:
      return (v, n, out) => {
        for (let i = 0; i < n; i++) {
          const x = v.getItem(i) as bigint | null;
          out.push(x === null ? null : x >= 0n && x < SMALL_COUNT ? SMALL[Number(x)]! : `${x}`);
        }
      };
    case DuckDBTypeId.DOUBLE:
      return (v, n, out) => {
        for (let i = 0; i < n; i++) {
          const x = v.getItem(i) as number | null;
          out.push(x === null || Number.isFinite(x) ? x : String(x));
        }
      };
    case DuckDBTypeId.DECIMAL: {
      const decimal = type as DuckDBDecimalType;
      return (v, n, out) => {
        if (!(v instanceof DuckDBDecimal64Vector || v instanceof DuckDBDecimal128Vector)) return generic(v, n, out);
        for (let i = 0; i < n; i++) {
          const x = v.getScaledValue(i);
          out.push(x === null ? null : decimalText(x, decimal));
        }
      };
    }
    case DuckDBTypeId.DATE: {
      const cache = new Map<number, string>();
      return (v, n, out) => {
        for (let i = 0; i < n; i++) {
          const x = v.getItem(i) as DuckDBDateValue | null;
          out.push(x === null ? null : cached(cache, x.days, () => x.toString()));
        }
      };
    }
    case DuckDBTypeId.TIMESTAMP: {
      const days = new Map<number, string>();
      return (v, n, out) => {
        for (let i = 0; i < n; i++) {
          const x = v.getItem(i) as DuckDBTimestampValue | null;
          out.push(x === null ? null : timestampText(x, days));
        }
      };
    }
    default:
      return generic;
  }
}

function generic(v: DuckDBVector, n: number, out: Cell[]): void {
  for (let i = 0; i < n; i++) out.push(JsonDuckDBValueConverter(v.getItem(i), v.type, JsonDuckDBValueConverter) as Json as Cell);
}

function cached(cache: Map<number, string>, key: number, make: () => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    text = make();
    cache.set(key, text);
  }
  return text;
}

/** As DuckDBDecimalValue.toString: the digits, a point and exactly `scale` fraction digits. */
function decimalText(scaled: bigint, { width, scale }: DuckDBDecimalType): string {
  const value = Number(scaled);
  if (!Number.isSafeInteger(value) || scale > 15) return new DuckDBDecimalValue(scaled, width, scale).toString();
  if (scale === 0) return String(value);
  const abs = Math.abs(value);
  const factor = 10 ** scale;
  const fraction = abs % factor;
  const whole = (abs - fraction) / factor;
  return `${value < 0 ? '-' : ''}${whole}.${String(fraction).padStart(scale, '0')}`;
}

/** As DuckDBTimestampValue.toString: `YYYY-MM-DD HH:MM:SS`, then `.` and the microseconds without trailing zeros. */
function timestampText(value: DuckDBTimestampValue, dayTexts: Map<number, string>): string {
  const m = Number(value.micros);
  if (!Number.isSafeInteger(m)) return value.toString();
  // Remainder first: exact on integers, where a floored quotient of two doubles can round up.
  const inDay = ((m % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY;
  const day = (m - inDay) / MICROS_PER_DAY;
  const date = cached(dayTexts, day, () => new DuckDBDateValue(day).toString());
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
