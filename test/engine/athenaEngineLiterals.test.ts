// Athena substitutes ExecutionParameters into the query as SQL literals, so athenaLiteral is the
// only thing between a value and the query text. Each literal is read back with the Trino lexer
// (the grammar of Athena engine v3): a value must come out as exactly one literal token that
// means the same value, however hostile the text.
import { TrinoSQL } from 'dt-sql-parser';
import { TrinoSqlLexer } from 'dt-sql-parser/dist/lib/trino/TrinoSqlLexer.js';
import { describe, expect, it } from 'vitest';
import { athenaCostUsd, athenaLiteral } from '../../functions/engine/athenaEngine.ts';
import { param } from '../../functions/engine/queryEngine.ts';
import { createRng, integerBetween, pick } from '../../functions/random/rng.ts';

const lexer = new TrinoSQL();

/** The literal's tokens as [type, text], whitespace left out. */
function tokens(sql: string): [string, string][] {
  return lexer
    .getAllTokens(sql)
    .map((t): [string, string] => [TrinoSqlLexer.symbolicNames[t.type] ?? String(t.type), t.text ?? ''])
    .filter(([type]) => type !== 'WHITE_SPACE');
}

/** The value of a Trino string literal token: the text between the quotes, '' read as '. */
function stringValue(token: string): string {
  expect(token.startsWith("'") && token.endsWith("'")).toBe(true);
  return token.slice(1, -1).replaceAll("''", "'");
}

const HOSTILE = [
  "x' OR '1'='1",
  "'; DROP TABLE orders; --",
  "USD' UNION SELECT customer_id FROM customers --",
  "\\'; SELECT 1; --",
  'trailing backslash \\',
  "''''",
  "'",
  '',
  '/* not a comment */ -- nor this',
  'line one\nline two\r\nline three',
  '?',
  "U&'\\0041'",
  'quote ’ lookalikes ‘ ʼ ＇',
  'emoji 🧾 and 한국어',
];

describe('athenaLiteral for varchar parameters', () => {
  it.each(HOSTILE.map((s) => [s]))('keeps %j inside one string literal with the same value', (value) => {
    // Act
    const literal = athenaLiteral(param.varchar(value));

    // Assess
    const found = tokens(literal);
    expect(found.map(([type]) => type)).toEqual(['STRING']);
    expect(stringValue(found[0]![1])).toBe(value);
  });

  it('keeps random strings of quotes, backslashes, comment and statement characters inside one literal', () => {
    // Prepare: strings made mostly of the characters that end or escape literals elsewhere
    const rng = createRng('athena-literals');
    const alphabet = ["'", "'", '\\', '"', ';', '-', '/', '*', '?', '\n', '\r', '\t', ' ', 'a', 'Z', '0', 'é', '🧾', '%', '$'];

    for (let i = 0; i < 500; i++) {
      const value = Array.from({ length: integerBetween(rng, 0, 40) }, () => pick(rng, alphabet)).join('');

      // Act
      const found = tokens(athenaLiteral(param.varchar(value)));

      // Assess
      expect(found.map(([type]) => type)).toEqual(['STRING']);
      expect(stringValue(found[0]![1])).toBe(value);
    }
  });

  it.each([
    ['a NUL character', 'USD\0', /NUL/],
    ['a lone surrogate, which would reach Athena as U+FFFD', 'ab\uD800', /lone UTF-16 surrogate/],
    ['a value longer than Athena takes', 'x'.repeat(1023), /1025 characters; Athena takes at most 1024/],
  ])('refuses %s', (_what, value, message) => {
    expect(() => athenaLiteral(param.varchar(value))).toThrow(message);
  });
});

describe('athenaLiteral for typed parameters', () => {
  it.each([
    ['a timestamp as a UTC TIMESTAMP literal with milliseconds', param.timestamp(new Date('2026-11-16T00:00:00Z')), "TIMESTAMP '2026-11-16 00:00:00.000'", ['KW_TIMESTAMP', 'STRING']],
    ['a timestamp with milliseconds', param.timestamp(new Date('2026-03-29T01:59:59.999Z')), "TIMESTAMP '2026-03-29 01:59:59.999'", ['KW_TIMESTAMP', 'STRING']],
    ['a date as a DATE literal', param.date('2026-11-16'), "DATE '2026-11-16'", ['KW_DATE', 'STRING']],
    ['a bigint given as a number', param.bigint(60), '60', ['INTEGER_VALUE']],
    ['a negative bigint', param.bigint(-7), '-7', ['MINUS', 'INTEGER_VALUE']],
    ['a bigint beyond 2^53 given as a bigint', param.bigint(9_007_199_254_740_993n), '9007199254740993', ['INTEGER_VALUE']],
    ['a double in exponent notation, which Trino reads as DOUBLE, not DECIMAL', param.double(0.01), '1E-2', ['DOUBLE_VALUE']],
    ['a whole double', param.double(3), '3E+0', ['DOUBLE_VALUE']],
    ['a negative double', param.double(-1.5), '-1.5E+0', ['MINUS', 'DOUBLE_VALUE']],
  ])('renders %s', (_what, value, expected, tokenTypes) => {
    // Act
    const literal = athenaLiteral(value);

    // Assess
    expect(literal).toBe(expected);
    expect(tokens(literal).map(([type]) => type)).toEqual(tokenTypes);
  });

  it('renders doubles as text that reads back as exactly the same number', () => {
    const rng = createRng('athena-doubles');
    const values = [0.1, 1 / 3, 2 ** -1074, Number.MAX_VALUE, 123456789.125, ...Array.from({ length: 200 }, () => (rng.next() - 0.5) * 10 ** integerBetween(rng, -20, 20))];
    for (const value of values) expect(Number(athenaLiteral(param.double(value)))).toBe(value);
  });

  it.each([
    ['an invalid instant', param.timestamp(new Date(Number.NaN)), /not an instant/],
    ['an instant after the year 9999', param.timestamp(new Date('+010000-01-01T00:00:00Z')), /between the years 0000 and 9999/],
    ['a date that is not YYYY-MM-DD', param.date("2026-11-16' OR '1'='1"), /must be YYYY-MM-DD/],
    ['a bigint that is not whole', param.bigint(1.5), /whole number within 64 bits/],
    ['a bigint beyond 64 bits', param.bigint(2n ** 63n), /whole number within 64 bits/],
    ['a double that is not finite', param.double(Number.POSITIVE_INFINITY), /finite number/],
  ])('refuses %s', (_what, value, message) => {
    expect(() => athenaLiteral(value)).toThrow(message);
  });
});

describe('athenaCostUsd', () => {
  it.each([
    ['nothing scanned: the 10 MB minimum', 0, (10 / 2 ** 20) * 5],
    ['one byte over 10 MB: rounded up to 11 MB', 10 * 2 ** 20 + 1, (11 / 2 ** 20) * 5],
    ['one terabyte: $5', 2 ** 40, 5],
    ['ten terabytes: $50', 10 * 2 ** 40, 50],
  ])('bills %s', (_what, bytes, usd) => {
    expect(athenaCostUsd(bytes)).toBeCloseTo(usd, 12);
  });
});
