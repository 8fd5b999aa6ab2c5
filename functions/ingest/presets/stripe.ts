// Stripe Dashboard CSV exports: payments (charges), invoices, subscriptions and customers
// (docs/ingest-presets.md). Stripe writes amounts in major units with a decimal point
// ("19.99"), timestamps as "2026-11-02 14:03" in UTC whatever the account's time zone, and
// currencies in lower case. Columns are found by name in any order; e-mail addresses and
// names are never read.
import { formatMoneyDecimal, parseMoney } from '../../money/decimal.ts';
import type { ORDER_STATUSES, TableName } from '../../schema/tables.ts';
import type { FieldNames, SourceRecord } from '../sourceRecord.ts';
import { ExportFormatError } from '../exportText.ts';
import { rowValidator, type Rejection } from '../rowSchema.ts';
import { baseNameOf } from '../tableOfExport.ts';
import { cellAt, requireCsv, resolveColumns, type Preset, type PresetContext, type RecordMapper, type Wanted } from './preset.ts';

type OrderStatus = (typeof ORDER_STATUSES)[number];
type StripeExport = 'payments' | 'invoices' | 'subscriptions' | 'customers';

const TABLE_OF: Record<StripeExport, TableName> = {
  payments: 'orders',
  invoices: 'orders',
  subscriptions: 'subscriptions',
  customers: 'customers',
};

/** From the file name: Stripe names downloads after the list they come from. */
function exportOfKey(key: string): StripeExport | undefined {
  const base = baseNameOf(key);
  if (base.includes('invoice')) return 'invoices';
  if (base.includes('subscription')) return 'subscriptions';
  if (base.includes('payment') || base.includes('charge')) return 'payments';
  if (base.includes('customer')) return 'customers';
  return undefined;
}

/** From the columns only one of the exports has. */
function exportOfHeader(fields: FieldNames): StripeExport | undefined {
  if (fields.has('Amount Due') || fields.has('Amount Paid')) return 'invoices';
  if (fields.has('Amount Refunded')) return 'payments';
  if (fields.firstOf(['Interval', 'Plan Interval', 'Price Interval']) !== undefined) return 'subscriptions';
  if (fields.has('id') && fields.has('Email') && fields.has('Created (UTC)')) return 'customers';
  return undefined;
}

const CREATED = ['Created (UTC)', 'Created date (UTC)', 'Created'];

const PAYMENT_COLUMNS = {
  id: { names: ['id'], required: true },
  customer: { names: ['Customer ID', 'Customer'], required: true },
  created: { names: CREATED, required: true },
  amount: { names: ['Amount'], required: true },
  refunded: { names: ['Amount Refunded'] },
  currency: { names: ['Currency'], required: true },
  status: { names: ['Status'], required: true },
  captured: { names: ['Captured'] },
} satisfies Record<string, Wanted>;

const INVOICE_COLUMNS = {
  id: { names: ['id'], required: true },
  customer: { names: ['Customer', 'Customer ID'], required: true },
  date: { names: ['Date (UTC)', ...CREATED], required: true },
  total: { names: ['Total', 'Amount Due'], required: true },
  paid: { names: ['Amount Paid'] },
  currency: { names: ['Currency'], required: true },
  status: { names: ['Status'], required: true },
} satisfies Record<string, Wanted>;

const SUBSCRIPTION_COLUMNS = {
  id: { names: ['id'], required: true },
  customer: { names: ['Customer ID', 'Customer'], required: true },
  plan: { names: ['Plan', 'Price', 'Product', 'Plan ID', 'Price ID'] },
  amount: { names: ['Amount', 'Plan Amount', 'Price Amount'], required: true },
  quantity: { names: ['Quantity'] },
  interval: { names: ['Interval', 'Plan Interval', 'Price Interval'], required: true },
  intervalCount: { names: ['Interval Count', 'Plan Interval Count', 'Price Interval Count'] },
  currency: { names: ['Currency', 'Plan Currency', 'Price Currency'], required: true },
  start: { names: ['Start (UTC)', 'Start Date (UTC)', 'Start', ...CREATED], required: true },
  status: { names: ['Status'] },
  canceledAt: { names: ['Canceled At (UTC)', 'Canceled At'] },
  endedAt: { names: ['Ended At (UTC)', 'Ended At'] },
} satisfies Record<string, Wanted>;

