// Timestamps as exports write them: with an offset or Z, without one (read in the source time
// zone), or a bare date (midnight in the source time zone). Returns epoch milliseconds.
import { instantOfWallTime } from '../time/zonedTime.ts';

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function parseTimestamp(text: string, sourceTimeZone: string): number | null {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] ? Number(m[4]) : 0;
  const minute = m[5] ? Number(m[5]) : 0;
  const second = m[6] ? Number(m[6]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const offset = m[8];
  if (offset === undefined) {
    if (sourceTimeZone === 'UTC') return Date.UTC(year, month - 1, day, hour, minute, second, millis);
    return instantOfWallTime({ year, month, day, hour, minute, second }, sourceTimeZone).getTime() + millis;
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (offset === 'Z' || offset === 'z') return utc;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  if (offsetMinutes > 14 * 60) return null;
  return utc - sign * offsetMinutes * 60_000;
}

/** A civil date YYYY-MM-DD as days since 1970-01-01, or null. */
export function parseCivilDate(text: string): number | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return Date.UTC(year, month - 1, day) / 86_400_000;
}
