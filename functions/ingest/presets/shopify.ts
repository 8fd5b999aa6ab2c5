// Shopify's orders and customers CSV exports (docs/ingest-presets.md). The orders export has one row per line item: the
// order-level fields (Financial Status, Total, Created at, Email, ...) are filled on the first
// row of each order only, and the further rows repeat just the order's Name. Each order becomes
// one canonical row; every record is still accounted for: a further line item is accepted as
// part of its order, or rejected with its order's reason, so rows read = accepted + rejected.
//
// Neither export has a customer id that orders and customers share. The customer key is the
// salted hash of the e-mail address, or of the phone number when there is no address
// (customerKey.ts): stable across exports, and neither is ever stored.
import type { ORDER_STATUSES, TableName } from '../../schema/tables.ts';
import type { FieldNames, SourceRecord } from '../sourceRecord.ts';
import { ExportFormatError } from '../exportText.ts';
import { rowValidator, type Rejection } from '../rowSchema.ts';
import { baseNameOf } from '../tableOfExport.ts';
import { emailCustomerKey, phoneCustomerKey } from './customerKey.ts';
import { cellAt, firstFilled, personalPositions, requireCsv, resolveColumns, timestampCells, type Preset, type PresetContext, type RecordMapper, type RecordOutcome } from './preset.ts';

type OrderStatus = (typeof ORDER_STATUSES)[number];

const COLUMNS = {
  name: { names: ['Name'], required: true },
  id: { names: ['Id'] },
  email: { names: ['Email'], required: true },
  financialStatus: { names: ['Financial Status'], required: true },
  currency: { names: ['Currency'], required: true },
  total: { names: ['Total'], required: true },
  refunded: { names: ['Refunded Amount'] },
  createdAt: { names: ['Created at'], required: true },
  cancelledAt: { names: ['Cancelled at'] },
  phone: { names: ['Phone'] },
  billingPhone: { names: ['Billing Phone'] },
  shippingPhone: { names: ['Shipping Phone'] },
} as const;

const CUSTOMER_COLUMNS = {
  email: { names: ['Email'] },
  phone: { names: ['Phone'] },
  addressPhone: { names: ['Default Address Phone'] },
  /** A customer is keyed by one of them, as orders are. */
  contact: { names: ['Email', 'Phone', 'Default Address Phone'], required: true },
  country: { names: ['Default Address Country Code', 'Country Code'] },
  countryName: { names: ['Default Address Country', 'Country'] },
  created: { names: ['Created at', 'Created At'] },
  tags: { names: ['Tags'] },
} as const;

/**
 * The export has no acquisition channel; shops that know it tag customers `channel:<name>`
 * (docs/ingest-presets.md). The first such tag counts.
 */
function channelOfTags(tags: string): string {
  for (const tag of tags.split(',')) {
    const m = /^\s*channel:\s*(.+?)\s*$/i.exec(tag);
    if (m) return m[1]!;
  }
  return '';
}

/** Refunded orders stay paid (refunded_amount carries the refund); voided ones never brought money. */
const FINANCIAL_STATUS: Record<string, OrderStatus> = {
  paid: 'paid',
  partially_refunded: 'paid',
  refunded: 'paid',
  pending: 'pending',
  authorized: 'pending',
  partially_paid: 'pending',
  unpaid: 'pending',
  voided: 'cancelled',
  expired: 'cancelled',
};

/** The key of the e-mail address, or else of the first phone number given; '' for neither. */
function customerKeyOf(email: string, phones: readonly string[], salt: string): string {
  return emailCustomerKey('shopify', email, salt) || phoneCustomerKey('shopify', firstFilled(phones), salt);
}

function tableFromHeader(fields: FieldNames): TableName | undefined {
  if (fields.has('Financial Status') && fields.has('Name')) return 'orders';
  if (fields.has('Total Spent') && fields.has('Total Orders')) return 'customers';
  return undefined;
}

