import { describe, expect, it } from 'vitest';
import { centuryOf, dateReader, problemOfFormat, timestampReader } from '../../functions/ingest/timestampFormat.ts';

describe('timestamp formats of mapping files and exports.dateFormat', () => {
  it.each([
    // a spreadsheet's re-save of a Stripe subscriptions export: month first, two-digit year
    ['MM/DD/YY HH:mm', '12/25/25 20:18', 'UTC', '2025-12-25T20:18:00.000Z'],
    ['MM/DD/YY HH:mm', '1/5/26 7:03', 'UTC', '2026-01-05T07:03:00.000Z'],
    ['DD.MM.YY', '31.12.99', 'UTC', '1999-12-31T00:00:00.000Z'],
    ['DD/MM/YY HH:mm', '02/11/26 09:00', 'Asia/Seoul', '2026-11-02T00:00:00.000Z'],
    ['DD/MM/YYYY', '3/11/2026', 'UTC', '2026-11-03T00:00:00.000Z'],
  ])('%s reads %j in %s as %s', (format, text, zone, expected) => {
    expect(timestampReader(format, zone)(text)).toBe(Date.parse(expected));
  });

  it.each([
    ['MM/DD/YY', '12/25/2025'],
    ['MM/DD/YY', '13/01/25'],
    ['MM/DD/YY', '02/29/25'],
    ['MM/DD/YYYY', '12/25/25'],
  ])('%s does not read %j', (format, text) => {
    expect(timestampReader(format, 'UTC')(text)).toBeNull();
  });

  it('reads two-digit years as POSIX %y does: 69–99 in the 1900s, 00–68 in the 2000s', () => {
    expect([centuryOf(0), centuryOf(25), centuryOf(68), centuryOf(69), centuryOf(99)]).toEqual([2000, 2025, 2068, 1969, 1999]);
    expect(dateReader('DD/MM/YY')('29/02/00')).toBe('2000-02-29');
    expect(dateReader('DD/MM/YY')('01/01/70')).toBe('1970-01-01');
  });

  it.each([
    ['DD/MM/YY/YYYY', '"DD/MM/YY/YYYY" has a year twice'],
    ['DD/MM', '"DD/MM" lacks YYYY (or YY)'],
    ['YY-DD', '"YY-DD" lacks MM'],
    ['DD/MM/YYY', '"DD/MM/YYY" has "Y" outside the known fields YYYY, YY, MM, DD, HH, mm, ss'],
  ])('says what is wrong with %s', (format, problem) => {
    expect(problemOfFormat(format)).toBe(problem);
  });
});
