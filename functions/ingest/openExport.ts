// Opens an export with the reader of its format.
import type { Readable } from 'node:stream';
import type { ReadCounter } from './exportText.ts';
import { openCsv } from './readCsv.ts';
import { openJsonLines } from './readJsonLines.ts';
import type { ExportFormat, ExportReader } from './sourceRecord.ts';

export function openExport(format: ExportFormat, source: Readable, file: string, counter: ReadCounter): Promise<ExportReader> {
  return format === 'csv' ? openCsv(source, file, counter) : openJsonLines(source, file, counter);
}