/** The customers export (Admin → Customers → Export): one row per customer. */
function customersMapper(context: PresetContext, table: TableName): RecordMapper {
  const { positions: p, reads } = resolveColumns(context, 'a Shopify customers export', CUSTOMER_COLUMNS);
  const validator = rowValidator(table, context.row);
  const timestamp = timestampCells(context, context.row.sourceTimeZone);
  return {
    reads,
    personal: personalPositions(context.fields),
    map({ cells }) {
      return validator.validate({
        customer_id: customerKeyOf(cellAt(cells, p.email), [cellAt(cells, p.phone), cellAt(cells, p.addressPhone)], context.customerKeySalt),
        signup_at: timestamp(cellAt(cells, p.created)),
        acquisition_channel: channelOfTags(cellAt(cells, p.tags)),
        country: firstFilled([cellAt(cells, p.country), cellAt(cells, p.countryName)]),
      });
    },
  };
}

export const shopifyPreset: Preset = {
  name: 'shopify',
  tableFromKey(key) {
    const base = baseNameOf(key);
    if (base.includes('order')) return 'orders';
    if (base.includes('customer')) return 'customers';
    return undefined;
  },
  tableFromHeader,
  unrecognised: 'neither the file name nor the header says this is a Shopify orders or customers export',
  open(table, context) {
    requireCsv(context, 'Shopify');
    if (table === 'customers') return customersMapper(context, table);
    if (table !== 'orders') throw new ExportFormatError(context.file, context.headerLine, `the shopify preset reads orders and customers exports, not ${table}`);
    const { positions: p, reads } = resolveColumns(context, 'a Shopify orders export', COLUMNS);
    const validator = rowValidator(table, context.row);
    const timestamp = timestampCells(context, context.row.sourceTimeZone);
    const known = Object.keys(FINANCIAL_STATUS).join(', ');
    /** The order whose line items may follow: its Name, first line and outcome. */
    let order: { name: string; line: number; outcome: RecordOutcome } | undefined;

    const firstRow = ({ cells }: SourceRecord): RecordOutcome => {
      const financial = cellAt(cells, p.financialStatus);
      let status = FINANCIAL_STATUS[financial.trim().toLowerCase().replaceAll(' ', '_')];
      if (status === undefined) {
        return { rejection: { field: 'Financial Status', value: financial, rule: 'not_allowed', message: `Shopify financial status "${financial}" is not one of ${known}` } };
      }
      if (cellAt(cells, p.cancelledAt).trim() !== '') status = 'cancelled';
      return validator.validate({
        order_id: cellAt(cells, p.id).trim() || cellAt(cells, p.name),
        customer_id: customerKeyOf(
          cellAt(cells, p.email),
          [cellAt(cells, p.phone), cellAt(cells, p.billingPhone), cellAt(cells, p.shippingPhone)],
          context.customerKeySalt,
        ),
        ordered_at: timestamp(cellAt(cells, p.createdAt)),
        amount: cellAt(cells, p.total),
        refunded_amount: cellAt(cells, p.refunded),
        currency: cellAt(cells, p.currency),
        status,
      });
    };

    return {
      reads,
      personal: personalPositions(context.fields, ['Name', 'Lineitem name']),
      map(record) {
        const name = cellAt(record.cells, p.name).trim();
        // Order-level fields are empty on an order's further line items.
        if (cellAt(record.cells, p.financialStatus).trim() !== '') {
          const outcome = firstRow(record);
          order = { name, line: record.line, outcome };
          return outcome;
        }
        if (order === undefined || name !== order.name) {
          const rejection: Rejection = {
            field: 'Name',
            value: name,
            rule: 'orphan_line_item',
            message: `a line item of order ${name || '(no name)'} that does not follow its order's first row (the row with its Financial Status)`,
          };
          return { rejection };
        }
        const first = order.outcome;
        if ('rejection' in first) {
          return { rejection: { ...first.rejection, message: `${first.rejection.message} (line item of order ${name}, rejected on line ${order.line})` } };
        }
        return { partOf: order.line };
      },
    };
  },
};
