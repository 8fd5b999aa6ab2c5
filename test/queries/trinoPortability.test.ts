// queries/ is what analysts open in Athena: every file must parse as Trino and call only
// functions whose behaviour is the same on the local DuckDB engine.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PORTABLE_FUNCTIONS } from './portableFunctions.ts';
import { QUERIES_DIR, calledFunctions, parametersOutsideWhere, queryFiles, syntaxErrors } from './sqlFunctions.ts';

const files = queryFiles();

describe.each(files.map((f) => [f.file, f] as const))('%s', (_file, query) => {
  it('parses with the Trino grammar of Athena engine v3', () => {
    expect(syntaxErrors(query.sql).map((e) => `${query.file}: ${e}`)).toEqual([]);
  });

  it('binds parameters only in WHERE clauses, the one place Athena accepts them', () => {
    expect(parametersOutsideWhere(query.sql).map((p) => `${query.file}: ? at ${p}`)).toEqual([]);
  });

  it('calls only functions documented as portable between Trino and DuckDB', () => {
    const unknown = calledFunctions(query.sql).filter((f) => !Object.hasOwn(PORTABLE_FUNCTIONS, f));
    expect(unknown.map((f) => `${query.file} calls ${f}(), which is not in test/queries/portableFunctions.ts`)).toEqual([]);
  });
});

describe('the portability checks themselves', () => {
  it('find the query files', () => {
    expect(files.length).toBeGreaterThan(3);
    expect(path.basename(QUERIES_DIR)).toBe('queries');
  });

  it('report a syntax error with its line and column', () => {
    // DuckDB accepts both of these; Trino knows neither QUALIFY nor `::` casts.
    expect(syntaxErrors('SELECT a\nFROM t\nQUALIFY row_number() OVER () = 1')[0]).toMatch(/^line 3, column \d+: /);
    expect(syntaxErrors('SELECT a::int FROM t')[0]).toMatch(/^line 1, column 9: ':' is not valid/);
  });

  it('find a parameter outside WHERE, in a select list or a join condition', () => {
    expect(parametersOutsideWhere('SELECT a FROM t WHERE b = ? AND c IN (SELECT d FROM u WHERE e < ?)')).toEqual([]);
    expect(parametersOutsideWhere('SELECT date_diff(\'day\', a, ?) FROM t')).toEqual(['line 1, column 28']);
    expect(parametersOutsideWhere('SELECT a FROM t JOIN u ON u.x = ?\nWHERE b = ?')).toEqual(['line 1, column 33']);
  });

  it('list the functions a query calls, nested and windowed ones included', () => {
    expect(calledFunctions("SELECT coalesce(sum(x), 0), row_number() OVER (ORDER BY date_trunc('month', t)) FROM u")).toEqual([
      'coalesce',
      'date_trunc',
      'row_number',
      'sum',
    ]);
  });

  it('document every allowed function in docs/sql-portability.md', () => {
    const doc = readFileSync(path.resolve(QUERIES_DIR, '../docs/sql-portability.md'), 'utf8');
    expect(Object.keys(PORTABLE_FUNCTIONS).filter((f) => !doc.includes(`\`${f}\``))).toEqual([]);
  });
});
