import { describe, expect, it } from 'vitest';
import { csvCell, csvQuote } from '../../functions/text/csv.ts';

describe('csvCell', () => {
  it.each([
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tTAB', "'\tTAB"],
    ['\rCR', `"'\rCR"`],
    ["'quoted", "''quoted"],
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['Champions, Loyal', '"Champions, Loyal"'],
    ['line\nbreak', '"line\nbreak"'],
    ['plain', 'plain'],
    ['-12.50', '-12.50'],
    ['+3', '+3'],
    ['-1e-9', '-1e-9'],
    ['-', "'-"],
    ['-12.5x', "'-12.5x"],
  ])('defuses and quotes the text %j', (text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });

  it.each([
    [-0.05, '-0.05'],
    [1545.7633928571428, '1545.763393'],
    [100, '100'],
    [-1e-9, '0'],
    [null, ''],
  ])('writes the number %s as the plain decimal %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

describe('csvQuote', () => {
  it.each([
    ['plain', 'plain'],
    ['=SUM(A1)', '=SUM(A1)'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
  ])('quotes %j only where CSV needs it, for files read by machines', (text, cell) => {
    expect(csvQuote(text)).toBe(cell);
  });
});
