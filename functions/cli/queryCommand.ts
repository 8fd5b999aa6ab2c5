import { loadConfig } from '../config/load.ts';
import { getQuery, loadQueryCatalog, type ParameterType } from '../engine/queryCatalog.ts';
import { param, type ParameterValue, type ParameterValues } from '../engine/queryEngine.ts';
import { openEngine } from '../pipeline/adapters.ts';
import type { Command } from './main.ts';

function parseParam(name: string, type: ParameterType, text: string): ParameterValue {
  switch (type) {
    case 'timestamp': {
      const d = new Date(text);
      if (Number.isNaN(d.getTime())) throw new Error(`--param ${name}: "${text}" is not an ISO 8601 timestamp`);
      return param.timestamp(d);
    }
    case 'date':
      return param.date(text);
    case 'varchar':
      return param.varchar(text);
    case 'bigint':
      if (!/^-?\d+$/.test(text)) throw new Error(`--param ${name}: "${text}" is not a whole number`);
      return param.bigint(BigInt(text));
    case 'double': {
      const n = Number(text);
      if (!Number.isFinite(n)) throw new Error(`--param ${name}: "${text}" is not a number`);
      return param.double(n);
    }
  }
}

function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  console.log(columns.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells) console.log(r.map((c, i) => (/^-?[\d.]+$/.test(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '));
  console.log(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const queryCommand: Command = {
  summary: 'run a query from queries/ on the local lake and print the result',
  usage: 'ltv query <name> [--param name=value ...] [--format table|csv|json] [--config f]',
  options: {
    param: { type: 'string', multiple: true, description: 'a parameter, name=value (see the query header)' },
    format: { type: 'string', description: 'table (default), csv or json' },
    config: { type: 'string', description: 'JSON configuration file' },
    list: { type: 'boolean', description: 'list the queries and their parameters' },
  },
  async run(values, positionals) {
    if (values.list || positionals.length === 0) {
      for (const q of (await loadQueryCatalog()).values()) {
        console.log(`${q.name}: ${q.purpose}`);
        console.log(`  parameters: ${[...new Set(q.parameters.map((p) => `${p.name} (${p.type})`))].join(', ') || 'none'}`);
      }
      return positionals.length === 0 && !values.list ? 2 : 0;
    }
    const query = await getQuery(positionals[0]!);
    const types = new Map(query.parameters.map((p) => [p.name, p.type]));
    const params: ParameterValues = {};
    for (const pair of (values.param as string[] | undefined) ?? []) {
      const eq = pair.indexOf('=');
      if (eq < 1) throw new Error(`--param takes name=value, got "${pair}"`);
      const name = pair.slice(0, eq);
      const type = types.get(name);
      if (!type) throw new Error(`${query.file} has no parameter "${name}"; it takes ${[...types.keys()].join(', ')}`);
      params[name] = parseParam(name, type, pair.slice(eq + 1));
    }
    const config = await loadConfig(values.config ? { file: String(values.config) } : {});
    const engine = await openEngine(config);
    try {
      const { rows } = await engine.runRaw(query, params);
      const columns = query.columns.map((c) => c.name);
      const format = values.format ? String(values.format) : 'table';
      if (format === 'json') console.log(JSON.stringify(rows, null, 2));
      else if (format === 'csv') {
        console.log(columns.join(','));
        for (const r of rows) console.log(columns.map((c) => csvCell(r[c])).join(','));
      } else if (format === 'table') printTable(rows, columns);
      else throw new Error(`--format must be table, csv or json, not "${format}"`);
      return 0;
    } finally {
      await engine.close();
    }
  },
};
