// Loads queries/*.sql and reads each file's header, which is the contract between the SQL, its
// callers and the docs: purpose, grain, positional `?` parameters in order, partitions read,
// and output columns.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * queries/ beside the source tree; a Lambda bundle has no such tree and ships the files where
 * LTV_QUERIES_DIR says (infra sets it).
 */
export const QUERIES_DIR = process.env.LTV_QUERIES_DIR ?? path.resolve(import.meta.dirname, '../../queries');

export type ParameterType = 'timestamp' | 'date' | 'varchar' | 'bigint' | 'double';
const PARAMETER_TYPES: readonly ParameterType[] = ['timestamp', 'date', 'varchar', 'bigint', 'double'];

/**
 * What a parameter stands for, read from the header so that callers can check a value by it:
 * a varchar named `*currency` is an ISO 4217 code, `*_week` an ISO week id, and `*_month` an
 * order_month partition whose description names the timestamp it must cover, as
 * "(month of X)" (first partition: reads from X) or "(month of the last instant before X)"
 * (last partition: reads up to X, exclusive).
 */
export type ParameterMeaning =
  | { kind: 'currency' }
  | { kind: 'week' }
  | { kind: 'month'; bound: 'from' | 'until'; covers: string }
  | { kind: 'value' };

export interface ParameterSpec {
  name: string;
  type: ParameterType;
  description: string;
  meaning: ParameterMeaning;
}

export interface ColumnSpec {
  name: string;
  type: string;
  description: string;
}

export interface NamedQuery {
  name: string;
  file: string;
  sql: string;
  purpose: string;
  grain: string;
  reads: string;
  /** One entry per `?` in the SQL, in order of appearance; a name may repeat. */
  parameters: ParameterSpec[];
  columns: ColumnSpec[];
}

export class QueryHeaderError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'QueryHeaderError';
  }
}

const ITEM = /^--\s+(?:\d+\.\s+)?([a-z_][a-z0-9_]*)\s+([a-z]+(?:\([\d, ]+\))?)\s*(?:[—:-]\s*(.*))?$/;

