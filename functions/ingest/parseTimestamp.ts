// Timestamps as exports write them: with an offset or Z, without one (read in the source time
// zone), or a bare date (midnight in the source time zone). Returns epoch milliseconds. Years
// are read as written: 0025 is the year 25, which the row validator then rejects as out of range.
import { instantOfWallTime, type WallTime } from '../time/zonedTime.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Date.UTC reads years 0-99 as 1900-1999; 400 Gregorian years later the calendar repeats exactly. */
const YEARS_400_MS = 146_097 * 86_400_000;

function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, millis);
  return Date.UTC(year + 400, month - 1, day, hour, minute, second, millis) - YEARS_400_MS;
}

/** Epoch milliseconds of a wall time in a time zone, its year as written. */
export function instantOfExportTime(w: WallTime, timeZone: string): number {
  if (timeZone === 'UTC') return utcMs(w.year, w.month, w.day, w.hour, w.minute, w.second, 0);
  if (w.year < 100) return instantOfWallTime({ ...w, year: w.year + 400 }, timeZone).getTime() - YEARS_400_MS;
  return instantOfWallTime(w, timeZone).getTime();
}

/** The number written by `count` digits at `at`, or -1. */
function digitsAt(s: string, at: number, count: number): number {
  if (at + count > s.length) return -1;
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `YYYY-MM-DD[(T| )HH:MM[:SS[(.|,)fraction]]][ ][Z|±HH[[:]MM]]`, read character by character:
 * this runs for every timestamp of every export row.
 */
export function parseTimestamp(text: string, sourceTimeZone: string): number | null {
  const s = text.trim();
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  if (year < 0 || month < 0 || day < 0 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return null;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  let i = 10;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  const sep = s.charCodeAt(i);
  if ((sep === 84 || sep === 32) && s.charCodeAt(i + 3) === 58) {
    // 'T' or ' ' then HH:MM
    hour = digitsAt(s, i + 1, 2);
    minute = digitsAt(s, i + 4, 2);
    if (hour < 0 || minute < 0) return null;
    i += 6;
    if (s.charCodeAt(i) === 58) {
      second = digitsAt(s, i + 1, 2);
      if (second < 0) return null;
      i += 3;
      const dot = s.charCodeAt(i);
      if (dot === 46 || dot === 44) {
        const start = ++i;
        let scale = 100;
        while (i < s.length && i - start < 9) {
          const d = s.charCodeAt(i) - 48;
          if (d < 0 || d > 9) break;
          millis += d * scale;
          scale /= 10;
          i++;
        }
        if (i === start) return null;
        millis = Math.floor(millis);
      }
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return null;
  while (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9) i++;
  if (i === s.length) {
    if (sourceTimeZone === 'UTC') return utcMs(year, month, day, hour, minute, second, millis);
    return instantOfExportTime({ year, month, day, hour, minute, second }, sourceTimeZone) + millis;
  }
  const utc = utcMs(year, month, day, hour, minute, second, millis);
  const sign = s.charCodeAt(i);
  if ((sign === 90 || sign === 122) && i + 1 === s.length) return utc; // Z or z
  if (sign !== 43 && sign !== 45) return null;
  const offsetHours = digitsAt(s, i + 1, 2);
  if (offsetHours < 0) return null;
  let offsetMinutes = 0;
  const rest = s.length - (i + 3);
  if (rest === 3 && s.charCodeAt(i + 3) === 58) offsetMinutes = digitsAt(s, i + 4, 2);
  else if (rest === 2) offsetMinutes = digitsAt(s, i + 3, 2);
  else if (rest !== 0) return null;
  if (offsetMinutes < 0) return null;
  const total = offsetHours * 60 + offsetMinutes;
  if (total > 14 * 60) return null;
  return utc - (sign === 45 ? -1 : 1) * total * 60_000;
}

/** A civil date YYYY-MM-DD as days since 1970-01-01, or null. */
export function parseCivilDate(text: string): number | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return utcMs(year, month, day, 0, 0, 0, 0) / 86_400_000;
}
