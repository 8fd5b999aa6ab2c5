// Opens an export with the reader of its format.
import type { Readable } from 'node:stream';
import type { ReadCounter } from './exportText.ts';
import type { ReadOptions } from './limits.ts';
import { openCsv } from './readCsv.ts';
import { openJsonLines } from './readJsonLines.ts';
import type { ExportFormat, ExportReader } from './sourceRecord.ts';

export function openExport(format: ExportFormat, source: Readable, file: string, counter: ReadCounter, options: ReadOptions): Promise<ExportReader> {
  return format === 'csv' ? openCsv(source, file, counter, options) : openJsonLines(source, file, counter, options);
}
