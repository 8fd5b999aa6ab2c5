// The canonical tables, declared once. Row validation (ingest), the Parquet/DuckDB column
// types and (in infra) the Glue tables are all derived from these declarations.

export type ColumnType =
  | 'id' // non-empty text key
  | 'text' // free text
  | 'timestamp' // an instant, stored as UTC TIMESTAMP
  | 'date' // a civil date
  | 'money' // exact amount, DECIMAL(18,4)
  | 'currency' // ISO 4217 alphabetic code
  | 'rate' // positive exact ratio, DECIMAL(18,10)
  | 'enum';

export interface ColumnDef {
  name: string;
  type: ColumnType;
  required: boolean;
  description: string;
  /** Allowed values for enum columns. */
  values?: readonly string[];
}

export interface PartitionDef {
  /** Name of the partition column in the lake path (`<name>=YYYY-MM`). */
  name: string;
  /** Column whose calendar month (UTC) decides the partition. */
  source: string;
}

export interface TableDef {
  name: TableName;
  description: string;
  columns: readonly ColumnDef[];
  /** Columns that identify a row: later rows with the same key replace earlier ones. */
  key: readonly string[];
  partition?: PartitionDef;
  /** Whether the weekly job can run without this table. */
  optional: boolean;
}

/** Decimal places kept for fx rates (KRW->USD needs at least 8). */
export const RATE_SCALE = 10;

export const ORDER_STATUSES = ['paid', 'pending', 'cancelled'] as const;

const customers: TableDef = {
  name: 'customers',
  description: 'One row per customer; no names or e-mail addresses are kept.',
  key: ['customer_id'],
  optional: true,
  columns: [
    { name: 'customer_id', type: 'id', required: true, description: 'Stable customer key shared with orders and subscriptions.' },
    { name: 'signup_at', type: 'timestamp', required: false, description: 'Sign-up instant; when empty, the first paid order counts.' },
    { name: 'acquisition_channel', type: 'text', required: false, description: 'Marketing channel that acquired the customer.' },
    { name: 'country', type: 'text', required: false, description: 'Country code or name as exported.' },
  ],
};

const orders: TableDef = {
  name: 'orders',
  description: 'One row per order; net revenue = amount - refunded_amount of non-cancelled orders.',
  key: ['order_id'],
  optional: false,
  partition: { name: 'order_month', source: 'ordered_at' },
  columns: [
    { name: 'order_id', type: 'id', required: true, description: 'Order key, unique across exports.' },
    { name: 'customer_id', type: 'id', required: true, description: 'Customer who placed the order.' },
    { name: 'ordered_at', type: 'timestamp', required: true, description: 'When the order was placed (UTC).' },
    { name: 'amount', type: 'money', required: true, description: 'Gross order amount in `currency`.' },
    { name: 'refunded_amount', type: 'money', required: false, description: 'Amount refunded so far (0 when empty).' },
    { name: 'currency', type: 'currency', required: true, description: 'ISO 4217 code of both amounts.' },
    { name: 'status', type: 'enum', values: ORDER_STATUSES, required: true, description: 'paid, pending or cancelled.' },
  ],
};

const subscriptions: TableDef = {
  name: 'subscriptions',
  description: 'One row per subscription (contractual business); optional.',
  key: ['subscription_id'],
  optional: true,
  columns: [
    { name: 'subscription_id', type: 'id', required: true, description: 'Subscription key.' },
    { name: 'customer_id', type: 'id', required: true, description: 'Subscribing customer.' },
    { name: 'plan', type: 'text', required: false, description: 'Plan name as exported.' },
    { name: 'mrr', type: 'money', required: true, description: 'Monthly-normalised recurring revenue (annual / 12).' },
    { name: 'currency', type: 'currency', required: true, description: 'ISO 4217 code of mrr.' },
    { name: 'started_at', type: 'timestamp', required: true, description: 'Start of the subscription (UTC).' },
    { name: 'ended_at', type: 'timestamp', required: false, description: 'End (UTC); empty while active.' },
  ],
};

const marketingSpend: TableDef = {
  name: 'marketing_spend',
  description: 'Acquisition spend per day and channel; optional (CAC needs it).',
  key: ['spend_date', 'channel', 'currency'],
  optional: true,
  columns: [
    { name: 'spend_date', type: 'date', required: true, description: 'Day of the spend.' },
    { name: 'channel', type: 'id', required: true, description: 'Channel name, matched to customers.acquisition_channel.' },
    { name: 'amount', type: 'money', required: true, description: 'Spend in `currency`.' },
    { name: 'currency', type: 'currency', required: true, description: 'ISO 4217 code of amount.' },
  ],
};

const fxRates: TableDef = {
  name: 'fx_rates',
  description: 'Daily conversion rates: 1 unit of from_currency = rate units of to_currency.',
  key: ['rate_date', 'from_currency', 'to_currency'],
  optional: true,
  columns: [
    { name: 'rate_date', type: 'date', required: true, description: 'Day the rate applies to.' },
    { name: 'from_currency', type: 'currency', required: true, description: 'Currency converted from.' },
    { name: 'to_currency', type: 'currency', required: true, description: 'Currency converted to.' },
    { name: 'rate', type: 'rate', required: true, description: 'Units of to_currency per unit of from_currency.' },
  ],
};

export type TableName = 'customers' | 'orders' | 'subscriptions' | 'marketing_spend' | 'fx_rates';

export const TABLES: Readonly<Record<TableName, TableDef>> = {
  customers,
  orders,
  subscriptions,
  marketing_spend: marketingSpend,
  fx_rates: fxRates,
};

export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

/** Lineage columns every lake row carries, so an analyst can find the export line it came from. */
export const LINEAGE_COLUMNS = [
  { name: 'source_key', sqlType: 'VARCHAR', description: 'Storage key of the export the row came from.' },
  { name: 'source_line', sqlType: 'BIGINT', description: 'Line of the export where the record starts.' },
] as const;

export function isTableName(name: string): name is TableName {
  return Object.hasOwn(TABLES, name);
}

/** SQL type of a column in the lake (DuckDB and Trino spell these the same way). */
export function sqlTypeOf(type: ColumnType): string {
  switch (type) {
    case 'id':
    case 'text':
    case 'currency':
    case 'enum':
      return 'VARCHAR';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'date':
      return 'DATE';
    case 'money':
      return 'DECIMAL(18,4)';
    case 'rate':
      return `DECIMAL(18,${RATE_SCALE})`;
  }
}
