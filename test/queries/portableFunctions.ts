// Functions queries/ may call: each behaves the same on Athena (Trino) and DuckDB under the
// stated use, or is shimmed by the DuckDB engine. docs/sql-portability.md explains each one;
// a function not listed here fails the portability test until someone checks both engines.
export const PORTABLE_FUNCTIONS: Readonly<Record<string, string>> = {
  // aggregates
  count: 'count(*), count(x), count(DISTINCT x)',
  sum: 'on DECIMAL stays DECIMAL on both; on BIGINT equal values, but DuckDB types it HUGEINT: cast to bigint',
  min: 'any comparable type',
  max: 'any comparable type',
  avg: 'only on DOUBLE arguments (on DECIMAL Trino rounds to a DECIMAL, DuckDB returns a DOUBLE; on BIGINT the types differ)',
  bool_or: 'boolean OR over rows',
  // conditionals
  coalesce: 'first non-NULL argument',
  nullif: 'NULL when both arguments are equal: the guard against division by zero',
  // dates and times (instants are UTC TIMESTAMPs; boundaries come in as parameters)
  date_trunc: "only on TIMESTAMP values, with 'day', 'week', 'month' or 'year'",
  year: 'calendar year of a TIMESTAMP or DATE',
  month: 'calendar month 1-12 of a TIMESTAMP or DATE',
  date_diff: "only date_diff('day', DATE, DATE): whole days on both (on TIMESTAMPs DuckDB counts boundaries crossed)",
  // windows
  row_number: 'window function, with an ORDER BY that makes the order total',
  rank: 'window function',
  lag: 'window function, offset 1 unless stated',
  lead: 'window function, offset 1 unless stated',
  ntile: 'window function with a total ORDER BY: the first (rows mod n) buckets get one row more on both engines',
  // numbers
  abs: 'absolute value',
};
