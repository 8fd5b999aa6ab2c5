// A preset turns the records of one kind of export (canonical, a Stripe or Shopify export, a
// user's mapping file) into canonical rows. It only maps: the table's row validator still
// decides whether each row is accepted, so every preset obeys the same rules.
import type { TableName } from '../../schema/tables.ts';
import { fieldKey, type ExportFormat, type FieldNames, type SourceRecord } from '../sourceRecord.ts';
import { ExportFormatError } from '../exportText.ts';
import type { CanonicalRow, Rejection, RowContext } from '../rowSchema.ts';

export const PRESET_NAMES = ['canonical', 'stripe', 'shopify'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** What became of one source record; every record ends up accepted or rejected. */
export type RecordOutcome =
  /** Accepted as one canonical row. */
  | { row: CanonicalRow }
  /** Accepted as part of the row that starts on line `partOf` (a Shopify order's further line items). */
  | { partOf: number }
  | { rejection: Rejection };

export interface RecordMapper {
  map(record: SourceRecord): RecordOutcome;
  /** Keys (see fieldKey) of the fields it reads; the export's other fields are listed as ignored. */
  readonly reads: ReadonlySet<string>;
}

export interface PresetContext {
  /** The export's key, for error messages. */
  file: string;
  format: ExportFormat;
  fields: FieldNames;
  /** Line of the header record, for formats that have one and when the export is not empty. */
  headerLine: number | undefined;
  row: RowContext;
  /** Key for the pseudonymous customer ids presets derive from e-mail addresses. */
  customerKeySalt: string;
}

export interface Preset {
  /** Recorded in each manifest. */
  readonly name: PresetName | 'mapping';
  /** The table an export feeds, judged from its key; undefined when the key cannot tell. */
  tableFromKey(key: string): TableName | undefined;
  /** The table judged from the header, asked only when the key could not tell. */
  tableFromHeader?(fields: FieldNames): TableName | undefined;
  /** Why an export whose table could not be told is skipped. */
  readonly unrecognised: string;
  /** Prepares one export; throws ExportFormatError when it lacks what the preset needs. */
  open(table: TableName, context: PresetContext): RecordMapper;
}

/** A source column the preset wants, under any of the names exports give it. */
export interface Wanted {
  readonly names: readonly string[];
  readonly required?: boolean;
}

/**
 * The position of each wanted column in the export (the first of its names the header has), or
 * an ExportFormatError listing the required ones it lacks. `what` names the expected export.
 */
export function resolveColumns<K extends string>(
  context: PresetContext,
  what: string,
  wanted: Readonly<Record<K, Wanted>>,
): { positions: Record<K, number | undefined>; reads: Set<string> } {
  const { fields } = context;
  const positions = {} as Record<K, number | undefined>;
  const reads = new Set<string>();
  const missing: string[] = [];
  for (const key of Object.keys(wanted) as K[]) {
    const { names, required } = wanted[key];
    const name = fields.firstOf(names);
    if (name === undefined) {
      if (required) missing.push(names.join(' or '));
      positions[key] = undefined;
    } else {
      positions[key] = fields.positionOf(name);
      reads.add(fieldKey(name));
    }
  }
  if (missing.length > 0) {
    throw new ExportFormatError(
      context.file,
      context.headerLine,
      `this does not look like ${what}: the header lacks ${missing.join(', ')} (found: ${fields.names.join(', ') || 'nothing'})`,
    );
  }
  return { positions, reads };
}

/** Presets written for one vendor's CSV exports cannot find their columns without a header. */
export function requireCsv(context: PresetContext, vendor: string): void {
  if (context.format !== 'csv') {
    throw new ExportFormatError(context.file, undefined, `the ${vendor.toLowerCase()} preset reads ${vendor}'s CSV exports; use --mapping for other formats`);
  }
}

/** The text of a cell, or '' when the export has no such field. */
export function cellAt(cells: readonly (string | undefined)[], position: number | undefined): string {
  return position === undefined ? '' : (cells[position] ?? '');
}
