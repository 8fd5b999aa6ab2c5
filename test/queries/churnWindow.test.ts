import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { param, type ParameterValues } from '../../functions/engine/queryEngine.ts';
import { churnWindowRow } from '../../functions/kpi/queryRows.ts';
import { activityOf } from '../../functions/pipeline/gatherInputs.ts';
import { parseWeekId, shiftCivilDays, weekBounds } from '../../functions/time/isoWeek.ts';
import { asText, openEmptyLake, openFixtureLake, type FixtureLake } from './fixtureLake.ts';

// test/fixtures/churn-window in America/New_York, where daylight saving time ended on
// 2025-11-02 and on 2026-11-01. Timestamps without an offset are New York wall time.
// Windows as the pipeline computes them (local midnights, so a window spans 28 days and 1 hour):
//   2026-W45  window [2026-10-12T04:00Z, 2026-11-09T05:00Z)
//             activity before the start [2025-10-12T04:00Z, ...), before the end [2025-11-09T05:00Z, ...)
//   2026-W44  window [2026-10-05T04:00Z, 2026-11-02T05:00Z)
//             activity before the start [2025-10-05T04:00Z, ...), before the end [2025-11-02T04:00Z, ...)
// Paid orders (non-contractual customers), in UTC:
//   n1 2025-10-12T03:30Z  n2 2025-10-12T04:30Z  n3 2025-11-09T04:30Z  n4 2025-11-09T05:30Z
//   n5 2026-10-12T03:30Z  n6 2026-10-12T04:30Z (EUR: money plays no part)
//   n7 2026-11-09T04:30Z  n8 2026-11-09T05:30Z  n11 2025-11-02T04:30Z  n12 2025-11-02T03:30Z
//   n9 only a fully refunded and a pending order: never active
// Subscriptions (contractual customers):
//   k1 open since 2026-01-01; k2 ends 2026-11-09T04:30Z; k3 ends 2026-11-09T05:30Z;
//   k4 ends 2026-10-12T03:30Z and has a paid order on 2026-09-01 (judged by the subscription);
//   k5 one ends 2026-10-20, another starts 2026-10-25; k6 starts 2026-10-20;
//   k7 ends 2026-10-12T04:00Z, exactly at the W45 window start;
//   k8 subscribes only on 2026-11-20 (after both windows) and has a paid order on 2026-09-15:
//   in these windows k8 is judged by that order, as a non-contractual customer
const TIME_ZONE = 'America/New_York';
const ACTIVITY_DAYS = 365;

function windowOf(weekId: string) {
  const week = weekBounds(parseWeekId(weekId), TIME_ZONE);
  const start = shiftCivilDays(week.end, -28, TIME_ZONE);
  return { start, end: week.end, startActivityFrom: shiftCivilDays(start, -ACTIVITY_DAYS, TIME_ZONE), endActivityFrom: shiftCivilDays(week.end, -ACTIVITY_DAYS, TIME_ZONE) };
}

function parametersOf(w: ReturnType<typeof windowOf>): ParameterValues {
  return {
    from_month: param.varchar(w.startActivityFrom.toISOString().slice(0, 7)),
    to_month: param.varchar(new Date(w.end.getTime() - 1).toISOString().slice(0, 7)),
    window_start: param.timestamp(w.start),
    window_end: param.timestamp(w.end),
    start_activity_from: param.timestamp(w.startActivityFrom),
    end_activity_from: param.timestamp(w.endActivityFrom),
  };
}

const counts = (rows: Record<string, string | null>[]) =>
  rows.map((r) => [r.population, r.active_at_start, r.active_at_end, r.retained, r.churned, r.became_active].join(' '));

let lake: FixtureLake;

beforeAll(async () => {
  lake = await openFixtureLake('churn-window', { sourceTimeZone: TIME_ZONE });
});

afterAll(async () => {
  await lake?.close();
});

