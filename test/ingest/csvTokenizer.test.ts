import { describe, expect, it } from 'vitest';
import { CsvRecordTooLong, CsvSyntaxError, CsvTokenizer, type CsvToken } from '../../functions/ingest/csvTokenizer.ts';

function tokenize(chunks: string[], maxRecordChars?: number): CsvToken[] {
  const t = new CsvTokenizer(maxRecordChars);
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

  it('marks the first field with text after its closing quote, and lets blanks after it pass', () => {
    expect(tokenize(['a,b,c\n"1"2,"x"y,3\n"4" ,"5"\t,6\n'])).toEqual([
      { line: 1, cells: ['a', 'b', 'c'], raw: 'a,b,c' },
      { line: 2, cells: ['12', 'xy', '3'], raw: '"1"2,"x"y,3', textAfterQuote: 0 },
      { line: 3, cells: ['4 ', '5\t', '6'], raw: '"4" ,"5"\t,6' },
    ]);
  });

  it('refuses a record past its limit however it is split into chunks, with the line it starts on', () => {
    // Line 2 is 3 + 12 = 15 characters: within a limit of 15, past one of 14
    const text = 'a,b\n1,"0123456789\n"\n';
    for (const chunks of [[text], text.split('')]) {
      expect(tokenize(chunks, 15)).toHaveLength(2);
      expect(() => tokenize(chunks, 14)).toThrow(CsvRecordTooLong);
      expect(() => tokenize(chunks, 14)).toThrow('the record starting on line 2 is longer than 14 characters');
    }
  });
});
