// What every format reader yields: records of raw text fields with the line they start on and
// their original text, so a rejected record can be stored whole and found in the export.
// Fields are addressed by position, not by name, so the CSV path hands its tokenizer's cell
// arrays through without building an object per row.
import type { Rejection } from './rowSchema.ts';

export type ExportFormat = 'csv' | 'jsonl';

export interface SourceRecord {
  /** 1-based line where the record starts. */
  line: number;
  /** The record's original text without its terminator. */
  raw: string;
  /** Raw text of each field, by position in the export's FieldNames; undefined when absent. */
  cells: readonly (string | undefined)[];
  /** Set by the reader when the record cannot be read at all (wrong field count, not JSON). */
  problem?: Rejection;
  /** Positions of cells holding a JSON object or array (as its JSON text): never a value of a canonical column. */
  nested?: number[];
}

/**
 * A rejection when a field the preset reads holds a JSON object or array: its JSON text would
 * otherwise land as an id or a name. Fields nobody reads may hold anything.
 */
export function nestedValueProblem(record: SourceRecord, fields: FieldNames, reads: ReadonlySet<string>): Rejection | undefined {
  for (const position of record.nested ?? []) {
    const name = fields.nameAt(position);
    if (name !== undefined && reads.has(name)) {
      return { field: name, value: record.cells[position] ?? '', rule: 'nested_value', message: `${name} is a JSON object or array, not a single value` };
    }
  }
  return undefined;
}

/** Field names compare case-insensitively and without surrounding spaces, as headers vary. */
export function fieldKey(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * The names of an export's fields, each with a stable position in SourceRecord.cells. A CSV
 * header fixes them up front; JSON Lines adds names as keys appear. Asking for a name the export
 * has not (yet) used reserves a position, whose cell stays undefined until a record has it.
 */
export class FieldNames {
  private readonly positions = new Map<string, number>();
  private readonly declared = new Set<string>();
  private next = 0;

  /** Names a header gives more than once (blank ones aside), with the 1-based columns of the first two. */
  private readonly repeats = new Map<string, { name: string; columns: [number, number] }>();

  /** Names as read from a header, in order; of a repeated name the first column holds the position. */
  static fromHeader(names: readonly string[]): FieldNames {
    const fields = new FieldNames();
    for (const name of names) {
      const key = fieldKey(name);
      const first = fields.positions.get(key);
      if (first === undefined) {
        fields.positions.set(key, fields.next);
        fields.declared.add(key);
      } else if (key !== '' && !fields.repeats.has(key)) {
        fields.repeats.set(key, { name: name.trim(), columns: [first + 1, fields.next + 1] });
      }
      fields.next++;
    }
    return fields;
  }

  /**
   * The first of `keys` the header names twice: reading it would silently ignore the other
   * column. Repeated columns nobody reads are harmless.
   */
  repeatedAmong(keys: ReadonlySet<string>): { name: string; columns: [number, number] } | undefined {
    for (const [key, repeat] of this.repeats) if (keys.has(key)) return repeat;
    return undefined;
  }

  /** Position of a field, reserving one when the export has not named it. */
  positionOf(name: string): number {
    const key = fieldKey(name);
    let position = this.positions.get(key);
    if (position === undefined) {
      position = this.next++;
      this.positions.set(key, position);
    }
    return position;
  }

  /** A reader met this name in the export; returns its position. */
  declare(name: string): number {
    this.declared.add(fieldKey(name));
    return this.positionOf(name);
  }

  /** The key (see fieldKey) of the field at a position. */
  nameAt(position: number): string | undefined {
    for (const [key, at] of this.positions) if (at === position) return key;
    return undefined;
  }

  /** Whether the export itself names this field (not merely asked for). */
  has(name: string): boolean {
    return this.declared.has(fieldKey(name));
  }

  /** The first of `names` the export has, or undefined. */
  firstOf(names: readonly string[]): string | undefined {
    return names.find((n) => this.has(n));
  }

  /** Names the export uses, in the order they appeared. */
  get names(): readonly string[] {
    return [...this.declared];
  }
}

/** An open export, as every format reader presents it. */
export interface ExportReader {
  readonly fields: FieldNames;
  /** The header record of formats that have one; undefined for JSON Lines and empty files. */
  readonly header: { line: number; names: readonly string[] } | undefined;
  readonly batches: AsyncIterable<SourceRecord[]>;
  /** Stop reading (after a look at the header, or a failure) and release the storage stream. */
  close(): Promise<void>;
}

/** JSON Lines by extension (`.jsonl`, `.ndjson`, either with `.gz`); everything else is CSV. */
export function formatOfExport(key: string): ExportFormat {
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(key) ? 'jsonl' : 'csv';
}
