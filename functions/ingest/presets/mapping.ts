// A mapping file: the user says which source column (or constant) feeds each canonical column
// of one table, for exports no preset knows (docs/ingest-presets.md). Validated with zod;
// every problem names the file and the JSON path of the setting to change.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatMoneyDecimal, moneyFromMinorUnits } from '../../money/decimal.ts';
import { TABLE_NAMES, TABLES, type ColumnDef, type TableName } from '../../schema/tables.ts';
import { isValidTimeZone } from '../../time/zonedTime.ts';
import { fieldKey } from '../sourceRecord.ts';
import { ExportFormatError } from '../exportText.ts';
import { rowValidator, type Rejection } from '../rowSchema.ts';
import { dateReader, problemOfFormat, timestampReader } from '../timestampFormat.ts';
import { cellAt, type Preset } from './preset.ts';

const sourceColumn = z
  .object({
    column: z.string().trim().min(1),
    /** Money only: `minor` = integer minor units (cents), divided by 10^(the currency's digits). */
    unit: z.enum(['major', 'minor']).optional(),
    /** Timestamps and dates only: iso (default), unix, or a pattern like DD/MM/YYYY HH:mm. */
    format: z.string().min(1).optional(),
    /** Timestamps only: zone of wall times without an offset (default: the run's timeZone). */
    timeZone: z.string().optional(),
  })
  .strict();

const columnSource = z.union([z.string().trim().min(1), sourceColumn, z.object({ constant: z.string() }).strict()]);

export const mappingSchema = z
  .object({
    table: z.enum(TABLE_NAMES as [TableName, ...TableName[]]),
    columns: z.record(z.string(), columnSource),
  })
  .strict()
  .superRefine((mapping, ctx) => {
    const columns = TABLES[mapping.table].columns;
    for (const [name, source] of Object.entries(mapping.columns)) {
      const column = columns.find((c) => c.name === name);
      const at = ['columns', name];
      if (!column) {
        ctx.addIssue({ code: 'custom', path: at, message: `${mapping.table} has no column "${name}" (columns: ${columns.map((c) => c.name).join(', ')})` });
        continue;
      }
      if (typeof source === 'string' || 'constant' in source) continue;
      if (source.unit !== undefined && column.type !== 'money') {
        ctx.addIssue({ code: 'custom', path: [...at, 'unit'], message: `unit applies to money columns only; ${name} is ${column.type}` });
      }
      const timeColumn = column.type === 'timestamp' || column.type === 'date';
      if (source.format !== undefined) {
        const problem = timeColumn ? problemOfFormat(source.format) : `format applies to timestamp and date columns only; ${name} is ${column.type}`;
        if (problem) ctx.addIssue({ code: 'custom', path: [...at, 'format'], message: problem });
      }
      if (source.timeZone !== undefined) {
        if (column.type !== 'timestamp') {
          ctx.addIssue({ code: 'custom', path: [...at, 'timeZone'], message: `timeZone applies to timestamp columns only; ${name} is ${column.type}` });
        } else if (!isValidTimeZone(source.timeZone)) {
          ctx.addIssue({ code: 'custom', path: [...at, 'timeZone'], message: 'must be an IANA time zone, e.g. UTC or Asia/Seoul' });
        }
      }
    }
    for (const column of columns) {
      if (column.required && mapping.columns[column.name] === undefined) {
        ctx.addIssue({ code: 'custom', path: ['columns'], message: `the required column ${column.name} has no source` });
      }
    }
  });

export type Mapping = z.infer<typeof mappingSchema>;

export class MappingError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid mapping file ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'MappingError';
  }
}

function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : /^[A-Za-z_]\w*$/.test(String(key)) ? `${out}.${String(key)}` : `${out}[${JSON.stringify(String(key))}]`), '$');
}

/** Validates an already parsed mapping; `source` names where it came from in errors. */
export function parseMapping(input: unknown, source: string): Mapping {
  const result = mappingSchema.safeParse(input);
  if (!result.success) {
    throw new MappingError(
      source,
      result.error.issues.map((i) => (i.code === 'unrecognized_keys' ? `${jsonPath(i.path)}: unknown setting ${i.keys.map((k) => `"${k}"`).join(', ')}` : `${jsonPath(i.path)}: ${i.message}`)),
    );
  }
  return result.data;
}

