// Reads queries/*.sql with the Trino grammar Athena engine v3 speaks: syntax errors with their
// position, and the names of the functions each query calls.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TrinoSQL } from 'dt-sql-parser';
import { TrinoSqlListener } from 'dt-sql-parser/dist/lib/trino/TrinoSqlListener.js';
import { WhereClauseContext, type FunctionCallContext, type ParameterContext } from 'dt-sql-parser/dist/lib/trino/TrinoSqlParser.js';
import type { ParserRuleContext } from 'antlr4ng';

export const QUERIES_DIR = path.resolve(import.meta.dirname, '../../queries');

export interface QueryFile {
  name: string;
  file: string;
  sql: string;
}

export function queryFiles(): QueryFile[] {
  return readdirSync(QUERIES_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => ({ name: f.replace(/\.sql$/, ''), file: `queries/${f}`, sql: readFileSync(path.join(QUERIES_DIR, f), 'utf8') }));
}

const parser = new TrinoSQL();

export function syntaxErrors(sql: string): string[] {
  return parser.validate(sql).map((e) => `line ${e.startLine}, column ${e.startColumn}: ${e.message}`);
}

class FunctionCollector extends TrinoSqlListener {
  readonly names = new Set<string>();
  override enterFunctionCall = (ctx: FunctionCallContext): void => {
    this.names.add(ctx.functionName().getText().toLowerCase());
  };
}

/** Lower-cased names of the functions a query calls (CAST, EXTRACT and operators are not calls). */
export function calledFunctions(sql: string): string[] {
  const collector = new FunctionCollector();
  parser.listen(collector, parser.parse(sql));
  return [...collector.names].sort();
}

class ParameterCollector extends TrinoSqlListener {
  readonly outsideWhere: string[] = [];
  override enterParameter = (ctx: ParameterContext): void => {
    let node: ParserRuleContext | null = ctx.parent;
    while (node && !(node instanceof WhereClauseContext)) node = node.parent;
    if (!node) this.outsideWhere.push(`line ${ctx.start?.line}, column ${(ctx.start?.column ?? 0) + 1}`);
  };
}

/** Positions of `?` parameters outside a WHERE clause, where Athena cannot bind them. */
export function parametersOutsideWhere(sql: string): string[] {
  const collector = new ParameterCollector();
  parser.listen(collector, parser.parse(sql));
  return collector.outsideWhere;
}
