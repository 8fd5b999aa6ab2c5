// Canonical exports (docs/ingest.md): fields already carry the canonical column names, so
// mapping is a lookup by position. This is the path large exports take, so the mapping itself
// allocates nothing per row; the validator makes the row.
import { TABLE_NAMES, TABLES } from '../../schema/tables.ts';
import { ExportFormatError } from '../exportText.ts';
import { rowValidator } from '../rowSchema.ts';
import { tableOfExport } from '../tableOfExport.ts';
import type { Preset } from './preset.ts';

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
          `the header lacks required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for table ${table} (found: ${found})`,
        );
      }
    }
    const validator = rowValidator(table, context.row);
    const names = columns.map((c) => c.name);
    const positions = names.map((n) => context.fields.positionOf(n));
    return {
      reads: new Set(names),
      map: (record) => validator.validateAt(record.cells, positions),
    };
  },
};
