// ISO-8601 weeks (Monday first, week 1 holds the year's first Thursday) and their boundaries
// as instants in a configured time zone. Every report is keyed by one of these.
import { instantOfWallTime, wallTimeAt } from './zonedTime.ts';

export interface IsoWeek {
  year: number;
  week: number;
}

const WEEK_ID = /^(\d{4})-W(\d{2})$/;
const DAY_MS = 86_400_000;

export function formatWeekId({ year, week }: IsoWeek): string {
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function weeksInIsoYear(year: number): number {
  // A year has 53 ISO weeks when Dec 28 falls in week 53, i.e. Jan 1 is a Thursday,
  // or a Wednesday in a leap year.
  const dec28 = new Date(Date.UTC(year, 11, 28));
  return isoWeekOfCivilDate(dec28).week;
}

export function parseWeekId(id: string): IsoWeek {
  const m = WEEK_ID.exec(id.trim());
  if (!m) throw new Error(`"${id}" is not an ISO week id; write it like 2026-W47`);
  const year = Number(m[1]);
  const week = Number(m[2]);
  const max = weeksInIsoYear(year);
  if (week < 1 || week > max) throw new Error(`"${id}": ${year} has weeks 1 to ${max}`);
  return { year, week };
}

/** ISO week of a civil date (only its UTC calendar fields are read). */
export function isoWeekOfCivilDate(date: Date): IsoWeek {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const dayOfWeek = d.getUTCDay() || 7; // Monday=1 .. Sunday=7
  d.setUTCDate(d.getUTCDate() + 4 - dayOfWeek); // the Thursday of this week decides the year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  return { year: d.getUTCFullYear(), week: Math.ceil(((d.getTime() - yearStart) / DAY_MS + 1) / 7) };
}

/** Monday of the ISO week as a civil date (UTC midnight used as a date carrier). */
export function mondayOf({ year, week }: IsoWeek): Date {
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const jan4Dow = jan4.getUTCDay() || 7;
  return new Date(Date.UTC(year, 0, 4 - (jan4Dow - 1) + (week - 1) * 7));
}

export function addWeeks(w: IsoWeek, n: number): IsoWeek {
  const monday = mondayOf(w);
  return isoWeekOfCivilDate(new Date(monday.getTime() + n * 7 * DAY_MS));
}

export function compareWeeks(a: IsoWeek, b: IsoWeek): number {
  return a.year !== b.year ? a.year - b.year : a.week - b.week;
}

/** Local midnight of a civil date in `timeZone`, as an instant. */
export function startOfCivilDay(civil: Date, timeZone: string): Date {
  return instantOfWallTime(
    { year: civil.getUTCFullYear(), month: civil.getUTCMonth() + 1, day: civil.getUTCDate(), hour: 0, minute: 0, second: 0 },
    timeZone,
  );
}

export interface WeekBounds {
  id: string;
  /** Monday 00:00 local, inclusive. */
  start: Date;
  /** Next Monday 00:00 local, exclusive. */
  end: Date;
}

export function weekBounds(w: IsoWeek, timeZone: string): WeekBounds {
  const monday = mondayOf(w);
  return {
    id: formatWeekId(w),
    start: startOfCivilDay(monday, timeZone),
    end: startOfCivilDay(new Date(monday.getTime() + 7 * DAY_MS), timeZone),
  };
}

/** Local midnight `days` civil days before the civil date of `instant` in `timeZone`. */
export function shiftCivilDays(instant: Date, days: number, timeZone: string): Date {
  const w = wallTimeAt(instant, timeZone);
  const civil = new Date(Date.UTC(w.year, w.month - 1, w.day) + days * DAY_MS);
  return startOfCivilDay(civil, timeZone);
}

/** The last ISO week that has fully ended at `now` in `timeZone`. */
export function lastCompleteWeek(now: Date, timeZone: string): IsoWeek {
  const w = wallTimeAt(now, timeZone);
  const current = isoWeekOfCivilDate(new Date(Date.UTC(w.year, w.month - 1, w.day)));
  return addWeeks(current, -1);
}

/**
 * The bounds of `w`, which must have ended at `now`: a week in progress has part of its data still
 * to come. `verb` says what takes complete weeks only, for the message ("report", "backfill").
 */
export function endedWeekBounds(w: IsoWeek, timeZone: string, now: Date, verb: string): WeekBounds {
  const week = weekBounds(w, timeZone);
  if (week.end.getTime() > now.getTime()) {
    throw new Error(`${week.id} has not ended yet (it ends ${week.end.toISOString()}); ${verb} complete weeks only, e.g. the last one, ${formatWeekId(lastCompleteWeek(now, timeZone))}`);
  }
  return week;
}
