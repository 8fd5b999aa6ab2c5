// Stripe Dashboard CSV exports: payments (charges), invoices, subscriptions and customers
// (docs/ingest-presets.md). Stripe writes amounts in major units with a decimal point
// ("19.99"), timestamps as "2026-11-02 14:03" in UTC whatever the account's time zone, and
// currencies in lower case. Columns are found by name in any order. E-mail addresses are read
// only to key guest payments (customerKey.ts) and never stored; names are never read, and the
// rejects file masks both.
import { formatMoneyDecimal, parseMoney } from '../../money/decimal.ts';
import type { ORDER_STATUSES, TableName } from '../../schema/tables.ts';
import type { FieldNames, SourceRecord } from '../sourceRecord.ts';
import { ExportFormatError } from '../exportText.ts';
import { rowValidator, type Rejection } from '../rowSchema.ts';
import { baseNameOf } from '../tableOfExport.ts';
import { emailCustomerKey } from './customerKey.ts';
import {
  cellAt,
  firstFilled,
  personalPositions,
  requireCsv,
  resolveColumns,
  timestampCells,
  type Preset,
  type PresetContext,
  type RecordMapper,
  type RecordOutcome,
  type Wanted,
} from './preset.ts';
import { ChargedInvoices } from './stripeOverlap.ts';

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
  customer: { names: ['Customer ID', 'Customer'] },
  email: { names: ['Customer Email'] },
  /** A payment needs one of them: guest checkouts have only the e-mail. */
  someCustomer: { names: ['Customer ID', 'Customer', 'Customer Email'], required: true },
  invoice: { names: ['Invoice ID', 'Invoice'] },
  charge: { names: ['Charge ID', 'Latest Charge'] },
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
  charge: { names: ['Charge'] },
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
  country: { names: ['Address Country', 'Country'] },
  shippingCountry: { names: ['Shipping Address Country'] },
  cardCountry: { names: ['Card Address Country'] },
  cardIssueCountry: { names: ['Card Issue Country'] },
} satisfies Record<string, Wanted>;

/**
 * Payment attempts that never became a charge: no money moved and nothing failed to move, so
 * they are no order and no data error (left out as not_a_purchase). A canceled payment is one
 * of them when it has no charge.
 */
const ATTEMPT_STATUSES = new Set(['requires payment method', 'requires confirmation', 'requires action', 'processing']);
const CHARGE_ID = /^(ch|py)_/;

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

/** Stripe writes a customer's id when the payment has a customer; a guest checkout has only the e-mail. */
function customerOf(cells: readonly (string | undefined)[], id: number | undefined, email: number | undefined, salt: string): string {
  return cellAt(cells, id).trim() || emailCustomerKey('stripe', cellAt(cells, email), salt);
}

function paymentsMapper(context: PresetContext, table: TableName, charged: ChargedInvoices): RecordMapper {
  const { positions: p, reads } = resolveColumns(context, 'a Stripe payments export', PAYMENT_COLUMNS);
  const validator = rowValidator(table, { ...context.row, sourceTimeZone: 'UTC' });
  const timestamp = timestampCells(context, 'UTC');
  const known = Object.keys(PAYMENT_STATUS).join(', ');
  charged.begin(context.file);
  return {
    reads,
    personal: personalPositions(context.fields),
    map({ cells }: SourceRecord): RecordOutcome {
      const statusText = cellAt(cells, p.status);
      const id = cellAt(cells, p.id).trim();
      const chargeId = cellAt(cells, p.charge).trim() || (CHARGE_ID.test(id) ? id : '');
      const key = statusKey(statusText);
      if (ATTEMPT_STATUSES.has(key) || (key === 'canceled' && chargeId === '')) return { leftOut: 'not_a_purchase' };
      let status = PAYMENT_STATUS[key];
      if (status === undefined) return rejection('Status', statusText, 'not_allowed', `Stripe payment status "${statusText}" is not one of ${known}`);
      // An authorised charge that was never captured has not brought money in.
      if (status === 'paid' && cellAt(cells, p.captured).trim().toLowerCase() === 'false') status = 'pending';
      const outcome = validator.validate({
        order_id: id,
        customer_id: customerOf(cells, p.customer, p.email, context.customerKeySalt),
        ordered_at: timestamp(cellAt(cells, p.created)),
        amount: amountText(cellAt(cells, p.amount)),
        refunded_amount: amountText(cellAt(cells, p.refunded)),
        currency: cellAt(cells, p.currency),
        status,
      });
      if (status === 'paid' && 'row' in outcome) charged.add(context.file, chargeId, cellAt(cells, p.invoice).trim());
      return outcome;
    },
  };
}

