import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, CsvTokenizer, type CsvToken } from '../../functions/ingest/csvTokenizer.ts';

function tokenize(chunks: string[]): CsvToken[] {
  const t = new CsvTokenizer();
  return [...chunks.flatMap((c) => t.push(c)), ...t.end()];
}

const FILE = 'id,note\r\n1,"two\r\nlines"\r\n\r\n2,"say ""hi"", bye"\r\n3,plain\n4,last';

describe('CSV tokenizer', () => {
  it('keeps quoted commas, quotes and line breaks, and the line each record starts on', () => {
    expect(tokenize([FILE])).toEqual([
      { line: 1, cells: ['id', 'note'], raw: 'id,note' },
      { line: 2, cells: ['1', 'two\r\nlines'], raw: '1,"two\r\nlines"' },
      { line: 5, cells: ['2', 'say "hi", bye'], raw: '2,"say ""hi"", bye"' },
      { line: 6, cells: ['3', 'plain'], raw: '3,plain' },
      { line: 7, cells: ['4', 'last'], raw: '4,last' },
    ]);
  });

  it('gives the same records however the input is split into chunks', () => {
    const whole = tokenize([FILE]);
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < FILE.length; i += size) chunks.push(FILE.slice(i, i + size));
      expect(tokenize(chunks)).toEqual(whole);
    }
  });

  it('reports a quote that is never closed with its line', () => {
    expect(() => tokenize(['a,b\n1,"open\n2,3\n'])).toThrow(CsvSyntaxError);
    expect(() => tokenize(['a,b\n1,"open\n2,3\n'])).toThrow(/opened on line 2/);
  });

  it('treats a lone CR as a line end and keeps empty trailing fields', () => {
    expect(tokenize(['a,b,\rc,,'])).toEqual([
      { line: 1, cells: ['a', 'b', ''], raw: 'a,b,' },
      { line: 2, cells: ['c', '', ''], raw: 'c,,' },
    ]);
  });
});
