// Row validation derived from the table declarations: one zod schema per table turns the raw
// text cells of an export line into typed canonical values, or into rejections that name the
// field, the value and the rule broken.
import { z } from 'zod';
import { parseMoney, parseScaledDecimal, type Money } from '../money/decimal.ts';
import { RATE_SCALE, TABLES, type ColumnDef, type TableName } from '../schema/tables.ts';
import { parseCivilDate, parseTimestamp } from './parseTimestamp.ts';

export type CanonicalValue = string | number | Money | null;
export type CanonicalRow = Record<string, CanonicalValue>;

export interface RowContext {
  /** Time zone for timestamps written without an offset. */
  sourceTimeZone: string;
  /** Instants after this (epoch ms) are rejected as future-dated. */
  notAfterMs: number;
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

function fail(ctx: z.core.$RefinementCtx, rule: string, message: string): never {
  ctx.addIssue({ code: 'custom', message, params: { rule } });
  return z.NEVER as never;
}

function cellSchema(column: ColumnDef, context: RowContext): z.ZodType<CanonicalValue, string | undefined> {
  return z
    .string()
    .optional()
    .transform((raw, ctx): CanonicalValue => {
      const text = (raw ?? '').trim();
      if (text === '') {
        if (column.required) fail(ctx, 'required', `${column.name} is required`);
        return null;
      }
      switch (column.type) {
        case 'id':
          if (text.length > MAX_ID_LENGTH) fail(ctx, 'too_long', `${column.name} is longer than ${MAX_ID_LENGTH} characters`);
          return text;
        case 'text':
          return text;
        case 'enum': {
          const lower = text.toLowerCase();
          if (!column.values?.includes(lower)) fail(ctx, 'not_allowed', `${column.name} must be one of ${column.values?.join(', ')}`);
          return lower;
        }
        case 'currency': {
          const upper = text.toUpperCase();
          if (!/^[A-Z]{3}$/.test(upper) || !ISO_CURRENCIES.has(upper)) {
            fail(ctx, 'unknown_currency', `${column.name} "${text}" is not an ISO 4217 currency code`);
          }
          return upper;
        }
        case 'money': {
          const m = parseMoney(text);
          if (m === null) fail(ctx, 'not_money', `${column.name} must be a decimal number with at most 4 decimals`);
          if (m >= MAX_MONEY || m <= -MAX_MONEY) fail(ctx, 'out_of_range', `${column.name} is too large`);
          return m;
        }
        case 'rate': {
          const r = parseScaledDecimal(text, RATE_SCALE);
          if (r === null || r <= 0n || r >= 10n ** 18n) {
            fail(ctx, 'not_rate', `${column.name} must be a positive decimal number with at most ${RATE_SCALE} decimals`);
          }
          return r;
        }
        case 'timestamp': {
          const ms = parseTimestamp(text, context.sourceTimeZone);
          if (ms === null) fail(ctx, 'not_timestamp', `${column.name} must be an ISO 8601 date or timestamp`);
          if (ms > context.notAfterMs) fail(ctx, 'future_date', `${column.name} lies in the future`);
          return ms;
        }
        case 'date': {
          const days = parseCivilDate(text);
          if (days === null) fail(ctx, 'not_date', `${column.name} must be a date YYYY-MM-DD`);
          if (days * 86_400_000 > context.notAfterMs) fail(ctx, 'future_date', `${column.name} lies in the future`);
          return days;
        }
      }
    });
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
  validate(cells: Record<string, string | undefined>): { row: CanonicalRow } | { rejection: Rejection };
}

export function rowValidator(table: TableName, context: RowContext): RowValidator {
  const def = TABLES[table];
  const shape: Record<string, z.ZodType<CanonicalValue, string | undefined>> = {};
  for (const column of def.columns) shape[column.name] = cellSchema(column, context);
  const schema = z.object(shape);
  const rules = TABLE_RULES[table] ?? [];
  return {
    validate(cells) {
      const parsed = schema.safeParse(cells);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = String(issue.path[0] ?? '');
        const rule = issue.code === 'custom' ? String((issue as { params?: { rule?: string } }).params?.rule ?? 'invalid') : issue.code;
        return { rejection: { field, value: cells[field] ?? '', rule, message: issue.message } };
      }
      const row = parsed.data as CanonicalRow;
      for (const check of rules) {
        const broken = check(row);
        if (broken) return { rejection: { ...broken, value: cells[broken.field] ?? '' } };
      }
      return { row };
    },
  };
}
