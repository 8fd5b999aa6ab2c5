// Wall-clock <-> instant conversion for an IANA time zone using only Intl, so week
// boundaries are right across daylight-saving changes without a date library.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading of `instant` in `timeZone`. */
export function wallTimeAt(instant: Date, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Offset of `timeZone` from UTC at `instant`, in milliseconds (east positive). */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  const w = wallTimeAt(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant at which clocks in `timeZone` show the given wall time. A wall time skipped by a
 * spring-forward gap resolves to the first instant after the gap; an ambiguous one (fall back)
 * to the earlier instant, which is what "the day starts at 00:00" means for week boundaries.
 */
export function instantOfWallTime(w: WallTime, timeZone: string): Date {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const candidates = new Set<number>();
  for (const probe of [naive - 86_400_000, naive, naive + 86_400_000]) {
    candidates.add(naive - zoneOffsetMs(new Date(probe), timeZone));
  }
  const matching = [...candidates]
    .filter((t) => {
      const back = wallTimeAt(new Date(t), timeZone);
      return Date.UTC(back.year, back.month - 1, back.day, back.hour, back.minute, back.second) === naive;
    })
    .sort((a, b) => a - b);
  if (matching.length > 0) return new Date(matching[0]!);
  // In a gap: the latest offset before the gap applied to the wall time lands after it.
  return new Date(Math.max(...candidates));
}