function invoicesMapper(context: PresetContext, table: TableName, charged: ChargedInvoices): RecordMapper {
  const { positions: p, reads } = resolveColumns(context, 'a Stripe invoices export', INVOICE_COLUMNS);
  const validator = rowValidator(table, { ...context.row, sourceTimeZone: 'UTC' });
  const timestamp = timestampCells(context, 'UTC');
  const known = Object.keys(INVOICE_STATUS).join(', ');
  return {
    reads,
    personal: personalPositions(context.fields),
    map({ cells }: SourceRecord): RecordOutcome {
      if (charged.countedBy(cellAt(cells, p.id).trim(), cellAt(cells, p.charge).trim()) !== undefined) return { leftOut: 'counted_in_payments' };
      const statusText = cellAt(cells, p.status);
      const status = INVOICE_STATUS[statusKey(statusText)];
      if (status === undefined) return rejection('Status', statusText, 'not_allowed', `Stripe invoice status "${statusText}" is not one of ${known}`);
      // What a paid invoice brought in is Amount Paid: Total also counts credit balance applied.
      const amount = status === 'paid' && p.paid !== undefined ? cellAt(cells, p.paid) : cellAt(cells, p.total);
      return validator.validate({
        order_id: cellAt(cells, p.id),
        customer_id: cellAt(cells, p.customer),
        ordered_at: timestamp(cellAt(cells, p.date)),
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
  const noEnd = p.canceledAt === undefined && p.endedAt === undefined;
  if (noEnd && p.status === undefined) {
    throw new ExportFormatError(context.file, context.headerLine, 'the export has neither Status nor Canceled At or Ended At, so ended subscriptions cannot be told from active ones: export the subscriptions again with those columns');
  }
  const validator = rowValidator(table, { ...context.row, sourceTimeZone: 'UTC' });
  const timestamp = timestampCells(context, 'UTC');
  return {
    reads,
    personal: personalPositions(context.fields),
    map({ cells, line }: SourceRecord): RecordOutcome {
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
      const start = timestamp(cellAt(cells, p.start));
      const status = statusKey(cellAt(cells, p.status));
      let end = timestamp(cellAt(cells, p.endedAt));
      if (end.trim() === '' && status === 'canceled') end = timestamp(cellAt(cells, p.canceledAt));
      // Never paid for: active for no time at all, so it counts towards no customer and no MRR.
      if (status === 'incomplete' || status === 'incomplete expired') end = start;
      // Without an end a canceled subscription would stay active, with its MRR, for ever.
      if (status === 'canceled' && end.trim() === '') {
        if (noEnd) {
          throw new ExportFormatError(context.file, line, `subscription ${cellAt(cells, p.id)} is canceled, but the export has neither Canceled At nor Ended At, so when it ended is unknown: export the subscriptions again with those columns`);
        }
        return rejection(p.endedAt !== undefined ? 'Ended At (UTC)' : 'Canceled At (UTC)', '', 'required', 'a canceled subscription needs the time it ended (Ended At or Canceled At)');
      }
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
  const timestamp = timestampCells(context, 'UTC');
  return {
    reads,
    personal: personalPositions(context.fields),
    map({ cells }: SourceRecord) {
      return validator.validate({
        customer_id: cellAt(cells, p.id),
        signup_at: timestamp(cellAt(cells, p.created)),
        acquisition_channel: cellAt(cells, p.channel),
        // Dashboards leave the address country empty for most customers; the card's is the next best.
        country: firstFilled([p.country, p.shippingCountry, p.cardCountry, p.cardIssueCountry].map((at) => cellAt(cells, at))),
      });
    },
  };
}

function openExport(table: TableName, context: PresetContext, charged: ChargedInvoices): RecordMapper {
  requireCsv(context, 'Stripe');
  const kind = exportOfKey(context.file) ?? exportOfHeader(context.fields);
  if (kind === undefined) throw new ExportFormatError(context.file, context.headerLine, stripePreset.unrecognised);
  switch (kind) {
    case 'payments':
      return paymentsMapper(context, table, charged);
    case 'invoices':
      return invoicesMapper(context, table, charged);
    case 'subscriptions':
      return subscriptionsMapper(context, table);
    case 'customers':
      return customersMapper(context, table);
  }
}

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
  /** Without a run, each export stands alone: no invoice is known to be paid by a charge. */
  open: (table, context) => openExport(table, context, new ChargedInvoices()),
  async forRun(lake) {
    const charged = await ChargedInvoices.load(lake);
    return {
      ...stripePreset,
      open: (table, context) => openExport(table, context, charged),
      // Payments first, so the invoices they paid are known when the invoices export is read.
      rank: (key) => (exportOfKey(key) === 'invoices' ? 1 : 0),
      readAgain(keys, manifests) {
        if (!keys.some((key) => exportOfKey(key) === 'payments')) return [];
        const reading = new Set(keys);
        return manifests
          .filter((m) => m.preset === 'stripe' && m.table === 'orders' && exportOfKey(m.sourceKey) === 'invoices' && !reading.has(m.sourceKey))
          .map((m) => ({ key: m.sourceKey, reason: 'read again: invoices the new payments export paid count once, as payments' }));
      },
      landing: (store, manifest) => charged.save(store, manifest),
      failed: (key) => charged.forget(key),
    };
  },
};
