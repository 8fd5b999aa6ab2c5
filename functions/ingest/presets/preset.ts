// A preset turns the records of one kind of export (canonical, a Stripe or Shopify export, a
// user's mapping file) into canonical rows. It only maps: the table's row validator still
// decides whether each row is accepted, so every preset obeys the same rules.
import type { TableName } from '../../schema/tables.ts';
import type { ObjectStore } from '../../storage/objectStore.ts';
import type { Manifest } from '../manifest.ts';
import { fieldKey, type ExportFormat, type FieldNames, type SourceRecord } from '../sourceRecord.ts';
import { ExportFormatError } from '../exportText.ts';
import { parseTimestamp } from '../parseTimestamp.ts';
import type { CanonicalRow, Rejection, RowContext } from '../rowSchema.ts';
import { timestampReader } from '../timestampFormat.ts';

export const PRESET_NAMES = ['canonical', 'stripe', 'shopify'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * Why a record that is no data error is still not a row (docs/ingest-presets.md):
 * a payment attempt that never became a charge, or an invoice whose payment another export
 * of the same run already counts.
 */
export const LEFT_OUT_REASONS = {
  not_a_purchase: 'payment attempts that never became a charge',
  counted_in_payments: 'invoices already counted by their payment in a payments export',
} as const;
export type LeftOutReason = keyof typeof LEFT_OUT_REASONS;

/** What became of one source record; every record ends up accepted, rejected or left out. */
export type RecordOutcome =
  /** Accepted as one canonical row. */
  | { row: CanonicalRow }
  /** Accepted as part of the row that starts on line `partOf` (a Shopify order's further line items). */
  | { partOf: number }
  | { rejection: Rejection }
  | { leftOut: LeftOutReason };

export interface RecordMapper {
  map(record: SourceRecord): RecordOutcome;
  /** Keys (see fieldKey) of the fields it reads; the export's other fields are listed as ignored. */
  readonly reads: ReadonlySet<string>;
  /** Positions of fields holding personal data, masked in the rejects file (personalPositions). */
  readonly personal?: ReadonlySet<number>;
}

export interface PresetContext {
  /** The export's key, for error messages. */
  file: string;
  format: ExportFormat;
  fields: FieldNames;
  /** Line of the header record, for formats that have one and when the export is not empty. */
  headerLine: number | undefined;
  row: RowContext;
  /** Key for the pseudonymous customer ids presets derive from e-mail addresses and phone numbers. */
  customerKeySalt: string;
  /** exports.dateFormat: how timestamps read when they are not as the export writes them. */
  dateFormat?: string;
}

/** Presets that keep customers apart by a salted hash need the salt; without it the CLI warns. */
export const HASHING_PRESETS: ReadonlySet<PresetName> = new Set(['stripe', 'shopify']);

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
  /**
   * For presets whose exports depend on each other (Stripe's payments and invoices): the preset
   * as one run uses it, having read what earlier runs left in the lake.
   */
  forRun?(lake: ObjectStore): Promise<PresetRun>;
}

/** A preset within one ingest run, for exports that depend on each other. */
export interface PresetRun extends Preset {
  /** Exports of one table are read by rank (lower first), then in delivery order. */
  rank(key: string): number;
  /**
   * Exports the lake holds that this run must read again, since the run's exports change what
   * they hold (a new payments export leaves out the invoices it paid), with the reason.
   */
  readAgain(keys: readonly string[], manifests: readonly Manifest[]): { key: string; reason: string }[];
  /** An export of the run is about to land: keeps what later runs need, before its manifest. */
  landing(lake: ObjectStore, manifest: Manifest): Promise<void>;
  /** An export of the run failed, so none of its rows land: what it taught the run is void. */
  failed(key: string): void;
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

/** The first of the texts that is not blank, trimmed; '' when all are. */
export function firstFilled(texts: readonly string[]): string {
  for (const text of texts) if (text.trim() !== '') return text.trim();
  return '';
}

/**
 * Vendor exports carry names, e-mail addresses, postal addresses, phone numbers and card
 * holders next to the columns presets read. Their rejects file keeps line, field and rule but
 * masks these (docs/ingest-presets.md), so a rejects file is no copy of the customer list.
 * `keep` names columns that match but are no personal data (a Shopify order's Name is #1001).
 */
const PERSONAL = /e-?mail|name|address|street|phone|zip|postal|city|company|description|note|card|billing|shipping (?!method)/;

export function personalPositions(fields: FieldNames, keep: readonly string[] = []): ReadonlySet<number> {
  const kept = new Set(keep.map(fieldKey));
  return new Set(fields.names.filter((n) => PERSONAL.test(n) && !kept.has(n)).map((n) => fields.positionOf(n)));
}

/**
 * A timestamp cell as the row validator reads it: as the export wrote it when that reads,
 * otherwise read in exports.dateFormat (a spreadsheet re-saves `2025-12-25 20:18` as
 * `12/25/25 20:18`) and written back as ISO. `zone` is where wall times without an offset are.
 */
export function timestampCells(context: PresetContext, zone: string): (text: string) => string {
  const { dateFormat } = context;
  if (dateFormat === undefined) return (text) => text;
  const read = timestampReader(dateFormat, zone);
  return (text) => {
    if (text.trim() === '' || parseTimestamp(text, zone) !== null) return text;
    const ms = read(text);
    return ms === null ? text : new Date(ms).toISOString();
  };
}
