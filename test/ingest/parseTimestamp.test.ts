import { describe, expect, it } from 'vitest';
import { parseCivilDate, parseTimestamp } from '../../functions/ingest/parseTimestamp.ts';

const utc = (iso: string) => Date.parse(iso);

describe('reading export timestamps', () => {
  it.each([
    ['2026-11-02T10:00:00Z', 'UTC', '2026-11-02T10:00:00.000Z'],
    ['2026-11-02T10:00:00z', 'UTC', '2026-11-02T10:00:00.000Z'],
    ['2026-11-02 10:00', 'UTC', '2026-11-02T10:00:00.000Z'],
    ['2026-11-02T10:00:00.123456Z', 'UTC', '2026-11-02T10:00:00.123Z'],
    ['2026-11-02T10:00:00,5+01:00', 'UTC', '2026-11-02T09:00:00.500Z'],
    ['2026-11-02T18:00:00+09:00', 'UTC', '2026-11-02T09:00:00.000Z'],
    ['2026-11-02T05:30:00-0430', 'UTC', '2026-11-02T10:00:00.000Z'],
    ['2026-11-02T05:00:00-05', 'UTC', '2026-11-02T10:00:00.000Z'],
    ['2026-11-02 10:00:00 +09:00', 'UTC', '2026-11-02T01:00:00.000Z'],
    ['2026-11-02', 'UTC', '2026-11-02T00:00:00.000Z'],
    ['  2026-11-02  ', 'UTC', '2026-11-02T00:00:00.000Z'],
    // no offset: the wall time in the source time zone (Seoul is UTC+9, Berlin UTC+1 in November)
    ['2026-11-02 09:00:00', 'Asia/Seoul', '2026-11-02T00:00:00.000Z'],
    ['2026-11-02', 'Europe/Berlin', '2026-11-01T23:00:00.000Z'],
    ['2024-02-29T12:00:00Z', 'UTC', '2024-02-29T12:00:00.000Z'],
    // years as written, not 1900 + year (the row validator then rejects them as out of range)
    ['0025-11-02T10:00:00Z', 'UTC', '0025-11-02T10:00:00.000Z'],
    ['0004-02-29 08:30', 'UTC', '0004-02-29T08:30:00.000Z'],
    ['0099-12-31T23:00:00-01:00', 'UTC', '0100-01-01T00:00:00.000Z'],
  ])('reads %j in %s as %s', (text, zone, expected) => {
    expect(parseTimestamp(text, zone)).toBe(utc(expected));
  });

  it.each([
    '',
    '2026-11-31',
    '2025-02-29',
    '2026-13-01',
    '2026-11-02T24:00:00Z',
    '2026-11-02T10:60:00Z',
    '2026-11-02T10:00:61Z',
    '2026-11-02T',
    '2026-11-02T10',
    '2026-11-02T10:00:00.Z',
    '2026-11-02T10:00:00.1234567891Z',
    '2026-11-02T10:00:00+15:00',
    '2026-11-02T10:00:00+0900x',
    '2026/11/02',
    '02.11.2026',
    '1762077600',
    'yesterday',
  ])('refuses %j', (text) => {
    expect(parseTimestamp(text, 'UTC')).toBeNull();
  });
});

describe('reading export dates', () => {
  it('counts days since 1970-01-01 and refuses impossible dates', () => {
    expect(parseCivilDate('1970-01-02')).toBe(1);
    expect(parseCivilDate('2026-11-23')).toBe(utc('2026-11-23T00:00:00Z') / 86_400_000);
    expect(parseCivilDate('2026-02-29')).toBeNull();
    expect(parseCivilDate('2026-11-23T00:00:00Z')).toBeNull();
  });

  it('reads years 0000-0099 as written: 0001-01-01 is 719,162 days before 1970', () => {
    expect(parseCivilDate('0001-01-01')).toBe(-719_162);
    expect(parseCivilDate('0099-01-01')).toBe(-719_162 + 98 * 365 + 24);
  });
});
