// Bounds on what one export may ask of an ingest: a hostile or broken file (a gzip bomb, a
// field of gigabytes, a megabyte pasted into a name) is refused or has its row rejected with a
// message naming the limit, instead of exhausting memory or scratch disk (docs/ingest.md).

export interface IngestLimits {
  /** Characters of one text value (a plan, a channel, a country); a longer one rejects its row (`too_long`). */
  maxValueChars: number;
  /** Characters of one record (a CSV record or a JSON line); a longer one refuses the export. */
  maxRecordChars: number;
  /** Bytes a gzip export may expand to; past it the export is refused. */
  maxExpandedBytes: number;
  /** Times its stored size a gzip export may expand to; past it the export is refused. */
  maxExpansionRatio: number;
}

export const DEFAULT_INGEST_LIMITS: Readonly<IngestLimits> = {
  maxValueChars: 65_536,
  maxRecordChars: 16 * 1024 * 1024,
  maxExpandedBytes: 4 * 1024 * 1024 * 1024,
  maxExpansionRatio: 200,
};

/**
 * Upper bounds of the settings. A staged row must stay under DuckDB's 2 MB line size: two text
 * columns (customers) of 262,144 characters of up to 3 bytes each are 1.5 MB. Records stay well
 * under the longest string V8 can build (about 512 Mi characters).
 */
export const MAX_VALUE_CHARS = 262_144;
export const MAX_RECORD_CHARS = 256 * 1024 * 1024;

/**
 * Distinct keys one JSON Lines export may use. Fixed rather than a setting: real exports have
 * tens to a few hundred fields, while a file keyed by id (`{"c1042": {...}}`) would otherwise
 * grow the field list, and the manifest's ignored columns, by a name per line.
 */
export const MAX_FIELD_NAMES = 10_000;

/** What an export reader needs to know: the limits, and the stored size the ratio applies to. */
export interface ReadOptions {
  limits: IngestLimits;
  /** Bytes of the export in storage (compressed, for gzip). */
  size: number;
}

/** The setting to change, as a user writes it in the configuration. */
export function limitSetting(name: keyof IngestLimits): string {
  return `exports.limits.${name}`;
}