const CUSTOMER_COLUMNS = {
  id: { names: ['id'], required: true },
  created: { names: CREATED },
  channel: { names: ['acquisition_channel (metadata)', 'channel (metadata)', 'utm_source (metadata)'] },
  country: { names: ['Address Country', 'Shipping Address Country', 'Country'] },
} satisfies Record<string, Wanted>;

/** Payment statuses as the Dashboard writes them (and as the API does). */
const PAYMENT_STATUS: Record<string, OrderStatus> = {
  paid: 'paid',
  succeeded: 'paid',
  refunded: 'paid',
  'partially refunded': 'paid',
  disputed: 'paid',
  pending: 'pending',
  uncaptured: 'pending',
  'requires capture': 'pending',
  incomplete: 'pending',
  failed: 'cancelled',
  canceled: 'cancelled',
  blocked: 'cancelled',
  expired: 'cancelled',
};

const INVOICE_STATUS: Record<string, OrderStatus> = {
  paid: 'paid',
  open: 'pending',
  draft: 'pending',
  void: 'cancelled',
  uncollectible: 'cancelled',
};

/** Months per billing interval as an exact fraction: monthly = amount × numerator / denominator. */
const PER_MONTH: Record<string, readonly [bigint, bigint]> = {
  day: [365n, 12n],
  week: [52n, 12n],
  month: [1n, 1n],
  year: [1n, 12n],
};

function statusKey(text: string): string {
  return text.trim().toLowerCase().replaceAll('_', ' ');
}

/** Dashboards set to a decimal-comma locale write "19,99"; anything else is left to the validator. */
function amountText(text: string): string {
  const comma = text.indexOf(',');
  if (comma === -1 || text.includes('.') || text.length - comma - 1 > 2 || text.indexOf(',', comma + 1) !== -1) return text;
  return `${text.slice(0, comma)}.${text.slice(comma + 1)}`;
}

function rejection(field: string, value: string, rule: string, message: string): { rejection: Rejection } {
  return { rejection: { field, value, rule, message } };
}

/** Division rounded half away from zero, so 100 / 12 months is 8.3333 and -100 / 12 is -8.3333. */
function divideRounded(n: bigint, d: bigint): bigint {
  const half = n < 0n ? -d : d;
  return (2n * n + half) / (2n * d);
}

const WHOLE = /^\d+$/;

function paymentsMapper(context: PresetContext, table: TableName): RecordMapper {
  const { positions: p, reads } = resolveColumns(context, 'a Stripe payments export', PAYMENT_COLUMNS);
  const validator = rowValidator(table, { ...context.row, sourceTimeZone: 'UTC' });
  const known = Object.keys(PAYMENT_STATUS).join(', ');
  return {
    reads,
    map({ cells }: SourceRecord) {
      const statusText = cellAt(cells, p.status);
      let status = PAYMENT_STATUS[statusKey(statusText)];
      if (status === undefined) return rejection('Status', statusText, 'not_allowed', `Stripe payment status "${statusText}" is not one of ${known}`);
      // An authorised charge that was never captured has not brought money in.
      if (status === 'paid' && cellAt(cells, p.captured).trim().toLowerCase() === 'false') status = 'pending';
      return validator.validate({
        order_id: cellAt(cells, p.id),
        customer_id: cellAt(cells, p.customer),
        ordered_at: cellAt(cells, p.created),
        amount: amountText(cellAt(cells, p.amount)),
        refunded_amount: amountText(cellAt(cells, p.refunded)),
        currency: cellAt(cells, p.currency),
        status,
      });
    },
  };
}

function invoicesMapper(context: PresetContext, table: TableName): RecordMapper {
  const { positions: p, reads } = resolveColumns(context, 'a Stripe invoices export', INVOICE_COLUMNS);
  const validator = rowValidator(table, { ...context.row, sourceTimeZone: 'UTC' });
  const known = Object.keys(INVOICE_STATUS).join(', ');
  return {
    reads,
    map({ cells }: SourceRecord) {
      const statusText = cellAt(cells, p.status);
      const status = INVOICE_STATUS[statusKey(statusText)];
      if (status === undefined) return rejection('Status', statusText, 'not_allowed', `Stripe invoice status "${statusText}" is not one of ${known}`);
      // What a paid invoice brought in is Amount Paid: Total also counts credit balance applied.
      const amount = status === 'paid' && p.paid !== undefined ? cellAt(cells, p.paid) : cellAt(cells, p.total);
      return validator.validate({
        order_id: cellAt(cells, p.id),
        customer_id: cellAt(cells, p.customer),
        ordered_at: cellAt(cells, p.date),
        amount: amountText(amount),
        refunded_amount: '',
        currency: cellAt(cells, p.currency),
        status,
      });
    },
  };
}

