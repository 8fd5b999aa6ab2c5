// Shopify's orders CSV export (docs/ingest-presets.md). It has one row per line item: the
// order-level fields (Financial Status, Total, Created at, Email, ...) are filled on the first
// row of each order only, and the further rows repeat just the order's Name. Each order becomes
// one canonical row; every record is still accounted for: a further line item is accepted as
// part of its order, or rejected with its order's reason, so rows read = accepted + rejected.
//
// The export has no customer id. The customer key is a keyed hash (HMAC-SHA-256 with the
// configured salt) of the trimmed, lower-cased e-mail address, prefixed `shopify:`: stable
// across exports, and the address itself is never stored.
import { createHmac } from 'node:crypto';
import type { ORDER_STATUSES } from '../../schema/tables.ts';
import type { SourceRecord } from '../sourceRecord.ts';
import { rowValidator, type Rejection } from '../rowSchema.ts';
import { baseNameOf } from '../tableOfExport.ts';
import { cellAt, requireCsv, resolveColumns, type Preset, type RecordOutcome } from './preset.ts';

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
} as const;

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

/** The pseudonymous customer key of an e-mail address; '' for no address. */
export function shopifyCustomerKey(email: string, salt: string): string {
  const normalised = email.trim().toLowerCase();
  if (normalised === '') return '';
  return `shopify:${createHmac('sha256', salt).update(normalised).digest('hex')}`;
}

export const shopifyPreset: Preset = {
  name: 'shopify',
  tableFromKey: (key) => (baseNameOf(key).includes('order') ? 'orders' : undefined),
  tableFromHeader: (fields) => (fields.has('Financial Status') && fields.has('Name') ? 'orders' : undefined),
  unrecognised: 'neither the file name nor the header says this is a Shopify orders export',
  open(table, context) {
    requireCsv(context, 'Shopify');
    const { positions: p, reads } = resolveColumns(context, 'a Shopify orders export', COLUMNS);
    const validator = rowValidator(table, context.row);
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
        customer_id: shopifyCustomerKey(cellAt(cells, p.email), context.customerKeySalt),
        ordered_at: cellAt(cells, p.createdAt),
        amount: cellAt(cells, p.total),
        refunded_amount: cellAt(cells, p.refunded),
        currency: cellAt(cells, p.currency),
        status,
      });
    };

    return {
      reads,
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
