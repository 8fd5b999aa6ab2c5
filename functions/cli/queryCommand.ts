// `ltv query`: one query of queries/ on the lake, with parameters typed by hand (checked by their
// meaning, queryParameters.ts) or filled as the report of a week fills them (--week).
import { loadConfig } from '../config/load.ts';
import { getQuery, loadQueryCatalog } from '../engine/queryCatalog.ts';
import type { ParameterValues } from '../engine/queryEngine.ts';
import { openEngine } from '../pipeline/adapters.ts';
import { weekCallOf } from '../pipeline/weekParameters.ts';
import { csvCell } from '../text/csv.ts';
import { endedWeekBounds, parseWeekId } from '../time/isoWeek.ts';
import type { Command } from './main.ts';
import { completeParameters, distinctParameters, parseParameterText } from './queryParameters.ts';

function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  console.log(columns.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells) console.log(r.map((c, i) => (/^-?[\d.]+$/.test(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '));
  console.log(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
}

export const queryCommand: Command = {
  summary: 'run a query from queries/ on the local lake and print the result',
  usage: 'ltv query <name> [--week 2026-W47] [--param name=value ...] [--format table|csv|json] [--config f]',
  options: {
    week: { type: 'string', description: 'fill every parameter as the report of this ISO week does (docs/queries.md)' },
    param: { type: 'string', multiple: true, description: 'a parameter, name=value (see the query header); with --week, replaces that one' },
    format: { type: 'string', description: 'table (default), csv or json' },
    config: { type: 'string', description: 'JSON configuration file' },
    list: { type: 'boolean', description: 'list the queries and their parameters' },
  },
  async run(values, positionals) {
    if (values.list || positionals.length === 0) {
      for (const q of (await loadQueryCatalog()).values()) {
        console.log(`${q.name}: ${q.purpose}`);
        console.log(`  parameters: ${distinctParameters(q).map((p) => `${p.name} (${p.type})`).join(', ') || 'none'}`);
      }
      return positionals.length === 0 && !values.list ? 2 : 0;
    }
    const format = values.format ? String(values.format) : 'table';
    if (!['table', 'csv', 'json'].includes(format)) throw new Error(`--format must be table, csv or json, not "${format}"`);
    const query = await getQuery(positionals[0]!);
    const specs = new Map(distinctParameters(query).map((p) => [p.name, p]));
    const given: ParameterValues = {};
    for (const pair of (values.param as string[] | undefined) ?? []) {
      const eq = pair.indexOf('=');
      if (eq < 1) throw new Error(`--param takes name=value, got "${pair}"`);
      const name = pair.slice(0, eq);
      const spec = specs.get(name);
      if (!spec) throw new Error(`${query.file} has no parameter "${name}"; it takes ${[...specs.keys()].join(', ') || 'none'}`);
      given[name] = parseParameterText(spec, pair.slice(eq + 1));
    }
    const config = await loadConfig(values.config ? { file: String(values.config) } : {});
    let base: ParameterValues = {};
    if (values.week) {
      const isoWeek = parseWeekId(String(values.week));
      // As `ltv report`: a week in progress is not a week the report would read.
      const week = endedWeekBounds(isoWeek, config.timeZone, new Date(), 'the report reads');
      const call = weekCallOf(query.name, isoWeek, config);
      if (!call) throw new Error(`${query.file} is not a query the weekly report runs, so --week cannot fill its parameters; give them with --param`);
      base = call.parameters;
      console.error(`${query.name} as the report of ${week.id} (${config.timeZone}) runs it: ${call.call}.`);
    }
    const params = completeParameters(query, base, given);
    // On stderr, so that --format csv|json output stays clean for a pipe.
    const shown = [...specs.keys()].map((name) => {
      const v = params[name]!;
      return `${name}=${v.type === 'timestamp' ? v.value.toISOString() : String(v.value)}`;
    });
    console.error(`Parameters: ${shown.join(' ') || 'none'}`);
    const engine = await openEngine(config);
    try {
      const { rows } = await engine.runRaw(query, params);
      const columns = query.columns.map((c) => c.name);
      if (format === 'json') console.log(JSON.stringify(rows, null, 2));
      else if (format === 'csv') {
        console.log(columns.join(','));
        for (const r of rows) console.log(columns.map((c) => csvCell(r[c] === null || r[c] === undefined ? null : String(r[c]))).join(','));
      } else printTable(rows, columns);
      return 0;
    } finally {
      await engine.close();
    }
  },
};
