import { describe, expect, it } from 'vitest';
import { addWeeks, isoWeekOfCivilDate, lastCompleteWeek, parseWeekId, weekBounds, weeksInIsoYear } from '../../functions/time/isoWeek.ts';

describe('ISO weeks', () => {
  it.each([
    ['2026-01-01', '2026-W01'], // a Thursday: week 1
    ['2027-01-01', '2026-W53'], // a Friday: still the last week of 2026
    ['2024-12-30', '2025-W01'], // a Monday: week 1 of the next year
    ['2026-11-22', '2026-W47'], // a Sunday
  ])('%s is in %s', (date, id) => {
    // Act
    const w = isoWeekOfCivilDate(new Date(`${date}T00:00:00Z`));

    // Assess
    expect(`${w.year}-W${String(w.week).padStart(2, '0')}`).toBe(id);
  });

  it('knows which years have 53 weeks', () => {
    expect(weeksInIsoYear(2026)).toBe(53);
    expect(weeksInIsoYear(2025)).toBe(52);
    expect(weeksInIsoYear(2020)).toBe(53);
  });

  it('rejects malformed and out-of-range week ids with the expected form', () => {
    expect(() => parseWeekId('2026-47')).toThrow(/write it like 2026-W47/);
    expect(() => parseWeekId('2025-W53')).toThrow(/2025 has weeks 1 to 52/);
  });

  it('bounds a week at local midnights, across the end of daylight saving time', () => {
    // 2026-W45 starts Monday 2026-11-02 in New York, the day after clocks went back (EDT -> EST).
    const w44 = weekBounds(parseWeekId('2026-W44'), 'America/New_York');
    expect(w44.start.toISOString()).toBe('2026-10-26T04:00:00.000Z'); // EDT, UTC-4
    expect(w44.end.toISOString()).toBe('2026-11-02T05:00:00.000Z'); // EST, UTC-5
    expect(w44.end.getTime() - w44.start.getTime()).toBe((7 * 24 + 1) * 3_600_000);
  });

  it('bounds a week in a zone east of UTC', () => {
    const w = weekBounds(parseWeekId('2026-W47'), 'Asia/Seoul');
    expect(w.start.toISOString()).toBe('2026-11-15T15:00:00.000Z');
    expect(w.end.toISOString()).toBe('2026-11-22T15:00:00.000Z');
  });

  it('takes the last complete week in the configured zone', () => {
    // Monday 2026-11-23 07:00 UTC is already Monday in Seoul and still Sunday in Los Angeles.
    const now = new Date('2026-11-23T07:00:00Z');
    expect(lastCompleteWeek(now, 'Asia/Seoul')).toEqual({ year: 2026, week: 47 });
    expect(lastCompleteWeek(now, 'America/Los_Angeles')).toEqual({ year: 2026, week: 46 });
  });

  it('steps across year ends', () => {
    expect(addWeeks({ year: 2026, week: 53 }, 1)).toEqual({ year: 2027, week: 1 });
    expect(addWeeks({ year: 2026, week: 1 }, -1)).toEqual({ year: 2025, week: 52 });
  });
});
