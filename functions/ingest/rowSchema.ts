// Row validation derived from the table declarations: one parser per declared column turns
// the raw text cells of an export line into typed canonical values, or into a rejection that
// names the field, the value and the rule broken.
//
// The parsers are plain functions compiled once per table rather than a zod object schema:
// at hundreds of thousands of rows per second, zod's per-row issue and result objects cost
// more than the parsing itself (docs/benchmarks.md). zod still guards every other input.
import { parseMoney, parseScaledDecimal, type Money } from '../money/decimal.ts';
import { RATE_SCALE, TABLES, type ColumnDef, type TableName } from '../schema/tables.ts';
import { DEFAULT_INGEST_LIMITS, limitSetting } from './limits.ts';
import { parseCivilDate, parseTimestamp } from './parseTimestamp.ts';

export type CanonicalValue = string | number | Money | null;
export type CanonicalRow = Record<string, CanonicalValue>;

export interface RowContext {
  /** Time zone for timestamps written without an offset. */
  sourceTimeZone: string;
  /** Instants after this (epoch ms) are rejected as future-dated. */
  notAfterMs: number;
  /** Longest text value, in characters; the default of exports.limits.maxValueChars when unset. */
  maxValueChars?: number;
}

export interface Rejection {
  field: string;
  value: string;
  rule: string;
  message: string;
}

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const MAX_ID_LENGTH = 200;
const MAX_MONEY = 10n ** 14n * 10_000n; // DECIMAL(18,4) holds 14 integer digits
const MAX_RATE = 10n ** 18n;
/** Instants before 1900 are typos (a year 0025 meant 2025), not history: rejected, never shifted. */
const MIN_YEAR = 1900;
const MIN_MS = Date.UTC(MIN_YEAR, 0, 1);

/** A broken rule of one column; created once per column and rule, so failing costs nothing. */
class Broken {
  constructor(
    readonly rule: string,
    readonly message: string,
  ) {}
}

type CellParser = (text: string) => CanonicalValue | Broken;

function typeParser(column: ColumnDef, context: RowContext): CellParser {
  const name = column.name;
  switch (column.type) {
    case 'id': {
      const tooLong = new Broken('too_long', `${name} is longer than ${MAX_ID_LENGTH} characters`);
      return (text) => (text.length > MAX_ID_LENGTH ? tooLong : text);
    }
    case 'text': {
      const max = context.maxValueChars ?? DEFAULT_INGEST_LIMITS.maxValueChars;
      const tooLong = new Broken('too_long', `${name} is longer than ${max} characters (${limitSetting('maxValueChars')})`);
      return (text) => (text.length > max ? tooLong : text);
    }
    case 'enum': {
      const values = column.values ?? [];
      const notAllowed = new Broken('not_allowed', `${name} must be one of ${values.join(', ')}`);
      return (text) => {
        const lower = text.toLowerCase();
        return values.includes(lower) ? lower : notAllowed;
      };
    }
    case 'currency':
      return (text) => {
        const upper = text.toUpperCase();
        return upper.length === 3 && ISO_CURRENCIES.has(upper)
          ? upper
          : new Broken('unknown_currency', `${name} "${text}" is not an ISO 4217 currency code`);
      };
    case 'money': {
      const notMoney = new Broken('not_money', `${name} must be a decimal number with at most 4 decimals`);
      const tooLarge = new Broken('out_of_range', `${name} is too large`);
      return (text) => {
        const m = parseMoney(text);
        if (m === null) return notMoney;
        return m >= MAX_MONEY || m <= -MAX_MONEY ? tooLarge : m;
      };
    }
    case 'rate': {
      const notRate = new Broken('not_rate', `${name} must be a positive decimal number with at most ${RATE_SCALE} decimals`);
      return (text) => {
        const r = parseScaledDecimal(text, RATE_SCALE);
        return r === null || r <= 0n || r >= MAX_RATE ? notRate : r;
      };
    }
    case 'timestamp': {
      const notTimestamp = new Broken('not_timestamp', `${name} must be an ISO 8601 date or timestamp`);
      const future = new Broken('future_date', `${name} lies in the future`);
      const tooEarly = new Broken('out_of_range', `${name} lies before ${MIN_YEAR}`);
      return (text) => {
        const ms = parseTimestamp(text, context.sourceTimeZone);
        if (ms === null) return notTimestamp;
        if (ms < MIN_MS) return tooEarly;
        return ms > context.notAfterMs ? future : ms;
      };
    }
    case 'date': {
      const notDate = new Broken('not_date', `${name} must be a date YYYY-MM-DD`);
      const future = new Broken('future_date', `${name} lies in the future`);
      const tooEarly = new Broken('out_of_range', `${name} lies before ${MIN_YEAR}`);
      return (text) => {
        const days = parseCivilDate(text);
        if (days === null) return notDate;
        if (days * 86_400_000 < MIN_MS) return tooEarly;
        return days * 86_400_000 > context.notAfterMs ? future : days;
      };
    }
  }
}

