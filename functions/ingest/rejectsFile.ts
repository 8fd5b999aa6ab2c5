// Rejected records are written to a scratch file as they are found, never collected in memory:
// an export whose every row is wrong must not need memory in proportion to its size. The file
// reaches the lake as a stream once the export's rows are in (docs/ingest.md).
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { csvCell, csvQuote } from '../text/csv.ts';
import type { Rejection } from './rowSchema.ts';
import type { FieldNames, SourceRecord } from './sourceRecord.ts';

const HEADER = 'line,field,value,rule,message,record\n';

/** What a masked personal field reads as in a rejects file. */
export const MASKED = '[masked]';

/**
 * The rejection and record text to store when the fields at `personal` hold personal data
 * (presets' exports, docs/ingest-presets.md): those fields are masked in the record, rebuilt as
 * CSV from its cells, and in the rejected value when the rule was broken by one of them. Line,
 * field and rule are kept, so the row can still be found in the export and fixed there.
 */
export function maskPersonal(
  record: SourceRecord,
  rejection: Rejection,
  fields: FieldNames,
  personal: ReadonlySet<number> | undefined,
): { rejection: Rejection; raw: string } {
  if (personal === undefined || personal.size === 0) return { rejection, raw: record.raw };
  const mask = (text: string | undefined, at: number): string => (personal.has(at) && (text ?? '') !== '' ? MASKED : (text ?? ''));
  const raw = record.cells.map((cell, at) => csvQuote(mask(cell, at))).join(',');
  const personalField = fields.has(rejection.field) && personal.has(fields.positionOf(rejection.field));
  return { rejection: personalField ? { ...rejection, value: mask(rejection.value, fields.positionOf(rejection.field)) } : rejection, raw };
}

export class RejectsFile {
  private stream: WriteStream | undefined;
  private failure: Error | undefined;

  constructor(readonly path: string) {}

  /** Resolves at once unless the disk falls behind, so a fast reader waits instead of buffering. */
  async add(line: number, rejection: Rejection, raw: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.stream) {
      this.stream = createWriteStream(this.path);
      this.stream.on('error', (err) => {
        this.failure = err;
      });
      this.stream.write(HEADER);
    }
    const r = rejection;
    const text = `${line},${csvCell(r.field)},${csvCell(r.value)},${csvCell(r.rule)},${csvCell(r.message)},${csvCell(raw)}\n`;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  /** Finishes the file: its path when a record was rejected, else null. */
  async close(): Promise<string | null> {
    if (!this.stream) return null;
    this.stream.end();
    await finished(this.stream);
    if (this.failure) throw this.failure;
    return this.path;
  }

  /** Drops the file of an export that failed. */
  async discard(): Promise<void> {
    this.stream?.destroy();
    await rm(this.path, { force: true });
  }
}