describe('queries/churn_window.sql', () => {
  it('takes window bounds at local midnights across the daylight-saving change', () => {
    // The bounds the pipeline passes; the order timestamps above sit half an hour either side.
    expect(Object.values(windowOf('2026-W45')).map((d) => d.toISOString())).toEqual([
      '2026-10-12T04:00:00.000Z',
      '2026-11-09T05:00:00.000Z',
      '2025-10-12T04:00:00.000Z',
      '2025-11-09T05:00:00.000Z',
    ]);
    expect(windowOf('2026-W44').endActivityFrom.toISOString()).toBe('2025-11-02T04:00:00.000Z');
  });

  it('counts contractual and non-contractual churn in the window ending with 2026-W45', async () => {
    // Act
    const rows = asText(await lake.run('churn_window', parametersOf(windowOf('2026-W45'))));

    // Assess
    // contractual: at start k1 k2 k3 k5 (k7 ended exactly at the start); at end k1 k3 k5 k6;
    //   k2's subscription ended within the window; k5 changed subscriptions and stays retained
    // non-contractual: at start n2 n3 n4 n5 n11 n12 k8 (n1 is half an hour too early); at end
    //   n4 n5 n6 n7 k8 (n3 and n11 are just before the end's activity window, n8 after the window)
    expect(counts(rows)).toEqual([
      'contractual 4 4 3 1 1',
      'non_contractual 7 5 3 4 2',
      'all 11 9 6 5 3',
    ]);
    expect(rows.map((r) => [Number(r.retention_rate), Number(r.churn_rate)])).toEqual([
      [3 / 4, 1 / 4],
      [3 / 7, 4 / 7],
      [6 / 11, 5 / 11],
    ]);
  });

  it('gives the previous week with the same query and its own bounds', async () => {
    // Act
    const rows = asText(await lake.run('churn_window', parametersOf(windowOf('2026-W44'))));

    // Assess
    // contractual: at start k1 k2 k3 k4 k5 k7; at end k1 k2 k3 k5 k6; churned k4 and k7
    // non-contractual: at start n1 n2 n3 n4 n11 n12 k8; at end n3 n4 n5 n6 n11 k8 (n11 at 00:30
    //   EDT on 2025-11-02 is inside the end's activity window, n12 at 23:30 the day before is not)
    expect(counts(rows)).toEqual([
      'contractual 6 5 4 2 1',
      'non_contractual 7 6 4 3 2',
      'all 13 11 8 5 3',
    ]);
  });

  it('gives the weekly KPIs their activity: the all row and the counts of each population', async () => {
    // Act
    const rows = (await lake.run('churn_window', parametersOf(windowOf('2026-W45')))).map((r) => churnWindowRow.parse(r));

    // Assess: the counts of the 2026-W45 window above, all and by population
    expect(activityOf(rows)).toEqual({
      active_at_start: 11,
      active_at_end: 9,
      retained: 6,
      contractual: { active_at_start: 4, active_at_end: 4, retained: 3 },
      nonContractual: { active_at_start: 7, active_at_end: 5, retained: 3 },
    });
  });

  it('refuses a result without exactly one row per population, naming the population', () => {
    const all = { population: 'all' as const, active_at_start: 1, active_at_end: 1, retained: 1 };
    expect(() => activityOf([all])).toThrow('queries/churn_window.sql returned 0 rows for population contractual; expected exactly one');
    expect(() => activityOf([all, all, { ...all, population: 'contractual' }])).toThrow('returned 2 rows for population all');
  });

  it('returns the three rows with zeros and withheld rates on an empty lake', async () => {
    // Prepare
    const empty = await openEmptyLake();

    // Act
    const rows = asText(await empty.run('churn_window', parametersOf(windowOf('2026-W45'))).finally(() => empty.close()));

    // Assess
    expect(counts(rows)).toEqual(['contractual 0 0 0 0 0', 'non_contractual 0 0 0 0 0', 'all 0 0 0 0 0']);
    expect(rows.every((r) => r.retention_rate === null && r.churn_rate === null)).toBe(true);
  });
});