export async function loadMapping(file: string): Promise<Mapping> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MappingError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MappingError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  return parseMapping(json, file);
}

const minorDigitsCache = new Map<string, number>();

/** Minor-unit digits of a currency as Intl knows them (JPY and KRW 0, USD 2); undefined for a malformed code. */
function minorDigits(currency: string): number | undefined {
  const code = currency.trim().toUpperCase();
  const known = minorDigitsCache.get(code);
  if (known !== undefined) return known;
  let digits: number;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return undefined;
  }
  minorDigitsCache.set(code, digits);
  return digits;
}

/** Turns one source cell into canonical text, or says why it cannot. */
type Convert = (text: string, currency: string) => string | Omit<Rejection, 'value'>;

function converterOf(column: ColumnDef, source: z.infer<typeof sourceColumn>, defaultTimeZone: string): Convert | undefined {
  const name = column.name;
  if (column.type === 'money' && source.unit === 'minor') {
    return (text, currency) => {
      const digits = minorDigits(currency);
      if (digits === undefined) return { field: 'currency', rule: 'unknown_currency', message: `currency "${currency}" is not an ISO 4217 code, so ${name} in minor units cannot be read` };
      const trimmed = text.trim();
      if (!/^[+-]?\d+$/.test(trimmed)) return { field: name, rule: 'not_money', message: `${name} in minor units must be a whole number` };
      return formatMoneyDecimal(moneyFromMinorUnits(BigInt(trimmed), digits));
    };
  }
  const format = source.format ?? 'iso';
  if (column.type === 'timestamp' && (format !== 'iso' || source.timeZone !== undefined)) {
    const read = timestampReader(format, source.timeZone ?? defaultTimeZone);
    return (text) => {
      const ms = read(text);
      return ms === null ? { field: name, rule: 'not_timestamp', message: `${name} does not read as ${format}` } : new Date(ms).toISOString();
    };
  }
  if (column.type === 'date' && format !== 'iso') {
    const read = dateReader(format);
    return (text) => read(text) ?? { field: name, rule: 'not_date', message: `${name} does not read as ${format}` };
  }
  return undefined;
}

interface Plan {
  name: string;
  constant?: string;
  position?: number;
  convert?: Convert;
}

export function mappingPreset(mapping: Mapping): Preset {
  const table = mapping.table;
  return {
    name: 'mapping',
    tableFromKey: () => table,
    unrecognised: `the mapping is for ${table}`,
    open(openedTable, context) {
      const plans: Plan[] = [];
      const reads = new Set<string>();
      const missing: string[] = [];
      for (const column of TABLES[openedTable].columns) {
        const source = mapping.columns[column.name];
        if (source === undefined) {
          plans.push({ name: column.name });
        } else if (typeof source !== 'string' && 'constant' in source) {
          plans.push({ name: column.name, constant: source.constant });
        } else {
          const spec = typeof source === 'string' ? { column: source } : source;
          if (context.headerLine !== undefined && !context.fields.has(spec.column)) missing.push(`"${spec.column}" (for ${column.name})`);
          reads.add(fieldKey(spec.column));
          const convert = converterOf(column, spec, context.row.sourceTimeZone);
          plans.push({ name: column.name, position: context.fields.positionOf(spec.column), ...(convert ? { convert } : {}) });
        }
      }
      if (missing.length > 0) {
        throw new ExportFormatError(
          context.file,
          context.headerLine,
          `the header lacks ${missing.join(', ')} named by the mapping (found: ${context.fields.names.join(', ') || 'nothing'})`,
        );
      }
      const validator = rowValidator(openedTable, context.row);
      const currencyPlan = plans.find((p) => p.name === 'currency');
      return {
        reads,
        map({ cells }) {
          const textOf = (plan: Plan): string => plan.constant ?? cellAt(cells, plan.position);
          const currency = currencyPlan ? textOf(currencyPlan) : '';
          const canonical: Record<string, string> = {};
          for (const plan of plans) {
            const text = textOf(plan);
            if (plan.convert === undefined || text.trim() === '') {
              canonical[plan.name] = text;
              continue;
            }
            const converted = plan.convert(text, currency);
            if (typeof converted !== 'string') return { rejection: { ...converted, value: converted.field === 'currency' ? currency : text } };
            canonical[plan.name] = converted;
          }
          return validator.validate(canonical);
        },
      };
    },
  };
}