/** Parse the leading comment block of a query file. */
export function parseQueryFile(name: string, file: string, sql: string): NamedQuery {
  const header: string[] = [];
  for (const line of sql.split(/\r?\n/)) {
    if (!line.startsWith('--')) break;
    header.push(line);
  }
  const fields: Record<string, string> = {};
  const lists: Record<'parameters' | 'columns', string[]> = { parameters: [], columns: [] };
  let current: 'parameters' | 'columns' | undefined;
  for (const line of header) {
    // A field starts right after the `-- `; an indented line is a continuation, even when its
    // first word ends in a colon ("--   scorecard: segment shares ...").
    const field = /^-- ?([a-z]+):\s*(.*)$/.exec(line);
    if (field) {
      const key = field[1]!;
      current = key === 'parameters' || key === 'columns' ? key : undefined;
      if (!current) fields[key] = field[2]!.trim();
      else if (field[2]!.trim() !== '' && field[2]!.trim() !== 'none') {
        throw new QueryHeaderError(file, `"${key}:" takes one item per following comment line`);
      }
      continue;
    }
    if (current && /^--\s{4,}\S/.test(line) && lists[current].length > 0) {
      // A deeper-indented line continues the previous item's description.
      const items = lists[current];
      items[items.length - 1] = `${items[items.length - 1]} ${line.replace(/^--\s+/, '').trim()}`;
    } else if (current && /^--\s+\S/.test(line)) lists[current].push(line);
    else if (!current && /^--\s+\S/.test(line)) {
      const last = Object.keys(fields).at(-1);
      if (last) fields[last] = `${fields[last]} ${line.replace(/^--\s+/, '').trim()}`;
    }
  }
  for (const required of ['purpose', 'grain', 'reads']) {
    if (!fields[required]) throw new QueryHeaderError(file, `header lacks "-- ${required}: ..."`);
  }
  const parseItem = (line: string): { name: string; type: string; description: string } => {
    const m = ITEM.exec(line.trim());
    if (!m) throw new QueryHeaderError(file, `cannot read header item "${line.trim()}" (write "--   name type: description")`);
    return { name: m[1]!, type: m[2]!, description: (m[3] ?? '').trim() };
  };
  const typed = lists.parameters.map(parseItem).map((p) => {
    if (!PARAMETER_TYPES.includes(p.type as ParameterType)) {
      throw new QueryHeaderError(file, `parameter ${p.name} has type ${p.type}; use one of ${PARAMETER_TYPES.join(', ')}`);
    }
    return { ...p, type: p.type as ParameterType };
  });
  const timestamps = new Set(typed.filter((p) => p.type === 'timestamp').map((p) => p.name));
  // A repeated parameter is described once, on its first line; its meaning comes from there.
  const first = new Map<string, { name: string; type: ParameterType; description: string }>();
  for (const p of typed) if (!first.has(p.name)) first.set(p.name, p);
  const meanings = new Map([...first.values()].map((p) => [p.name, meaningOf(file, p, timestamps)]));
  const parameters = typed.map((p) => ({ ...p, meaning: meanings.get(p.name)! }));
  const columns = lists.columns.map(parseItem);
  if (columns.length === 0) throw new QueryHeaderError(file, 'header lists no "-- columns:"');
  const placeholders = countPlaceholders(sql);
  if (placeholders !== parameters.length) {
    throw new QueryHeaderError(file, `the SQL has ${placeholders} "?" placeholders but the header lists ${parameters.length} parameters`);
  }
  return {
    name,
    file,
    sql,
    purpose: fields.purpose!,
    grain: fields.grain!,
    reads: fields.reads!,
    parameters,
    columns,
  };
}

function meaningOf(file: string, p: { name: string; type: ParameterType; description: string }, timestamps: ReadonlySet<string>): ParameterMeaning {
  if (p.type !== 'varchar') return { kind: 'value' };
  if (p.name.endsWith('currency')) return { kind: 'currency' };
  if (p.name.endsWith('_week')) return { kind: 'week' };
  if (!p.name.endsWith('_month')) return { kind: 'value' };
  const m = /\(month of (the last instant before )?([a-z_][a-z0-9_]*)\)/.exec(p.description);
  if (!m || !timestamps.has(m[2]!)) {
    throw new QueryHeaderError(
      file,
      `partition parameter ${p.name} must say which timestamp parameter it covers: "(month of X)" or "(month of the last instant before X)"`,
    );
  }
  return { kind: 'month', bound: m[1] ? 'until' : 'from', covers: m[2]! };
}

/** Count `?` outside string literals, quoted identifiers and comments. */
export function countPlaceholders(sql: string): number {
  let count = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      i = end === -1 ? sql.length : end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '?') count++;
  }
  return count;
}

let cache: Promise<Map<string, NamedQuery>> | undefined;

export function loadQueryCatalog(dir = QUERIES_DIR): Promise<Map<string, NamedQuery>> {
  if (dir !== QUERIES_DIR) return readCatalog(dir);
  cache ??= readCatalog(dir);
  return cache;
}

async function readCatalog(dir: string): Promise<Map<string, NamedQuery>> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const catalog = new Map<string, NamedQuery>();
  for (const f of files) {
    const name = f.replace(/\.sql$/, '');
    catalog.set(name, parseQueryFile(name, `queries/${f}`, await readFile(path.join(dir, f), 'utf8')));
  }
  return catalog;
}

export async function getQuery(name: string): Promise<NamedQuery> {
  const catalog = await loadQueryCatalog();
  const q = catalog.get(name);
  if (!q) throw new Error(`no query named "${name}"; known: ${[...catalog.keys()].join(', ')}`);
  return q;
}
