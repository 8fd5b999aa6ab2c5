// Canonical exports (docs/ingest.md): fields already carry the canonical column names, so
// mapping is a lookup by position. This is the path large exports take, so the mapping itself
// allocates nothing per row; the validator makes the row.
import { ORDER_STATUSES, TABLE_NAMES, TABLES } from '../../schema/tables.ts';
import { ExportFormatError } from '../exportText.ts';
import { rowValidator } from '../rowSchema.ts';
import { tableOfExport } from '../tableOfExport.ts';
import type { Preset, RecordOutcome } from './preset.ts';
import { presetSuggestion } from './suggestPreset.ts';

type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Order statuses as shops, payment processors and order systems write them (docs/ingest.md,
 * "Order status"), by their lower-case name with spaces and hyphens as underscores. Refunds stay
 * paid, as money changed hands; refunded_amount says how much went back (docs/metrics.md).
 */
export const ORDER_STATUS_SYNONYMS: Readonly<Record<string, OrderStatus>> = {
  succeeded: 'paid',
  success: 'paid',
  successful: 'paid',
  complete: 'paid',
  completed: 'paid',
  captured: 'paid',
  settled: 'paid',
  approved: 'paid',
  fulfilled: 'paid',
  shipped: 'paid',
  delivered: 'paid',
  refunded: 'paid',
  partially_refunded: 'paid',
  processing: 'pending',
  authorized: 'pending',
  unpaid: 'pending',
  open: 'pending',
  on_hold: 'pending',
  awaiting_payment: 'pending',
  requires_capture: 'pending',
  partially_paid: 'pending',
  canceled: 'cancelled',
  void: 'cancelled',
  voided: 'cancelled',
  failed: 'cancelled',
  declined: 'cancelled',
  expired: 'cancelled',
  rejected: 'cancelled',
};

const CANONICAL = new Set<string>(ORDER_STATUSES);

function synonymKey(status: string): string {
  return status.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

interface OrderPositions {
  status: number;
  amount: number;
  refunded: number;
}

/**
 * An order whose status is not canonical, read with its synonym (unknown ones are left to the
 * validator's `not_allowed`). `refunded` without an amount means the whole amount went back;
 * `partially_refunded` must say how much.
 */
function withSynonym(cells: readonly (string | undefined)[], at: OrderPositions, validate: (cells: readonly (string | undefined)[]) => RecordOutcome): RecordOutcome {
  const text = cells[at.status] ?? '';
  const key = synonymKey(text);
  const status = ORDER_STATUS_SYNONYMS[key];
  if (status === undefined) return validate(cells);
  const out = [...cells];
  out[at.status] = status;
  if ((cells[at.refunded] ?? '').trim() === '') {
    if (key === 'partially_refunded') {
      return { rejection: { field: 'refunded_amount', value: '', rule: 'required', message: `refunded_amount is required when status is "${text.trim()}"` } };
    }
    if (key === 'refunded') out[at.refunded] = cells[at.amount];
  }
  return validate(out);
}

export const canonicalPreset: Preset = {
  name: 'canonical',
  tableFromKey: tableOfExport,
  unrecognised: `the file name names no table (${TABLE_NAMES.join(', ')})`,
  open(table, context) {
    const columns = TABLES[table].columns;
    if (context.headerLine !== undefined) {
      const missing = columns.filter((c) => c.required && !context.fields.has(c.name)).map((c) => c.name);
      if (missing.length > 0) {
        const found = context.fields.names.join(', ') || 'nothing';
        throw new ExportFormatError(
          context.file,
          context.headerLine,
          [`the header lacks required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for table ${table} (found: ${found})`, presetSuggestion(context.fields)]
            .filter(Boolean)
            .join('; '),
        );
      }
    }
    const validator = rowValidator(table, context.row);
    const names = columns.map((c) => c.name);
    const positions = names.map((n) => context.fields.positionOf(n));
    const reads = new Set(names);
    if (table !== 'orders') return { reads, map: (record) => validator.validateAt(record.cells, positions) };
    const at: OrderPositions = {
      status: context.fields.positionOf('status'),
      amount: context.fields.positionOf('amount'),
      refunded: context.fields.positionOf('refunded_amount'),
    };
    const validate = (cells: readonly (string | undefined)[]): RecordOutcome => validator.validateAt(cells, positions);
    return {
      reads,
      map: (record) => (CANONICAL.has(record.cells[at.status] ?? '') ? validate(record.cells) : withSynonym(record.cells, at, validate)),
    };
  },
};