function subscriptionsMapper(context: PresetContext, table: TableName): RecordMapper {
  const { positions: p, reads } = resolveColumns(context, 'a Stripe subscriptions export', SUBSCRIPTION_COLUMNS);
  const validator = rowValidator(table, { ...context.row, sourceTimeZone: 'UTC' });
  return {
    reads,
    map({ cells }: SourceRecord) {
      const intervalText = cellAt(cells, p.interval);
      const perMonth = PER_MONTH[intervalText.trim().toLowerCase()];
      if (perMonth === undefined) return rejection('Interval', intervalText, 'not_allowed', 'Interval must be day, week, month or year');
      const countText = cellAt(cells, p.intervalCount).trim();
      if (countText !== '' && (!WHOLE.test(countText) || BigInt(countText) === 0n)) {
        return rejection('Interval Count', countText, 'not_allowed', 'Interval Count must be a whole number of at least 1');
      }
      const quantityText = cellAt(cells, p.quantity).trim();
      if (quantityText !== '' && !WHOLE.test(quantityText)) {
        return rejection('Quantity', quantityText, 'not_quantity', 'Quantity must be a whole number');
      }
      const amount = amountText(cellAt(cells, p.amount));
      const perInterval = parseMoney(amount);
      // An unreadable amount goes to the validator as it is, which rejects it as not_money.
      let mrr = amount;
      if (perInterval !== null) {
        const quantity = quantityText === '' ? 1n : BigInt(quantityText);
        const count = countText === '' ? 1n : BigInt(countText);
        mrr = formatMoneyDecimal(divideRounded(perInterval * quantity * perMonth[0], perMonth[1] * count));
      }
      const start = cellAt(cells, p.start);
      const status = statusKey(cellAt(cells, p.status));
      let end = cellAt(cells, p.endedAt);
      if (end.trim() === '' && status === 'canceled') end = cellAt(cells, p.canceledAt);
      // Never paid for: active for no time at all, so it counts towards no customer and no MRR.
      if (status === 'incomplete' || status === 'incomplete expired') end = start;
      return validator.validate({
        subscription_id: cellAt(cells, p.id),
        customer_id: cellAt(cells, p.customer),
        plan: cellAt(cells, p.plan),
        mrr,
        currency: cellAt(cells, p.currency),
        started_at: start,
        ended_at: end,
      });
    },
  };
}

function customersMapper(context: PresetContext, table: TableName): RecordMapper {
  const { positions: p, reads } = resolveColumns(context, 'a Stripe customers export', CUSTOMER_COLUMNS);
  const validator = rowValidator(table, { ...context.row, sourceTimeZone: 'UTC' });
  return {
    reads,
    map({ cells }: SourceRecord) {
      return validator.validate({
        customer_id: cellAt(cells, p.id),
        signup_at: cellAt(cells, p.created),
        acquisition_channel: cellAt(cells, p.channel),
        country: cellAt(cells, p.country),
      });
    },
  };
}

const MAPPERS: Record<StripeExport, (context: PresetContext, table: TableName) => RecordMapper> = {
  payments: paymentsMapper,
  invoices: invoicesMapper,
  subscriptions: subscriptionsMapper,
  customers: customersMapper,
};

export const stripePreset: Preset = {
  name: 'stripe',
  tableFromKey(key) {
    const kind = exportOfKey(key);
    return kind && TABLE_OF[kind];
  },
  tableFromHeader(fields) {
    const kind = exportOfHeader(fields);
    return kind && TABLE_OF[kind];
  },
  unrecognised: 'neither the file name nor the header tells which Stripe export this is (payments, invoices, subscriptions or customers)',
  open(table, context) {
    requireCsv(context, 'Stripe');
    const kind = exportOfKey(context.file) ?? exportOfHeader(context.fields);
    if (kind === undefined) throw new ExportFormatError(context.file, context.headerLine, stripePreset.unrecognised);
    return MAPPERS[kind](context, table);
  },
};