/** Empty cells are NULL, or a `required` rejection; everything else goes to the type's parser. */
function cellParser(column: ColumnDef, context: RowContext): (raw: string | undefined) => CanonicalValue | Broken {
  const parse = typeParser(column, context);
  const required = column.required ? new Broken('required', `${column.name} is required`) : null;
  return (raw) => {
    const text = raw === undefined ? '' : raw.trim();
    if (text === '') return required ?? null;
    return parse(text);
  };
}

/** Rules across columns of one row, per table. */
type RowRule = (row: CanonicalRow) => { field: string; rule: string; message: string } | undefined;

const TABLE_RULES: Partial<Record<TableName, RowRule[]>> = {
  orders: [
    (r) => ((r.amount as Money) < 0n ? { field: 'amount', rule: 'negative_amount', message: 'amount must not be negative; record refunds in refunded_amount' } : undefined),
    (r) => (r.refunded_amount !== null && (r.refunded_amount as Money) < 0n ? { field: 'refunded_amount', rule: 'negative_refund', message: 'refunded_amount must not be negative' } : undefined),
    (r) =>
      r.refunded_amount !== null && (r.refunded_amount as Money) > (r.amount as Money)
        ? { field: 'refunded_amount', rule: 'refund_exceeds_amount', message: 'refunded_amount is larger than amount' }
        : undefined,
  ],
  subscriptions: [
    (r) => ((r.mrr as Money) < 0n ? { field: 'mrr', rule: 'negative_amount', message: 'mrr must not be negative' } : undefined),
    (r) =>
      r.ended_at !== null && (r.ended_at as number) < (r.started_at as number)
        ? { field: 'ended_at', rule: 'ends_before_start', message: 'ended_at is before started_at' }
        : undefined,
  ],
  marketing_spend: [
    (r) => ((r.amount as Money) < 0n ? { field: 'amount', rule: 'negative_amount', message: 'amount must not be negative' } : undefined),
  ],
};

export interface RowValidator {
  /** Validate cells given by column name. */
  validate(cells: Record<string, string | undefined>): { row: CanonicalRow } | { rejection: Rejection };
  /**
   * Validate cells given by position: the table's i-th column is `cells[positions[i]]`. Readers
   * that hand over positional cells (CSV) use this, so no object is built per record to name them.
   */
  validateAt(cells: readonly (string | undefined)[], positions: readonly number[]): { row: CanonicalRow } | { rejection: Rejection };
}

export function rowValidator(table: TableName, context: RowContext): RowValidator {
  const columns = TABLES[table].columns.map((c) => ({ name: c.name, parse: cellParser(c, context) }));
  const names = columns.map((c) => c.name);
  const inOrder = names.map((_, i) => i);
  const rules = TABLE_RULES[table] ?? [];
  const validateAt: RowValidator['validateAt'] = (cells, positions) => {
    const row: CanonicalRow = {};
    for (let i = 0; i < columns.length; i++) {
      const { name, parse } = columns[i]!;
      const value = parse(cells[positions[i]!]);
      if (value instanceof Broken) return { rejection: { field: name, value: cells[positions[i]!] ?? '', rule: value.rule, message: value.message } };
      row[name] = value;
    }
    for (const check of rules) {
      const broken = check(row);
      if (broken) return { rejection: { ...broken, value: cells[positions[names.indexOf(broken.field)]!] ?? '' } };
    }
    return { row };
  };
  return {
    validate: (cells) => validateAt(names.map((n) => cells[n]), inOrder),
    validateAt,
  };
}
